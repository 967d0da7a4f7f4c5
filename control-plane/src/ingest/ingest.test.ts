import t, { type Test } from 'tap';
import { Registry } from 'prom-client';
import type { CommandName } from '@countyline/firmware/telemetry';
import { Ingest } from './ingest.js';
import { enrolBox } from '../../test-support/enrol-box.js';
import { alarmRecord, birth, cdr, header, json, status, trunks } from '../../test-support/box-messages.js';
import { captureLog, counterValue } from '../../test-support/capture-log.js';
import { freshStore } from '../../test-support/stores.js';

/** Boxes `box-a` and `box-b` enrolled in a fresh SQLite store, and an Ingest on it. */
async function setup(t: Test) {
  const { store } = await freshStore(t, 'sqlite');
  await enrolBox(store, 'box-a');
  await enrolBox(store, 'box-b');
  const registry = new Registry();
  const { logger, lines } = captureLog();
  const clock = { time: 1_000_000, now: () => clock.time };
  const rebirths: { boxId: string; name: CommandName }[] = [];
  const link = { sendCommand: async (boxId: string, name: CommandName) => void rebirths.push({ boxId, name }) };
  const ingest = new Ingest({ store, logger, registry, clock, link, maxPayloadBytes: 4096 });
  return { store, registry, lines, clock, rebirths, ingest };
}

t.test('each kind of a good message lands in the store', async (t) => {
  const { store, ingest } = await setup(t);
  t.equal(await ingest.handle('box-a', 'birth', json(birth(1, 1))), 'stored');
  t.equal((await store.getBox('box-a'))?.online, true, 'a birth puts the box online');
  t.equal(await ingest.handle('box-a', 'alarm', json({ ...header(2), change: 'raised', alarm: alarmRecord() })), 'stored');
  t.same(
    (await store.listAlarms({ state: 'active', boxId: 'box-a' })).map((a) => [a.type, a.severity]),
    [['los', 'critical']],
  );
  t.equal(await ingest.handle('box-a', 'cdr', json(cdr(3))), 'stored');
  t.same((await store.searchCdrs({ boxId: 'box-a' })).map((c) => c.id), ['cdr-3']);
  const kpi = { ...header(4), intervalStart: 900_000, intervalMs: 900_000, offered: 10, answered: 9, answeredIn15s: 8, abandoned: 1, noAgent: 0, failed: 0 };
  t.equal(await ingest.handle('box-a', 'kpi', json(kpi)), 'stored');
  t.same((await store.listKpis('box-a', 0, 10_000_000)).map((k) => k.answeredIn15s), [8]);
  t.equal(await ingest.handle('box-a', 'trunks', json(trunks(5))), 'stored');
  t.same((await store.getBox('box-a'))?.trunks?.circuits, { total: 30, idle: 29, busy: 1, blocked: 0 });
  t.equal(await ingest.handle('box-a', 'config/reported', json({ ...header(6), revision: 2, applied: false, errors: ['sip.port: must be a number'] })), 'stored');
  t.same((await store.getConfigState('box-a')).reported?.errors, ['sip.port: must be a number']);
  await store.createCommand({ id: 'c1', boxId: 'box-a', name: 'block', params: { cic: 3 }, requestedBy: 'op', createdAt: 0, deadlineAt: 300_000 });
  const result = { ...header(7), id: 'c1', name: 'block', ok: true, result: { cic: 3 }, error: null };
  t.equal(await ingest.handle('box-a', 'cmd-result', json(result)), 'stored');
  t.equal((await store.getCommand('c1'))?.state, 'done');
  t.equal(await ingest.handle('box-a', 'cmd-result', json(result)), 'duplicate', 'the same answer again changes nothing');
});

t.test('a KPI interval from a box with the queue is taken too, and its correction replaces it', async (t) => {
  const { store, ingest } = await setup(t);
  const counts = { intervalStart: 900_000, intervalMs: 900_000, offered: 10, answered: 9, answeredIn15s: 8, abandoned: 1, noAgent: 0, failed: 0 };
  // queue/kpi.ts's fields beside the first six; central stores the six (see the schema's KpiPayload).
  const queued = { inbound: 12, deflected: 2, overflowed: 0, callbacksCaptured: 0, callbacksCompleted: 1, failedInQueue: 0, repeatCallers: 3, abandonedIn15s: 1, abandonedWaitMs: 9000, longestAbandonedWaitMs: 9000, answeredWaitMs: 72_000, talkMs: 1_620_000, longestWaitMs: 30_000, peakQueue: 2 };
  t.equal(await ingest.handle('box-a', 'kpi', json({ ...header(1), ...counts, ...queued })), 'stored');
  t.equal(await ingest.handle('box-a', 'kpi', json({ ...header(2), ...counts, ...queued, offered: 11, abandoned: 2 })), 'stored', 'a call that ended after the interval went out');
  t.same(await store.listKpis('box-a', 0, 10_000_000), [{ ...counts, offered: 11, abandoned: 2 }]);
  t.equal(await ingest.handle('box-a', 'kpi', json({ ...header(3), ...counts, peakQueue: -1 })), 'rejected', 'a new field is checked when present');
});

t.test('garbage and wrong schemas are rejected, logged with box and reason, counted, nothing stored; the next good message is taken', async (t) => {
  const { store, registry, lines, ingest } = await setup(t);
  t.equal(await ingest.handle('box-a', 'cdr', Buffer.from('{"v":1,"seq":')), 'rejected');
  t.equal(await ingest.handle('box-a', 'cdr', Buffer.from([0xff, 0x00, 0x13])), 'rejected');
  const { seq: _seq, ...noSeq } = cdr(1);
  t.equal(await ingest.handle('box-a', 'cdr', Buffer.from(JSON.stringify(noSeq))), 'rejected');
  t.equal(await ingest.handle('box-a', 'cdr', json({ ...cdr(1), v: 2 } as never)), 'rejected', 'a schema version central does not know');
  t.equal(await ingest.handle('box-a', 'cdr', Buffer.from(JSON.stringify({ ...cdr(1), pad: 'x'.repeat(5000) }))), 'rejected', 'over the size limit');
  t.same(await store.searchCdrs({}), [], 'nothing stored');
  t.equal(await counterValue(registry, 'countyline_central_rejected_total', { reason: 'not-json' }), 2);
  t.equal(await counterValue(registry, 'countyline_central_rejected_total', { reason: 'schema' }), 2);
  t.equal(await counterValue(registry, 'countyline_central_rejected_total', { reason: 'too-large' }), 1);
  const schemaLine = lines.find((l) => l.reason === 'schema');
  t.equal(schemaLine?.box, 'box-a');
  t.match(String(schemaLine?.msg), /box-a.*cdr.*schema.*seq/, 'the log names the box, the kind and the missing field');
  t.equal(await ingest.handle('box-a', 'cdr', json(cdr(1))), 'stored');
  t.equal(await counterValue(registry, 'countyline_central_messages_total', { kind: 'cdr' }), 1, 'only the good one counts as a message in');
});

t.test('a repeated (box, bdSeq, seq) is stored once and counted as a duplicate', async (t) => {
  const { store, registry, ingest } = await setup(t);
  t.equal(await ingest.handle('box-a', 'cdr', json(cdr(1))), 'stored');
  t.equal(await ingest.handle('box-a', 'cdr', json(cdr(1))), 'duplicate');
  t.equal(await ingest.handle('box-b', 'cdr', json(cdr(1))), 'stored', 'the same key from another box is another message');
  t.equal((await store.searchCdrs({ boxId: 'box-a' })).length, 1);
  t.equal(await counterValue(registry, 'countyline_central_duplicates_total', { kind: 'cdr' }), 1);
});

t.test('a seq gap stores the message and asks for a rebirth, at most once a minute per box', async (t) => {
  const { store, registry, clock, rebirths, ingest } = await setup(t);
  await ingest.handle('box-a', 'cdr', json(cdr(1)));
  await ingest.handle('box-a', 'cdr', json(cdr(2)));
  t.same(rebirths, [], 'no gap, no rebirth');
  t.equal(await ingest.handle('box-a', 'cdr', json(cdr(5))), 'stored', 'the message after the gap is kept');
  t.same(rebirths, [{ boxId: 'box-a', name: 'rebirth' }]);
  clock.time += 30_000;
  await ingest.handle('box-a', 'cdr', json(cdr(9)));
  t.equal(rebirths.length, 1, 'a second gap within the minute sends nothing more');
  t.equal(await counterValue(registry, 'countyline_central_seq_gaps_total'), 2, 'but it is counted');
  await ingest.handle('box-a', 'cdr', json(cdr(3)));
  t.equal(rebirths.length, 1, 'a late older message is no gap');
  clock.time += 30_000;
  await ingest.handle('box-a', 'cdr', json(cdr(11)));
  t.equal(rebirths.length, 2, 'a minute after the first request, another');
  t.same((await store.searchCdrs({ boxId: 'box-a' })).map((c) => c.id).sort(), ['cdr-1', 'cdr-11', 'cdr-2', 'cdr-3', 'cdr-5', 'cdr-9']);
  t.equal(await counterValue(registry, 'countyline_central_rebirths_requested_total'), 2);
});

t.test("the seq tracking starts from the store's last seq, so a restart of central sees a gap", async (t) => {
  const { store, ingest: first } = await setup(t);
  await first.handle('box-a', 'cdr', json(cdr(1)));
  const registry = new Registry();
  const rebirths: string[] = [];
  const again = new Ingest({ store, logger: captureLog().logger, registry, clock: { now: () => 0 }, link: { sendCommand: async (box) => void rebirths.push(box) } });
  await again.handle('box-a', 'cdr', json(cdr(2)));
  t.same(rebirths, [], 'seq 2 follows the stored 1');
  await again.handle('box-a', 'cdr', json(cdr(4)));
  t.same(rebirths, ['box-a']);
});

t.test("a birth after a gap is the fresh state itself: no rebirth asked", async (t) => {
  const { rebirths, ingest } = await setup(t);
  await ingest.handle('box-a', 'cdr', json(cdr(1)));
  await ingest.handle('box-a', 'birth', json(birth(7, 2)));
  t.same(rebirths, []);
});

t.test('a late will (a status from an older connection than the latest birth) is ignored', async (t) => {
  const { store, registry, ingest } = await setup(t);
  await ingest.handle('box-a', 'birth', json(birth(10, 4)));
  t.equal(await ingest.handle('box-a', 'status', json(status(false, 3, 9))), 'ignored');
  t.equal((await store.getBox('box-a'))?.online, true, 'still online');
  t.equal(await counterValue(registry, 'countyline_central_late_status_total'), 1);
  t.equal(await ingest.handle('box-a', 'status', json(status(false, 4, 10))), 'stored', "the current connection's will is taken");
  t.equal((await store.getBox('box-a'))?.online, false);
});

t.test("a birth's alarm list makes central's active box alarms match it", async (t) => {
  const { store, ingest } = await setup(t);
  await ingest.handle('box-a', 'alarm', json({ ...header(1), change: 'raised', alarm: alarmRecord() }));
  const ais = alarmRecord({ id: 'span0-ais', type: 'ais', severity: 'major' });
  await ingest.handle('box-a', 'birth', json(birth(2, 2, [ais])));
  t.same(
    (await store.listAlarms({ state: 'active', boxId: 'box-a' })).map((a) => a.type),
    ['ais'],
    'the LOS the box no longer lists is cleared, the AIS it lists is active',
  );
});

t.test("a box cannot complete another box's command", async (t) => {
  const { store, registry, ingest } = await setup(t);
  await store.createCommand({ id: 'c9', boxId: 'box-b', name: 'unblock', params: { cic: 1 }, requestedBy: 'op', createdAt: 0, deadlineAt: 300_000 });
  const result = { ...header(1), id: 'c9', name: 'unblock', ok: false, result: null, error: { code: 'X', message: 'forged' } };
  t.equal(await ingest.handle('box-a', 'cmd-result', json(result)), 'rejected');
  t.equal((await store.getCommand('c9'))?.state, 'sent');
  t.equal(await counterValue(registry, 'countyline_central_rejected_total', { reason: 'not-own-command' }), 1);
});

t.test('an answer that comes after the command timed out is stored all the same, and said so in the log', async (t) => {
  const { store, lines, registry, ingest } = await setup(t);
  await store.createCommand({ id: 'c5', boxId: 'box-a', name: 'block', params: { cic: 5 }, requestedBy: 'op', createdAt: 0, deadlineAt: 300_000 });
  t.match(await store.timeOutCommands(300_000), [{ id: 'c5', state: 'timed-out' }]);
  const result = { ...header(1), id: 'c5', name: 'block', ok: true, result: { cic: 5 }, error: null };
  t.equal(await ingest.handle('box-a', 'cmd-result', json(result)), 'stored');
  t.match(await store.getCommand('c5'), { state: 'done', outcome: { ok: true, result: { cic: 5 } }, timedOutAt: 300_000 });
  t.match(
    lines.filter((l) => l.id === 'c5'),
    [{ level: 30, box: 'box-a', msg: 'late answer to command block (c5) from box-a: it replaces the time-out' }],
  );
  t.equal(await ingest.handle('box-a', 'cmd-result', json({ ...result, ...header(2), ok: false, result: null, error: { code: 'X', message: 'again' } })), 'duplicate', 'answered once; the next answer is a repeat');
  t.equal(await counterValue(registry, 'countyline_central_duplicates_total', { kind: 'cmd-result' }), 1);
});

t.test('a store failure rejects, is counted, and does not stop the next message', async (t) => {
  const { store, registry, ingest } = await setup(t);
  const addCdr = store.addCdr.bind(store);
  store.addCdr = async () => {
    throw new Error('disk full');
  };
  await t.rejects(ingest.handle('box-a', 'cdr', json(cdr(1))), /disk full/);
  store.addCdr = addCdr;
  t.equal(await ingest.handle('box-a', 'cdr', json(cdr(1))), 'stored', 'the resent message is stored');
  t.equal(await counterValue(registry, 'countyline_central_store_errors_total'), 1);
});
