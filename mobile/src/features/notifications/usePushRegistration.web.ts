import { useQuery } from '@tanstack/react-query';

import type { PushRegistration } from './registerPush';

/** Browsers: push is a phone feature here; report it as such so Settings can say so. */
export function usePushRegistration() {
  return useQuery({
    queryKey: ['push-registration', 'web'],
    queryFn: (): PushRegistration => ({ status: 'unsupported' }),
    staleTime: Infinity,
  });
}

/** Browsers have nothing to ask. */
export function useAskForPush() {
  return { mutate: () => undefined, isPending: false, error: null };
}

/** Browsers get no push tokens. */
export function usePushTokenRefresh() {}
