import { File, UploadType } from 'expo-file-system';
import { Platform } from 'react-native';

import { ApiError, offlineError } from './errors';
import type { RawResponse, UploadRequest } from './upload.types';

/** HTTP header values must be ASCII; the server only uses the name for display. */
export function headerSafeFilename(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, "'") || 'video';
}

/**
 * Phones upload with expo-file-system's native upload task: the file is streamed from disk, and on
 * iOS a background URLSession keeps the transfer going while the app is in the background.
 */
export async function sendUpload(request: UploadRequest): Promise<RawResponse> {
  const { video } = request;
  const task = new File(video.uri).createUploadTask(request.url, {
    httpMethod: 'POST',
    uploadType: UploadType.BINARY_CONTENT,
    mimeType: video.mimeType,
    headers: {
      ...request.headers,
      'Content-Type': video.mimeType || 'application/octet-stream',
      'X-Filename': headerSafeFilename(video.name),
    },
    sessionType: Platform.OS === 'ios' ? 'background' : 'foreground',
    signal: request.signal,
    onProgress: ({ bytesSent, totalBytes }) => request.onProgress({ bytesSent, totalBytes }),
  });
  try {
    const result = await task.uploadAsync();
    return { status: result.status, body: result.body };
  } catch (error) {
    if (request.signal?.aborted) throw new ApiError('upload_cancelled', 'Upload cancelled.', 0);
    // The native task rejects only when no HTTP answer came back.
    throw error instanceof ApiError ? error : offlineError();
  }
}
