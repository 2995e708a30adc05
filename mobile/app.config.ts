import type { ExpoConfig } from 'expo/config';

/**
 * The static part of the config lives in app.json; the EAS project id comes from the environment
 * so that each deployment (and EAS Build) can supply its own without editing files.
 */
export default ({ config }: { config: ExpoConfig }): ExpoConfig => ({
  ...config,
  name: config.name ?? 'Clipscope',
  slug: config.slug ?? 'clipscope',
  extra: {
    ...config.extra,
    eas: { ...config.extra?.eas, projectId: process.env.EAS_PROJECT_ID || config.extra?.eas?.projectId },
  },
});
