import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import t, { type Test } from 'tap';
import { inProcessFirmware, ISUP_CONFIG } from '../test-support/in-process-firmware.js';
import { CONTROL_METHODS, type MethodName } from './control/control-methods.js';
import { refusal } from '../test-support/refusal.js';

// The firmware driven in-process through its control methods: the same checks and handlers
// as a request on the control socket, without spawning anything.

/**
 * The answer fits the method's result schema exactly: every field is in the schema (what
 * `Value.Clean` would strip is nothing) and every value has its type.
 */
function fitsSchema(t: Test, method: MethodName, key: 'result' | 'progress', value: unknown): void {
  const schema = (CONTROL_METHODS[method] as { result: TSchema; progress?: TSchema })[key]!;
  const errors = [...Value.Errors(schema, value)].slice(0, 3).map((e) => `${e.path}: ${e.message}`);
  t.same(errors, [], `${method} ${key} fits its schema`);
  t.same(Value.Clean(schema, structuredClone(value)), value, `${method} ${key} has no field its schema lacks`);
}


t.test('every view answers in the shape its schema gives', async (t) => {
  const r = await inProcessFirmware(t, { config: { isup: ISUP_CONFIG } });
  r.rig.sim.setSpanDefects(0, { los: true });
  r.rig.sim.setLinePlugged(2, false);
  await r.rig.run(4000); // red span, unplugged line: alarms to show, optional fields filled in
  fitsSchema(t, 'status', 'result', await r.fw.handle('status', {}));
  fitsSchema(t, 'trunks', 'result', await r.fw.handle('trunks', {}));
  const alarms = await r.fw.handle('alarms', { all: true });
  t.ok(alarms.alarms.length >= 2, 'the span and the line raised alarms');
  fitsSchema(t, 'alarms', 'result', alarms);
  fitsSchema(t, 'circuits', 'result', await r.fw.handle('circuits', {}));
  const metrics = await r.fw.handle('metrics', {});
  t.match(metrics.text, /countyline_isup_glares/);
});

t.test('test calls: progress and outcomes typed; a circuit that does not exist is named', async (t) => {
  const r = await inProcessFirmware(t, { config: { isup: ISUP_CONFIG } });
  const progress: unknown[] = [];
  const answer = await r.rig.settle(r.fw.handle('test-call', { circuit: 'e1/0/1' }, (p) => progress.push(p)));
  t.equal(answer.outcomes.length, 1);
  t.equal(answer.outcomes[0]!.result, 'pass', 'the continuity check with the exchange passes');
  fitsSchema(t, 'test-call', 'result', answer);
  t.equal(progress.length, 2, 'one line before, one per circuit');
  for (const p of progress) fitsSchema(t, 'test-call', 'progress', p);

  const missing = await refusal(r.fw.handle('test-call', { circuit: 'e1/0/16' }));
  t.equal(missing.code, 'no-circuit', 'ts16 carries signalling: not a circuit');
  t.match(missing.message, /no circuit e1\/0\/16 on this box; its circuits are fxo\/0, fxo\/1, fxo\/2 \.\.\. e1\/0\/30, e1\/0\/31/);
  t.equal(missing.exitCode, 2);
});

t.test('test calls are refused while the card is down', async (t) => {
  const r = await inProcessFirmware(t, { config: { isup: ISUP_CONFIG } });
  r.rig.sim.setSilent(true);
  t.ok(await r.rig.until(() => r.fw.card.current !== 'up', 10_000), 'the firmware noticed the silent card');
  const err = await refusal(r.fw.handle('test-call', { circuit: 'all' }));
  t.equal(err.code, 'card-down');
  t.equal(err.exitCode, 1);
});

t.test('outgoing calls: progress per call, a summary at the end', async (t) => {
  const r = await inProcessFirmware(t, { config: { isup: ISUP_CONFIG }, exchange: { answerDelayMs: 100 } });
  const progress: unknown[] = [];
  const answer = await r.rig.settle(r.fw.handle('call', { number: '12345', count: 3, perMinute: 600, holdSeconds: 1 }, (p) => progress.push(p)));
  t.equal(answer.completed, 3);
  t.equal(answer.failed, 0);
  t.ok(answer.outcomes.every((o) => o.answered && o.cic !== null));
  fitsSchema(t, 'call', 'result', answer);
  t.equal(progress.length, 3);
  for (const p of progress) fitsSchema(t, 'call', 'progress', p);
});

t.test('a box without SS7 says so for the SS7 methods', async (t) => {
  const r = await inProcessFirmware(t);
  for (const call of [r.fw.handle('circuits', {}), r.fw.handle('block', { cic: 1 })]) {
    const err = await refusal(call);
    t.equal(err.code, 'no-isup');
    t.equal(err.text('zh'), '本机未配置 SS7 信令 (配置文件中没有 isup 部分)');
  }
  t.equal((await refusal(r.fw.handle('block', { cic: 99 }))).code, 'no-isup');
  // Neither SS7 nor PRI: nothing to capture.
  const capture = await refusal(r.fw.handle('capture', { seconds: 1 }));
  t.equal(capture.code, 'no-signalling');
  t.equal(capture.text('en'), 'this box has no E1 signalling to capture (neither an isup nor a pri section in its config)');
});

t.test('blocking a CIC that is not in the group names the group', async (t) => {
  const r = await inProcessFirmware(t, { config: { isup: ISUP_CONFIG } });
  const err = await refusal(r.fw.handle('block', { cic: 99 }));
  t.equal(err.code, 'no-cic');
  t.equal(err.message, 'CIC 99 is not in the circuit group (CICs 1 to 30); see countyline circuits');
});

t.test('block while the signalling link is down: blocked here at once, BLO once the link is back', async (t) => {
  // Defect: the firmware answered "blocked locally, the exchange is told when it comes back"
  // and blocked nothing.
  const r = await inProcessFirmware(t, { config: { isup: ISUP_CONFIG } });
  const cic = 3; // a circuit the box controls and would pick first for a call
  r.rig.sim.setSpanDefects(0, { los: true }); // a short LOS: the link drops, no span alarm yet
  t.ok(await r.rig.until(() => !r.fw.isup!.transport.isUp, 1000), 'the link is down');
  const answer = await r.fw.handle('block', { cic });
  t.equal(answer.exchange, 'pending', 'the answer says the exchange is not told yet');
  t.equal(answer.circuit.maintenance, 'local', 'the circuit is blocked at once');
  t.equal(r.fw.isup!.group.state(cic)!.maintenance, 'local');
  t.equal(r.rig.exchange.snapshot().circuits.find((c) => c.cic === cic)!.maintenance, 'none', 'the exchange does not know yet');

  r.rig.sim.setSpanDefects(0, { los: false });
  t.ok(await r.rig.until(() => r.fw.isup!.maintenance.ready, 10_000), 'link back, circuits reset');
  t.ok(await r.rig.until(() => r.rig.exchange.snapshot().circuits.find((c) => c.cic === cic)!.maintenance === 'remote', 5000), 'the exchange got the BLO after the reset');
  t.equal(r.fw.isup!.group.state(cic)!.maintenance, 'local', 'still blocked here');

  // A call now avoids the circuit: CIC 3 is not used although it was free.
  const call = await r.rig.settle(r.fw.handle('call', { number: '12345', count: 1, perMinute: 60, holdSeconds: 0 }));
  t.equal(call.completed, 1);
  t.not(call.outcomes[0]!.cic, cic);
});

t.test('unblock while the link is down: the reset after it clears the block at the exchange', async (t) => {
  const r = await inProcessFirmware(t, { config: { isup: ISUP_CONFIG } });
  const cic = 5;
  t.equal((await r.fw.handle('block', { cic })).exchange, 'sent');
  t.ok(await r.rig.until(() => r.rig.exchange.snapshot().circuits.find((c) => c.cic === cic)!.maintenance === 'remote', 5000), 'the exchange has it blocked');
  r.rig.sim.setSpanDefects(0, { los: true });
  t.ok(await r.rig.until(() => !r.fw.isup!.transport.isUp, 1000), 'the link is down');
  const answer = await r.fw.handle('unblock', { cic });
  t.equal(answer.exchange, 'pending');
  t.equal(answer.circuit.maintenance, 'none');
  r.rig.sim.setSpanDefects(0, { los: false });
  t.ok(await r.rig.until(() => r.fw.isup!.maintenance.ready, 10_000), 'link back, circuits reset');
  t.ok(await r.rig.until(() => r.rig.exchange.snapshot().circuits.find((c) => c.cic === cic)!.maintenance === 'none', 5000), 'the exchange no longer has it blocked');
  t.equal(r.fw.isup!.group.state(cic)!.maintenance, 'none');
});

t.test('stop() ends a capture and a slow series of calls early', async (t) => {
  const r = await inProcessFirmware(t, { config: { isup: ISUP_CONFIG } });
  const capture = r.fw.handle('capture', { seconds: 86_400 });
  const calls = r.fw.handle('call', { number: '12345', count: 1000, perMinute: 0.1, holdSeconds: 0 });
  await r.rig.run(2000);
  await r.fw.stop();
  const [captured, placed] = await Promise.all([capture, r.rig.settle(calls, 5000)]);
  t.ok(captured.frames > 0, 'the capture gives what it had');
  t.equal(placed.outcomes.length, 1, 'no call after the first: the pause before the next one was cut short');
});

t.test("a bulletin that cannot be spoken: its set answers why, and so does showing it later", async (t) => {
  const r = await inProcessFirmware(t);
  // No espeak-ng on the PATH: the box cannot speak the text.
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  t.teardown(() => void (process.env.PATH = path));
  const set = await r.fw.handle('bulletin-set', { text: '今天下午停电检修', until: null });
  process.env.PATH = path;
  t.match(set, { bulletin: { text: '今天下午停电检修' }, audio: null, audioError: { code: 'prompt-tool-missing' } });
  const shown = await r.fw.handle('bulletin', {});
  t.same(shown.audioError, set.audioError, 'countyline bulletin says why it is not spoken, not "-"');
  fitsSchema(t, 'bulletin', 'result', shown);
});
