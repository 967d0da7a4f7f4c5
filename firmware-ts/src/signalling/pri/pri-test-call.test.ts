import { FakeClock, TypedEmitter } from '@countyline/e1-gateway';
import t from 'tap';
import type { CardDriver } from '../../card/card-driver.js';
import type { E1CircuitTest, TestVerdict } from '../../trunks/circuit-tests.js';
import { Q931NetworkPeer } from '../../../test-support/q931-network-peer.js';
import { PriChannels } from './pri-channels.js';
import { receiveQ931, type PriStack } from './pri-stack.js';
import { PriTestCall } from './pri-test-call.js';
import { Q931Calls } from './q931-calls.js';

// The PRI test call against Q.931 call control and the real channel policy on a FakeClock,
// the exchange's messages given as bytes, the card a recorder of commands that hears a tone
// when the test says the far end loops it back.

class Card extends TypedEmitter<{ 'tone-detect': (m: { span: number; timeslot: number; frequency: number; present: boolean }) => void }> {
  readonly tones: string[] = [];
  loopedBack = false;
  async command(m: { type: string; span: number; timeslot: number; frequency: number }) {
    if (m.type === 'tsTone') {
      this.tones.push(`${m.timeslot}:${m.frequency}`);
      if (m.frequency > 0 && this.loopedBack) queueMicrotask(() => this.emit('tone-detect', { span: m.span, timeslot: m.timeslot, frequency: m.frequency, present: true }));
    }
    return { type: 'ack' };
  }
  async commandOrReport(m: { type: string; span: number; timeslot: number; frequency: number }) {
    await this.command(m);
  }
}

function rig(o: { number?: string; loopAround?: boolean } = {}) {
  const clock = new FakeClock(0);
  const net = new Q931NetworkPeer();
  const channels = new PriChannels(clock, 0);
  const calls = new Q931Calls({ clock, send: net.sink, channels });
  calls.linkUp(false);
  const stack = { span: 0, isUp: true, channels, calls } as unknown as PriStack;
  const card = new Card();
  const localRuns: string[] = [];
  const local: E1CircuitTest = {
    async run(span, timeslot) {
      localRuns.push(`${span}/${timeslot} ${channels.group.state(timeslot)?.call ?? '-'}`);
      return { ok: true };
    },
  };
  const test = new PriTestCall({ pri: stack, card: card as unknown as CardDriver, clock, number: o.number ?? '10086', calling: '12345', loopAround: o.loopAround ?? false, answerTimeoutMs: 10_000, toneTimeoutMs: 2000, local });
  const receive = (bytes: Uint8Array) => receiveQ931(calls, bytes, () => {});
  return { clock, net, channels, calls, card, test, local: localRuns, receive, stack };
}

/** Lets the test's awaits run (the FakeClock fires timers, not promise jobs). */
const settle = async (clock: FakeClock, ms = 0) => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  clock.advance(ms);
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

t.test('a SETUP to the test line on that channel only; CONNECT passes; the box clears and the channel is idle again', async (t) => {
  const r = rig();
  const verdict = r.test.run(0, 7);
  await settle(r.clock);
  const [setup] = r.net.got.splice(0);
  t.match(setup, { type: 'SETUP', ies: { calledPartyNumber: { digits: '10086' }, callingPartyNumber: { digits: '12345' }, channelIdentification: { exclusive: true, indicated: { channels: [7] } } } });
  t.equal(r.channels.group.state(7)?.call, 'reserved');
  r.receive(r.net.bytes('CALL PROCEEDING', 1, true));
  r.receive(r.net.bytes('CONNECT', 1, true));
  t.same(await verdict, { ok: true });
  t.same(r.net.take(), ['CONNECT ACKNOWLEDGE cr=1/0', 'DISCONNECT cr=1/0 cause=16']);
  r.receive(r.net.bytes('RELEASE', 1, true));
  t.equal(r.channels.group.state(7)?.call, 'idle');
});

t.test('the exchange refuses the channel: failed, with its cause', async (t) => {
  const r = rig();
  const verdict = r.test.run(0, 9);
  await settle(r.clock);
  r.receive(r.net.bytes('RELEASE COMPLETE', 1, true, r.net.withCause(44)));
  const v = (await verdict) as Extract<TestVerdict, { ok: false }>;
  t.match(v, { ok: false, reasonCode: 'test-line-refused', reasonArgs: [44] });
  t.notOk(v.skipped, 'a failure, counted toward blocking the channel');
  t.equal(r.calls.calls().length, 0, 'not repeated on another channel: the test is of this one');
  t.equal(r.channels.group.state(9)?.call, 'idle');
});

t.test('no answer in time: failed, and the call is cleared', async (t) => {
  const r = rig();
  const verdict = r.test.run(0, 3);
  await settle(r.clock);
  r.receive(r.net.bytes('ALERTING', 1, true));
  await settle(r.clock, 10_000);
  t.match(await verdict, { ok: false, reasonCode: 'test-line-no-answer', reasonArgs: [10] });
  t.match(r.net.take().slice(-1), ['DISCONNECT cr=1/0 cause=16']);
});

t.test('a loop-around test line: the 2000 Hz tone must come back', async (t) => {
  const good = rig({ loopAround: true });
  good.card.loopedBack = true;
  const ok = good.test.run(0, 5);
  await settle(good.clock);
  good.receive(good.net.bytes('CONNECT', 1, true, { channelIdentification: { interfaceType: 'primary', exclusive: true, dChannel: false, selection: 'indicated', indicated: { codingStandard: 'itu-t', unit: 'b', channels: [5] } } }));
  await settle(good.clock);
  t.same(await ok, { ok: true });
  t.same(good.card.tones, ['5:2000', '5:0'], 'tone on, then off');

  const deaf = rig({ loopAround: true });
  const failed = deaf.test.run(0, 5);
  await settle(deaf.clock);
  deaf.receive(deaf.net.bytes('CONNECT', 1, true, { channelIdentification: { interfaceType: 'primary', exclusive: true, dChannel: false, selection: 'indicated', indicated: { codingStandard: 'itu-t', unit: 'b', channels: [5] } } }));
  await settle(deaf.clock, 2000);
  t.match(await failed, { ok: false, reasonCode: 'no-tone-back', reasonArgs: [2000, 2] });
  t.match(deaf.net.take().slice(-1), ['DISCONNECT cr=1/0 cause=16']);
});

t.test('skipped, not failed: a busy channel, the D-channel down, a channel not provisioned', async (t) => {
  const r = rig();
  t.equal(r.channels.takeIncoming(4, true), 4);
  t.match(await r.test.run(0, 4), { ok: false, skipped: true, reasonCode: 'cic-busy', reasonArgs: [4] });
  t.equal(r.channels.group.state(4)?.call, 'incoming', 'the call on it is untouched');
  t.match(await r.test.run(0, 16), { ok: false, skipped: true, reasonCode: 'no-cic' });
  (r.stack as unknown as { isUp: boolean }).isUp = false;
  t.match(await r.test.run(0, 5), { ok: false, skipped: true, reasonCode: 'signalling-down' });
  t.same(r.net.got, [], 'no SETUP went');
});

t.test("no test line: the card's loopback, with the channel taken meanwhile; other spans go to the card too", async (t) => {
  const r = rig({ number: '' });
  t.same(await r.test.run(0, 6), { ok: true });
  t.same(r.local, ['0/6 reserved'], 'no call can land on the channel during the loopback');
  t.equal(r.channels.group.state(6)?.call, 'idle');
  await r.test.run(1, 6);
  t.same(r.local, ['0/6 reserved', '1/6 idle']);
});
