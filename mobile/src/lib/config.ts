import { Platform } from 'react-native';

export const STORAGE_KEYS = {
  token: 'clipscope.token',
  email: 'clipscope.email',
  serverUrl: 'clipscope.serverUrl',
} as const;

/** How often a job that is not finished is polled. */
export const POLL_INTERVAL_MS = 2000;

/** The server the app talks to until the user picks another in Settings. */
export function defaultServerUrl(): string {
  const fromBuild = process.env.EXPO_PUBLIC_API_URL;
  if (fromBuild) return fromBuild;
  // A web build served by the backend's own host needs no configuration.
  if (Platform.OS === 'web' && typeof window !== 'undefined') return window.location.origin;
  return 'http://localhost:8000';
}
