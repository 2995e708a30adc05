import { Stack, usePathname, useRootNavigationState } from 'expo-router';
import { ActivityIndicator, StyleSheet, Text, View } from 'react-native';

import { useSession } from '@/features/auth/session';
import { useReturnAfterSignIn } from '@/features/auth/useReturnAfterSignIn';
import { useNotificationRouting } from '@/features/notifications/useNotificationRouting';
import { usePushRegistration, usePushTokenRefresh } from '@/features/notifications/usePushRegistration';
import { colors, space, type } from '@/ui/theme';

/**
 * The navigator is always mounted. While the stored session loads, both groups stay reachable (so
 * a deep link or a notification's route survives), hidden under a splash; then the guards decide.
 */
export function AppStack() {
  const { status, notice } = useSession();
  const navigation = useRootNavigationState();
  const pathname = usePathname();
  // Right after sign-in the guards still move the user off /sign-in; route once that is done.
  useNotificationRouting(status === 'signedIn' && !!navigation?.key && pathname !== '/sign-in');
  usePushRegistration();
  usePushTokenRefresh();
  useReturnAfterSignIn(status, pathname, notice !== null);

  return (
    <View style={styles.fill}>
      <Stack
        screenOptions={{
          headerTintColor: colors.accent,
          headerTitleStyle: { color: colors.text },
          contentStyle: { backgroundColor: colors.background },
        }}
      >
        <Stack.Protected guard={status !== 'signedOut'}>
          <Stack.Screen name="(tabs)" options={{ headerShown: false, title: 'Clipscope' }} />
          <Stack.Screen name="jobs/[id]" options={{ title: 'Analysis' }} />
          <Stack.Screen name="results/[id]" options={{ title: 'Results' }} />
          <Stack.Screen name="batches/[id]" options={{ title: 'Batch' }} />
        </Stack.Protected>
        <Stack.Protected guard={status !== 'signedIn'}>
          <Stack.Screen name="sign-in" options={{ headerShown: false, title: 'Sign in' }} />
        </Stack.Protected>
      </Stack>
      {status === 'loading' ? (
        <View style={styles.splash} testID="splash">
          <Text style={styles.logo}>Clipscope</Text>
          <ActivityIndicator color={colors.accent} />
        </View>
      ) : null}
    </View>
  );
}

const styles = StyleSheet.create({
  fill: { flex: 1 },
  splash: {
    ...StyleSheet.absoluteFill,
    backgroundColor: colors.background,
    alignItems: 'center',
    justifyContent: 'center',
    gap: space.lg,
  },
  logo: { ...type.title, color: colors.accent, fontSize: 34 },
});
