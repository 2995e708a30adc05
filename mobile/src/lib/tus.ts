import { DetailedError, Upload, type HttpRequest, type HttpResponse } from 'tus-js-client';

import { ApiError, errorFromBody, offlineError, parseJson } from './errors';
import { tusUrlStorage } from './tusStorage';
import { sourceKey, tusSource } from './tusSource';
import type { PickedVideo, UploadProgress } from './upload.types';

/** Chunks of a few MiB: each finished PATCH is progress the server has written down. */
export const TUS_CHUNK_BYTES = 4 * 1024 * 1024;
/** While the server is away the upload asks HEAD again every this often (after 0, 1, 2, 4 s). */
export const TUS_RETRY_EVERY_MS = 5000;
/**
 * After a cut the client asks HEAD again after these waits (reset whenever bytes get through):
 * 0, 1, 2, 4 s, then every 5 s for an hour, so an upload carries on by itself within 5 s of the
 * server coming back; a long wait between tries left it "Offline" a minute after the server was
 * back. Past the hour the card says "Offline" and the upload resumes on the return to the app.
 */
export const TUS_RETRY_DELAYS_MS = [0, 1000, 2000, 4000, ...Array<number>(720).fill(TUS_RETRY_EVERY_MS)];

/**
 * A request that shows no sign of life (no byte sent, no answer) for this long is taken as a
 * connection that died without closing (a phone walking out of Wi-Fi, a NAT that forgot it): the
 * upload says so at once, as for any outage, and starts again from the server's offset (HEAD).
 * Without it such a request hangs with no error, and the card says "Uploading…" for minutes.
 */
export const TUS_STALL_MS = 15_000;

export interface ResumableParams {
  endpoint: string;
  token: string | null;
  video: PickedVideo;
  idempotencyKey: string;
  pushToken?: string | null;
  platform?: string;
  onProgress: (progress: UploadProgress) => void;
  /**
   * Told at once when a request failed and the upload waits to try again (the server is away):
   * the outage; then null when the server answers again.
   */
  onStall?: (outage: ApiError | null) => void;
  onUnauthorized?: () => void;
  signal?: AbortSignal;
}

/** The upload the server no longer has (expired, removed, another account's): resuming cannot help. */
export function uploadGoneError(status: number): ApiError {
  return new ApiError(
    'upload_gone',
    'The server no longer has the part of this video that was sent (unfinished uploads are kept for a day). Start again to send it from the beginning.',
    status,
  );
}

/** Where tus-js-client keeps this file's upload URL: one server, one picked file. */
export function uploadFingerprint(endpoint: string, video: PickedVideo): string {
  return `tus::${endpoint}::${sourceKey(video)}`;
}

function toApiError(error: Error, onUnauthorized?: () => void): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof DetailedError) {
    if (error.causingError instanceof ApiError) return error.causingError;
    const response = error.originalResponse;
    const status = response?.getStatus() ?? 0;
    if (status === 0) return offlineError();
    if (status === 401) onUnauthorized?.();
    if (status === 404 || status === 410) return uploadGoneError(status);
    return errorFromBody(status, parseJson(response?.getBody() ?? ''));
  }
  // Not an HTTP failure: the file itself could not be read (removed from the phone, or changed).
  return new ApiError('file_unreadable', 'This video can no longer be read on this device. Choose it again.', 0);
}

/**
 * Sends the video with tus 1.0.0, resuming from a URL stored for this file if there is one;
 * resolves with the upload's URL once the server has every byte.
 */
export function sendResumable(params: ResumableParams): Promise<string> {
  const { video } = params;
  const source = tusSource(video);
  return new Promise<string>((resolve, reject) => {
    // The watchdog: re-armed by every request sent, every byte that goes and every answer.
    let watchdog: ReturnType<typeof setTimeout> | null = null;
    let settled = false;
    const quiet = () => {
      if (watchdog !== null) clearTimeout(watchdog);
      watchdog = null;
    };
    const alive = () => {
      quiet();
      if (!settled) watchdog = setTimeout(stalled, TUS_STALL_MS);
    };
    const settle = () => {
      settled = true;
      quiet();
    };
    const stalled = () => {
      watchdog = null;
      params.onStall?.(offlineError());
      // abort() drops the dead request (no callback of its fires afterwards); start() asks HEAD
      // for the server's offset and sends from there, as a retry does.
      void upload.abort(false).then(() => {
        if (settled || params.signal?.aborted) return;
        alive();
        upload.start();
      });
    };
    const metadata: Record<string, string> = { filename: video.name, filetype: video.mimeType };
    if (params.pushToken) metadata.push_token = params.pushToken;
    if (params.platform) metadata.platform = params.platform;
    // tus-js-client types its input as File | Blob; the phones' reader takes our { uri } instead.
    const upload = new Upload(source.input as unknown as Blob, {
      endpoint: params.endpoint,
      metadata,
      chunkSize: TUS_CHUNK_BYTES,
      retryDelays: TUS_RETRY_DELAYS_MS,
      ...(source.fileReader ? { fileReader: source.fileReader } : {}),
      urlStorage: tusUrlStorage,
      fingerprint: async () => uploadFingerprint(params.endpoint, video),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onBeforeRequest: (req: HttpRequest) => {
        alive();
        if (params.token) req.setHeader('Authorization', `Bearer ${params.token}`);
        // On creation only: a lost upload URL is found again by the same key.
        if (req.getMethod() === 'POST') req.setHeader('Idempotency-Key', params.idempotencyKey);
      },
      onAfterResponse: (req: HttpRequest, res: HttpResponse) => {
        alive();
        const status = res.getStatus();
        if (status > 0 && status < 500) params.onStall?.(null);
        if (req.getMethod() !== 'POST' && (status === 404 || status === 410)) throw uploadGoneError(status);
        const offset = Number(res.getHeader('Upload-Offset'));
        // What the server has is the truth after a resume, even if the bar showed more before the cut.
        if (req.getMethod() === 'HEAD' && res.getHeader('Upload-Offset') != null && Number.isFinite(offset)) {
          params.onProgress({ bytesSent: offset, totalBytes: Number(res.getHeader('Upload-Length')) || offset });
        }
      },
      // Called only while tries are left: a retry here is a wait the screen says at once.
      onShouldRetry: (error: DetailedError) => {
        if (error.causingError instanceof ApiError) return false;
        const status = error.originalResponse?.getStatus() ?? 0;
        const retry = status === 0 || status === 409 || status === 423 || status === 408 || status === 429 || status >= 500;
        if (retry) params.onStall?.(toApiError(error));
        // Waiting to try again is not a stall: the next request arms the watchdog again.
        quiet();
        return retry;
      },
      onProgress: (bytesSent: number, bytesTotal: number) => {
        alive();
        params.onProgress({ bytesSent, totalBytes: bytesTotal });
      },
      onSuccess: () => {
        settle();
        if (upload.url) resolve(upload.url);
        else reject(offlineError());
      },
      onError: (error: Error) => {
        settle();
        reject(toApiError(error, params.onUnauthorized));
      },
    });
    params.signal?.addEventListener('abort', () => {
      settle();
      void upload.abort();
      reject(new ApiError('upload_cancelled', 'You stopped the upload.', 0));
    });
    upload
      .findPreviousUploads()
      .then((previous) => {
        const latest = previous[previous.length - 1];
        if (latest) upload.resumeFromPreviousUpload(latest);
        if (!params.signal?.aborted) upload.start();
      })
      .catch((error: unknown) => {
        settle();
        reject(error instanceof Error ? toApiError(error) : offlineError());
      });
  });
}
