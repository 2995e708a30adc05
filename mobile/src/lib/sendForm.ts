import { ApiError, offlineError } from './errors';

export interface FormAnswer {
  status: number;
  text: string;
  retryAfter: string | null;
}

export interface SendFormParams {
  url: string;
  form: FormData;
  headers: Record<string, string>;
  /** Bytes of the request body sent so far, and of all of it. */
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * A multipart POST over XMLHttpRequest, because fetch cannot tell how much of a request body has
 * gone: several videos in one request take a while, and the screen shows how far it is.
 */
export function sendForm({ url, form, headers, onProgress, signal }: SendFormParams): Promise<FormAnswer> {
  return new Promise<FormAnswer>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event: ProgressEvent) => {
      if (event.lengthComputable) onProgress?.(event.loaded, event.total);
    };
    xhr.onload = () =>
      resolve({ status: xhr.status, text: xhr.responseText, retryAfter: xhr.getResponseHeader('Retry-After') });
    // No HTTP answer at all: no network or no server.
    xhr.onerror = () => reject(offlineError());
    const cancel = () => {
      xhr.abort();
      reject(new ApiError('batch_cancelled', 'You stopped sending these videos; none of them was kept.', 0));
    };
    if (signal?.aborted) return cancel();
    signal?.addEventListener('abort', cancel);
    xhr.send(form);
  });
}
