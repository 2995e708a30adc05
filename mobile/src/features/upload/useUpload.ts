import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'expo-router';
import { useCallback, useRef, useState } from 'react';
import { Platform } from 'react-native';

import { useApi } from '@/features/auth/session';
import { jobKeys } from '@/features/jobs/queries';
import { newIdempotencyKey } from '@/lib/ids';
import type { JobWithResult } from '@/lib/types';
import type { PickedVideo, UploadProgress } from '@/lib/upload.types';

interface Selection {
  video: PickedVideo;
  /** One key per picked video: "Try again" after a failure must not create a second job. */
  idempotencyKey: string;
}

/** Holds the picked video and uploads it; on success it opens the job's screen. */
export function useUpload() {
  const api = useApi();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [selection, setSelection] = useState<Selection | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const abort = useRef<AbortController | null>(null);

  const mutation = useMutation({
    mutationFn: async (current: Selection) => {
      abort.current = new AbortController();
      setProgress({ bytesSent: 0, totalBytes: current.video.sizeBytes ?? 0 });
      return api.upload(current.video, {
        idempotencyKey: current.idempotencyKey,
        onProgress: setProgress,
        signal: abort.current.signal,
        platform: Platform.OS,
      });
    },
    onSuccess: (response) => {
      queryClient.setQueryData<JobWithResult>(jobKeys.detail(response.job_id), response.job);
      void queryClient.invalidateQueries({ queryKey: jobKeys.list() });
      setSelection(null);
      setProgress(null);
      // The same video again: the server answers with the earlier job; say so where it opens.
      const query = response.deduplicated ? '?duplicate=1' : '';
      router.push(response.job.status === 'completed' ? `/results/${response.job_id}${query}` : `/jobs/${response.job_id}${query}`);
    },
  });

  const choose = useCallback(
    (video: PickedVideo) => {
      mutation.reset();
      setProgress(null);
      setSelection({ video, idempotencyKey: newIdempotencyKey() });
    },
    [mutation],
  );

  const start = useCallback(() => {
    if (selection) mutation.mutate(selection);
  }, [mutation, selection]);

  const cancel = useCallback(() => abort.current?.abort(), []);

  const clear = useCallback(() => {
    mutation.reset();
    setSelection(null);
    setProgress(null);
  }, [mutation]);

  return {
    video: selection?.video ?? null,
    progress,
    uploading: mutation.isPending,
    error: mutation.error,
    choose,
    start,
    cancel,
    clear,
  };
}
