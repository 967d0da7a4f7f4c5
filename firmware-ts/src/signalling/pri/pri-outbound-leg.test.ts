import { FakeClock, TypedEmitter } from '@countyline/e1-gateway';
import t from 'tap';
import type { CardDriver } from '../../card/card-driver.js';
import type { LineEnd } from '../../calls/line-leg.js';
import { PriChannels } from './pri-channels.js';
import { PriDialError, PriOutboundLeg } from './pri-outbound-leg.js';
import { receiveQ931, type PriStackEvents } from './pri-stack.js';
import { Q931NetworkPeer } from '../../../test-support/q931-network-peer.js';
import { Q931Calls } from './q931-calls.js';

// The PRI call out against Q.931 call control and the real channel policy on a FakeClock,
// the network's messages given as bytes (Q931NetworkPeer), the card a recorder of commands.

class Stack extends TypedEmitter<PriStackEvents> {
  readonly span = 0;
  isUp = true;
  readonly clock = new FakeClock(0);
  readonly net = new Q931NetworkPeer();
  readonly channels = new PriChannels(this.clock, 0);
  readonly calls = new Q931Calls({ clock: this.clock, send: this.net.sink, channels: this.channels });
  readonly commands: { timeslot: number; mediaPort: number }[] = [];
  readonly card = {
    command: async (m: { type: string; timeslot: number; mediaPort: number }) => {
      this.commands.push({ timeslot: m.timeslot, mediaPort: m.mediaPort });
      return { type: 'ack' };
    },
  } as unknown as CardDriver;

  constructor() {
    super();
    this.calls.linkUp(false);
  }

  /** The network's message, as the stack takes it from the D-channel. */
  receive(bytes: Uint8Array): void {
    receiveQ931(this.calls, bytes, (e) => this.emit('call-channel', e));
  }

  leg(called = '13800000001', calling = '12345') {
    const leg = new PriOutboundLeg(this, this.card, this.clock, called, calling);
    const heard: string[] = [];
    const ends: LineEnd[] = [];
    leg.on('progress', (p) => heard.push(p));
    leg.on('answered', (s) => heard.push(`answered:${s}`));
    leg.on('ended', (e) => {
      heard.push('ended');
      ends.push(e);
    });
    return { leg, heard, ends };
  }
}

const channelIe = (ch: number) => ({ channelIdentification: { interfaceType: 'primary' as const, exclusive: true, dChannel: false, selection: 'indicated' as const, indicated: { codingStandard: 'itu-t' as const, unit: 'b' as const, channels: [ch] } } });

t.test('SETUP on the channel the policy gives, with both numbers; ALERTING and PROGRESS ring once; CONNECT answers; the box clears', async (t) => {
  const s = new Stack();
  const { leg, heard, ends } = s.leg();
  await leg.start();
  const [setup] = s.net.got.splice(0);
  t.equal(setup!.type, 'SETUP');
  t.match(setup!.ies, { calledPartyNumber: { digits: '13800000001' }, callingPartyNumber: { digits: '12345' }, channelIdentification: { exclusive: true } });
  const channel = setup!.ies.channelIdentification!.indicated as { channels: number[] };
  const ch = channel.channels[0]!;
  t.same(leg.line, { kind: 'e1', span: 0, timeslot: ch, cic: ch }, 'the line is the B-channel, its timeslot and circuit');
  await leg.connectMedia(7);
  t.same(s.commands, [{ timeslot: ch, mediaPort: 7 }], "the channel's timeslot carries the call's audio");

  s.receive(s.net.bytes('CALL PROCEEDING', 1, true, channelIe(ch)));
  s.receive(s.net.bytes('PROGRESS', 1, true, { progressIndicator: [{ codingStandard: 'itu-t', location: 2, description: 8 }] }));
  s.receive(s.net.bytes('ALERTING', 1, true));
  t.same(heard, ['alerting'], 'ringing, said once');
  t.equal(leg.answeredBy, null);
  s.receive(s.net.bytes('CONNECT', 1, true));
  t.same(heard, ['alerting', 'answered:connect']);
  t.equal(leg.answeredBy, 'connect');
  t.same(s.net.take(), ['CONNECT ACKNOWLEDGE cr=1/0']);

  leg.release(16);
  t.same(s.net.take(), ['DISCONNECT cr=1/0 cause=16']);
  s.receive(s.net.bytes('RELEASE', 1, true));
  t.same(s.net.take(), ['RELEASE COMPLETE cr=1/0']);
  t.same(ends, [], 'nothing follows a release the box asked for');
  t.equal(s.channels.group.state(ch)!.call, 'idle', 'the channel is free again');
});

t.test('the network clears before the answer: ended by the far end with its cause, never answered', async (t) => {
  const s = new Stack();
  const { leg, heard, ends } = s.leg();
  await leg.start();
  s.net.got.splice(0);
  s.receive(s.net.bytes('DISCONNECT', 1, true, s.net.withCause(17)));
  t.same(s.net.take(), ['RELEASE cr=1/0']);
  t.same(heard, ['ended']);
  t.match(ends, [{ by: 'caller', cause: 17, answerFailed: true }]);
  leg.release(16);
  t.same(s.net.take(), [], 'a release after the end sends nothing');
});

t.test("an answered call cleared by the network's restart ends as a line failure", async (t) => {
  const s = new Stack();
  const { leg, ends } = s.leg();
  await leg.start();
  const ch = leg.line.kind === 'e1' ? leg.line.timeslot : 0;
  s.receive(s.net.bytes('CONNECT', 1, true, channelIe(ch)));
  s.receive(s.net.bytes('RESTART', 0, false, { ...channelIe(ch), restartIndicator: 'indicated-channels' }));
  t.match(ends, [{ by: 'line', cause: 41 }]);
  t.notOk(ends[0]!.answerFailed, 'it had been answered');
});

t.test("collision: the network's SETUP on our channel wins; ours is repeated on another channel and its audio follows", async (t) => {
  const s = new Stack();
  const { leg, heard } = s.leg();
  await leg.start();
  const first = leg.line.kind === 'e1' ? leg.line.timeslot : 0;
  await leg.connectMedia(9);
  s.net.got.splice(0);
  // Q.931 5.1.2 / the network controls every channel: its SETUP on the same channel, exclusive.
  s.receive(s.net.setup(0x55, first, { exclusive: true }));
  t.same(s.net.take(), [`CALL PROCEEDING cr=85/1 ch=${first}`], "the box takes the network's call on the channel");
  s.receive(s.net.bytes('RELEASE COMPLETE', 1, true, s.net.withCause(44)));
  const [repeat] = s.net.got.splice(0);
  t.equal(repeat!.type, 'SETUP', 'our call is repeated');
  const second = (repeat!.ies.channelIdentification!.indicated as { channels: number[] }).channels[0]!;
  t.not(second, first, 'on another channel');
  t.same(leg.line, { kind: 'e1', span: 0, timeslot: second, cic: second }, "the leg's line is the new channel");
  await new Promise((r) => setImmediate(r));
  t.same(s.commands, [{ timeslot: first, mediaPort: 9 }, { timeslot: second, mediaPort: 9 }], "the audio moves; the network's call keeps its timeslot");
  s.receive(s.net.bytes('CONNECT', repeat!.callReference.value, true, channelIe(second)));
  t.same(heard, ['answered:connect']);
});

t.test('refused on its channel with no other call there: the old timeslot is let go', async (t) => {
  const s = new Stack();
  const { leg } = s.leg();
  await leg.start();
  const first = leg.line.kind === 'e1' ? leg.line.timeslot : 0;
  await leg.connectMedia(3);
  s.receive(s.net.bytes('RELEASE COMPLETE', 1, true, s.net.withCause(34)));
  const second = leg.line.kind === 'e1' ? leg.line.timeslot : 0;
  t.not(second, first);
  await new Promise((r) => setImmediate(r));
  t.same(s.commands, [{ timeslot: first, mediaPort: 3 }, { timeslot: first, mediaPort: 0 }, { timeslot: second, mediaPort: 3 }]);
});

t.test("the network's first answer names another channel: the leg's line and audio go there", async (t) => {
  const s = new Stack();
  const { leg } = s.leg();
  await leg.start();
  const first = leg.line.kind === 'e1' ? leg.line.timeslot : 0;
  const other = first === 30 ? 29 : 30;
  await leg.connectMedia(5);
  s.receive(s.net.bytes('CALL PROCEEDING', 1, true, channelIe(other)));
  t.same(leg.line, { kind: 'e1', span: 0, timeslot: other, cic: other });
  await new Promise((r) => setImmediate(r));
  t.same(s.commands, [{ timeslot: first, mediaPort: 5 }, { timeslot: first, mediaPort: 0 }, { timeslot: other, mediaPort: 5 }]);
  t.equal(s.channels.group.state(first)!.call, 'idle', 'the channel first asked for is free again');
});

t.test('no SETUP can go: D-channel down, or every channel blocked; no stray end afterwards', async (t) => {
  const s = new Stack();
  s.isUp = false;
  const down = s.leg();
  await t.rejects(down.leg.start(), new PriDialError('d-channel-down'));
  s.isUp = true;
  s.channels.group.blockSpan(0);
  const none = s.leg();
  await t.rejects(none.leg.start(), new PriDialError('no-channel'));
  s.clock.advance(10);
  t.same([...down.heard, ...none.heard], [], 'no leg says anything after a failed start');
  t.same(s.net.got, [], 'no SETUP went');
});
