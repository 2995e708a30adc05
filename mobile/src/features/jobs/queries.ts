import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type Query } from '@tanstack/react-query';

import { useApi, useAuthedApi } from '@/features/auth/session';
import { POLL_INTERVAL_MS } from '@/lib/config';
import { ApiError } from '@/lib/errors';
import { isTerminal, type Job, type JobPage, type JobWithResult } from '@/lib/types';

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
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: jobKeys.detail(id),
    enabled,
    queryFn: async () => markRestart(queryClient.getQueryData<PolledJob>(jobKeys.detail(id)), await api.getJob(id)),
    refetchInterval: jobRefetchInterval,
  });
}

/** The polled job, with what the app noticed between two polls. */
export interface PolledJob extends JobWithResult {
  /** The server gave the job back to the queue (a restart or a lost worker) after it had started. */
  restarted?: boolean;
}

/**
 * Progress never goes down within one run, so a lower figure than the last poll's means the
 * server started the job again; the mark stays until the job ends.
 */
export function markRestart(previous: PolledJob | undefined, next: JobWithResult): PolledJob {
  if (isTerminal(next.status)) return next;
  const wentBack = !!previous && previous.status !== 'queued' && next.progress < previous.progress;
  const restarted = wentBack || (!!previous?.restarted && previous.id === next.id);
  return restarted ? { ...next, restarted: true } : next;
}

/** What to say about a restart: the attempt is the run that is waiting or under way now. */
export function restartNote(job: PolledJob): string | null {
  if (!job.restarted || isTerminal(job.status)) return null;
  const attempt = job.status === 'queued' ? job.attempts + 1 : job.attempts;
  return attempt > 1 ? `Restarted on the server: attempt ${attempt}.` : 'Restarted on the server: it starts again from the beginning.';
}

/** Failed or cancelled jobs can run again while the server still has the video. */
export function canRetry(job: Job): boolean {
  if (job.status === 'cancelled') return true;
  // The same bytes give the same answer: a file that is not a video stays one.
  return job.status === 'failed' && job.error?.code !== 'invalid_video' && job.error?.code !== 'no_video_stream';
}

export function useRetryJob() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.retryJob(id),
    onSuccess: (job) => {
      queryClient.setQueryData<JobWithResult>(jobKeys.detail(job.id), { ...job, result: null });
      void queryClient.invalidateQueries({ queryKey: jobKeys.list() });
    },
  });
}

export function useCancelJob() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.cancelJob(id),
    onSuccess: (job) => {
      queryClient.setQueryData<JobWithResult>(jobKeys.detail(job.id), (old) => ({ ...old, ...job }));
      void queryClient.invalidateQueries({ queryKey: jobKeys.list() });
    },
  });
}

const PAGE_SIZE = 20;

/**
 * The user's jobs, newest first; polled while any of them is still running and the screen that
 * shows them is the one on top (the Upload tab's list under an open job screen must not poll the
 * same job a second time).
 */
export function useJobList(poll = true) {
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
      return running && poll ? POLL_INTERVAL_MS : false;
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
