import t from 'tap';
import { encodeQ931 } from './q931-codec.js';
import { q931CallsRig } from '../../../test-support/q931-network-peer.js';
import { q931ReasonText } from './q931-calls-reasons.js';

// Q.931 user-side call control on a FakeClock against a hand-driven network: each test
// sends the network's messages as bytes and checks what the box put on the wire (decoded
// as the network reads it), what the channel policy was asked, and what the box's user heard.

function up(options: Parameters<typeof q931CallsRig>[0] = {}) {
  const rig = q931CallsRig(options);
  rig.calls.linkUp(false);
  return rig;
}

t.test('incoming call: SETUP -> CALL PROCEEDING naming the channel, exclusive; alert, answer, CONNECT ACKNOWLEDGE', async (t) => {
  const { net, calls, policyLog, events, take } = up();
  calls.receive(net.setup(0x1234, 5, { calling: '01088880000', called: '12345' }));
  t.same(net.take(), ['CALL PROCEEDING cr=4660/1 ch=5']);
  t.same(take(policyLog), ['take 5 excl']);
  t.same(take(events), ['incoming 1 ch=5 from=01088880000 to=12345']);
  t.ok(calls.proceeding(1));
  t.ok(calls.alert(1));
  t.ok(calls.answer(1));
  t.same(net.take(), ['ALERTING cr=4660/1', 'CONNECT cr=4660/1']);
  t.equal(calls.calls()[0]!.state, 'connect-request');
  calls.receive(net.bytes('CONNECT ACKNOWLEDGE', 0x1234, false));
  t.equal(calls.calls()[0]!.state, 'active');
  t.same(calls.calls()[0]!.timers, [], 'T313 stopped');
});

t.test('incoming call on any channel: the policy picks, CALL PROCEEDING names it', async (t) => {
  const { net, calls, events } = up({ free: [7, 9] });
  calls.receive(net.setup(3, null));
  t.same(net.take(), ['CALL PROCEEDING cr=3/1 ch=7']);
  t.match(events[0], /ch=7/);
  t.equal(calls.calls()[0]!.channel, 7);
});

t.test('incoming call refused by the policy: RELEASE COMPLETE with its cause, no call', async (t) => {
  const { net, calls, events } = up({ free: [1] });
  calls.receive(net.setup(8, 5));
  t.same(net.take(), ['RELEASE COMPLETE cr=8/1 cause=44']);
  t.same(events, []);
  t.equal(calls.calls().length, 0);
  t.equal(calls.status().counters.incomingRefused, 1);
});

t.test('SETUP missing the bearer capability, or with an unknown comprehension-required IE: RELEASE COMPLETE 96', async (t) => {
  const { net, calls, events, policyLog } = up();
  const noBearer = net.setup(9, 5, { ies: { bearerCapability: undefined } });
  calls.receive(noBearer);
  // 0x01: codeset 0, bits 8-5 0000: comprehension required (5.8.7.1), and unknown.
  calls.receive(net.setup(10, 5, { ies: { other: [{ codeset: 0, id: 0x01, data: Uint8Array.of(0) }] } }));
  t.same(net.take(), ['RELEASE COMPLETE cr=9/1 cause=96', 'RELEASE COMPLETE cr=10/1 cause=96']);
  t.same(events, []);
  t.same(policyLog, [], 'no channel taken');
});

t.test('a data call is refused with 88; a SETUP with flag 1 is ignored; a repeated SETUP is ignored', async (t) => {
  const { net, calls } = up();
  calls.receive(net.setup(11, 5, { ies: { bearerCapability: { codingStandard: 'itu-t', capability: 'unrestricted-digital', transferMode: 'circuit', rate: '64k' } } }));
  t.same(net.take(), ['RELEASE COMPLETE cr=11/1 cause=88']);
  const flagged = net.setup(12, 5);
  flagged[2]! |= 0x80;
  calls.receive(flagged);
  t.same(net.take(), []);
  calls.receive(net.setup(13, 5));
  calls.receive(net.setup(13, 5));
  t.same(net.take(), ['CALL PROCEEDING cr=13/1 ch=5'], 'the repeat of SETUP 13 gets nothing');
});

t.test('outgoing call: SETUP with bearer, channel, numbers; CALL PROCEEDING, ALERTING, CONNECT -> CONNECT ACKNOWLEDGE, answered', async (t) => {
  const { net, calls, events, take, clock } = up();
  const id = calls.place({ calling: '88880000', called: '13900001111' });
  const [setup] = net.got.splice(0);
  t.equal(setup!.type, 'SETUP');
  t.same(setup!.callReference, { value: 1, flag: false, length: 2 }, 'our first call reference, flag 0');
  t.same(Array.from(encodeQ931(setup!)).slice(0, 9), [0x08, 0x02, 0x00, 0x01, 0x05, 0xa1, 0x04, 0x03, 0x80], 'PD, CR 1, SETUP, sending complete, BC...');
  t.match(setup!.ies, {
    sendingComplete: true,
    bearerCapability: { capability: 'speech', transferMode: 'circuit', rate: '64k', layer1: 3 },
    channelIdentification: { exclusive: true, indicated: { channels: [1] } },
    callingPartyNumber: { typeOfNumber: 'unknown', numberingPlan: 'isdn', digits: '88880000', presentation: 'allowed' },
    calledPartyNumber: { typeOfNumber: 'unknown', numberingPlan: 'isdn', digits: '13900001111' },
  });
  calls.receive(net.bytes('CALL PROCEEDING', 1, true, { channelIdentification: setup!.ies.channelIdentification }));
  t.same(calls.calls()[0]!.timers, ['T310']);
  clock.advance(10_000);
  calls.receive(net.bytes('ALERTING', 1, true, { progressIndicator: [{ codingStandard: 'itu-t', location: 2, description: 8 }] }));
  calls.receive(net.bytes('CONNECT', 1, true));
  t.same(net.take(), ['CONNECT ACKNOWLEDGE cr=1/0']);
  t.same(take(events), [`alerting ${id}`, `progress ${id} 8`, `answered ${id}`]);
  t.equal(calls.calls()[0]!.state, 'active');
  clock.advance(200_000);
  t.same(net.take(), [], 'no timer left running on an active call');
});

t.test('our call references count up from 1; 3.1 kHz audio bearer; no calling number IE when calling is empty', async (t) => {
  const { net, calls } = up();
  calls.place({ calling: '', called: '1', bearer: '3.1khz' });
  calls.place({ calling: '', called: '2' });
  const [a, b] = net.got.splice(0);
  t.equal(a!.callReference.value, 1);
  t.equal(b!.callReference.value, 2);
  t.equal(a!.ies.bearerCapability!.capability, 'audio-3.1khz');
  t.equal(a!.ies.callingPartyNumber, undefined);
});

t.test('T303: SETUP once more, then RELEASE COMPLETE 102, call ended by timer, channel back', async (t) => {
  const { net, calls, clock, ended, policyLog } = up();
  calls.place({ calling: '1', called: '2', channel: 4 });
  clock.advance(4000);
  clock.advance(4000);
  t.same(net.take(), ['SETUP cr=1/0 ch=4', 'SETUP cr=1/0 ch=4', 'RELEASE COMPLETE cr=1/0 cause=102']);
  t.match(ended, [{ callId: 1, cause: 102, clearedBy: 'timer', reasonCode: 'setup-unanswered', direction: 'out' }]);
  t.same(policyLog, ['release 4']);
  t.equal(q931ReasonText(ended[0]!, 'zh'), '网络侧未响应 SETUP (T303 两次超时)');
});

t.test('T310: CALL PROCEEDING then nothing -> DISCONNECT 102', async (t) => {
  const { net, calls, clock, events } = up();
  calls.place({ calling: '1', called: '2' });
  calls.receive(net.bytes('CALL PROCEEDING', 1, true, { channelIdentification: { interfaceType: 'primary', exclusive: true, dChannel: false, selection: 'indicated', indicated: { codingStandard: 'itu-t', unit: 'b', channels: [1] } } }));
  clock.advance(29_999);
  t.same(events, []);
  clock.advance(1);
  t.same(net.take().slice(1), ['DISCONNECT cr=1/0 cause=102']);
  t.same(events, ['ended 1 cause=102 by=timer']);
});

t.test('a preferred channel answered on another channel: confirmOutgoing moves the call; refused -> DISCONNECT 6', async (t) => {
  const { net, calls, policyLog, take, events } = up({ free: [1, 2, 3] });
  calls.place({ calling: '1', called: '2', exclusive: false });
  const other = (ch: number) => ({ channelIdentification: { interfaceType: 'primary' as const, exclusive: true, dChannel: false, selection: 'indicated' as const, indicated: { codingStandard: 'itu-t' as const, unit: 'b' as const, channels: [ch] } } });
  calls.receive(net.bytes('CALL PROCEEDING', 1, true, other(3)));
  t.same(take(policyLog), ['reserve -> 1', 'confirm 1->3']);
  t.equal(calls.calls()[0]!.channel, 3);
  t.equal(calls.calls()[0]!.state, 'outgoing-call-proceeding');

  const refusing = up({ free: [1, 2], confirm: false });
  refusing.calls.place({ calling: '1', called: '2', exclusive: false });
  refusing.calls.receive(refusing.net.bytes('ALERTING', 1, true, other(2)));
  t.same(refusing.net.take(), ['SETUP cr=1/0 ch=1?', 'DISCONNECT cr=1/0 cause=6']);
  t.same(refusing.events, ['error channel-mismatch', 'ended 1 cause=6 by=box']);
  t.same(events, []);
});

t.test('our exclusive SETUP refused with 44: repeated once on another channel with a new call reference, same callId', async (t) => {
  const { net, calls, policyLog, events, take } = up({ free: [1, 2, 3] });
  const id = calls.place({ calling: '1', called: '2' });
  calls.receive(net.bytes('RELEASE COMPLETE', 1, true, net.withCause(44)));
  t.same(net.take(), ['SETUP cr=1/0 ch=1', 'SETUP cr=2/0 ch=2']);
  t.same(take(policyLog), ['reserve -> 1', 'release 1', 'reserve -> 2']);
  t.same(events, []);
  t.match(calls.calls(), [{ callId: id, attempt: 2, callReference: 2, channel: 2 }]);
  // The second refusal ends the call.
  calls.receive(net.bytes('RELEASE COMPLETE', 2, true, net.withCause(34)));
  t.same(events, [`ended ${id} cause=34 by=network`]);
  t.same(take(policyLog), ['release 2']);
  t.equal(calls.status().counters.outgoingRepeated, 1);
});

t.test('no free channel: the call ends at once with cause 34, nothing sent', async (t) => {
  const { net, calls, clock, ended } = up({ free: [] });
  const id = calls.place({ calling: '1', called: '2' });
  t.same(ended, [], 'not inside place()');
  clock.advance(0);
  t.match(ended, [{ callId: id, cause: 34, reasonCode: 'no-channel' }]);
  t.same(net.take(), []);
});

t.test('5.8.3.2: messages for a call reference the box does not know', async (t) => {
  const { net, calls } = up();
  calls.receive(net.bytes('CONNECT', 77, true));
  calls.receive(net.bytes('DISCONNECT', 78, false, net.withCause(16)));
  calls.receive(net.bytes('RELEASE', 79, false, net.withCause(16)));
  calls.receive(net.bytes('RELEASE COMPLETE', 80, false, net.withCause(16)));
  calls.receive(net.bytes('STATUS ENQUIRY', 81, false));
  calls.receive(net.bytes('STATUS', 82, false, { ...net.withCause(30), callState: { codingStandard: 'itu-t', state: 10 } }));
  calls.receive(net.bytes('STATUS', 83, false, { ...net.withCause(30), callState: { codingStandard: 'itu-t', state: 0 } }));
  calls.receive(Uint8Array.of(0x08, 0x02, 0x00, 0x54, 0x6e));
  t.same(net.take(), [
    'RELEASE COMPLETE cr=77/0 cause=81',
    'RELEASE COMPLETE cr=78/1 cause=81',
    'RELEASE COMPLETE cr=79/1 cause=81',
    'STATUS cr=81/1 cause=30 state=0',
    'RELEASE COMPLETE cr=82/1 cause=101',
    'RELEASE COMPLETE cr=84/1 cause=81',
  ]);
  t.equal(calls.status().counters.actions['5.8.3.2'], 8, 'each of the eight counted');
});

t.test('STATUS ENQUIRY -> STATUS with the call state and cause 30', async (t) => {
  const { net, calls } = up();
  calls.receive(net.setup(5, 5));
  calls.alert(1);
  net.take();
  calls.receive(net.bytes('STATUS ENQUIRY', 5, false));
  t.same(net.take(), ['STATUS cr=5/1 cause=30 state=7']);
});

t.test('5.8.4: a message the state does not allow -> STATUS 101, no state change; an unknown type -> STATUS 97', async (t) => {
  const { net, calls } = up();
  calls.receive(net.setup(5, 5));
  net.take();
  calls.receive(net.bytes('CONNECT ACKNOWLEDGE', 5, false));
  calls.receive(Uint8Array.of(0x08, 0x02, 0x00, 0x05, 0x6e));
  const [status101, status97] = net.got.splice(0);
  t.match(status101, { type: 'STATUS', ies: { cause: { value: 101 }, callState: { state: 9 } } });
  t.same([...status101!.ies.cause!.diagnostics], [0x0f], 'diagnostic: the message type');
  t.match(status97, { type: 'STATUS', ies: { cause: { value: 97 }, callState: { state: 9 } } });
  t.equal(calls.calls()[0]!.state, 'incoming-call-proceeding');
});

t.test('an unrecognised optional IE in a message acted on: act, then STATUS 99', async (t) => {
  const { net, calls, events } = up();
  calls.place({ calling: '1', called: '2' });
  net.take();
  calls.receive(net.bytes('ALERTING', 1, true, { channelIdentification: { interfaceType: 'primary', exclusive: true, dChannel: false, selection: 'indicated', indicated: { codingStandard: 'itu-t', unit: 'b', channels: [1] } }, other: [{ codeset: 0, id: 0x7b, data: Uint8Array.of(1) }] }));
  t.same(events, ['alerting 1']);
  t.same(net.take(), ['STATUS cr=1/0 cause=99 state=4']);
});

t.test('bad bytes never throw and are counted by reason', async (t) => {
  const { calls } = up();
  for (const bytes of [Uint8Array.of(), Uint8Array.of(0x09, 0x02, 0, 1, 5), Uint8Array.of(0x08, 0x03, 0, 0, 1, 5), Uint8Array.of(0x08, 0x02, 0, 1, 0x05, 0x04, 0x09, 0x80)]) {
    t.doesNotThrow(() => calls.receive(bytes));
  }
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
  for (let i = 0; i < 3000; i++) {
    const bytes = Uint8Array.from({ length: 2 + (rnd() % 24) }, rnd);
    bytes[0] = 0x08;
    if (i % 2) bytes[1] = 2;
    t.doesNotThrow(() => calls.receive(bytes), `random message ${i}`);
  }
  t.match(calls.status().counters.malformed, { 'too-short': Number, 'protocol-discriminator': 1, 'call-reference-length': Number, 'ie-overrun': Number });
});
