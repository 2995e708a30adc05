import { ApiError, offlineError } from './errors';
import type { RawResponse, UploadRequest } from './upload.types';

/** Browsers: XMLHttpRequest, because fetch cannot report upload progress. */
export function sendUpload(request: UploadRequest): Promise<RawResponse> {
  const { video } = request;
  return new Promise((resolve, reject) => {
    if (!video.file) {
      reject(new ApiError('bad_request', 'This video could not be read from the browser.', 0));
      return;
    }
    const form = new FormData();
    for (const [key, value] of Object.entries(request.fields)) form.append(key, value);
    form.append('video', video.file, video.name);

    const xhr = new XMLHttpRequest();
    xhr.open('POST', request.url);
    for (const [key, value] of Object.entries(request.headers)) xhr.setRequestHeader(key, value);
    xhr.upload.onprogress = (event) => {
      const total = event.lengthComputable ? event.total : (video.sizeBytes ?? 0);
      request.onProgress({ bytesSent: event.loaded, totalBytes: total });
    };
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText });
    xhr.onerror = () => reject(offlineError());
    xhr.onabort = () => reject(new ApiError('upload_cancelled', 'Upload cancelled.', 0));
    request.signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}
