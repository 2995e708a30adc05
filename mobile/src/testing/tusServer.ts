/**
 * The tus side of the server, played at the HTTP layer: a fake XMLHttpRequest (what tus-js-client
 * sends with on phones and browsers) answers as backend/api/tus.py does. tus-js-client itself, the
 * app's client and its storage run for real. `cutNextPatch` drops a PATCH's connection after the
 * server kept part of its body, as a train's tunnel does.
 */
export interface TusRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyBytes: number;
}

interface Stored {
  length: number;
  offset: number;
  metadata: Record<string, string>;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface TusServerOptions {
  base: string;
  /** The job the last byte makes. */
  jobId: string;
  /** Answer a PATCH's body with this instead (415 for a file that is not a video). */
  refusePatch?: Answer;
}

function decodeMetadata(raw: string | undefined): Record<string, string> {
  const found: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key) found[key] = value ? Buffer.from(value, 'base64').toString('utf8') : '';
  }
  return found;
}

export function installTusServer(options: TusServerOptions) {
  const uploads = new Map<string, Stored>();
  const requests: TusRequest[] = [];
  const cuts: { kept: number; stayDown: boolean; hang?: boolean }[] = [];
  let down = false;
  let next = 1;

  function handle(request: TusRequest): Answer | 'network-error' | 'hang' {
    if (down) return 'network-error';
    const path = new URL(request.url).pathname;
    if (request.headers['Tus-Resumable'] !== '1.0.0') return { status: 412 };
    if (request.headers.Authorization === undefined) return { status: 401, body: { error: { code: 'unauthorized', message: 'Sign in.' } } };
    if (request.method === 'POST' && path === '/api/uploads') {
      const id = `u${next++}`;
      uploads.set(id, { length: Number(request.headers['Upload-Length']), offset: 0, metadata: decodeMetadata(request.headers['Upload-Metadata']) });
      return { status: 201, headers: { Location: `/api/uploads/${id}`, 'Upload-Offset': '0' } };
    }
    const stored = uploads.get(path.replace('/api/uploads/', ''));
    if (!stored) return { status: 404, body: { error: { code: 'not_found', message: 'No upload with that id was found.' } } };
    const where = { 'Upload-Offset': String(stored.offset), 'Upload-Length': String(stored.length) };
    if (request.method === 'HEAD') return { status: 200, headers: where };
    if (request.method === 'PATCH') {
      if (Number(request.headers['Upload-Offset']) !== stored.offset) return { status: 409, headers: where };
      if (options.refusePatch) return options.refusePatch;
      const cut = cuts.shift();
      if (cut !== undefined) {
        stored.offset += Math.min(cut.kept, request.bodyBytes);
        down = cut.stayDown;
        return cut.hang ? 'hang' : 'network-error';
      }
      stored.offset += request.bodyBytes;
      const done: Record<string, string> = stored.offset === stored.length ? { 'Clipscope-Job-Id': options.jobId } : {};
      return { status: 204, headers: { 'Upload-Offset': String(stored.offset), ...done } };
    }
    return { status: 405 };
  }

  class FakeXhr {
    status = 0;
    responseText = '';
    upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number }) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: ((error: Error) => void) | null = null;
    private method = 'GET';
    private url = '';
    private headers: Record<string, string> = {};
    private answerHeaders: Record<string, string> = {};
    private aborted = false;

    open(method: string, url: string) {
      this.method = method;
      this.url = url;
    }
    setRequestHeader(name: string, value: string) {
      this.headers[name] = value;
    }
    getResponseHeader(name: string): string | null {
      const key = Object.keys(this.answerHeaders).find((k) => k.toLowerCase() === name.toLowerCase());
      return key === undefined ? null : (this.answerHeaders[key] ?? null);
    }
    abort() {
      this.aborted = true;
    }
    send(body: Uint8Array | null) {
      const request: TusRequest = { method: this.method, url: this.url, headers: { ...this.headers }, bodyBytes: body?.length ?? 0 };
      requests.push(request);
      // Answers arrive on a later tick, as the network's do.
      setTimeout(() => {
        if (this.aborted) return;
        const answer = handle(request);
        if (answer === 'hang') {
          // The bytes went out (the server kept some), then nothing: no answer, no error, until the client aborts.
          this.upload.onprogress?.({ lengthComputable: true, loaded: request.bodyBytes });
          return;
        }
        if (answer === 'network-error') {
          // The bytes went out before the connection dropped: the bar moved, the answer never came.
          if (request.bodyBytes) this.upload.onprogress?.({ lengthComputable: true, loaded: request.bodyBytes });
          this.onerror?.(new Error('Network request failed'));
          return;
        }
        if (request.bodyBytes) this.upload.onprogress?.({ lengthComputable: true, loaded: request.bodyBytes });
        this.status = answer.status;
        this.answerHeaders = { 'Tus-Resumable': '1.0.0', ...answer.headers };
        this.responseText = answer.body === undefined ? '' : JSON.stringify(answer.body);
        this.onload?.();
      }, 0);
    }
  }

  global.XMLHttpRequest = FakeXhr as unknown as typeof XMLHttpRequest;
  return {
    uploads,
    requests,
    /** The next PATCH keeps this many bytes, then its connection drops (and the network with it). */
    cutNextPatch: (keptBytes: number, stayDown = false) => cuts.push({ kept: keptBytes, stayDown }),
    /**
     * The next PATCH keeps this many bytes, then its connection dies without closing: no answer
     * and no error ever arrive (and with `stayDown` the network is gone too).
     */
    hangNextPatch: (keptBytes: number, stayDown = false) => cuts.push({ kept: keptBytes, stayDown, hang: true }),
    /** While down, every request fails as if the network were gone. */
    setDown: (value: boolean) => {
      down = value;
    },
    of: (method: string) => requests.filter((r) => r.method === method),
  };
}
