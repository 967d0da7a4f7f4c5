import t from 'tap';
import { q931CallsRig } from '../../../test-support/q931-network-peer.js';

// Clearing both ways with T305/T308, STATUS (5.8.11), restarts (5.5) and link failure
// (5.8.9, T309), on a FakeClock against the hand-driven network.

const CH = (n: number) => ({ channelIdentification: { interfaceType: 'primary' as const, exclusive: true, dChannel: false, selection: 'indicated' as const, indicated: { codingStandard: 'itu-t' as const, unit: 'b' as const, channels: [n] } } });

/** A rig with one call of the network's answered and active on channel 5 (network call reference 9). */
function activeIncoming() {
  const rig = q931CallsRig();
  rig.calls.linkUp(false);
  rig.calls.receive(rig.net.setup(9, 5));
  rig.calls.answer(1);
  rig.calls.receive(rig.net.bytes('CONNECT ACKNOWLEDGE', 9, false));
  rig.net.take();
  rig.policyLog.length = 0;
  rig.events.length = 0;
  return rig;
}

/** A rig with one call of ours active on channel 1 (our call reference 1). */
function activeOutgoing() {
  const rig = q931CallsRig();
  rig.calls.linkUp(false);
  rig.calls.place({ calling: '1', called: '2' });
  rig.calls.receive(rig.net.bytes('CONNECT', 1, true, CH(1)));
  rig.net.take();
  rig.policyLog.length = 0;
  rig.events.length = 0;
  return rig;
}

t.test('the network clears: DISCONNECT -> RELEASE, T308; RELEASE COMPLETE -> channel back', async (t) => {
  const { net, calls, events, policyLog, ended } = activeIncoming();
  calls.receive(net.bytes('DISCONNECT', 9, false, net.withCause(16)));
  t.same(net.take(), ['RELEASE cr=9/1']);
  t.same(events, ['ended 1 cause=16 by=network']);
  t.match(ended[0], { answered: true, reasonCode: 'network-cleared', reasonArgs: [16] });
  t.same(calls.calls()[0]!.timers, ['T308']);
  t.same(policyLog, [], 'the channel stays with the call until RELEASE COMPLETE');
  calls.receive(net.bytes('RELEASE COMPLETE', 9, false));
  t.same(policyLog, ['release 5']);
  t.equal(calls.calls().length, 0);
});

t.test('the box clears: DISCONNECT, T305 -> RELEASE with the same cause, T308 twice -> channel restarted', async (t) => {
  const { net, calls, clock, events, policyLog } = activeOutgoing();
  t.ok(calls.release(1, 17));
  t.notOk(calls.release(1, 17), 'only once');
  t.same(events, ['ended 1 cause=17 by=box']);
  clock.advance(29_999);
  t.same(net.take(), ['DISCONNECT cr=1/0 cause=17']);
  clock.advance(1);
  t.same(net.take(), ['RELEASE cr=1/0 cause=17']);
  clock.advance(4000);
  t.same(net.take(), ['RELEASE cr=1/0 cause=17']);
  clock.advance(4000);
  t.same(net.take(), ['RESTART cr=0/0 ch=1 indicated-channels'], 'Q.931 5.3.4.3: the channel is restarted');
  t.equal(calls.calls().length, 0, 'the call reference is released');
  t.same(policyLog, [], 'the channel is not free yet');
  t.same(calls.status().channelsInMaintenance, [1]);
  calls.receive(net.bytes('RESTART ACKNOWLEDGE', 0, true, { ...CH(1), restartIndicator: 'indicated-channels' }));
  t.same(policyLog, ['restarted 1']);
  t.same(events.slice(1), ['error release-unanswered', 'restart 1 by=box']);
  t.same(calls.status().channelsInMaintenance, []);
});

t.test('the box clears and the network answers RELEASE: RELEASE COMPLETE, channel back', async (t) => {
  const { net, calls, policyLog } = activeIncoming();
  calls.release(1);
  calls.receive(net.bytes('RELEASE', 9, false));
  t.same(net.take(), ['DISCONNECT cr=9/1 cause=16', 'RELEASE COMPLETE cr=9/1']);
  t.same(policyLog, ['release 5']);
});

t.test('clearing collision: both DISCONNECT, then both RELEASE: no RELEASE COMPLETE (5.3.5)', async (t) => {
  const { net, calls, policyLog, events } = activeOutgoing();
  calls.release(1);
  calls.receive(net.bytes('DISCONNECT', 1, true, net.withCause(16)));
  calls.receive(net.bytes('RELEASE', 1, true));
  t.same(net.take(), ['DISCONNECT cr=1/0 cause=16', 'RELEASE cr=1/0']);
  t.same(policyLog, ['release 1']);
  t.same(events, ['ended 1 cause=16 by=box'], 'one call-ended only');
});

t.test('T313: CONNECT never acknowledged -> DISCONNECT 102', async (t) => {
  const rig = q931CallsRig();
  rig.calls.linkUp(false);
  rig.calls.receive(rig.net.setup(9, 5));
  rig.calls.answer(1);
  rig.clock.advance(4000);
  t.same(rig.net.take(), ['CALL PROCEEDING cr=9/1 ch=5', 'CONNECT cr=9/1', 'DISCONNECT cr=9/1 cause=102']);
  t.match(rig.ended, [{ cause: 102, clearedBy: 'timer', reasonCode: 'connect-unacknowledged', answered: true }]);
});

t.test('RELEASE with no cause as the first clearing message: RELEASE COMPLETE 96, call over with cause 31', async (t) => {
  const { net, calls, ended } = activeIncoming();
  calls.receive(net.bytes('RELEASE', 9, false));
  t.same(net.take(), ['RELEASE COMPLETE cr=9/1 cause=96']);
  t.match(ended, [{ cause: 31, clearedBy: 'network' }]);
});

t.test('5.8.11: STATUS with an incompatible state -> DISCONNECT 101; STATUS saying Null -> released here, nothing sent', async (t) => {
  const a = activeIncoming();
  a.calls.receive(a.net.bytes('STATUS', 9, false, { ...a.net.withCause(30), callState: { codingStandard: 'itu-t', state: 7 } }));
  t.same(a.net.take(), ['DISCONNECT cr=9/1 cause=101']);
  t.same(a.events, ['error status-mismatch', 'ended 1 cause=101 by=box']);

  const b = activeIncoming();
  b.calls.receive(b.net.bytes('STATUS', 9, false, { ...b.net.withCause(81), callState: { codingStandard: 'itu-t', state: 0 } }));
  t.same(b.net.take(), []);
  t.same(b.policyLog, ['release 5']);
  t.match(b.ended, [{ cause: 81, clearedBy: 'network', reasonCode: 'state-mismatch', reasonArgs: [0] }]);

  const c = activeIncoming();
  c.calls.receive(c.net.bytes('STATUS', 9, false, { ...c.net.withCause(30), callState: { codingStandard: 'itu-t', state: 10 } }));
  c.calls.receive(c.net.bytes('STATUS', 9, false, { ...c.net.withCause(30), callState: { codingStandard: 'itu-t', state: 12 } }));
  t.same(c.net.take(), [], 'the same state, or the network clearing: compatible');
  t.equal(c.calls.calls()[0]!.state, 'active');
});

t.test('RESTART from the network for one channel: its call ends, the policy is told, RESTART ACKNOWLEDGE echoes', async (t) => {
  const { net, calls, events, policyLog } = activeIncoming();
  calls.receive(net.bytes('RESTART', 0, false, { ...CH(5), restartIndicator: 'indicated-channels' }));
  t.same(net.take(), ['RESTART ACKNOWLEDGE cr=0/1 ch=5 indicated-channels']);
  t.same(events, ['ended 1 cause=41 by=restart', 'restart 5 by=network']);
  t.same(policyLog, ['restarted 5'], 'handed back by the restart, not by release');
  t.equal(calls.calls().length, 0);
});

t.test('RESTART of the whole interface: every call ends; RESTART naming no channel for "indicated channels": STATUS 96', async (t) => {
  const rig = activeIncoming();
  rig.calls.place({ calling: '1', called: '2' });
  rig.net.take();
  rig.events.length = 0;
  rig.calls.receive(rig.net.bytes('RESTART', 0, false, { restartIndicator: 'single-interface' }));
  t.same(rig.net.take(), ['RESTART ACKNOWLEDGE cr=0/1 single-interface']);
  t.same(rig.events, ['ended 1 cause=41 by=restart', 'ended 2 cause=41 by=restart', 'restart all by=network']);
  t.same(rig.policyLog.slice(-1), ['restarted all']);

  rig.calls.receive(rig.net.bytes('RESTART', 0, false, { restartIndicator: 'indicated-channels' }));
  t.same(rig.net.take(), ['STATUS cr=0/1 cause=96 state=0']);
});

t.test('RESTART from the box: T316 twice more, then reported; the channel stays out of use', async (t) => {
  const rig = q931CallsRig();
  rig.calls.linkUp(false);
  rig.calls.restart([3, 4]);
  t.equal(rig.calls.status().restartsPending, 1);
  rig.clock.advance(120_000);
  rig.clock.advance(120_000);
  t.same(rig.events, []);
  rig.clock.advance(120_000);
  t.same(rig.net.take(), ['RESTART cr=0/0 ch=3,4 indicated-channels', 'RESTART cr=0/0 ch=3,4 indicated-channels', 'RESTART cr=0/0 ch=3,4 indicated-channels']);
  t.same(rig.events, ['error restart-unanswered']);
  t.same(rig.calls.status().channelsInMaintenance, [3, 4]);
  t.equal(rig.calls.status().restartsPending, 0);
  rig.calls.restart(null);
  rig.calls.receive(rig.net.bytes('RESTART ACKNOWLEDGE', 0, true, { restartIndicator: 'single-interface' }));
  t.same(rig.net.take(), ['RESTART cr=0/0 single-interface']);
  t.same(rig.events.slice(1), ['restart all by=box']);
  t.same(rig.calls.status().channelsInMaintenance, []);
});

t.test('RESTART from the box lost with a reset or a failure of the data link: sent again when the link is up, then acknowledged', async (t) => {
  // Found on the bench: the box's start-up RESTART went out as the SABMEs of both sides
  // crossed; libpri reset the link and never saw it, and the box waited T316 (2 min) for it.
  const rig = q931CallsRig();
  rig.calls.linkUp(false);
  rig.calls.restart(null);
  rig.clock.advance(60_000);
  rig.calls.linkUp(true);
  t.same(rig.net.take(), ['RESTART cr=0/0 single-interface', 'RESTART cr=0/0 single-interface'], 'again at once after the reset');
  rig.calls.linkDown();
  rig.clock.advance(1000);
  rig.calls.linkUp(false);
  t.same(rig.net.take(), ['RESTART cr=0/0 single-interface'], 'again when the link returns');
  // T316 anew from the last send; the resends were not tries: still three before giving up.
  rig.clock.advance(119_000);
  t.same(rig.net.take(), []);
  rig.clock.advance(1000);
  rig.clock.advance(120_000);
  t.same(rig.net.take(), ['RESTART cr=0/0 single-interface', 'RESTART cr=0/0 single-interface']);
  t.same(rig.events, []);
  rig.calls.receive(rig.net.bytes('RESTART ACKNOWLEDGE', 0, true, { restartIndicator: 'single-interface' }));
  t.same(rig.events, ['restart all by=box']);
  t.equal(rig.calls.status().restartsPending, 0);
  rig.calls.linkUp(true);
  t.same(rig.net.take(), [], 'nothing outstanding: nothing sent at the next reset');
});

t.test('other messages on the global call reference: STATUS 81', async (t) => {
  const rig = q931CallsRig();
  rig.calls.linkUp(false);
  rig.calls.receive(rig.net.bytes('CONNECT', 0, false));
  t.same(rig.net.take(), ['STATUS cr=0/1 cause=81 state=0']);
});

t.test('link failure: an active call waits T309 and is asked about when the link returns; the others end at once', async (t) => {
  const rig = activeIncoming();
  rig.calls.place({ calling: '1', called: '2' });
  rig.net.take();
  rig.calls.linkDown();
  t.same(rig.events, ['ended 2 cause=41 by=link']);
  t.match(rig.calls.calls(), [{ callId: 1, state: 'active', timers: ['T309'] }]);
  t.equal(rig.calls.status().waitingForLink, 1);
  rig.clock.advance(60_000);
  rig.calls.linkUp(false);
  t.same(rig.net.take(), ['STATUS ENQUIRY cr=9/1']);
  t.same(rig.calls.calls()[0]!.timers, ['T322'], 'T309 stopped');
  rig.calls.receive(rig.net.bytes('STATUS', 9, false, { ...rig.net.withCause(30), callState: { codingStandard: 'itu-t', state: 10 } }));
  rig.clock.advance(100_000);
  t.equal(rig.calls.calls()[0]!.state, 'active', 'the call survived');
  t.same(rig.net.take(), []);
});

t.test('T309 runs out: the call ends with cause 27 and its channel comes back', async (t) => {
  const rig = activeOutgoing();
  rig.calls.linkDown();
  rig.clock.advance(90_000);
  t.match(rig.ended, [{ cause: 27, clearedBy: 'link', reasonCode: 'link-not-restored' }]);
  t.same(rig.policyLog, ['release 1']);
  t.same(rig.net.take(), []);
});

t.test('T322: STATUS ENQUIRY unanswered twice -> DISCONNECT 41', async (t) => {
  const rig = activeOutgoing();
  rig.calls.linkUp(true);
  rig.clock.advance(8000);
  t.same(rig.net.take(), ['STATUS ENQUIRY cr=1/0', 'STATUS ENQUIRY cr=1/0', 'DISCONNECT cr=1/0 cause=41']);
  t.match(rig.ended, [{ cause: 41, clearedBy: 'timer', reasonCode: 'status-unanswered' }]);
});

t.test('a call placed while the link is down ends at once with cause 41', async (t) => {
  const rig = q931CallsRig();
  rig.calls.place({ calling: '1', called: '2' });
  rig.clock.advance(0);
  t.match(rig.ended, [{ cause: 41, clearedBy: 'link' }]);
  t.same(rig.policyLog, ['reserve -> 1', 'release 1']);
  t.same(rig.net.take(), []);
});

t.test('status() counts calls by state and messages both ways', async (t) => {
  const rig = activeIncoming();
  rig.calls.receive(rig.net.setup(10, 6));
  const s = rig.calls.status();
  t.same(s.calls, { active: 1, 'incoming-call-proceeding': 1 });
  t.equal(s.total, 2);
  t.equal(s.link, 'up');
  t.match(s.counters, { messagesIn: { SETUP: 2, 'CONNECT ACKNOWLEDGE': 1 }, messagesOut: { 'CALL PROCEEDING': 2, CONNECT: 1 }, incomingOffered: 2 });
});
