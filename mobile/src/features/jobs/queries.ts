import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type Query } from '@tanstack/react-query';

import { useApi, useAuthedApi } from '@/features/auth/session';
import { POLL_INTERVAL_MS } from '@/lib/config';
import { ApiError } from '@/lib/errors';
import { isTerminal, type JobPage, type JobWithResult } from '@/lib/types';

export const jobKeys = {
  all: ['jobs'] as const,
  list: () => ['jobs', 'list'] as const,
  detail: (id: string) => ['jobs', 'detail', id] as const,
};

/** Poll while the job can still change; stop when it ended or no longer exists. */
export function jobRefetchInterval(query: Query<JobWithResult, Error>): number | false {
  const { data, error } = query.state;
  if (data && isTerminal(data.status)) return false;
  if (error instanceof ApiError && error.status === 404) return false;
  return POLL_INTERVAL_MS;
}

/**
 * The job document, polled every 2 s until it is terminal. TanStack Query skips interval refetches
 * while the app is in the background (focusManager) and refetches at once when it comes back.
 */
export function useJob(id: string) {
  const { api, enabled } = useAuthedApi();
  return useQuery({
    queryKey: jobKeys.detail(id),
    enabled,
    queryFn: () => api.getJob(id),
    refetchInterval: jobRefetchInterval,
  });
}

export function useCancelJob(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.cancelJob(id),
    onSuccess: (job) => {
      queryClient.setQueryData<JobWithResult>(jobKeys.detail(id), (old) => ({ ...old, ...job }));
      void queryClient.invalidateQueries({ queryKey: jobKeys.list() });
    },
  });
}

const PAGE_SIZE = 20;

/** The user's jobs, newest first; polled while any of them is still running. */
export function useJobList() {
  const { api, enabled } = useAuthedApi();
  return useInfiniteQuery({
    queryKey: jobKeys.list(),
    enabled,
    queryFn: ({ pageParam }) => api.listJobs({ cursor: pageParam, limit: PAGE_SIZE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last: JobPage) => last.next_cursor,
    refetchInterval: (query) => {
      const pages = query.state.data?.pages ?? [];
      const running = pages.some((page) => page.jobs.some((job) => !isTerminal(job.status)));
      return running ? POLL_INTERVAL_MS : false;
    },
  });
}

export function useDeleteJob() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.deleteJob(id),
    onSuccess: (_void, id) => {
      queryClient.removeQueries({ queryKey: jobKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: jobKeys.list() });
    },
  });
}
