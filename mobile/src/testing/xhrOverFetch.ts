/**
 * XMLHttpRequest played over the mocked fetch (fetchMock.ts), for requests the app sends with XHR
 * only to follow their upload progress (a batch's multipart POST): the same routes answer, and
 * the body's progress is reported in two steps (half, then all) before the answer arrives.
 */
export function installXhrOverFetch(bodyBytes = 1_000_000) {
  const progressSeen: number[] = [];
  class XhrOverFetch {
    status = 0;
    responseText = '';
    upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = {
      onprogress: null,
    };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    private method = 'GET';
    private url = '';
    private headers: Record<string, string> = {};
    private answer: Response | null = null;
    private aborted = false;

    open(method: string, url: string) {
      this.method = method;
      this.url = url;
    }
    setRequestHeader(name: string, value: string) {
      this.headers[name] = value;
    }
    getResponseHeader(name: string): string | null {
      return this.answer?.headers.get(name) ?? null;
    }
    abort() {
      this.aborted = true;
    }
    send(body: unknown) {
      const step = (loaded: number) => {
        progressSeen.push(loaded);
        this.upload.onprogress?.({ lengthComputable: true, loaded, total: bodyBytes });
      };
      setTimeout(() => {
        if (this.aborted) return;
        step(bodyBytes / 2);
        setTimeout(() => {
          if (this.aborted) return;
          step(bodyBytes);
          fetch(this.url, { method: this.method, headers: this.headers, body: body as BodyInit }).then(
            async (response) => {
              if (this.aborted) return;
              this.answer = response;
              this.status = response.status;
              this.responseText = await response.text();
              this.onload?.();
            },
            () => this.onerror?.(),
          );
        }, 1000);
      }, 0);
    }
  }
  global.XMLHttpRequest = XhrOverFetch as unknown as typeof XMLHttpRequest;
  return { progressSeen };
}
