import { useMutation, useQuery, useQueryClient, type Query } from '@tanstack/react-query';
import { useRouter } from 'expo-router';
import { useRef, useState } from 'react';

import { useApi, useAuthedApi } from '@/features/auth/session';
import { jobKeys } from '@/features/jobs/queries';
import { POLL_INTERVAL_MS } from '@/lib/config';
import { ApiError } from '@/lib/errors';
import { isBatchTerminal, type Batch } from '@/lib/types';
import type { PickedVideo } from '@/lib/upload.types';

export const batchKeys = {
  list: () => ['batches', 'list'] as const,
  detail: (id: string) => ['batches', 'detail', id] as const,
};

/** The latest batches, so History leads back to them. */
export function useBatchList() {
  const { api, enabled } = useAuthedApi();
  return useQuery({ queryKey: batchKeys.list(), enabled, queryFn: () => api.listBatches(5) });
}

function batchRefetchInterval(query: Query<Batch, Error>): number | false {
  const { data, error } = query.state;
  if (data && isBatchTerminal(data.status)) return false;
  if (error instanceof ApiError && error.status === 404) return false;
  return POLL_INTERVAL_MS;
}

/** The batch, polled every 2 s until every one of its jobs ended. */
export function useBatch(id: string) {
  const { api, enabled } = useAuthedApi();
  return useQuery({
    queryKey: batchKeys.detail(id),
    enabled,
    queryFn: () => api.getBatch(id),
    refetchInterval: batchRefetchInterval,
  });
}

/** Sends several picked videos as one batch, with how far the request is, then opens it. */
export function useCreateBatch() {
  const api = useApi();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [sent, setSent] = useState<{ sent: number; total: number } | null>(null);
  const abort = useRef<AbortController | null>(null);
  const mutation = useMutation({
    mutationFn: (videos: PickedVideo[]) => {
      abort.current = new AbortController();
      setSent(null);
      return api.createBatch(videos, {
        onProgress: (bytes, total) => setSent({ sent: bytes, total }),
        signal: abort.current.signal,
      });
    },
    onSuccess: (batch) => {
      queryClient.setQueryData(batchKeys.detail(batch.id), batch);
      void queryClient.invalidateQueries({ queryKey: jobKeys.list() });
      void queryClient.invalidateQueries({ queryKey: batchKeys.list() });
      router.push(`/batches/${batch.id}`);
    },
  });
  return { ...mutation, sent, cancel: () => abort.current?.abort() };
}
