import { QueryClient } from '@tanstack/react-query';

import { ApiError } from './errors';

/** Client errors will not get better by asking again; network and server errors may. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 0 },
      mutations: { retry: false },
    },
  });
}
