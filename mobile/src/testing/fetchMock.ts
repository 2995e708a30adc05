/**
 * The network, mocked at the fetch layer and nowhere else: the app's own API client, query hooks
 * and screens all run for real. Routes match "METHOD /path" (query string ignored).
 */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** 'offline' plays a request that gets no HTTP answer at all (server down, no network). */
export type Handler = (request: { url: string; method: string; headers: Record<string, string>; body: unknown }) =>
  | Answer
  | 'offline'
  | Promise<Answer | 'offline'>;

export interface FetchCall {
  method: string;
  path: string;
  headers: Record<string, string>;
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const empty = body === undefined || status === 304 || status === 204;
  return new Response(empty ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function installFetch(routes: Record<string, Handler>) {
  const calls: FetchCall[] = [];
  const fetchMock = jest.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? 'GET').toUpperCase();
    const path = new URL(url).pathname;
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ method, path, headers });
    const handler = routes[`${method} ${path}`];
    if (!handler) return jsonResponse(404, { error: { code: 'not_found', message: `No mock for ${method} ${path}` } });
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const answer = await handler({ url, method, headers, body });
    if (answer === 'offline') throw new TypeError('Network request failed');
    return jsonResponse(answer.status, answer.body, answer.headers);
  });
  global.fetch = fetchMock;
  return {
    calls,
    count: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path).length,
  };
}

/** fetch rejects (no HTTP answer at all), as it does offline. */
export function installOfflineFetch() {
  global.fetch = jest.fn(async () => {
    throw new TypeError('Network request failed');
  });
}
