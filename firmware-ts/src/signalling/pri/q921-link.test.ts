import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { decodeQ921, disc, dm, frmr, iFrame, rej, rnr, rr, sabme, ua, ui, type Q921Frame } from './q921-codec.js';
import { Q921Link } from './q921-link.js';
import { registerQ921Metrics } from './q921-metrics.js';

// The user-side link on a FakeClock against a hand-written network side: the network double
// reads what the link puts on the wire (as the network would, C/R per Q.921 Table 1), keeps
// its own N(S)/N(R), and sends what each test tells it to.

const T200 = 1000;
const N200 = 3;
const T203 = 10_000;
const RETRY = 5000;
const NET = { sender: 'network' } as const;
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

/** `I 0/1 SETUP`, `RR cmd 0 P`, `REJ resp 2`, `SABME P`, `UA F`: a frame as read from the wire. */
function show(f: Q921Frame): string {
  const bit = (set: boolean) => (set ? (f.command ? ' P' : ' F') : '');
  if (f.kind === 'I') return `I ${f.ns}/${f.nr}${bit(f.p)} ${str(f.info)}`;
  if (f.kind === 'S') return `${f.type} ${f.command ? 'cmd' : 'resp'} ${f.nr}${bit(f.pf)}`;
  return `${f.type}${bit(f.pf)}`;
}

function harness(options: { k?: number } = {}) {
  const clock = new FakeClock(0);
  const wire: string[] = [];
  let last: number[] = [];
  let losing = 0;
  const events: string[] = [];
  const infos: string[] = [];
  // The network reads each frame as it comes; those it loses never reach it.
  const arrive = (bytes: Uint8Array) => {
    last = [...bytes];
    const r = decodeQ921(bytes, 'user');
    if (!r.ok) return wire.push(`undecodable ${r.error.reason}`);
    const f = r.frame;
    wire.push(show(f));
    if (losing > 0) return losing--;
    if (f.kind === 'I' && f.ns === net.vr) {
      net.vr = (net.vr + 1) % 128;
      net.got.push(str(f.info));
    }
  };
  const link = new Q921Link({ clock, send: arrive, logger: pino({ level: 'silent' }), timers: { t200Ms: T200, n200: N200, t203Ms: T203, retryMs: RETRY }, k: options.k });
  link.on('established', (e) => events.push(`established by ${e.by}${e.reestablished ? ' (reset)' : ''}`));
  link.on('released', (reason) => events.push(`released ${reason}`));
  link.on('error', (e) => events.push(e.message.slice(0, 'MDL-ERROR X'.length)));
  link.on('discarded', (p, reason) => events.push(`discarded ${p.map(str).join(',')} (${reason})`));
  link.on('info', (payload, kind) => infos.push(`${kind} ${str(payload)}`));

  let read = 0;
  const net = {
    vs: 0,
    vr: 0,
    /** The Q.931 messages the network got, in sequence. */
    got: [] as string[],
    /** The frames the link sent since the last call. */
    frames(): string[] {
      const out = wire.slice(read);
      read = wire.length;
      return out;
    },
    /** The next `n` frames from the link are lost on the way. */
    lose(n: number) {
      losing = n;
    },
    /** The raw octets of the last frame the link sent. */
    last: () => last,
    send: (bytes: Uint8Array) => link.receive(bytes),
    /** An I frame with the network's N(S) and N(R); `lose` it and the link never sees it. */
    i(message: string, opts: { p?: boolean; lose?: boolean; ns?: number } = {}): void {
      const ns = opts.ns ?? net.vs;
      if (opts.ns === undefined) net.vs = (net.vs + 1) % 128;
      if (!opts.lose) link.receive(iFrame(NET, ns, net.vr, text(message), opts.p ?? false));
    },
    rr: (command: boolean, pf = false, nr?: number): void => link.receive(rr(NET, command, nr ?? net.vr, pf)),
    /** Network and link both at 0, multiple frame operation. */
    establish() {
      link.start();
      net.frames();
      link.receive(ua(NET, true));
      net.vs = net.vr = 0;
      events.length = 0;
    },
  };
  return { clock, link, net, events, infos, wire };
}

t.test('start(): SABME P=1 (00 01 7F); the network UA F=1 brings the link up', async (t) => {
  const { link, net, events } = harness();
  t.equal(link.state, 'tei-assigned');
  link.start();
  t.same(net.last(), [0x00, 0x01, 0x7f], 'a command from the user: C/R 0');
  t.equal(link.state, 'awaiting-establishment');
  net.send(ua(NET, true));
  t.equal(link.state, 'multiple-frame-established');
  t.same(events, ['established by user']);
  t.match(link.snapshot(), { stateNumber: 7, vs: 0, va: 0, vr: 0, counters: { establishments: 1, framesOut: 1, framesIn: 1 } });
});

t.test('the network establishes: its SABME is answered UA F=1 (02 01 73)', async (t) => {
  const { clock, link, net, events } = harness();
  net.send(sabme(NET));
  t.same(net.last(), [0x02, 0x01, 0x1f], 'not started: DM F=1, it may not come up');
  t.equal(link.state, 'tei-assigned');
  net.rr(true, true);
  t.same(net.frames(), ['DM F', 'DM F'], 'a poll in state 4 is answered DM F=1 too (Q.921 5.4)');

  link.start();
  net.send(dm(NET, true));
  t.same(events, ['released network-refused'], 'the network refused our SABME');
  net.frames();
  net.send(sabme(NET));
  t.same(net.last(), [0x02, 0x01, 0x73]);
  t.equal(link.state, 'multiple-frame-established');
  t.same(events, ['released network-refused', 'established by network']);
  clock.advance(T203 - 1);
  t.same(net.frames(), ['UA F'], 'the retry delay passed: no SABME from it');
});

t.test('SABMEs that cross: UA for the network, up on the UA for ours (Q.921 5.5.1.3)', async (t) => {
  const { link, net, events } = harness();
  link.start();
  net.send(sabme(NET));
  t.same(net.frames(), ['SABME P', 'UA F']);
  t.equal(link.state, 'awaiting-establishment');
  net.send(ua(NET, true));
  t.equal(link.state, 'multiple-frame-established');
  t.same(events, ['established by user']);
});

t.test('I frames both ways, acknowledged; an answer sent from the info event carries the acknowledgement', async (t) => {
  const { clock, link, net, infos } = harness();
  net.establish();
  t.ok(link.send(text('SETUP')));
  t.same(net.last(), [0x00, 0x01, 0x00, 0x00, ...text('SETUP')], 'I frame N(S)=0 N(R)=0, C/R 0');
  t.same(net.got, ['SETUP']);
  t.same(net.frames(), ['I 0/0 SETUP']);
  net.i('CALL PROCEEDING');
  t.same(infos, ['I CALL PROCEEDING']);
  t.same(net.frames(), ['RR resp 1'], 'acknowledged with RR N(R)=1');
  t.match(link.snapshot(), { vs: 1, va: 1, vr: 1, queued: 0 });
  clock.advance(T203 - 1);
  t.same(net.frames(), [], 'all acknowledged: no poll before T203');

  link.on('info', (payload) => {
    if (str(payload) === 'CONNECT') link.send(text('CONNECT ACK'));
  });
  net.i('CONNECT');
  t.same(net.frames(), ['I 1/2 CONNECT ACK'], 'the answer acknowledges CONNECT; no RR of its own');
  t.same(net.got, ['SETUP', 'CONNECT ACK']);
  t.match(link.snapshot().counters, { iFramesIn: 2, iFramesOut: 2 });
});

t.test('at most k frames unacknowledged; the rest follow as acknowledgements come', async (t) => {
  const { link, net } = harness({ k: 3 });
  net.establish();
  for (const m of ['A', 'B', 'C', 'D', 'E']) link.send(text(m));
  t.same(net.frames(), ['I 0/0 A', 'I 1/0 B', 'I 2/0 C']);
  net.rr(false, false, 2);
  t.same(net.frames(), ['I 3/0 D', 'I 4/0 E']);
  net.rr(false);
  t.same(link.snapshot().queued, 0);
});

t.test('a frame from the network lost: one REJ, no more until the gap is filled, then all delivered', async (t) => {
  const { link, net, infos } = harness();
  net.establish();
  net.i('ONE', { lose: true });
  net.i('TWO');
  t.same(net.frames(), ['REJ resp 0']);
  t.same(net.last(), [0x02, 0x01, 0x09, 0x00], 'REJ response N(R)=0');
  net.i('THREE');
  t.same(net.frames(), [], 'in the reject exception condition: no second REJ (Q.921 5.8.1)');
  net.i('FOUR', { p: true });
  t.same(net.frames(), ['RR resp 0 F'], 'but a poll is answered');
  t.same(infos, []);
  net.vs = 0;
  for (const m of ['ONE', 'TWO', 'THREE', 'FOUR']) net.i(m);
  t.same(infos, ['I ONE', 'I TWO', 'I THREE', 'I FOUR']);
  t.same(net.frames().at(-1), 'RR resp 4');
  t.match(link.snapshot(), { vr: 4, rejectException: false, counters: { rejSent: 1 } });
});

t.test('a frame from the user lost: the network REJ makes the link send again from its N(R)', async (t) => {
  const { link, net } = harness();
  net.establish();
  net.lose(1);
  for (const m of ['A', 'B', 'C']) link.send(text(m));
  t.same(net.frames(), ['I 0/0 A', 'I 1/0 B', 'I 2/0 C'], 'A never arrives');
  t.same(net.got, []);
  net.send(rej(NET, false, net.vr));
  t.same(net.frames(), ['I 0/0 A', 'I 1/0 B', 'I 2/0 C']);
  t.same(net.got, ['A', 'B', 'C']);
  net.rr(false);
  t.match(link.snapshot(), { vs: 3, va: 3, queued: 0, counters: { retransmissions: 3, rejReceived: 1 } });
});

t.test('RNR: the peer is busy; frames wait, T200 polls it, and its RR F=1 lets them go', async (t) => {
  const { clock, link, net } = harness();
  net.establish();
  net.send(rnr(NET, false, 0));
  link.send(text('A'));
  t.same(net.frames(), [], 'held while the peer is busy');
  t.match(link.snapshot(), { peerBusy: true, queued: 1 });
  clock.advance(T200);
  t.same(net.frames(), ['RR cmd 0 P'], 'T200 polls the busy peer');
  net.rr(false, true);
  t.same(net.frames(), ['I 0/0 A']);
  t.same(net.got, ['A']);
  t.match(link.snapshot(), { state: 'multiple-frame-established', peerBusy: false });
});

t.test('T200 with a frame unacknowledged: RR P=1 polls in timer recovery; the F=1 answer ends it, the rest is sent again', async (t) => {
  const { clock, link, net } = harness();
  net.establish();
  net.lose(1);
  link.send(text('A'));
  net.frames();
  clock.advance(T200 - 1);
  t.same(net.frames(), []);
  clock.advance(1);
  t.same(net.frames(), ['RR cmd 0 P']);
  t.same(net.last(), [0x00, 0x01, 0x01, 0x01], 'RR command (C/R 0) P=1 N(R)=0');
  t.equal(link.state, 'timer-recovery');
  link.send(text('B'));
  t.same(net.frames(), [], 'no new I frame in timer recovery');
  clock.advance(T200);
  t.same(net.frames(), ['RR cmd 0 P'], 'polled again after T200');
  net.rr(false, true);
  t.equal(link.state, 'multiple-frame-established');
  t.same(net.frames(), ['I 0/0 A', 'I 1/0 B'], 'A sent again (the answer did not acknowledge it), then B');
  net.rr(false);
  clock.advance(T203 - 1);
  t.same(net.frames(), []);
  t.match(link.snapshot().counters, { retransmissions: 1 });
});

t.test('in timer recovery only the answer F=1 ends the polls; an I frame acknowledging everything does not', async (t) => {
  const { clock, link, net, infos } = harness();
  net.establish();
  link.send(text('A'));
  clock.advance(T200);
  t.same(net.frames(), ['I 0/0 A', 'RR cmd 0 P']);
  net.i('ALERTING');
  t.same(infos, ['I ALERTING']);
  t.same(net.frames(), ['RR resp 1']);
  clock.advance(T200);
  t.same(net.frames(), ['RR cmd 1 P'], 'still polling (Q.921 5.6.7)');
  net.rr(false, true);
  t.equal(link.state, 'multiple-frame-established');
  clock.advance(T203 - 1);
  t.same(net.frames(), []);
});

t.test('N200 polls unanswered: MDL-ERROR I, re-establishment, the unacknowledged frame discarded', async (t) => {
  const { clock, link, net, events } = harness();
  net.establish();
  net.lose(1);
  link.send(text('A'));
  net.frames();
  clock.advance(T200 * N200);
  t.same(net.frames(), ['RR cmd 0 P', 'RR cmd 0 P', 'RR cmd 0 P']);
  clock.advance(T200);
  t.same(net.frames(), ['SABME P']);
  t.equal(link.state, 'awaiting-establishment');
  link.send(text('B'));
  net.send(ua(NET, true));
  t.same(events, ['MDL-ERROR I', 'discarded A (link-reset)', 'established by user (reset)']);
  t.same(net.frames(), ['I 0/0 B'], 'the frame never sent goes out on the new link');
  t.match(link.snapshot().counters, { failures: 1, establishments: 2, discarded: 1, errors: { I: 1 } });
});

t.test('T203: an idle link polls; the answered poll keeps it up', async (t) => {
  const { clock, link, net, events } = harness();
  net.establish();
  clock.advance(T203 - 1);
  t.same(net.frames(), []);
  clock.advance(1);
  t.same(net.frames(), ['RR cmd 0 P']);
  t.equal(link.state, 'timer-recovery');
  clock.advance(100);
  net.rr(false, true);
  t.equal(link.state, 'multiple-frame-established');
  clock.advance(T203 - 1);
  t.same(net.frames(), [], 'next poll a full T203 after the answer');
  clock.advance(1);
  t.same(net.frames(), ['RR cmd 0 P']);
  t.same(events, []);
});

t.test('SABME unanswered N200 times: released (MDL-ERROR G), queued frames discarded, tried again every retryMs', async (t) => {
  const { clock, link, net, events } = harness();
  link.start();
  link.send(text('RESTART'));
  clock.advance(T200 * N200);
  t.same(net.frames(), ['SABME P', 'SABME P', 'SABME P', 'SABME P'], 'the first and N200 retransmissions');
  clock.advance(T200);
  t.equal(link.state, 'tei-assigned');
  t.same(events, ['MDL-ERROR G', 'discarded RESTART (released)', 'released no-answer']);
  clock.advance(RETRY - 1);
  t.same(net.frames(), []);
  clock.advance(1);
  t.same(net.frames(), ['SABME P'], 'established again after the retry delay');
  net.send(ua(NET, true));
  t.equal(link.state, 'multiple-frame-established');
});

t.test('the physical layer goes down: released at once, queued frames discarded, no SABME until it is back', async (t) => {
  const { clock, link, net, events } = harness();
  net.establish();
  net.send(rnr(NET, false, 0));
  link.send(text('A'));
  link.physicalLayer(false);
  t.equal(link.state, 'tei-assigned', 'no wait for T200 x N200');
  t.same(events, ['discarded A (released)', 'released physical-down']);
  clock.advance(RETRY * 3);
  t.same(net.frames(), [], 'nothing tried while the timeslot carries nothing');
  link.physicalLayer(true);
  t.same(net.frames(), ['SABME P'], 'established again as soon as it is back');
  net.send(ua(NET, true));
  t.equal(link.state, 'multiple-frame-established');
});

t.test('a link started with the physical layer down waits for it', async (t) => {
  const clock = new FakeClock(0);
  const sent: Uint8Array[] = [];
  const link = new Q921Link({ clock, send: (f) => sent.push(f), physicalUp: false });
  link.start();
  clock.advance(60_000);
  t.equal(sent.length, 0);
  link.physicalLayer(true);
  t.same([...sent[0]!], [...sabme({ sender: 'user' }, true)], 'SABME P=1 once the timeslot is in service');
  link.physicalLayer(false);
  link.physicalLayer(false);
  t.equal(link.state, 'tei-assigned', 'down while establishing too; a repeat changes nothing');
});

t.test('DISC from the network: UA F=1, released, queued frames discarded, established again after retryMs', async (t) => {
  const { clock, link, net, events } = harness();
  net.establish();
  net.send(rnr(NET, false, 0));
  link.send(text('A'));
  t.same(net.frames(), [], 'the peer is busy: held');
  net.send(disc(NET));
  t.same(net.frames(), ['UA F']);
  t.same(net.last(), [0x02, 0x01, 0x73]);
  t.equal(link.state, 'tei-assigned');
  t.same(events, ['discarded A (released)', 'released network-disc']);
  clock.advance(RETRY);
  t.same(net.frames(), ['SABME P']);
});

t.test('an N(R) outside V(A)..V(S): MDL-ERROR J and re-establishment', async (t) => {
  const { link, net, events } = harness();
  net.establish();
  link.send(text('A'));
  net.frames();
  net.rr(false, false, 5);
  t.same(net.frames(), ['SABME P']);
  t.equal(link.state, 'awaiting-establishment');
  t.same(events, ['MDL-ERROR J']);
});

t.test('FRMR, and DM F=0, from the network re-establish the link', async (t) => {
  const { net, events } = harness();
  net.establish();
  net.send(frmr(NET, Uint8Array.from([0x01, 0x00, 0x00, 0x00, 0x01])));
  t.same(net.frames(), ['SABME P']);
  net.send(ua(NET, true));
  net.send(dm(NET, false));
  t.same(net.frames(), ['SABME P']);
  t.same(events, ['MDL-ERROR K', 'established by user (reset)', 'MDL-ERROR E']);
});

t.test('SABME in multiple frame operation: UA, variables back to 0, the link reset (MDL-ERROR F)', async (t) => {
  const { link, net, events } = harness();
  net.establish();
  net.lose(1);
  link.send(text('A'));
  net.i('B');
  net.frames();
  t.match(link.snapshot(), { vs: 1, va: 0, vr: 1 });
  net.send(sabme(NET));
  t.same(net.frames(), ['UA F']);
  t.match(link.snapshot(), { state: 'multiple-frame-established', vs: 0, va: 0, vr: 0 });
  t.same(events, ['MDL-ERROR F', 'discarded A (link-reset)', 'established by network (reset)']);
});

t.test('polls from the network are answered at once with F=1', async (t) => {
  const { link, net, infos } = harness();
  net.establish();
  net.rr(true, true);
  t.same(net.frames(), ['RR resp 0 F']);
  t.same(net.last(), [0x02, 0x01, 0x01, 0x01]);
  net.i('STATUS ENQUIRY', { p: true });
  t.same(net.frames(), ['RR resp 1 F']);
  t.same(infos, ['I STATUS ENQUIRY']);
  net.send(ui(NET, text('BROADCAST')));
  t.same(infos, ['I STATUS ENQUIRY', 'UI BROADCAST']);
  t.equal(link.state, 'multiple-frame-established');
});

t.test('malformed frames and frames for others are counted and do not take the link down', async (t) => {
  const { link, net, events, infos } = harness();
  net.establish();
  for (const bytes of [[0x02], [0x03, 0x01, 0x7f], [0x02, 0x00, 0x00, 0x00], [0x00, 0x01, 0x7f], [0x00, 0x01, 0x00, 0x00, 0x41]]) net.send(Uint8Array.from(bytes));
  net.send(ui({ sender: 'network', sapi: 63, tei: 127 }, Uint8Array.from([0x0f, 0, 0, 1, 0xff])));
  net.send(iFrame({ sender: 'network', tei: 64 }, 0, 0, text('NOT OURS')));
  t.same(net.frames(), []);
  t.equal(link.state, 'multiple-frame-established');
  t.same(events, []);
  t.same(infos, []);
  t.match(link.snapshot().counters, { malformed: { 'too-short': 1, 'bad-ea': 2, 'wrong-cr': 2 }, otherAddress: 2 });
  net.i('SETUP');
  t.same(infos, ['I SETUP'], 'frames go on flowing');

  // Q.921 5.8.6: an undefined control field is a frame rejection condition: the link is re-established.
  net.frames();
  net.send(Uint8Array.from([0x02, 0x01, 0xe3]));
  t.same(net.frames(), ['SABME P']);
  net.send(ua(NET, true));
  t.equal(link.state, 'multiple-frame-established');
  t.same(events, ['MDL-ERROR L', 'established by user (reset)']);
  t.match(link.snapshot().counters, { malformed: { 'unknown-control': 1 } });
});

t.test('stop(): DISC P=1 (00 01 53), released on UA F=1, and stays released', async (t) => {
  const { clock, link, net, events } = harness();
  net.establish();
  link.stop();
  t.same(net.last(), [0x00, 0x01, 0x53]);
  t.equal(link.state, 'awaiting-release');
  net.send(ua(NET, true));
  t.equal(link.state, 'tei-assigned');
  t.same(events, ['released stopped']);
  t.notOk(link.send(text('LATE')));
  t.same(events, ['released stopped', 'discarded LATE (not-started)']);
  clock.advance(RETRY * 10);
  t.same(net.frames(), ['DISC P']);
  net.send(sabme(NET));
  t.same(net.frames(), ['DM F'], 'a stopped link refuses the network');
});

t.test('stop() with the network silent: N200 DISC retransmissions, then released (MDL-ERROR H)', async (t) => {
  const { clock, link, net, events } = harness();
  net.establish();
  link.stop();
  clock.advance(T200 * (N200 + 1));
  t.same(net.frames(), ['DISC P', 'DISC P', 'DISC P', 'DISC P']);
  t.equal(link.state, 'tei-assigned');
  t.same(events, ['MDL-ERROR H', 'released stopped']);
  t.equal(clock.pending(), 0, 'no timer left running');
});

t.test('countyline metrics read the link: state, frames, malformed by reason', async (t) => {
  const { link, net } = harness();
  const registry = new Registry();
  registerQ921Metrics(registry, link, 1);
  net.establish();
  link.send(text('A'));
  net.send(Uint8Array.from([0x02]));
  const metrics = await registry.metrics();
  t.match(metrics, /countyline_q921_state\{span="1",state="multiple-frame-established"\} 1/);
  t.match(metrics, /countyline_q921_state\{span="1",state="tei-assigned"\} 0/);
  t.match(metrics, /countyline_q921_i_frames_total\{span="1",direction="out"\} 1/);
  t.match(metrics, /countyline_q921_frames_total\{span="1",direction="in"\} 2/);
  t.match(metrics, /countyline_q921_malformed_total\{span="1",reason="too-short"\} 1/);
  t.match(metrics, /countyline_q921_establishments_total\{span="1"\} 1/);
});
