/** A video the user picked, in the same shape on every platform. */
export interface PickedVideo {
  uri: string;
  name: string;
  sizeBytes: number | null;
  durationS: number | null;
  mimeType: string;
  /** Web only: the browser's File, which is what the request sends. */
  file?: Blob;
}

export interface UploadProgress {
  bytesSent: number;
  totalBytes: number;
}
