import { ActivityIndicator, Pressable, StyleSheet, Text } from 'react-native';

import { colors, radius, space } from './theme';

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost';

interface Props {
  label: string;
  onPress: () => void;
  variant?: Variant;
  disabled?: boolean;
  busy?: boolean;
  testID?: string;
}

export function Button({ label, onPress, variant = 'primary', disabled, busy, testID }: Props) {
  const inactive = disabled || busy;
  const palette = variants[variant];
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityState={{ disabled: !!inactive, busy: !!busy }}
      accessibilityLabel={label}
      onPress={onPress}
      disabled={inactive}
      testID={testID}
      style={({ pressed }) => [
        styles.base,
        { backgroundColor: palette.bg, borderColor: palette.border },
        pressed && styles.pressed,
        inactive && styles.inactive,
      ]}
    >
      {busy ? <ActivityIndicator color={palette.fg} style={styles.spinner} /> : null}
      <Text style={[styles.label, { color: palette.fg }]}>{label}</Text>
    </Pressable>
  );
}

const variants: Record<Variant, { bg: string; fg: string; border: string }> = {
  primary: { bg: colors.accent, fg: '#FFFFFF', border: colors.accent },
  secondary: { bg: colors.surface, fg: colors.accent, border: colors.border },
  danger: { bg: colors.surface, fg: colors.danger, border: colors.dangerBorder },
  ghost: { bg: 'transparent', fg: colors.muted, border: 'transparent' },
};

const styles = StyleSheet.create({
  base: {
    minHeight: 48,
    borderRadius: radius.md,
    borderWidth: 1,
    paddingHorizontal: space.lg,
    alignItems: 'center',
    justifyContent: 'center',
    flexDirection: 'row',
  },
  label: { fontSize: 16, fontWeight: '600' },
  pressed: { opacity: 0.8 },
  inactive: { opacity: 0.5 },
  spinner: { marginRight: space.sm },
});
