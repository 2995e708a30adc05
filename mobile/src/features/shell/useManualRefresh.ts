import { useState } from 'react';

interface Refetchable {
  refetch: () => Promise<unknown>;
  failureReason: unknown;
}

/**
 * A refresh the person asked for (the web's header button, pull to refresh): busy from the press
 * until the answer, or until its first failed try, where the outage notice takes over. The app's
 * own polls and its retry loop during an outage never make it look busy.
 */
export function useManualRefresh(query: Refetchable) {
  const [asked, setAsked] = useState(false);
  const refresh = () => {
    setAsked(true);
    void query.refetch().finally(() => setAsked(false));
  };
  return { refresh, refreshing: asked && !query.failureReason };
}
