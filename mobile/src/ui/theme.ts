/** One palette and spacing scale, so every screen looks like the same product. */
export const colors = {
  background: '#F5F6FA',
  surface: '#FFFFFF',
  border: '#E4E7EE',
  text: '#111827',
  muted: '#6B7280',
  accent: '#4F46E5',
  accentSoft: '#EEF2FF',
  danger: '#DC2626',
  dangerSoft: '#FEF2F2',
  warning: '#B45309',
  warningSoft: '#FFFBEB',
  success: '#15803D',
  successSoft: '#F0FDF4',
  track: '#E5E7EB',
} as const;

export const space = { xs: 4, sm: 8, md: 12, lg: 16, xl: 24, xxl: 32 } as const;

export const radius = { sm: 8, md: 12, lg: 16, pill: 999 } as const;

export const type = {
  title: { fontSize: 26, fontWeight: '700', color: colors.text },
  heading: { fontSize: 17, fontWeight: '600', color: colors.text },
  body: { fontSize: 15, color: colors.text },
  small: { fontSize: 13, color: colors.muted },
} as const;
