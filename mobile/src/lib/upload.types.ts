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

export interface UploadRequest {
  url: string;
  headers: Record<string, string>;
  /** Extra form fields (push_token, platform); the raw-body transport sends none. */
  fields: Record<string, string>;
  video: PickedVideo;
  onProgress: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  body: string;
}
