import type { PickedVideo } from './upload.types';

/** Phones: React Native's FormData sends a file part from its URI (read natively, not in JS). */
export function batchForm(videos: PickedVideo[]): FormData {
  const form = new FormData();
  for (const video of videos) {
    // React Native's FormData takes { uri, name, type } for a file; the DOM typing knows only Blob.
    form.append('video', { uri: video.uri, name: video.name, type: video.mimeType } as unknown as Blob);
  }
  return form;
}
