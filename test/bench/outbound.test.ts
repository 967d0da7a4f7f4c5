// Calls out, as a callback goes, with real processes: socat, the card simulator (its FXO far
// end and its SS7 exchange) and the firmware, driven by `countyline dial`. On an FXO line the
// far end sees the line seized and the digits dialled, answers, hears the box's test tone and
// hangs up, which ends the call. On E1 the exchange gets an IAM with the number on the CIC the
// circuit selection gives, answers (ACM, ANM), hears the tone on the timeslot, and the box
// releases (REL, RLC) after the hold.
import t from 'tap';
import { startRig, waitFor, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { circuitAtBox, exchange, exchangeReady } from './isup-helpers.js';

const rig: Rig = await startRig({ isup: true });
t.teardown(() => rig.stop());
await rig.waitStatus('FXO lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'), 15_000);
await exchangeReady(rig);
// The exchange holds the calls it answers for an hour: the box or the test ends them.
await rig.simPost('/traffic', { callsPerMinute: 0, holdSeconds: 3600 });

/** Waits until the far end measures the box's 1004 Hz test tone on `path` (a line's audio route). */
async function hearsTestTone(path: string) {
  await rig.simPost(`${path}/measure-reset`);
  return waitFor(`the far end to hear 1004 Hz on ${path}`, async (seen) => {
    const { received } = seen(await rig.simGet(path));
    return received.hz !== null && Math.abs(received.hz - 1004) < 10 && received;
  }, 10_000, { intervalMs: 150 });
}

t.test('FXO: the far end sees the line seized and the number, answers, hears the box, hangs up', async (t) => {
  const dial = rig.spawnCli(['dial', '13800138000', '--line', 'fxo', '--hold', '600', '--lang', 'en']);
  // Calls out take the highest idle port: the exchange hunts incoming calls from port 0.
  const port = await waitFor('the box to seize an FXO line and dial', async (seen) => {
    const fxo = seen((await rig.simGet('/state')).fxo as any[]);
    return fxo.find((p) => p.offHook && p.dialled === '13800138000');
  }, 10_000);
  t.equal(port.port, 4, 'FXO port 4');
  t.match(port, { call: 'seized', tone: 'ringback' }, 'the exchange rings the number it was dialled');
  await dial.waitOutput('the line seized', /fxo\/4 +line seized/, 5000);
  // The line gives no answer signal until the far end picks up; the box takes the call as
  // answered once dialling is done (its rule for lines without answer supervision).
  await dial.waitOutput('the answer', /answered, test tone/, 5000);

  await rig.simPost('/fxo/4/answer', {});
  await dial.waitOutput('the far end answering', /the far end answered \(polarity reversal\)/, 5000);
  const heard = await hearsTestTone('/fxo/4/audio');
  t.ok(heard, `the far end hears the box: ${JSON.stringify(heard)}`);
  t.match(await rig.simGet('/fxo/4/audio'), { carrying: true, connected: true });

  await rig.simPost('/fxo/4/hangup');
  const { stdout } = await dial.result(0);
  t.match(stdout, /fxo\/4 answered, the far end hung up or refused/, 'the hang-up ended the call');
  await waitFor('FXO port 4 on-hook', async (seen) => !seen((await rig.simGet('/state')).fxo[4]).offHook, 5000);
  t.match((await rig.simGet('/state')).fxo[4], { polarity: 'normal', call: 'idle' });
});

t.test('E1: IAM with the number on the selected CIC, ACM and ANM, the tone on the timeslot, REL and RLC after the hold', async (t) => {
  const before = (await exchange(rig)).counters;
  const dial = rig.spawnCli(['dial', '95598', '--line', 'e1', '--hold', '10', '--json']);
  // The box (point code 1000, lower than the exchange's 2000) controls the odd CICs and
  // takes its own first: CIC 1, on span 0 timeslot 1.
  const call = await waitFor('the exchange to take the IAM', async (seen) => {
    const circuits = seen((await exchange(rig)).circuits as any[]);
    return circuits.find((c) => c.exchangeCall?.called === '95598');
  }, 5000);
  t.equal(call.cic, 1, 'CIC 1');
  t.equal(call.exchangeCall.state.startsWith('in-'), true, `the exchange's incoming call (${call.exchangeCall.state})`);
  t.match(await circuitAtBox(rig, 1), { call: 'outgoing' });
  const heard = await hearsTestTone('/spans/0/timeslots/1/audio');
  t.ok(heard, `the exchange hears the box on timeslot 1: ${JSON.stringify(heard)}`);

  const result = JSON.parse((await dial.result(0)).stdout);
  t.match(result, { line: 'e1/0/1', answered: true, answeredBy: 'anm', endedBy: 'box', cause: 16 });
  t.ok(result.durationMs >= 10_000, `held ${result.durationMs} ms`);
  await waitFor('CIC 1 idle at both ends', async (seen) => {
    const here = (await circuitAtBox(rig, 1)).call;
    const there = (await exchange(rig)).circuits.find((c: any) => c.cic === 1).call;
    return seen({ here, there }) && here === 'idle' && there === 'idle';
  }, 5000);
  const after = (await exchange(rig)).counters;
  t.equal(after.iamsReceived - before.iamsReceived, 1, 'one IAM');
  t.equal(after.incomingAnswered - before.incomingAnswered, 1, 'answered by the exchange (ANM)');
  t.equal(after.incomingCompleted - before.incomingCompleted, 1, 'and completed: released by REL, confirmed by RLC');
});

t.test('a line kind the box cannot use now: a clear error, in Chinese too', async (t) => {
  for (const port of [0, 1, 2, 3, 4]) await rig.simPost(`/fxo/${port}/line`, { plugged: false });
  await rig.waitStatus('FXO lines unplugged', (s) => s.fxo.every((p: any) => p.line === 'unplugged'), 10_000);
  const { stderr } = await rig.cli(['dial', '95598', '--line', 'fxo', '--lang', 'zh'], 1);
  t.match(stderr, /没有空闲线路可呼叫 95598: 模拟外线: 未接外线/);
  for (const port of [0, 1, 2, 3, 4]) await rig.simPost(`/fxo/${port}/line`, { plugged: true });
});
