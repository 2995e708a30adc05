import { ApiError } from './errors';
import type { PickedVideo } from './upload.types';

/** Browsers hand tus-js-client the picked File (a Blob); its own reader slices it. */
export function tusSource(video: PickedVideo): { input: Blob; fileReader?: undefined } {
  if (!video.file) throw new ApiError('bad_request', 'This video could not be read from the browser. Choose it again.', 0);
  return { input: video.file };
}

/** A browser gives each pick a new blob: URL, so the file is known by name, size and date. */
export function sourceKey(video: PickedVideo): string {
  const modified = video.file && 'lastModified' in video.file ? String((video.file as File).lastModified) : '';
  return `${video.name}::${video.file?.size ?? video.sizeBytes ?? ''}::${modified}`;
}
