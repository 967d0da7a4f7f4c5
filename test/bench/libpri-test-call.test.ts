// The PRI test call against Asterisk's libpri (the exchange's network side): with a test line
// configured, `countyline test-call e1/0/5` is a SETUP to it on B-channel 5 alone; libpri's
// answer passes the test and the box clears; libpri clearing it with cause 44 fails it with
// that cause, in English and in Chinese, and (failuresToBlock 1) takes channel 5 out of
// service at the box until a test passes again. A channel carrying a call is skipped, and
// its call goes on. Real processes: socat, the card simulator, ref-pri, the firmware, SIPp.
import t from 'tap';
import { priBench } from './libpri-bench.js';

const TEST_LINE = '10086';
const channel5 = async (rig: { json(args: string[]): Promise<any> }) => (await rig.json(['circuits'])).find((c: any) => c.cic === 5);

t.test('a test call to the exchange test line on one B-channel: answered passes; refused fails with the cause and blocks the channel', async (t) => {
  const { pri, rig, answeredCall } = await priBench(t, 'cl-pritc-', { pri: { testCall: { number: TEST_LINE } }, testCalls: { failuresToBlock: 1 } });

  const passing = rig.json(['test-call', 'e1/0/5']);
  const ring = await pri.next('ring', { called: TEST_LINE }, 10_000);
  t.equal(ring.channel, 5, 'the SETUP names channel 5');
  t.ok(ring.exclusive, 'and only channel 5');
  pri.send({ cmd: 'answer', call: ring.call });
  t.match((await passing).outcomes, [{ circuit: 'e1/0/5', result: 'pass' }], 'the test passes once the test line answers');
  t.equal((await pri.next('hangup_req', { call: ring.call }, 10_000)).cause, 16, 'the box clears the test call: DISCONNECT, normal clearing');

  const failing = rig.json(['test-call', 'e1/0/5'], 1);
  const refused = await pri.next('ring', { called: TEST_LINE, channel: 5 }, 10_000);
  pri.send({ cmd: 'hangup', call: refused.call, cause: 44 });
  const out = (await failing).outcomes[0];
  t.match(out, { circuit: 'e1/0/5', result: 'fail', reasonCode: 'test-line-refused', reasonArgs: [44] }, `failed with libpri's cause: ${out.reason}`);
  t.notOk(pri.events.some((e) => e.event === 'ring' && e.called === TEST_LINE && e.channel !== 5), 'never tried on another channel: the test is of channel 5');
  t.match(await channel5(rig), { block: 'local' }, 'countyline circuits: channel 5 blocked at the box after the failure');

  // In Chinese, and a channel the box blocked after failed tests is still tested (that is how it comes back).
  const zhRun = rig.cli(['test-call', 'e1/0/5', '--lang', 'zh'], 1);
  const zhRing = await pri.next('ring', { called: TEST_LINE, channel: 5 }, 10_000);
  pri.send({ cmd: 'hangup', call: zhRing.call, cause: 44 });
  t.match((await zhRun).stdout, /交换机拆除了至测试线的呼叫 \(原因值 44\)/, 'the reason in Chinese');

  const back = rig.json(['test-call', 'e1/0/5']);
  const again = await pri.next('ring', { called: TEST_LINE, channel: 5 }, 10_000);
  pri.send({ cmd: 'answer', call: again.call });
  t.match((await back).outcomes, [{ circuit: 'e1/0/5', result: 'pass' }]);
  await pri.next('hangup_req', { call: again.call }, 10_000);
  t.match(await channel5(rig), { block: 'none' }, 'passed: channel 5 back in service');

  // A channel with a call on it is skipped, and the call goes on.
  const { call } = await answeredCall(t, 9, '13900000009');
  t.match((await rig.json(['test-call', 'e1/0/9'])).outcomes, [{ circuit: 'e1/0/9', result: 'skipped' }]);
  t.ok((await rig.json(['calls'])).active.some((c: any) => c.calling === '13900000009'), 'the call on channel 9 is untouched');
  t.notOk(pri.events.some((e) => e.event === 'ring' && e.channel === 9), 'no SETUP went for channel 9');
  pri.send({ cmd: 'hangup', call, cause: 16 });
});
