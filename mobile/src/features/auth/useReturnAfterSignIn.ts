import { useRouter } from 'expo-router';
import { useEffect, useRef } from 'react';

import type { SessionStatus } from './session';

/** Routes a signed-out person may open; every other one waits for sign-in. */
const OPEN_PATHS = new Set(['/', '/sign-in']);

/**
 * A link opened while signed out (a shared results link, a bookmark) is kept through sign-in:
 * the path on screen while the stored session loads, or when a signed-out person opens it, is
 * where the app goes once they are signed in.
 */
export function useReturnAfterSignIn(status: SessionStatus, pathname: string, sessionEnded: boolean): void {
  const router = useRouter();
  const wanted = useRef<string | null>(null);
  const pending = useRef<string | null>(null);
  const previous = useRef<SessionStatus>(status);

  useEffect(() => {
    const was = previous.current;
    previous.current = status;
    if (status !== 'signedIn') {
      // Signing out is leaving: the next sign-in starts at Upload, not on Settings where the
      // button was. A session that ended by itself goes back to where the person was.
      const leftByChoice = was === 'signedIn' && !sessionEnded;
      if (!OPEN_PATHS.has(pathname) && !leftByChoice) wanted.current = pathname;
      return;
    }
    // From 'loading' straight to signed in, the link is already on screen: nothing to do.
    if (was === 'signedOut' && wanted.current) pending.current = wanted.current;
    wanted.current = null;
    // Right after sign-in the guards still move the user off /sign-in; go once that is done.
    if (pathname === '/sign-in') return;
    const target = pending.current;
    pending.current = null;
    if (target && target !== pathname) router.push(target);
  }, [status, pathname, router, sessionEnded]);
}
