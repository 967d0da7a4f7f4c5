// Central's API as the page calls it: the bearer token from sign-in (sessionStorage, this tab
// only), JSON in and out, and the event stream read with fetch (EventSource cannot send an
// Authorization header).

const TOKEN_KEY = 'countyline.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function signIn(value) {
  sessionStorage.setItem(TOKEN_KEY, value.trim());
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** A refusal from central (`status` 0: central could not be reached), with its error code and English message. */
export class ApiFailure extends Error {
  constructor(status, code, message, detail) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

/** Calls `/api/v1<path>`; resolves with the parsed body, rejects with an ApiFailure. */
export async function api(method, path, body) {
  const headers = { authorization: `Bearer ${token()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiFailure(0, 'network', err.message);
  }
  const parsed = await res.json().catch(() => null);
  if (!res.ok) {
    // The app goes back to sign-in with the reason.
    if (res.status === 401) window.dispatchEvent(new CustomEvent('countyline:unauthorized'));
    const detail = res.status === 403 ? /needs the (\w+) role/.exec(parsed?.message ?? '')?.[1] : undefined;
    throw new ApiFailure(res.status, parsed?.error ?? 'unknown', parsed?.message ?? res.statusText, detail);
  }
  return parsed;
}

/**
 * Keeps `GET /api/v1/events` open: `onEvent(name, data)` for each event, `onState(open)` when
 * the stream opens or drops, and a new try after a pause (1 s, doubling to 30 s) when it
 * drops. A 401 stops it (`onState(false, failure)`): the token is no good. Returns stop().
 */
export function followEvents(onEvent, onState) {
  let stopped = false;
  let controller = null;
  let pause = 1000;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const res = await fetch('/api/v1/events', { headers: { authorization: `Bearer ${token()}` }, signal: controller.signal });
        if (res.status === 401) {
          onState(false, new ApiFailure(401, 'unauthenticated', 'token refused'));
          return;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        await readEvents(res.body, (name, data) => {
          if (name === 'hello') {
            pause = 1000;
            onState(true);
          }
          onEvent(name, data);
        });
      } catch {
        // Dropped (central restarting, network); tried again below.
      }
      if (stopped) return;
      onState(false);
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 30_000);
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

/** Server-Sent Events framing (WHATWG HTML 9.2.6): blank-line separated blocks of `field: value` lines; `:` lines are comments. */
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = text;
        else if (field === 'data') data.push(text);
      }
      if (data.length > 0) onEvent(name, JSON.parse(data.join('\n')));
    }
  }
}
