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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Builds an ApiError from a response body of the contract's error shape, whatever arrived. */
export function errorFromBody(status: number, body: unknown): ApiError {
  const error = isRecord(body) ? body.error : undefined;
  if (isRecord(error) && typeof error.message === 'string') {
    const code = typeof error.code === 'string' ? error.code : 'error';
    return new ApiError(code, error.message, status);
  }
  // A proxy or a crashed server can answer with HTML; say what happened in words.
  return new ApiError('http_error', `The server answered ${status} without an explanation.`, status);
}

/** The sentence to show for any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

export function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
