import t, { type Test } from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { WebhookNotifier } from './webhook-notifier.js';
import { systemClock } from './clock.js';
import type { AlarmNotice } from './alarm-notifier.js';
import { captureLog, counterValue } from '../../test-support/capture-log.js';

const notice = (type: string): AlarmNotice => ({ change: 'raised', boxId: 'box-a', origin: 'central', source: 'central', type, severity: 'critical', cause: 'box offline', at: 1 });

/** A local receiver answering each POST with the next of `statuses` (then 200); 0 = never answer. */
async function receiver(t: Test, statuses: number[] = []) {
  const got: { body: unknown; type: string | undefined }[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ body: JSON.parse(body), type: req.headers['content-type'] });
      const status = statuses.shift() ?? 200;
      if (status === 0) return void hanging.push(res);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, got };
}

function notifier(t: Test, url: string, extra: Partial<ConstructorParameters<typeof WebhookNotifier>[0]> = {}) {
  const registry = new Registry();
  const { logger, lines } = captureLog();
  const n = new WebhookNotifier({ url, logger, registry, clock: systemClock, backoffMs: 10, timeoutMs: 2000, ...extra });
  t.teardown(() => n.close());
  return { n, registry, lines, count: (result: string) => counterValue(registry, 'countyline_central_webhook_total', { result }) };
}

t.test('a notice is POSTed as JSON, in order', async (t) => {
  const r = await receiver(t);
  const { n, count } = notifier(t, r.url);
  n.notify(notice('box-offline'));
  n.notify({ ...notice('box-offline'), change: 'cleared' });
  await n.idle();
  t.same(
    r.got.map((g) => [g.type, (g.body as AlarmNotice).change, (g.body as AlarmNotice).boxId]),
    [
      ['application/json', 'raised', 'box-a'],
      ['application/json', 'cleared', 'box-a'],
    ],
  );
  t.equal(await count('sent'), 2);
});

t.test('a failing receiver is retried with backoff until it takes the notice', async (t) => {
  const r = await receiver(t, [500, 503]);
  const { n, count, lines } = notifier(t, r.url);
  n.notify(notice('box-offline'));
  await n.idle();
  t.equal(r.got.length, 3, 'two failures, then taken');
  t.equal(await count('sent'), 1);
  t.equal(await count('failed'), 0);
  t.match(lines.filter((l) => l.level === 40).map((l) => l.msg), [/HTTP 500.*retrying in 10 ms/, /HTTP 503.*retrying in 20 ms/], 'the backoff doubles');
});

t.test('after the last retry the notice is given up, logged and counted; the next one still goes', async (t) => {
  const r = await receiver(t, [500, 500, 500]);
  const { n, count, lines } = notifier(t, r.url, { retries: 2 });
  n.notify(notice('first'));
  n.notify(notice('second'));
  await n.idle();
  t.same(
    r.got.map((g) => (g.body as AlarmNotice).type),
    ['first', 'first', 'first', 'second'],
  );
  t.equal(await count('failed'), 1);
  t.equal(await count('sent'), 1);
  t.match(lines.find((l) => l.level === 50)?.msg, /failed after 3 attempts: HTTP 500/);
});

t.test('a receiver that does not answer times out; a dead address is an error; neither holds up notify', async (t) => {
  const r = await receiver(t, [0]);
  const { n, count, lines } = notifier(t, r.url, { retries: 0, timeoutMs: 200 });
  const returned = n.notify(notice('slow'));
  t.equal(returned, undefined, 'notify returns nothing to wait for');
  t.equal(await count('failed'), 0, 'and it returned before the receiver could time out');
  await n.idle();
  t.equal(await count('failed'), 1);
  t.match(lines.find((l) => l.level === 50)?.msg, /no answer in time/);
  // A port nobody listens on: take a free one and let it go.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const freePort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const dead = notifier(t, `http://127.0.0.1:${freePort}/sms`, { retries: 0 });
  dead.n.notify(notice('x'));
  await dead.n.idle();
  t.match(dead.lines.find((l) => l.level === 50)?.msg, /ECONNREFUSED/);
});
