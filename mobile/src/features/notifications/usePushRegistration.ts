import { useQuery } from '@tanstack/react-query';

import { useSession } from '@/features/auth/session';

import { pushRegistrationKey } from './keys';
import { registerForPushAsync } from './registerPush';

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
