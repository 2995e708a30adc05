import { ApiError, errorFromBody, isRecord, notClipscopeError, offlineError, parseJson, parseRetryAfter } from './errors';
import { batchForm } from './batchForm';
import type { AuthResponse, Batch, BatchPage, Health, Job, JobPage, JobStatus, JobWithResult, UploadResponse, VideoLink } from './types';
import type { PickedVideo, UploadProgress } from './upload.types';
import { sendForm } from './sendForm';
import { sendResumable } from './tus';

export interface ApiOptions {
  baseUrl: string;
  token: string | null;
  /** Called when the server says the token is no longer good, so the app can go to sign-in. */
  onUnauthorized?: () => void;
}

interface RequestOptions {
  body?: unknown;
  /** false for sign-in itself, where a 401 means "wrong password", not "signed out". */
  authenticated?: boolean;
  headers?: Record<string, string>;
}

export interface ListJobsParams {
  cursor?: string | null;
  limit?: number;
  status?: JobStatus;
}

export interface UploadParams {
  idempotencyKey: string;
  onProgress?: (progress: UploadProgress) => void;
  onStall?: (outage: ApiError | null) => void;
  signal?: AbortSignal;
  pushToken?: string | null;
  platform?: string;
}

export type Api = ReturnType<typeof createApi>;

export function normalizeBaseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** The one typed client for the Clipscope HTTP API. */
export function createApi(options: ApiOptions) {
  const baseUrl = normalizeBaseUrl(options.baseUrl);

  function url(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${baseUrl}${path}`;
  }

  function authHeaders(): Record<string, string> {
    return options.token ? { Authorization: `Bearer ${options.token}` } : {};
  }

  function fail(status: number, body: unknown, authenticated: boolean, response?: Response): ApiError {
    if (status === 401 && authenticated) options.onUnauthorized?.();
    const error = errorFromBody(status, body, parseRetryAfter(response?.headers.get('Retry-After') ?? null));
    // A 401 from sign-in itself is a wrong password, not an ended session.
    if (status === 401 && !authenticated) return new ApiError('invalid_credentials', error.message, 401);
    return error;
  }

  /** Success answers are JSON objects; anything else (an HTML page, a blank) is not our server. */
  function jsonDocument(status: number, text: string): unknown {
    if (status === 204) return null;
    const body = parseJson(text);
    if (!isRecord(body)) throw notClipscopeError(baseUrl);
    return body;
  }

  /**
   * The last document and ETag of each GET: a poll sends If-None-Match and a 304 answers with the
   * document already held (the same object, so nothing re-renders). A server without ETags just
   * answers 200 every time.
   */
  const validated = new Map<string, { etag: string; body: unknown }>();

  async function send(method: string, path: string, opts: RequestOptions = {}): Promise<unknown> {
    const authenticated = opts.authenticated ?? true;
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    if (authenticated) Object.assign(headers, authHeaders());
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    const held = method === 'GET' ? validated.get(path) : undefined;
    if (held) headers['If-None-Match'] = held.etag;
    let response: Response;
    try {
      response = await fetch(url(path), {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch {
      // fetch rejects only when no HTTP answer arrived at all: no network or no server.
      throw offlineError();
    }
    if (response.status === 304 && held) return held.body;
    const text = await response.text();
    if (!response.ok) throw fail(response.status, parseJson(text), authenticated, response);
    const body = jsonDocument(response.status, text);
    const etag = response.headers.get('ETag');
    if (method === 'GET' && etag) validated.set(path, { etag, body });
    else if (method === 'GET') validated.delete(path);
    return body;
  }

  // The server's documents are trusted to match the contract; the cast is the one place we say so.
  const get = <T>(path: string) => send('GET', path) as Promise<T>;
  const post = <T>(path: string, body?: unknown, opts?: RequestOptions) =>
    send('POST', path, { ...opts, body }) as Promise<T>;

  return {
    url,
    authHeaders,

    register: (email: string, password: string) =>
      post<AuthResponse>('/api/auth/register', { email, password }, { authenticated: false }),
    login: (email: string, password: string) =>
      post<AuthResponse>('/api/auth/login', { email, password }, { authenticated: false }),
    logout: async () => {
      await send('POST', '/api/auth/logout');
    },
    logoutAll: async () => {
      await send('POST', '/api/auth/logout-all');
    },
    /** A wrong current password is a 403 `wrong_password`; the session goes on. */
    changePassword: (currentPassword: string, newPassword: string) =>
      post<AuthResponse>('/api/auth/password', { current_password: currentPassword, new_password: newPassword }),

    listJobs: (params: ListJobsParams = {}) => {
      const query = new URLSearchParams();
      if (params.cursor) query.set('cursor', params.cursor);
      if (params.limit) query.set('limit', String(params.limit));
      if (params.status) query.set('status', params.status);
      const qs = query.toString();
      return get<JobPage>(`/api/jobs${qs ? `?${qs}` : ''}`);
    },
    /** The path the app polls: the job, with its result once completed. */
    getJob: (id: string) => get<JobWithResult>(`/api/results/job/${encodeURIComponent(id)}`),
    cancelJob: (id: string) => post<Job>(`/api/jobs/${encodeURIComponent(id)}/cancel`),
    retryJob: (id: string) => post<Job>(`/api/jobs/${encodeURIComponent(id)}/retry`),
    /** Where the player streams the source video from (Range requests, bearer auth). */
    videoUrl: (id: string) => url(`/api/jobs/${encodeURIComponent(id)}/video`),
    /** The source video's first byte: whether the server still keeps it (a 410 says it does not). */
    fetchVideo: async (id: string): Promise<null> => {
      let response: Response;
      try {
        response = await fetch(url(`/api/jobs/${encodeURIComponent(id)}/video`), {
          headers: { ...authHeaders(), Range: 'bytes=0-0' },
        });
      } catch {
        throw offlineError();
      }
      if (!response.ok) throw fail(response.status, parseJson(await response.text()), true, response);
      return null;
    },
    /** A signed URL of the video (an hour) for a player that cannot send the token: browsers. */
    videoLink: async (id: string): Promise<string> => {
      const link = await post<VideoLink>(`/api/jobs/${encodeURIComponent(id)}/video-link`);
      return url(link.url);
    },
    deleteJob: async (id: string) => {
      await send('DELETE', `/api/jobs/${encodeURIComponent(id)}`);
    },

    registerPushToken: (token: string, platform: string) =>
      post<unknown>('/api/push-tokens', { token, platform }),
    forgetPushToken: async (token: string) => {
      await send('DELETE', `/api/push-tokens/${encodeURIComponent(token)}`);
    },

    /**
     * Several videos in one multipart request, with how much of it has gone; a refused one is
     * reported in `parts`, the others go on.
     */
    createBatch: async (
      videos: PickedVideo[],
      opts: { onProgress?: (sent: number, total: number) => void; signal?: AbortSignal } = {},
    ): Promise<Batch> => {
      const answer = await sendForm({
        url: url('/api/batches'),
        form: batchForm(videos),
        headers: { ...authHeaders(), Accept: 'application/json' },
        onProgress: opts.onProgress,
        signal: opts.signal,
      });
      if (answer.status < 200 || answer.status >= 300) {
        if (answer.status === 401) options.onUnauthorized?.();
        throw errorFromBody(answer.status, parseJson(answer.text), parseRetryAfter(answer.retryAfter));
      }
      return jsonDocument(answer.status, answer.text) as Batch;
    },
    getBatch: (id: string) => get<Batch>(`/api/batches/${encodeURIComponent(id)}`),
    listBatches: (limit: number) => get<BatchPage>(`/api/batches?limit=${limit}`),

    /**
     * Sends the video with tus (resuming this file's stored upload if there is one), then asks the
     * upload's URL for the answer `POST /api/upload` would have given: the job, or the refusal.
     */
    upload: async (video: PickedVideo, params: UploadParams): Promise<UploadResponse> => {
      const uploadUrl = await sendResumable({
        endpoint: url('/api/uploads'),
        token: options.token,
        video,
        idempotencyKey: params.idempotencyKey,
        pushToken: params.pushToken,
        platform: params.platform,
        onProgress: params.onProgress ?? (() => undefined),
        onStall: params.onStall,
        onUnauthorized: options.onUnauthorized,
        signal: params.signal,
      });
      // The upload's URL is a tus resource: it answers only requests that name the protocol.
      return send('GET', uploadUrl, { headers: { 'Tus-Resumable': '1.0.0' } }) as Promise<UploadResponse>;
    },
  };
}

/**
 * Checks that a Clipscope server answers at the address a person typed: an address without a
 * scheme gets http://, and only an answer shaped like our /api/health is accepted.
 */
export async function checkServer(typed: string): Promise<string> {
  const trimmed = normalizeBaseUrl(typed);
  if (!trimmed) throw new ApiError('bad_address', 'Enter the server address, like http://192.168.1.20:8000.', 0);
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  const notAnAddress = new ApiError('bad_address', `"${trimmed}" is not a web address. Use one like http://192.168.1.20:8000.`, 0);
  let parsed: URL;
  try {
    parsed = new URL(candidate);
  } catch {
    throw notAnAddress;
  }
  // Browsers accept "http://hello world" and percent-encode the space; no server has such a name.
  if (/\s/.test(trimmed) || !/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/i.test(parsed.hostname)) throw notAnAddress;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ApiError('bad_address', 'The server address starts with http:// or https://.', 0);
  }
  const base = normalizeBaseUrl(`${parsed.protocol}//${parsed.host}${parsed.pathname}`);
  let response: Response;
  try {
    response = await fetch(`${base}/api/health`, { headers: { Accept: 'application/json' } });
  } catch {
    throw new ApiError('offline', `Nothing answers at ${base}. Check the address and that the server is running.`, 0);
  }
  const body = parseJson(await response.text());
  const health = isRecord(body) ? (body as Partial<Health>) : null;
  if (!health || (health.status !== 'ok' && health.status !== 'degraded')) throw notClipscopeError(base);
  return base;
}
