import { QueryClientProvider } from '@tanstack/react-query';
import { DarkTheme, DefaultTheme, ThemeProvider } from 'expo-router';
import { StatusBar } from 'expo-status-bar';
import { useEffect, useState } from 'react';

import { SessionProvider } from '@/features/auth/session';
import { wireAppStateFocus } from '@/lib/appFocus';
import { createQueryClient } from '@/lib/queryClient';
import { configureNotifications } from '@/features/notifications/configure';
import { colors, scheme } from '@/ui/theme';

import { AppStack } from './AppStack';

/** Providers and one-time wiring; never returns null, so a cold-start route always has a navigator. */
export function RootLayout() {
  const [queryClient] = useState(createQueryClient);
  useEffect(() => wireAppStateFocus(), []);
  useEffect(() => configureNotifications(), []);

  return (
    <QueryClientProvider client={queryClient}>
      <ThemeProvider value={navigationTheme}>
        <SessionProvider>
          <StatusBar style={scheme === 'dark' ? 'light' : 'dark'} />
          <AppStack />
        </SessionProvider>
      </ThemeProvider>
    </QueryClientProvider>
  );
}

/** Headers and tab bars in the app's palette, light or dark as the system is. */
const base = scheme === 'dark' ? DarkTheme : DefaultTheme;
const navigationTheme = {
  ...base,
  colors: { ...base.colors, primary: colors.accent, background: colors.background, card: colors.surface, text: colors.text, border: colors.border },
};
