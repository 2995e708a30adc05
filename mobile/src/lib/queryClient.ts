import { QueryClient } from '@tanstack/react-query';

import { ApiError, isOutage } from './errors';

/** How long to wait before asking a server that is away again: 1, 2, 4 s, then every 5 s. */
export const OUTAGE_BACKOFF_MS = [1000, 2000, 4000, 5000];

/**
 * An outage (offline, server down, 503 busy) is asked again by itself until the server answers:
 * the query keeps what it showed and never flips to an error state, so the page does not flicker
 * between a spinner and a notice (the notice comes from `failureReason`, see `useOutage`). Client
 * errors will not get better by asking again; other server errors get two more tries.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (isOutage(error)) return true;
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

/** The server's Retry-After when it gave one (a busy server's quiet back-off), else the ladder. */
export function retryDelay(failureCount: number, error: unknown): number {
  if (error instanceof ApiError && error.retryAfterS !== null) return Math.min(error.retryAfterS, 60) * 1000;
  const last = OUTAGE_BACKOFF_MS[OUTAGE_BACKOFF_MS.length - 1] ?? 5000;
  return OUTAGE_BACKOFF_MS[failureCount] ?? last;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, retryDelay, staleTime: 0 },
      mutations: { retry: false },
    },
  });
}
