// PRI maintenance against Asterisk's libpri (the exchange's network side): the box's own
// RESTART at start, acknowledged; the network's RESTART of a channel with a call up on it
// (the call ends, the agent's phone gets BYE, the CDR says the network restarted the channel)
// and of every channel in turn (each acknowledged, a new call works afterwards); the
// D-channel lost for a while under an answered call (LOS on the span: the box's link goes
// down at once and its d-channel-down alarm is raised, then cleared), then back: the box
// asks the network with STATUS ENQUIRY, the call survives and clears normally. Each test
// has its own bench (libpri-bench.ts): real processes, its own temp dir.
import t from 'tap';
import { waitFor } from '../../scripts/lib/bench-rig.mjs';
import { priBench } from './libpri-bench.js';

const RESTART_ACKNOWLEDGE = 0x4e;
const STATUS_ENQUIRY = 0x75;

t.test("at start the box restarts its interface and sees libpri's acknowledgement", async (t) => {
  const { pri, rig, active, fromBox } = await priBench(t, 'cl-prim-');
  // priBench waited for libpri's restart event and the box's log line; here is what they say.
  const restart = pri.events.find((e) => e.event === 'restart');
  t.ok(restart, `libpri got the box's RESTART (${JSON.stringify(restart)})`);
  t.notOk(fromBox().includes(RESTART_ACKNOWLEDGE), 'the box did not acknowledge anything: no RESTART came from libpri');
  const log = rig.fullLog('firmware');
  const restarted = log.split('\n').find((l) => l.includes('PRI interface restarted')) ?? '';
  t.match(restarted, /"by":"box"/, `the box logged the acknowledged restart as its own: ${restarted}`);
  t.notMatch(log, /restart-unanswered|unanswered after 3 tries/, 'no RESTART left unanswered (T316)');
  t.same(await active(), [], 'no call in progress');
});

t.test('RESTART of the channel of an answered call: the call ends, the CDR says why, libpri gets RESTART ACKNOWLEDGE', async (t) => {
  const { pri, rig, cdrOf, active, answeredCall } = await priBench(t, 'cl-prim-');
  const { call, phone } = await answeredCall(t, 7, '13900000007');
  pri.send({ cmd: 'restart', channel: 7 });
  t.same((await pri.next('restarting', undefined, 5000)).channels, [7], 'libpri restarts channel 7');
  t.ok(await pri.next('restart_ack', { channel: 7 }, 10_000), 'RESTART ACKNOWLEDGE for channel 7');
  const ended = await phone.result;
  t.equal(ended.code, 0, `the agent's phone got BYE\n${ended.output}`);
  const cdr = await cdrOf('13900000007');
  // The agent had talked to the caller: answered, hung up by no one, the restart as the reason.
  t.match(cdr, { line: { kind: 'e1', span: 0, timeslot: 7 }, agent: 'ann', result: 'answered', hungUpBy: null, reasonCode: 'restarted-by-network', cause: 41 }, `the CDR: ${JSON.stringify(cdr)}`);
  t.match(cdr.reason, /network restarted the B-channel/, 'the reason in words');
  t.same(await active(), [], 'countyline calls: no call left');
  const zh = (await rig.cli(['calls', '--lang', 'zh'])).stdout;
  t.match(zh, /网络侧重启了 B 通道/, 'the reason in Chinese in countyline calls');
  t.notOk(pri.events.some((e) => e.event === 'hangup' && e.call === call), 'libpri never saw the call cleared by a message: the restart idled it');

  // The restarted channel takes a call again.
  const again = await answeredCall(t, 7, '13900000017');
  pri.send({ cmd: 'hangup', call: again.call, cause: 16 });
  t.equal((await again.phone.result).code, 0, 'the next call on channel 7 clears normally');
  t.match(await cdrOf('13900000017'), { result: 'answered', hungUpBy: 'caller', cause: 16 });
});

t.test('RESTART of every channel in turn: each acknowledged; a call still works afterwards', async (t) => {
  const { pri, cdrOf, active, answeredCall } = await priBench(t, 'cl-prim-');
  pri.send({ cmd: 'restart' });
  const { channels } = await pri.next('restarting', undefined, 5000);
  t.equal(channels.length, 30, 'libpri sends one RESTART for each of the 30 B-channels');
  const acked = new Set<number>();
  await waitFor('a RESTART ACKNOWLEDGE for each channel', async (seen) => {
    for (const e of pri.events) if (e.event === 'restart_ack') acked.add(e.channel);
    seen([...acked].sort((a, b) => a - b).join(','));
    return acked.size === 30;
  }, 30_000);
  t.same([...acked].sort((a, b) => a - b), channels, 'each channel acknowledged');
  t.notOk(pri.events.some((e) => e.event === 'libpri' || e.event === 'config_err'), 'nothing libpri did not expect');

  const { call, phone } = await answeredCall(t, 20, '13900000020');
  pri.send({ cmd: 'hangup', call, cause: 16 });
  t.equal((await phone.result).code, 0, 'the phone got BYE');
  t.match(await cdrOf('13900000020'), { line: { timeslot: 20 }, result: 'answered', hungUpBy: 'caller', cause: 16 });
  t.same(await active(), [], 'no call left');
});

t.test('the D-channel lost under an answered call (LOS) and back: STATUS ENQUIRY, the call survives, then clears normally', async (t) => {
  const { pri, rig, cdrOf, active, answeredCall, fromBox } = await priBench(t, 'cl-prim-');
  const { call, phone } = await answeredCall(t, 3, '13900000003');
  const failuresBefore = (await rig.status()).pri.failures;
  const from = pri.events.length;
  const losAt = Date.now();
  await rig.simPost('/spans/0/defects', { los: true });
  // The box takes its data link down as soon as the card takes the timeslot out of service.
  await rig.waitStatus('the box: D-channel down on LOS', (s: any) => s.pri?.dChannelUp === false, 5000);
  const downAfter = Date.now() - losAt;
  t.ok(downAfter < 5000, `down ${downAfter} ms after the LOS, not after T200 x N200 of silence`);
  // Nothing crosses the D-channel: libpri notices with its idle poll (T203 10 s, then T200 x N200).
  await pri.next('dchan_down', undefined, 30_000);
  const alarm = await waitFor('the d-channel-down alarm on the box', async (seen) => seen(await rig.json(['alarms'])).find((a: any) => a.type === 'd-channel-down' && a.state === 'active'), 15_000);
  t.match(alarm, { source: 'link/0', severity: 'critical', causeCode: 'd-channel-down', causeArgs: ['physical-down'] }, `raised: ${alarm.cause}`);
  await rig.simPost('/spans/0/defects', { los: false });
  await pri.next('dchan_up', undefined, 30_000);
  await rig.waitStatus('the box: D-channel up again', (s: any) => s.pri?.dChannelUp === true, 30_000);
  await waitFor('the d-channel-down alarm cleared', async (seen) => !seen(await rig.json(['alarms'])).some((a: any) => a.type === 'd-channel-down' && a.state === 'active'), 10_000);
  await waitFor('STATUS ENQUIRY from the box', async (seen) => seen(fromBox(from)).includes(STATUS_ENQUIRY), 10_000);
  const status = await rig.status();
  t.ok(status.pri.failures > failuresBefore || status.pri.establishments > 1, `the box saw its data link fail and come back (${JSON.stringify(status.pri)})`);
  t.notOk(pri.events.slice(from).some((e) => e.event === 'hangup' && e.call === call), 'libpri kept the call');
  const still = await active();
  t.match(still, [{ calling: '13900000003', state: 'connected' }], 'countyline calls: the call is still up');

  pri.send({ cmd: 'hangup', call, cause: 16 });
  t.equal((await phone.result).code, 0, 'the phone got BYE');
  t.match(await cdrOf('13900000003'), { line: { timeslot: 3 }, result: 'answered', hungUpBy: 'caller', cause: 16 });
  t.ok(await pri.next('hangup', { call }, 10_000), 'libpri sees the call cleared');
  t.same(await active(), [], 'no call left');
});
