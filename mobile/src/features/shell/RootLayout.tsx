import { QueryClientProvider } from '@tanstack/react-query';
import { StatusBar } from 'expo-status-bar';
import { useEffect, useState } from 'react';

import { SessionProvider } from '@/features/auth/session';
import { wireAppStateFocus } from '@/lib/appFocus';
import { createQueryClient } from '@/lib/queryClient';
import { configureNotifications } from '@/features/notifications/configure';

import { AppStack } from './AppStack';

/** Providers and one-time wiring; never returns null, so a cold-start route always has a navigator. */
export function RootLayout() {
  const [queryClient] = useState(createQueryClient);
  useEffect(() => wireAppStateFocus(), []);
  useEffect(() => configureNotifications(), []);

  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <StatusBar style="dark" />
        <AppStack />
      </SessionProvider>
    </QueryClientProvider>
  );
}
