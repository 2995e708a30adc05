import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'expo-router';
import { useCallback, useEffect, useRef, useState } from 'react';
import { AppState, Platform } from 'react-native';

import { useSession } from '@/features/auth/session';
import { jobKeys } from '@/features/jobs/queries';
import { pushRegistrationKey } from '@/features/notifications/keys';
import type { PushRegistration } from '@/features/notifications/registerPush';
import { ApiError, isRetryable } from '@/lib/errors';
import { newIdempotencyKey } from '@/lib/ids';
import { uploadFingerprint } from '@/lib/tus';
import { forgetUploads, loadPending, savePending } from '@/lib/tusStorage';
import type { JobWithResult } from '@/lib/types';
import type { PickedVideo, UploadProgress } from '@/lib/upload.types';

interface Selection {
  video: PickedVideo;
  /** One key per picked video: "Try again" after a failure must not create a second job. */
  idempotencyKey: string;
}

/** The server lost the upload (expired, removed): only a new upload of the same file helps. */
export function isUploadGone(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'upload_gone';
}

/**
 * Holds the picked video and uploads it with tus; a failure that resuming can fix is resumed by
 * itself on the return to the foreground, and a killed app picks its unfinished upload up again.
 * On success it opens the job's screen.
 */
export function useUpload() {
  const { api, status, serverUrl, email } = useSession();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [selection, setSelection] = useState<Selection | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  /** The outage the upload is waiting out right now (it carries on by itself), else null. */
  const [stalled, setStalled] = useState<ApiError | null>(null);
  const abort = useRef<AbortController | null>(null);

  const mutation = useMutation({
    mutationFn: async (current: Selection) => {
      abort.current = new AbortController();
      setProgress((known) => known ?? { bytesSent: 0, totalBytes: current.video.sizeBytes ?? 0 });
      const push = queryClient.getQueryData<PushRegistration>(pushRegistrationKey(serverUrl, email));
      setStalled(null);
      return api.upload(current.video, {
        idempotencyKey: current.idempotencyKey,
        onProgress: (next) => {
          setStalled(null);
          setProgress(next);
        },
        onStall: setStalled,
        signal: abort.current.signal,
        platform: Platform.OS,
        pushToken: push?.status === 'registered' ? push.token : null,
      });
    },
    onSettled: () => setStalled(null),
    onError: (failure) => {
      // The picked file is gone from the phone: nothing to resume after a restart either.
      if (failure instanceof ApiError && failure.code === 'file_unreadable') void savePending(null);
    },
    onSuccess: (response) => {
      queryClient.setQueryData<JobWithResult>(jobKeys.detail(response.job_id), response.job);
      void queryClient.invalidateQueries({ queryKey: jobKeys.list() });
      void savePending(null);
      setSelection(null);
      setProgress(null);
      // The same video again: the server answers with the earlier job; say so where it opens.
      const query = response.deduplicated ? '?duplicate=1' : '';
      router.push(response.job.status === 'completed' ? `/results/${response.job_id}${query}` : `/jobs/${response.job_id}${query}`);
    },
  });
  const { mutate, reset, isPending, error } = mutation;

  // A phone's picked file outlives the app: an upload the app was killed in carries on by itself.
  // (A browser's File does not survive a reload; picking it again finds its stored upload URL.)
  const restored = useRef(false);
  const picked = useRef(false);
  useEffect(() => {
    if (Platform.OS === 'web' || status !== 'signedIn' || restored.current) return;
    restored.current = true;
    void loadPending().then((pending) => {
      // A video picked meanwhile is what the user wants now.
      if (!pending || picked.current) return;
      const current = { video: pending.video, idempotencyKey: pending.idempotencyKey };
      setSelection(current);
      mutate(current);
    });
  }, [status, mutate]);

  // Back in the foreground after a failure that resuming can fix: resume without being asked.
  useEffect(() => {
    if (!selection || isPending || !error || !isRetryable(error)) return undefined;
    if (error instanceof ApiError && error.code === 'upload_cancelled') return undefined;
    const subscription = AppState.addEventListener('change', (state) => {
      if (state === 'active') mutate(selection);
    });
    return () => subscription.remove();
  }, [selection, isPending, error, mutate]);

  const choose = useCallback(
    (video: PickedVideo) => {
      reset();
      setProgress(null);
      picked.current = true;
      const next = { video, idempotencyKey: newIdempotencyKey() };
      setSelection(next);
      const { file: _file, ...kept } = video;
      void savePending({ video: kept, idempotencyKey: next.idempotencyKey });
    },
    [reset],
  );

  /** Uploads, or resumes from what the server has when this file was sent before. */
  const start = useCallback(() => {
    if (selection) mutate(selection);
  }, [mutate, selection]);

  /** After the server lost the upload: forget its URL and send the file again from byte 0. */
  const startAgain = useCallback(async () => {
    if (!selection) return;
    await forgetUploads(uploadFingerprint(api.url('/api/uploads'), selection.video));
    const fresh = { ...selection, idempotencyKey: newIdempotencyKey() };
    const { file: _file, ...kept } = fresh.video;
    await savePending({ video: kept, idempotencyKey: fresh.idempotencyKey });
    setSelection(fresh);
    setProgress(null);
    mutate(fresh);
  }, [api, mutate, selection]);

  const cancel = useCallback(() => abort.current?.abort(), []);

  const clear = useCallback(() => {
    reset();
    void savePending(null);
    setSelection(null);
    setProgress(null);
  }, [reset]);

  return {
    video: selection?.video ?? null,
    progress,
    uploading: isPending,
    stalled: isPending ? stalled : null,
    error,
    choose,
    start,
    startAgain,
    cancel,
    clear,
  };
}
