import * as Notifications from 'expo-notifications';
import { useRouter } from 'expo-router';
import { useEffect, useRef, useState } from 'react';

import { resultsPathFor } from './paths';

/**
 * A tapped notification opens its job's results, whether the tap launched the app (cold start:
 * the last response is waiting when we mount) or found it running (the listener). The route is
 * held until `ready` (signed in, navigator mounted), so a cold start waits for the session.
 */
export function useNotificationRouting(ready: boolean): void {
  const router = useRouter();
  const [pending, setPending] = useState<string | null>(null);
  const handled = useRef(new Set<string>());

  useEffect(() => {
    const take = (response: Notifications.NotificationResponse) => {
      const id = response.notification.request.identifier;
      if (handled.current.has(id)) return;
      handled.current.add(id);
      // Taken once: a reload must not open the same notification again.
      Notifications.clearLastNotificationResponse();
      const path = resultsPathFor(response);
      if (path) setPending(path);
    };
    const launched = Notifications.getLastNotificationResponse();
    if (launched) take(launched);
    const subscription = Notifications.addNotificationResponseReceivedListener(take);
    return () => subscription.remove();
  }, []);

  useEffect(() => {
    if (!ready || !pending) return;
    router.push(pending);
    // The route is handed to the router exactly once; this clears the hand-off, not derived state.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setPending(null);
  }, [ready, pending, router]);
}
