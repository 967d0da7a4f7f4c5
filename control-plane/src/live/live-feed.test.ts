import t from 'tap';
import { startTestCentral } from '../../test-support/start-test-central.js';
import { alarmRecord, birth, cdr, header, json, status, trunks } from '../../test-support/box-messages.js';
import { LiveFeed, type LiveChange } from './live-feed.js';

// What the ops page hears of: each change the store takes from a box, and central's own
// alarms, reach the feed with the box they concern.

async function until(changes: LiveChange[], what: string, match: (c: LiveChange) => boolean, ms = 10_000): Promise<LiveChange> {
  const deadline = Date.now() + ms;
  for (;;) {
    const hit = changes.find(match);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; heard ${JSON.stringify(changes)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test("a box's status, birth, alarm, trunks and CDR, and central's box-offline, reach the feed", async (t) => {
  const live = new LiveFeed();
  const changes: LiveChange[] = [];
  live.on('change', (c) => changes.push(c));
  const c = await startTestCentral(t, { live, alarms: { offlineGraceMs: 200 } });
  t.teardown(c.close);
  const box = await c.connect('box-a', { will: { topic: 'cl/v1/box-a/status', payload: json(status(false, 1)), qos: 1, retain: true } });
  await box.publishAsync('cl/v1/box-a/status', json(status(true, 1)), { qos: 1, retain: true });
  await box.publishAsync('cl/v1/box-a/birth', json(birth(1, 1)), { qos: 1 });
  await box.publishAsync('cl/v1/box-a/alarm', json({ ...header(2), change: 'raised', alarm: alarmRecord() }), { qos: 1 });
  await box.publishAsync('cl/v1/box-a/trunks', json(trunks(3)), { qos: 1 });
  await box.publishAsync('cl/v1/box-a/cdr', json(cdr(4)), { qos: 1 });

  t.match(await until(changes, 'online', (x) => x.kind === 'status'), { kind: 'status', boxId: 'box-a', online: true });
  t.match(await until(changes, 'the birth', (x) => x.kind === 'birth'), { boxId: 'box-a' });
  t.match(await until(changes, 'the alarm', (x) => x.kind === 'alarm'), { boxId: 'box-a', change: 'raised', origin: 'box', type: 'los' });
  t.match(await until(changes, 'the trunks', (x) => x.kind === 'trunks'), { boxId: 'box-a' });
  t.match(await until(changes, 'the CDR', (x) => x.kind === 'cdr'), { boxId: 'box-a' });
  t.notOk(
    changes.some((x) => x.boxId !== 'box-a'),
    'nothing about another box',
  );

  box.stream.destroy();
  t.match(await until(changes, 'offline', (x) => x.kind === 'status' && !x.online), { boxId: 'box-a' });
  t.match(await until(changes, "central's box-offline", (x) => x.kind === 'alarm' && x.origin === 'central'), { boxId: 'box-a', change: 'raised', type: 'box-offline' });
});
