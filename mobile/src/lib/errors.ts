/** One error type for everything the app shows: server errors, offline, and local failures. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }

  get isOffline(): boolean {
    return this.code === 'offline';
  }
}

export const OFFLINE_MESSAGE = "You're offline, or the server can't be reached. Check your connection.";

export function offlineError(): ApiError {
  return new ApiError('offline', OFFLINE_MESSAGE, 0);
}

/** A 2xx answer that is not the JSON document we asked for: the address points at something else. */
export function notClipscopeError(baseUrl: string): ApiError {
  return new ApiError(
    'not_clipscope',
    `The server at ${baseUrl} did not answer like a Clipscope server. Check the server address.`,
    0,
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The server's sentences are for people, but a few name protocol details (a header, a schema
 * pattern); for those codes the app says the same thing in plain words.
 */
const PLAIN_WORDS: Record<string, string> = {
  idempotency_request_in_progress:
    'This video is still arriving from your earlier try. Wait a moment and it will carry on by itself.',
  idempotency_key_reused: 'This upload was mixed up with another one. Choose the video again and upload it.',
};

/** Validation failures name fields; the e-mail one quotes a regular expression. */
function plainValidation(message: string): string {
  if (/email/i.test(message)) return 'Enter an e-mail address like name@example.com.';
  if (/password/i.test(message)) return 'Passwords have at least 8 characters.';
  return /[\^$\\[\]]/.test(message) ? 'Some of what you entered is not valid. Check it and send it again.' : message;
}

/** Builds an ApiError from a response body of the contract's error shape, whatever arrived. */
export function errorFromBody(status: number, body: unknown): ApiError {
  const error = isRecord(body) ? body.error : undefined;
  if (isRecord(error) && typeof error.message === 'string') {
    const code = typeof error.code === 'string' ? error.code : 'error';
    const message = PLAIN_WORDS[code] ?? (code === 'validation_error' ? plainValidation(error.message) : error.message);
    return new ApiError(code, message, status);
  }
  // A proxy or a crashed server can answer with HTML; say what happened in words.
  return new ApiError('http_error', `The server answered ${status} without an explanation.`, status);
}

/** The sentence to show for any thrown value; a programming error never reaches the screen. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'The app hit a problem it did not expect. Try again; if it keeps happening, restart the app.';
}

const TITLES: Record<string, string> = {
  offline: 'Offline',
  not_clipscope: 'Not a Clipscope server',
  upload_cancelled: 'Upload cancelled',
  upload_gone: 'Upload no longer on the server',
  file_unreadable: 'Video no longer on this device',
  unauthorized: 'Not signed in',
  invalid_credentials: 'Wrong e-mail or password',
  email_taken: 'Account already exists',
  validation_error: 'Check what you entered',
  not_found: 'Not found',
  file_too_large: 'Video too large',
  unsupported_media_type: 'Not a video we can read',
  empty_file: 'Empty file',
  rate_limited: 'Too many requests',
  source_expired: 'Video no longer kept',
  job_not_retryable: 'Cannot retry this job',
  job_already_finished: 'Already finished',
  idempotency_request_in_progress: 'Still uploading',
  insufficient_storage: 'Server is full',
  invalid_video: 'Not a video we can read',
  no_video_stream: 'No picture in this file',
  analysis_timeout: 'Analysis took too long',
  worker_lost: 'Server restarted too often',
  fetch_failed: 'Could not download the video',
  not_a_video: 'Not a video we can read',
  too_large: 'Video too large',
};

/** A specific title for the notice; the status class when the code is new to the app. */
export function errorTitle(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Unexpected problem';
  const known = TITLES[error.code];
  if (known) return known;
  if (error.status === 401) return 'Not signed in';
  if (error.status === 404) return 'Not found';
  if (error.status === 409) return 'Not possible right now';
  if (error.status >= 500) return 'Server problem';
  if (error.status >= 400) return 'Request refused';
  return 'Unexpected problem';
}

/**
 * Whether sending the same request again can help: being offline, a busy or broken server, a
 * rate limit. A refusal of the request itself (not a video, too large, not found) never changes.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  if (error.isOffline || error.code === 'not_clipscope') return true;
  if (error.code === 'upload_cancelled' || error.code === 'idempotency_request_in_progress') return true;
  return error.status === 408 || error.status === 429 || error.status >= 500;
}

export function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
