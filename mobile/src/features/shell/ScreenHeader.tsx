import { Ionicons } from '@expo/vector-icons';
import { Stack, useRouter } from 'expo-router';
import { Platform, Pressable, StyleSheet, Text } from 'react-native';

import { colors, MIN_TAP, space } from '@/ui/theme';

interface Props {
  title: string;
  /** Browsers have no pull-to-refresh: a header button does the same there. */
  onRefresh?: () => void;
  refreshing?: boolean;
}

/**
 * A stack screen's header with a way out even when the screen is the first one (opened from a
 * link, a notification, a reload or a new tab: nothing to go back to, and no tab bar).
 */
export function ScreenHeader({ title, onRefresh, refreshing }: Props) {
  const router = useRouter();
  const first = !router.canGoBack();
  return (
    <Stack.Screen
      options={{
        title,
        headerLeft: first
          ? () => (
              <Pressable
                onPress={() => router.replace('/history')}
                accessibilityRole="button"
                accessibilityLabel="Back to your videos"
                style={styles.button}
                testID="header-home"
              >
                <Ionicons name="chevron-back" size={22} color={colors.accent} />
                <Text style={styles.label}>Your videos</Text>
              </Pressable>
            )
          : undefined,
        headerRight: onRefresh && Platform.OS === 'web' ? () => <RefreshButton onPress={onRefresh} busy={!!refreshing} /> : undefined,
      }}
    />
  );
}

/**
 * Never disabled: busy only while a refresh the person asked for is on its way (see
 * useManualRefresh), so it stays usable while the app rides out an outage by itself.
 */
export function RefreshButton({ onPress, busy }: { onPress: () => void; busy: boolean }) {
  return (
    <Pressable
      onPress={onPress}
      accessibilityRole="button"
      accessibilityLabel="Refresh"
      accessibilityState={{ busy }}
      style={styles.button}
      testID="header-refresh"
    >
      <Ionicons name="refresh" size={20} color={busy ? colors.muted : colors.accent} />
    </Pressable>
  );
}

const styles = StyleSheet.create({
  button: { minHeight: MIN_TAP, minWidth: MIN_TAP, flexDirection: 'row', alignItems: 'center', paddingHorizontal: space.sm, gap: 2 },
  label: { color: colors.accent, fontSize: 16 },
});
