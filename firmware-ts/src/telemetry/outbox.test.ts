import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { Outbox, publishPacketBytes, type DropReason, type OutboxOptions } from './outbox.js';
import type { BoxKind } from './schema.js';

function captureLogger() {
  const lines: Array<Record<string, unknown> & { msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

async function setup(t: Test, o: Partial<OutboxOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'cl-outbox-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'outbox.jsonl');
  const { logger, lines } = captureLogger();
  const drops: [BoxKind, DropReason][] = [];
  const clock = new FakeClock(1_700_000_000_000);
  const open = async (more: Partial<OutboxOptions> = {}) => {
    const outbox = await Outbox.open({ file, boxId: 'box-1', maxBytes: 1 << 20, clock, logger, onDrop: (k, r) => drops.push([k, r]), ...o, ...more });
    t.teardown(() => outbox.close());
    return outbox;
  };
  return { dir, file, lines, drops, clock, open };
}

const event = (n: number) => ({ type: 'test', data: { n } });
const cdrBody = (id: string) => ({
  cdr: { id, line: { kind: 'fxo' as const, port: 0 }, calling: '1', called: '2', agent: null, arrivedAt: 0, offeredAt: null, answeredAt: null, endedAt: 1, result: 'abandoned' as const, reason: null, hungUpBy: 'caller' as const, cause: null },
});
const trunksBody = { spans: [], fxo: [], circuits: { total: 0, idle: 0, busy: 0, blocked: 0 } };

/** Takes and acknowledges every message waiting, as the MQTT link does with PUBACKs. */
async function drainAll(outbox: Outbox): Promise<number[]> {
  const sent: number[] = [];
  for (let e = outbox.take(); e; e = outbox.take()) {
    sent.push(e.seq);
    await outbox.ack(e.seq);
  }
  return sent;
}

t.test('messages come back after a reopen in seq order, with their header, until acknowledged', async (t) => {
  const s = await setup(t);
  const a = await s.open();
  const first = await a.create('event', event(1));
  t.match(first, { v: 1, seq: 1, bdSeq: 0, ts: 1_700_000_000_000, type: 'test', data: { n: 1 } });
  await a.create('cdr', cdrBody('c1'));
  await a.create('event', event(3));
  const taken = a.take()!;
  t.equal(taken.seq, 1);
  t.equal(taken.topic, 'cl/v1/box-1/event');
  t.equal(a.take(), null, 'one message in flight at a time: the next waits for the PUBACK');
  await a.ack(1);
  await a.close();

  const b = await s.open();
  t.same(
    b.waiting().map((e) => [e.seq, e.kind]),
    [
      [2, 'cdr'],
      [3, 'event'],
    ],
    'the acknowledged message is gone; the others wait, in order',
  );
  t.same(b.waiting()[0]!.payload, { v: 1, seq: 2, ts: 1_700_000_000_000, bdSeq: 0, ...cdrBody('c1') });
  const next = await b.create('event', event(4));
  t.equal(next!.seq, 4, 'seq goes on from where it was');
});

t.test('seq and bdSeq keep growing after the file was compacted down to nothing', async (t) => {
  const s = await setup(t, { compactAfterBytes: 200 });
  const a = await s.open();
  t.equal(await a.nextConnection(), 1);
  t.equal(await a.nextConnection(), 2);
  for (let i = 0; i < 20; i++) await a.create('event', event(i));
  t.same(await drainAll(a), Array.from({ length: 20 }, (_, i) => i + 1));
  await a.close();
  const text = await readFile(s.file, 'utf8');
  t.ok(text.length < 200, `compacted (${text.length} octets left)`);
  t.notMatch(text, /"m":/, 'no message left in the file');

  const b = await s.open();
  t.equal(b.seq, 20);
  t.equal(b.bdSeq, 2);
  t.equal(await b.nextConnection(), 3);
  t.match(await b.create('event', event(0)), { seq: 21, bdSeq: 3 });
});

t.test('a torn last line (a power cut mid-write) is cut off and logged; the rest is kept', async (t) => {
  const s = await setup(t);
  const a = await s.open();
  await a.create('alarm', { change: 'raised', alarm: { id: 'a1', source: 'span0', type: 'los', severity: 'critical', state: 'active', raisedAt: 1, clearedAt: null, lastRaisedAt: 1, cause: 'LOS', count: 1 } });
  await a.create('event', event(2));
  await a.close();
  await appendFile(s.file, '{"m":3,"b":0,"k":"event","t":"cl/v1/box-1/event","p":{"v":1,');

  const b = await s.open();
  t.same(
    b.waiting().map((e) => e.seq),
    [1, 2],
  );
  t.ok(
    s.lines.some((l) => /torn last line/.test(l.msg)),
    'logged',
  );
  t.equal((await b.create('event', event(3)))!.seq, 3, 'the torn message never counted: its seq is taken again');
  await b.close();
  const c = await s.open();
  t.same(
    c.waiting().map((e) => e.seq),
    [1, 2, 3],
    'the next append starts on a line of its own',
  );
});

t.test('a damaged line in the middle is skipped and logged', async (t) => {
  const s = await setup(t);
  const a = await s.open();
  await a.create('event', event(1));
  await a.close();
  await appendFile(s.file, 'garbage\n');
  const b = await s.open();
  await b.create('event', event(2));
  t.same(
    b.waiting().map((e) => e.seq),
    [1, 2],
  );
  t.ok(s.lines.some((l) => /damaged line/.test(l.msg)));
});

t.test('when full, trunk snapshots go first, then events, then the oldest CDRs; drops are counted', async (t) => {
  const s = await setup(t);
  // Size the bound from real lines: room for exactly four CDR-sized messages.
  const probe = await s.open({ file: join(s.dir, 'probe.jsonl') });
  await probe.create('cdr', cdrBody('c0'));
  const cdrBytes = probe.waiting()[0]!.bytes;
  const outbox = await s.open({ maxBytes: cdrBytes * 4 });

  await outbox.create('cdr', cdrBody('c1'));
  await outbox.create('trunks', trunksBody);
  await outbox.create('event', event(3));
  await outbox.create('cdr', cdrBody('c4'));
  t.same(s.drops, [], 'all fits so far');
  await outbox.create('cdr', cdrBody('c5'));
  await outbox.create('cdr', cdrBody('c6'));
  t.same(
    s.drops,
    [
      ['trunks', 'full'],
      ['event', 'full'],
    ],
    'the trunk snapshot went first, then the event',
  );
  await outbox.create('cdr', cdrBody('c7'));
  t.same(
    outbox.waiting().map((e) => (e.payload.cdr as { id: string }).id),
    ['c4', 'c5', 'c6', 'c7'],
    'then the oldest CDR',
  );
  t.equal(await outbox.create('trunks', trunksBody), null, 'a snapshot is not worth a CDR: refused');
  t.same(s.drops, [
    ['trunks', 'full'],
    ['event', 'full'],
    ['cdr', 'full'],
    ['trunks', 'full'],
  ]);
  t.match(outbox.stats(), { messages: 4, dropped: 4, droppedByKind: { trunks: 2, event: 1, cdr: 1 } });
  t.ok(outbox.stats().bytes <= cdrBytes * 4);
  await outbox.close();
  const again = await s.open({ maxBytes: cdrBytes * 4 });
  t.same(
    again.waiting().map((e) => (e.payload.cdr as { id: string }).id),
    ['c4', 'c5', 'c6', 'c7'],
    'the drops are on disk too',
  );
  t.equal(again.seq, 8, 'the refused snapshot still took its seq (central sees the gap)');
});

t.test('the message in flight is never dropped to make room', async (t) => {
  const s = await setup(t);
  const probe = await s.open({ file: join(s.dir, 'probe.jsonl') });
  await probe.create('trunks', trunksBody);
  const bytes = probe.waiting()[0]!.bytes;
  const outbox = await s.open({ maxBytes: bytes * 2 });
  await outbox.create('trunks', trunksBody);
  await outbox.create('trunks', trunksBody);
  t.equal(outbox.take()!.seq, 1);
  await outbox.create('trunks', trunksBody);
  t.same(
    outbox.waiting().map((e) => e.seq),
    [1, 3],
  );
});

t.test('a new birth supersedes an unsent one, but not the one in flight', async (t) => {
  const s = await setup(t);
  const outbox = await s.open();
  const birth = { software: { version: '1', node: 'v20' }, inventory: { hostName: 'h', card: {} }, spans: [], fxo: [], circuits: { total: 0, idle: 0, busy: 0, blocked: 0, list: [] }, alarms: [], agents: null, queue: null };
  await outbox.create('birth', birth);
  await outbox.create('cdr', cdrBody('c'));
  await outbox.create('birth', birth);
  t.same(
    outbox.waiting().map((e) => [e.seq, e.kind]),
    [
      [2, 'cdr'],
      [3, 'birth'],
    ],
  );
  t.same(s.drops, [['birth', 'superseded']]);
  t.equal(outbox.stats().dropped, 0, 'a superseded birth is not lost information');
  t.equal(outbox.take()!.seq, 2);
  await outbox.ack(2);
  t.equal(outbox.take()!.seq, 3);
  await outbox.create('birth', birth);
  t.same(
    outbox.waiting().map((e) => e.seq),
    [3, 4],
  );
});

t.test('a released message is taken again first', async (t) => {
  const s = await setup(t);
  const outbox = await s.open();
  await outbox.create('event', event(1));
  await outbox.create('event', event(2));
  t.equal(outbox.take()!.seq, 1);
  outbox.release(1);
  t.equal(outbox.take()!.seq, 1);
});

t.test('the file does not grow without bound while messages flow', async (t) => {
  const s = await setup(t, { compactAfterBytes: 4096 });
  const outbox = await s.open();
  for (let i = 0; i < 500; i++) {
    await outbox.create('event', event(i));
    await drainAll(outbox);
  }
  t.ok((await stat(s.file)).size < 3 * 4096, 'compacted along the way');
});

t.test("a message over the broker's packet limit is refused when created, counted too-large, and holds nothing up", async (t) => {
  const s = await setup(t, { maxPacketBytes: 300 });
  const outbox = await s.open();
  t.ok(await outbox.create('event', event(1)));
  t.equal(await outbox.create('event', { type: 'big', data: { text: 'x'.repeat(400) } }), null, 'refused');
  t.ok(await outbox.create('event', event(3)));
  t.same(s.drops, [['event', 'too-large']]);
  t.match(s.lines, [{ kind: 'event', seq: 2, packetBytes: Number, maxPacketBytes: 300, msg: /larger than central's packet limit is dropped/ }]);
  t.same(outbox.stats().droppedByKind, { event: 1 });
  t.same(await drainAll(outbox), [1, 3], 'the rest goes; seq 2 is the gap central sees');
  await outbox.close();
  const again = await s.open();
  t.equal(again.seq, 3, 'the refused seq is not given again after a restart');
});

t.test("the default packet limit is central's, 1 MiB", async (t) => {
  const s = await setup(t, { maxBytes: 8 << 20 });
  const outbox = await s.open();
  t.ok(await outbox.create('event', { type: 'big', data: { text: 'x'.repeat(1000 * 1024) } }), 'under 1 MiB: taken');
  t.equal(await outbox.create('event', { type: 'big', data: { text: 'x'.repeat(1024 * 1024) } }), null, 'over 1 MiB: refused');
  t.same(s.drops, [['event', 'too-large']]);
});

t.test('the size of a QoS 1 PUBLISH (MQTT 3.1.1 3.3): fixed header with its remaining length, topic, packet id, payload', async (t) => {
  // remaining = 2 + 17 (topic) + 2 + payload; its length takes 1 octet below 128, 2 below 16384.
  t.equal(publishPacketBytes('cl/v1/box-1/event', 'x'.repeat(106)), 1 + 1 + 127);
  t.equal(publishPacketBytes('cl/v1/box-1/event', 'x'.repeat(107)), 1 + 2 + 128);
  t.equal(publishPacketBytes('cl/v1/box-1/event', 'x'.repeat(16_362)), 1 + 2 + 16_383);
  t.equal(publishPacketBytes('cl/v1/box-1/event', 'x'.repeat(16_363)), 1 + 3 + 16_384);
  t.equal(publishPacketBytes('cl/v1/box-1/event', '中'), 1 + 1 + 2 + 17 + 2 + 3, 'octets, not characters');
});
