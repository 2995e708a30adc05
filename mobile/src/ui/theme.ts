import { Appearance } from 'react-native';

/** One palette and spacing scale, so every screen looks like the same product. */
const light = {
  background: '#F5F6FA',
  surface: '#FFFFFF',
  border: '#E4E7EE',
  text: '#111827',
  muted: '#6B7280',
  accent: '#4F46E5',
  accentSoft: '#EEF2FF',
  accentMuted: '#A5B4FC',
  danger: '#DC2626',
  dangerSoft: '#FEF2F2',
  dangerBorder: '#FECACA',
  warning: '#B45309',
  warningSoft: '#FFFBEB',
  warningBorder: '#FDE68A',
  success: '#15803D',
  successSoft: '#F0FDF4',
  track: '#E5E7EB',
  placeholder: '#9CA3AF',
};

const dark: typeof light = {
  background: '#0B0F19',
  surface: '#161B26',
  border: '#2A3140',
  text: '#F3F4F6',
  muted: '#9CA3AF',
  accent: '#818CF8',
  accentSoft: '#1E1B4B',
  accentMuted: '#4338CA',
  danger: '#F87171',
  dangerSoft: '#2A1215',
  dangerBorder: '#7F1D1D',
  warning: '#FBBF24',
  warningSoft: '#291F0A',
  warningBorder: '#78350F',
  success: '#4ADE80',
  successSoft: '#0F2A1A',
  track: '#2A3140',
  placeholder: '#6B7280',
};

/**
 * The system's scheme when the app starts; the styles are built once from it, so a switch while
 * the app runs shows after the next start.
 */
export const scheme: 'light' | 'dark' = Appearance.getColorScheme() === 'dark' ? 'dark' : 'light';
export const colors = scheme === 'dark' ? dark : light;

export const space = { xs: 4, sm: 8, md: 12, lg: 16, xl: 24, xxl: 32 } as const;

export const radius = { sm: 8, md: 12, lg: 16, pill: 999 } as const;

/** Anything a finger presses is at least this tall and wide (Apple's and Android's guidance). */
export const MIN_TAP = 44;

export const type = {
  title: { fontSize: 26, fontWeight: '700', color: colors.text },
  heading: { fontSize: 17, fontWeight: '600', color: colors.text },
  body: { fontSize: 15, color: colors.text },
  small: { fontSize: 13, color: colors.muted },
} as const;
