import { isOutage } from './errors';

interface QueryState {
  error: unknown;
  failureReason: unknown;
}

/**
 * What to show for a query: its error, or the outage it is riding out. An outage never turns a
 * query into an error (it is asked again by itself, see queryClient.ts), so the notice comes from
 * `failureReason`, which stays from the first failed try until an answer arrives: said at once,
 * shown steadily, gone when the server is back.
 */
export function queryProblem(query: QueryState): unknown {
  if (query.error) return query.error;
  return isOutage(query.failureReason) ? query.failureReason : null;
}
