import t from 'tap';
import type { AddressInfo } from 'node:net';
import { apiRig, TOKENS } from '../../test-support/api-test-app.js';
import { LiveFeed } from '../live/live-feed.js';

// The ops page's event stream over real HTTP (inject waits for a response to end; this one
// does not): who may open it, what it sends, and that a closed page leaves nothing behind.

interface SseEvent {
  event: string;
  data: any;
}

/** An open stream: the events parsed so far, the comment lines seen, and a way to wait for more. */
async function openStream(base: string, token: string) {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  const events: SseEvent[] = [];
  let comments = 0;
  let buffer = '';
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let ended = false;
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (block.startsWith(':')) comments += 1;
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // Aborted by the test.
    }
    ended = true;
  })();
  const waitUntil = async <T>(what: string, probe: () => T | undefined | false, ms = 5000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = probe();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    res,
    events,
    comments: () => comments,
    ended: () => ended,
    waitUntil,
    async close() {
      abort.abort();
      await pump;
    },
  };
}

async function listening(t: Parameters<typeof apiRig>[0], heartbeatMs = 15_000) {
  const live = new LiveFeed();
  const rig = await apiRig(t, { live, eventsHeartbeatMs: heartbeatMs });
  await rig.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(rig.app.server.address() as AddressInfo).port}`;
  return { ...rig, live, base };
}

t.test('no token, no stream: 401 with the API error', async (t) => {
  const { base } = await listening(t);
  const res = await fetch(`${base}/api/v1/events`);
  t.equal(res.status, 401);
  t.equal(((await res.json()) as { error: string }).error, 'unauthenticated');
  const wrong = await fetch(`${base}/api/v1/events`, { headers: { authorization: 'Bearer not-a-token' } });
  t.equal(wrong.status, 401);
});

t.test("a viewer's stream: hello with the role, then each change as it happens, and heartbeats", async (t) => {
  const { base, live } = await listening(t, 50);
  const s = await openStream(base, TOKENS.viewer);
  t.teardown(() => s.close());
  t.equal(s.res.status, 200);
  t.match(s.res.headers.get('content-type'), /^text\/event-stream/);
  t.equal(s.res.headers.get('cache-control'), 'no-cache, no-transform');
  const hello = await s.waitUntil('hello', () => s.events[0]);
  t.match(hello, { event: 'hello', data: { user: 'viewer', role: 'viewer' } });

  live.publish({ kind: 'alarm', boxId: 'north-1', change: 'raised', origin: 'box', type: 'span-red', at: 5 });
  live.publish({ kind: 'status', boxId: 'north-2', online: false, at: 6 });
  await s.waitUntil('two changes', () => s.events.length === 3);
  t.same(s.events.slice(1), [
    { event: 'alarm', data: { kind: 'alarm', boxId: 'north-1', change: 'raised', origin: 'box', type: 'span-red', at: 5 } },
    { event: 'status', data: { kind: 'status', boxId: 'north-2', online: false, at: 6 } },
  ]);
  await s.waitUntil('two heartbeat comments', () => s.comments() >= 2);
});

t.test('an acknowledgement through the API is told on the stream', async (t) => {
  const { base, store } = await listening(t);
  await store.createBox({ id: 'north-1', site: 'north', name: 'n1', createdAt: 0 });
  const red = await store.raiseCentralAlarm({ boxId: 'north-1', source: 'span/0', type: 'span-red', severity: 'critical', cause: 'LOS', at: 1000 });
  const s = await openStream(base, TOKENS.viewer);
  t.teardown(() => s.close());
  await s.waitUntil('hello', () => s.events[0]);
  const ack = await fetch(`${base}/api/v1/alarms/${red.id}/ack`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.operator}`, 'content-type': 'application/json' }, body: JSON.stringify({ comment: 'telco called' }) });
  t.equal(ack.status, 200);
  const told = await s.waitUntil('the ack', () => s.events.find((e) => e.event === 'alarm'));
  t.match(told.data, { boxId: 'north-1', change: 'acked', origin: 'central', type: 'span-red' });
});

t.test('a page that goes away stops listening; closing central ends the streams still open', async (t) => {
  const { base, live, app } = await listening(t);
  const first = await openStream(base, TOKENS.viewer);
  const second = await openStream(base, TOKENS.operator);
  await first.waitUntil('hello', () => first.events[0]);
  await second.waitUntil('hello', () => second.events[0]);
  t.equal(live.listenerCount('change'), 2, 'one listener per open stream');
  await first.close();
  await first.waitUntil('the server to notice the page went away', () => live.listenerCount('change') === 1);
  t.pass('the closed page no longer listens');
  // close() would wait forever for a stream that is never idle if it were left open.
  await app.close();
  await second.waitUntil('the stream to end', () => second.ended());
  t.equal(live.listenerCount('change'), 0, 'nothing listens after close');
});
