import { ApiError } from './errors';
import type { PickedVideo } from './upload.types';

/** Browsers: the picked Files themselves. */
export function batchForm(videos: PickedVideo[]): FormData {
  const form = new FormData();
  for (const video of videos) {
    if (!video.file) throw new ApiError('bad_request', `${video.name} could not be read from the browser. Choose it again.`, 0);
    form.append('video', video.file, video.name);
  }
  return form;
}
