// PRI error procedures against Asterisk's libpri (the exchange's network side): libpri clears
// an answered call with a DISCONNECT carrying an information element the box does not know
// (Q.931 5.8.7.1): comprehension required (0x0e: the call clears, RELEASE says cause 96, as
// for a mandatory IE missing, 5.8.6.1) or not (0x5e: the call clears, RELEASE says cause 99);
// either way the caller's hang-up reaches the agent and the CDR, with no STATUS. And a SETUP
// for a channel already busy is refused with RELEASE COMPLETE cause 44, the busy call
// unaffected. Each test has its own bench (libpri-bench.ts): real processes, own temp dir.
import t from 'tap';
import { priBench } from './libpri-bench.js';

const STATUS = 0x7d;
const RELEASE = 0x4d;

for (const [ie, what, cause] of [
  [0x0e, 'comprehension required', 96],
  [0x5e, 'not comprehension required', 99],
] as const) {
  t.test(`DISCONNECT with an unknown IE 0x${ie.toString(16)} (${what}): the call clears, RELEASE cause ${cause}, no STATUS`, async (t) => {
    const { pri, cdrOf, active, answeredCall, fromBox } = await priBench(t, 'cl-prie-');
    const calling = `139000001${ie.toString(16)}`;
    const { call, phone } = await answeredCall(t, 11, calling);
    const from = pri.events.length;
    pri.send({ cmd: 'unknown-ie', call, message: 'disconnect', ie, hex: '0102' });
    const hangup = await pri.next('hangup', { call }, 10_000);
    t.equal(hangup.cause, cause, `libpri got the box's RELEASE with cause ${cause}`);
    const ended = await phone.result;
    t.equal(ended.code, 0, `the agent's phone got BYE\n${ended.output}`);
    t.match(await cdrOf(calling), { line: { timeslot: 11 }, agent: 'ann', result: 'answered', hungUpBy: 'caller', cause: 16 }, 'the CDR: the caller hung up, normal clearing');
    t.same(await active(), [], 'no call left');
    const sent = fromBox(from);
    t.equal(sent.filter((m) => m === RELEASE).length, 1, 'one RELEASE');
    t.notOk(sent.includes(STATUS), `no STATUS from the box (${sent.map((m) => m.toString(16)).join(' ')})`);
  });
}

t.test('SETUP for the channel of a call in progress: RELEASE COMPLETE cause 44, the call in progress unaffected', async (t) => {
  const { pri, cdrOf, active, answeredCall } = await priBench(t, 'cl-prie-');
  const { call, phone } = await answeredCall(t, 4, '13900000004');
  pri.send({ cmd: 'call', channel: 4, exclusive: true, calling: '13900000044', called: '12345' });
  const second = await pri.next('placed', { channel: 4 }, 10_000);
  const refused = await pri.next('hangup', { call: second.call }, 10_000);
  t.equal(refused.cause, 44, 'libpri: the second call refused, cause 44 (requested channel not available)');
  t.notOk(pri.events.some((e) => e.event === 'proceeding' && e.call === second.call), 'no CALL PROCEEDING for it');
  t.match(await active(), [{ calling: '13900000004', state: 'connected' }], 'countyline calls: only the first call, still connected');

  pri.send({ cmd: 'hangup', call, cause: 16 });
  t.equal((await phone.result).code, 0, 'the phone got BYE');
  t.match(await cdrOf('13900000004'), { line: { timeslot: 4 }, result: 'answered', hungUpBy: 'caller', cause: 16 });
  t.same(await active(), [], 'no call left');
});
