import t, { type Test } from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestCentral } from '../../test-support/start-test-central.js';
import { alarmRecord, birth, header, json, status } from '../../test-support/box-messages.js';
import type { AlarmNotice } from '../alarms/alarm-notifier.js';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A local HTTP server standing in for the SMS gateway: the notices it received, and its URL. */
async function webhookReceiver(t: Test): Promise<{ received: AlarmNotice[]; url: string }> {
  const received: AlarmNotice[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as AlarmNotice);
      res.end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  t.teardown(() => hook.close());
  return { received, url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/` };
}

t.test("wired together: a box's critical alarm and its going offline reach the store and the webhook", async (t) => {
  const { received, url } = await webhookReceiver(t);
  const c = await startTestCentral(t, { alarms: { offlineGraceMs: 300 }, webhook: { url } });
  t.teardown(c.close);

  const box = await c.connect('box-a', { will: { topic: 'cl/v1/box-a/status', payload: json(status(false, 1)), qos: 1, retain: true } });
  await box.publishAsync('cl/v1/box-a/status', json(status(true, 1)), { qos: 1, retain: true });
  await box.publishAsync('cl/v1/box-a/birth', json(birth(1, 1)), { qos: 1 });
  await box.publishAsync('cl/v1/box-a/alarm', json({ ...header(2), change: 'raised', alarm: alarmRecord() }), { qos: 1 });
  await waitFor('the LOS notice', async () => received.find((n) => n.type === 'los'));
  t.match(received[0], { change: 'raised', boxId: 'box-a', origin: 'box', type: 'los', severity: 'critical' });

  box.stream.destroy();
  const offline = await waitFor('box-offline', async () => (await c.store.listAlarms({ state: 'active', boxId: 'box-a' })).find((a) => a.type === 'box-offline'));
  t.match(offline, { origin: 'central', severity: 'critical' });
  await waitFor('the box-offline notice', async () => received.find((n) => n.type === 'box-offline'));

  const again = await c.connect('box-a');
  await again.publishAsync('cl/v1/box-a/status', json(status(true, 2)), { qos: 1, retain: true });
  await waitFor('box-offline cleared', async () => (await c.store.listAlarms({ boxId: 'box-a' })).find((a) => a.type === 'box-offline' && a.state === 'cleared'));
  await waitFor('the cleared notice', async () => received.find((n) => n.type === 'box-offline' && n.change === 'cleared'));
});

t.test("a box alarm's webhook notice carries the alarm's own time, and says replayed when central heard of it late", async (t) => {
  const { received, url } = await webhookReceiver(t);
  const c = await startTestCentral(t, { webhook: { url } });
  t.teardown(c.close);
  const box = await c.connect('box-a');
  const now = Date.now();
  const hoursAgo = now - 3 * 3_600_000;
  // After a WAN outage: an LOS raised and cleared hours ago, replayed from the outbox.
  const old = alarmRecord({ raisedAt: hoursAgo, lastRaisedAt: hoursAgo });
  await box.publishAsync('cl/v1/box-a/alarm', json({ ...header(1), change: 'raised', alarm: old }), { qos: 1 });
  await box.publishAsync('cl/v1/box-a/alarm', json({ ...header(2), change: 'cleared', alarm: { ...old, state: 'cleared', clearedAt: hoursAgo + 60_000 } }), { qos: 1 });
  // And a fresh one, raised just now.
  const fresh = alarmRecord({ id: 'span1-los', source: 'span1', raisedAt: now, lastRaisedAt: now });
  await box.publishAsync('cl/v1/box-a/alarm', json({ ...header(3), change: 'raised', alarm: fresh }), { qos: 1 });
  await waitFor('three notices', async () => received.length >= 3);
  t.match(received[0], { change: 'raised', source: 'span0', at: hoursAgo, replayed: true });
  t.match(received[1], { change: 'cleared', source: 'span0', at: hoursAgo + 60_000, replayed: true });
  t.match(received[2], { change: 'raised', source: 'span1', at: now });
  t.notOk('replayed' in received[2]!, 'a fresh alarm is not marked replayed');
});
