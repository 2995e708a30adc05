/** One error type for everything the app shows: server errors, offline, and local failures. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** The server's Retry-After, in seconds, when it said when to ask again (503 overloaded, 429). */
  readonly retryAfterS: number | null;

  constructor(code: string, message: string, status: number, retryAfterS: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.retryAfterS = retryAfterS;
  }

  get isOffline(): boolean {
    return this.code === 'offline';
  }
}

/**
 * The server cannot be reached or cannot answer now (down, restarting, a proxy's 502, or busy
 * with 503 `overloaded`): nothing the user did is wrong and asking again later will work. The
 * app says so at once, keeps what it showed, and asks again by itself.
 */
export function isOutage(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.isOffline || error.status === 502 || error.status === 503 || error.status === 504;
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - now) / 1000));
}

export const OFFLINE_MESSAGE =
  "You're offline, or the server can't be reached. The app carries on by itself when it is back.";

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
  overloaded: 'The server is busy with other videos. The app waits a moment and carries on by itself.',
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
export function errorFromBody(status: number, body: unknown, retryAfterS: number | null = null): ApiError {
  const error = isRecord(body) ? body.error : undefined;
  if (isRecord(error) && typeof error.message === 'string') {
    const code = typeof error.code === 'string' ? error.code : 'error';
    const message = PLAIN_WORDS[code] ?? (code === 'validation_error' ? plainValidation(error.message) : error.message);
    return new ApiError(code, message, status, retryAfterS);
  }
  // A proxy or a crashed server can answer with HTML; say what happened in words.
  if (status === 502 || status === 503 || status === 504) {
    return new ApiError('unavailable', SERVER_AWAY_MESSAGE, status, retryAfterS);
  }
  return new ApiError('http_error', `The server answered ${status} without an explanation.`, status, retryAfterS);
}

const SERVER_AWAY_MESSAGE = 'The server is not answering right now. The app carries on by itself when it is back.';

/** The sentence to show for any thrown value; a programming error never reaches the screen. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'The app hit a problem it did not expect. Try again; if it keeps happening, restart the app.';
}

const TITLES: Record<string, string> = {
  offline: 'Offline',
  not_clipscope: 'Not a Clipscope server',
  bad_address: 'Not a web address',
  upload_cancelled: 'Upload stopped',
  batch_cancelled: 'Sending stopped',
  upload_gone: 'Upload no longer on the server',
  file_unreadable: 'Video no longer on this device',
  unauthorized: 'Not signed in',
  invalid_credentials: 'Wrong e-mail or password',
  wrong_password: 'Wrong current password',
  email_taken: 'Account already exists',
  validation_error: 'Check what you entered',
  not_found: 'Not found',
  file_too_large: 'Video too large',
  unsupported_media_type: 'Not a video we can read',
  empty_file: 'Empty file',
  rate_limited: 'Too many requests',
  overloaded: 'Server busy',
  unavailable: 'Server not answering',
  too_many_jobs: 'Too many analyses at once',
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
