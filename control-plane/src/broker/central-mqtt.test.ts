import t from 'tap';
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

t.test("wired together: a box's critical alarm and its going offline reach the store and the webhook", async (t) => {
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
  const c = await startTestCentral(t, { alarms: { offlineGraceMs: 300 }, webhook: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/` } });
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
