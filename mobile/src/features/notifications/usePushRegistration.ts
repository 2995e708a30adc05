import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import * as Notifications from 'expo-notifications';
import { useEffect } from 'react';

import { useSession } from '@/features/auth/session';

import { pushRegistrationKey } from './keys';
import { registerForPushAsync, type PushRegistration } from './registerPush';

/**
 * Registration runs in the background of a signed-in session and never blocks a screen. A failure
 * is retried with back-off, and again whenever the app returns to the foreground (an errored
 * query has no data, so it is stale and refetched on focus).
 */
export function usePushRegistration() {
  const { status, api, email, serverUrl } = useSession();
  return useQuery({
    queryKey: pushRegistrationKey(serverUrl, email),
    queryFn: () => registerForPushAsync(api),
    enabled: status === 'signedIn',
    staleTime: Infinity,
    retry: 3,
    retryDelay: (attempt) => Math.min(60_000, 2_000 * 2 ** attempt),
    refetchOnWindowFocus: true,
  });
}

/** Once per app (the root layout): a new token from the OS registers the device again. */
export function usePushTokenRefresh() {
  const { status, email, serverUrl } = useSession();
  const queryClient = useQueryClient();
  const signedIn = status === 'signedIn';
  useEffect(() => {
    if (!signedIn) return undefined;
    const subscription = Notifications.addPushTokenListener(() => {
      void queryClient.invalidateQueries({ queryKey: pushRegistrationKey(serverUrl, email) });
    });
    return () => subscription.remove();
  }, [signedIn, queryClient, serverUrl, email]);
}

/** The OS prompt, shown after the app explained why (from the upload screen). */
export function useAskForPush() {
  const { api, email, serverUrl } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => registerForPushAsync(api, true),
    onSuccess: (registration: PushRegistration) => {
      queryClient.setQueryData(pushRegistrationKey(serverUrl, email), registration);
    },
  });
}
