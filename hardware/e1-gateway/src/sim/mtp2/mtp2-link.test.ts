import t from 'tap';
import { FakeClock } from '../../clock.js';
import type { AlignmentState } from './initial-alignment.js';
import { MemoryLine, type LineEnd } from './memory-line.js';
import { Mtp2Link, type Mtp2Cause, type Mtp2State } from './mtp2-link.js';
import type { Mtp2TimerValues } from './mtp2-timers.js';
import { encodeSignalUnit, type Lssu, type SignalUnit } from './signal-unit.js';

interface PairOptions {
  timers?: Partial<Mtp2TimerValues>;
  timersB?: Partial<Mtp2TimerValues>;
}

/** Two MTP2 ends back to back over an in-memory line (1 ms each way) on a FakeClock. */
function pair(opts: PairOptions = {}) {
  const clock = new FakeClock();
  const line = new MemoryLine(clock);
  const a = new Mtp2Link({ clock, send: line.sender('a'), timers: opts.timers });
  const b = new Mtp2Link({ clock, send: line.sender('b'), timers: opts.timersB ?? opts.timers });
  line.connect('a', (bytes) => a.receive(bytes));
  line.connect('b', (bytes) => b.receive(bytes));
  const got: Record<LineEnd, number[][]> = { a: [], b: [] };
  const states: Record<LineEnd, { at: number; state: Mtp2State; alignment: AlignmentState; cause: Mtp2Cause | undefined }[]> = { a: [], b: [] };
  for (const [end, link] of [['a', a] as const, ['b', b] as const]) {
    link.on('msu', (data) => got[end].push([...data]));
    link.on('state', (state, alignment, cause) => states[end].push({ at: clock.now(), state, alignment, cause }));
  }
  const msu = (n: number) => Uint8Array.of(0x85, n, n, n);
  return { clock, line, a, b, got, states, msu };
}

/** Both ends started and in service (short proving). */
function inService(opts: PairOptions = {}) {
  const p = pair({ ...opts, timers: { t4n: 200, ...opts.timers } });
  p.a.start(false);
  p.b.start(false);
  p.clock.advance(300);
  if (!p.a.inService || !p.b.inService) throw new Error(`not in service: ${p.a.state}, ${p.b.state}`);
  return p;
}

/** The statuses an end sent, each run of repeats shown once. */
function statusRuns(units: SignalUnit[]): string[] {
  const runs: string[] = [];
  for (const su of units) {
    const name = su.kind === 'lssu' ? su.status : su.kind.toUpperCase();
    if (runs.at(-1) !== name) runs.push(name);
  }
  return runs;
}

t.test('alignment with the Q.703 timers: SIO, SIN, normal proving for T4 = 8.2 s, then FISUs and in service', async (t) => {
  const { clock, line, a, b, states } = pair();
  clock.advance(100);
  a.start(false);
  b.start(false);
  clock.advance(8000);
  t.same([a.state, a.alignment], ['initial-alignment', 'proving'], 'still proving after 8 s');
  clock.advance(400);
  t.equal(a.state, 'in-service');
  t.equal(b.state, 'in-service');
  t.same(
    states.a.map((s) => [s.state, s.alignment]),
    [
      ['initial-alignment', 'not-aligned'],
      ['initial-alignment', 'aligned'],
      ['initial-alignment', 'proving'],
      ['aligned-ready', 'idle'],
      ['in-service', 'idle'],
    ],
  );
  const proving = states.a.find((s) => s.alignment === 'proving')!.at;
  t.equal(states.a.find((s) => s.state === 'aligned-ready')!.at - proving, 8200, 'T4 = Pn');
  t.same(statusRuns(line.from('a')), ['SIOS', 'SIO', 'SIN', 'FISU'], 'out of service before the start, then alignment');
  t.same(a.snapshot().counters.alignmentAttempts, 1);
  clock.advance(60_000);
  t.equal(a.state, 'in-service', 'T2 and T3 were stopped when alignment moved on');
});

t.test('an end started late is met: the first waits on T2 sending SIO', async (t) => {
  const { clock, a, b } = pair({ timers: { t4n: 500 } });
  a.start(false);
  clock.advance(20_000);
  t.same([a.state, a.alignment], ['initial-alignment', 'not-aligned']);
  b.start(false);
  clock.advance(600);
  t.equal(a.state, 'in-service');
  t.equal(b.state, 'in-service');
});

t.test('T2: nobody answers the SIO, alignment is not possible', async (t) => {
  const { clock, a, states } = pair();
  a.start(false);
  clock.advance(49_999);
  t.equal(a.state, 'initial-alignment');
  clock.advance(1);
  t.equal(a.state, 'out-of-service');
  t.match(states.a.at(-1), { state: 'out-of-service', cause: 'T2' });
  t.match(a.snapshot(), { lastFailure: { cause: 'T2', at: 50_000 }, counters: { alignmentFailures: 1, linkFailures: 0 } });
});

t.test('MSUs cross both ways, in order, and are acknowledged', async (t) => {
  const { clock, a, b, got, msu } = inService();
  for (let n = 1; n <= 5; n++) t.ok(a.sendMsu(msu(n)));
  t.ok(b.sendMsu(msu(9)));
  clock.advance(10);
  t.same(got.b, [1, 2, 3, 4, 5].map((n) => [...msu(n)]));
  t.same(got.a, [[...msu(9)]]);
  t.equal(a.snapshot().unacknowledged, 0, 'every MSU acknowledged');
  clock.advance(10_000);
  t.equal(a.state, 'in-service', 'no T7 with everything acknowledged');
  t.match(a.snapshot().counters, { msusOut: 5, msusIn: 1, retransmissions: 0, nacksSent: 0, nacksReceived: 0 });
});

t.test('a lost MSU: the next one is out of sequence, BIB is inverted and everything after BSN is sent again', async (t) => {
  const { clock, line, a, b, got, msu } = inService();
  let lost = 0;
  line.lose = (u) => u.from === 'a' && u.su.kind === 'msu' && lost++ === 0;
  for (let n = 1; n <= 3; n++) a.sendMsu(msu(n));
  clock.advance(20);
  t.same(got.b, [1, 2, 3].map((n) => [...msu(n)]), 'delivered once each, in order');
  t.match(b.snapshot().counters, { nacksSent: 1, discarded: 2 }, 'MSU 2 showed the gap, MSU 3 came while waiting for the retransmission');
  t.match(a.snapshot().counters, { nacksReceived: 1, retransmissions: 3, msusOut: 3 });
  const resent = line.from('a', 'msu').slice(3);
  t.same(
    resent.map((su) => [su.fsn, su.fib]),
    [
      [0, 0],
      [1, 0],
      [2, 0],
    ],
    'FSN 0..2 again with FIB inverted',
  );
  t.equal(a.snapshot().unacknowledged, 0);
});

t.test('the last MSU of a burst lost: the FISU that follows shows the gap, well before T7', async (t) => {
  const { clock, line, a, got, msu } = inService();
  let lost = 0;
  line.lose = (u) => u.from === 'a' && u.su.kind === 'msu' && lost++ === 0;
  a.sendMsu(msu(7));
  clock.advance(200);
  t.same(got.b, [[...msu(7)]]);
  t.equal(a.state, 'in-service');
  t.equal(a.snapshot().counters.retransmissions, 1);
});

t.test('a corrupted MSU fails CK, counts as an errored unit, and is recovered by retransmission', async (t) => {
  const { clock, line, a, b, got, msu } = inService();
  let hit = 0;
  line.corrupt = (u) => (u.from === 'a' && u.su.kind === 'msu' && hit++ === 0 ? Uint8Array.from(u.bytes, (x, i) => (i === 4 ? x ^ 0x10 : x)) : undefined);
  a.sendMsu(msu(1));
  a.sendMsu(msu(2));
  clock.advance(20);
  t.same(got.b, [[...msu(1)], [...msu(2)]]);
  t.match(b.snapshot().counters, { badFrames: 1, badFrameReasons: { fcs: 1 } });
});

t.test('a duplicate MSU is discarded, an out-of-sequence one asks for retransmission', async (t) => {
  const { clock, line, a, b, got, msu } = inService();
  a.sendMsu(msu(1));
  clock.advance(5);
  const first = line.sent.find((u) => u.from === 'a' && u.su.kind === 'msu')!;
  b.receive(first.bytes);
  clock.advance(5);
  t.same(got.b, [[...msu(1)]], 'delivered once');
  t.equal(b.snapshot().counters.discarded, 1);
  t.equal(b.snapshot().counters.nacksSent, 0, 'a duplicate is no gap');
  // FSN 5 while 0 was the last accepted.
  b.receive(encodeSignalUnit({ kind: 'msu', bsn: 127, bib: 1, fsn: 5, fib: 1, data: msu(5) }));
  t.equal(b.snapshot().counters.nacksSent, 1);
  clock.advance(20);
  t.equal(b.state, 'in-service');
  t.same(got.b, [[...msu(1)]], 'nothing out of sequence delivered');
});

t.test('a delay under T7 is ridden out; a delay beyond it fails the link on T7', async (t) => {
  const { clock, line, a, got, msu, states } = inService();
  line.delayMs = 400;
  a.sendMsu(msu(1));
  clock.advance(1000);
  t.equal(a.state, 'in-service', 'acknowledged after 800 ms');
  t.same(got.b, [[...msu(1)]]);
  line.delayMs = 700;
  a.sendMsu(msu(2));
  clock.advance(999);
  t.equal(a.state, 'in-service');
  clock.advance(1);
  t.equal(a.state, 'out-of-service');
  t.match(states.a.at(-1), { state: 'out-of-service', cause: 'T7' });
});

t.test('the far end falls silent: T7 fails the link; the far end then hears SIOS and fails too; both realign', async (t) => {
  const { clock, line, a, b, got, msu, states } = inService();
  line.lose = (u) => u.from === 'b';
  a.sendMsu(msu(1));
  clock.advance(1001);
  t.match(states.a.at(-1), { state: 'out-of-service', cause: 'T7' });
  clock.advance(10);
  t.match(states.b.at(-1), { state: 'out-of-service', cause: 'received-SIOS' });
  t.match(a.snapshot().counters, { linkFailures: 1 });
  line.lose = () => false;
  a.start(false);
  b.start(false);
  clock.advance(300);
  t.equal(a.state, 'in-service');
  t.equal(b.state, 'in-service');
  t.ok(a.sendMsu(msu(2)));
  clock.advance(10);
  t.same(got.b.at(-1), [...msu(2)], 'traffic flows again after realignment');
  t.equal(a.snapshot().counters.alignmentAttempts, 2);
});

t.test('emergency: one end sends SIE, both prove for Pe', async (t) => {
  const { clock, line, a, b } = pair();
  a.start(true);
  b.start(false);
  clock.advance(600);
  t.equal(a.state, 'in-service');
  t.equal(b.state, 'in-service', 'well before Pn');
  t.same(statusRuns(line.from('a')), ['SIO', 'SIE', 'FISU']);
  t.same(statusRuns(line.from('b')), ['SIO', 'SIN', 'FISU']);
  t.ok(b.snapshot().emergency, 'the far end took the emergency period from the SIE');
});

t.test('errors while proving abort it (AERM); it proves again, and five aborts make alignment impossible', async (t) => {
  const once = pair();
  let hits = 0;
  once.line.corrupt = (u) => (u.from === 'b' && u.su.kind === 'lssu' && u.su.status === 'SIE' && hits++ === 2 ? Uint8Array.of(1, 2, 3) : undefined);
  once.a.start(false);
  once.b.start(true);
  once.clock.advance(600);
  t.equal(once.a.alignment, 'proving', 'one error aborts emergency proving (Tie = 1); T4 runs out first');
  once.clock.advance(600);
  t.equal(once.a.state, 'in-service', 'in service after the further proving period');
  t.equal(once.a.snapshot().counters.provingAborts, 1);

  const always = pair();
  always.line.corrupt = (u) => (u.from === 'b' && always.a.alignment === 'proving' ? Uint8Array.of(0) : undefined);
  always.a.start(true);
  always.b.start(true);
  always.clock.advance(5000);
  t.match(always.a.snapshot(), { state: 'out-of-service', lastFailure: { cause: 'proving' }, counters: { provingAborts: 5, alignmentFailures: 1 } });
});

t.test('SIN from an end still proving is no failure for an end aligned ready; T1 limits the wait', async (t) => {
  const slow = pair({ timers: { t4n: 200 }, timersB: { t4n: 5000 } });
  slow.a.start(false);
  slow.b.start(false);
  slow.clock.advance(1000);
  t.equal(slow.a.state, 'aligned-ready');
  slow.clock.advance(5000);
  t.equal(slow.a.state, 'in-service');
  t.equal(slow.b.state, 'in-service');

  const never = pair({ timers: { t4n: 200, t1: 3000 }, timersB: { t4n: 60_000 } });
  never.a.start(false);
  never.b.start(false);
  never.clock.advance(3300);
  t.match(never.a.snapshot(), { state: 'out-of-service', lastFailure: { cause: 'T1' } });
});

t.test('LSSUs in service: SIPO is a remote processor outage until FISUs come again; SIO fails the link', async (t) => {
  const { clock, a, states } = inService();
  const sipo: Lssu = { kind: 'lssu', bsn: 127, bib: 1, fsn: 127, fib: 1, status: 'SIPO' };
  a.receive(encodeSignalUnit(sipo));
  t.equal(a.state, 'processor-outage');
  t.equal(a.sendMsu(Uint8Array.of(0x85, 1, 2)), false, 'no MSUs while the far end is out');
  clock.advance(60);
  t.equal(a.state, 'in-service', "b's next FISU says it has recovered");
  a.receive(encodeSignalUnit({ ...sipo, status: 'SIO' }));
  t.match(states.a.at(-1), { state: 'out-of-service', cause: 'received-SIO' });
  clock.advance(10);
  t.match(states.b.at(-1), { state: 'out-of-service', cause: 'received-SIOS' }, 'and tells the far end with SIOS');
});

t.test('abnormal BSN or FIB: one is discarded, two in three units fail the link', async (t) => {
  const bsn = inService();
  const fisu = { kind: 'fisu', bsn: 127, bib: 1, fsn: 127, fib: 1 } as const;
  bsn.a.receive(encodeSignalUnit({ ...fisu, bsn: 40 }));
  t.equal(bsn.a.state, 'in-service', 'one abnormal BSN');
  bsn.a.receive(encodeSignalUnit(fisu));
  bsn.a.receive(encodeSignalUnit(fisu));
  bsn.a.receive(encodeSignalUnit({ ...fisu, bsn: 40 }));
  t.equal(bsn.a.state, 'in-service', 'two abnormal BSNs, but not within three units');
  bsn.a.receive(encodeSignalUnit({ ...fisu, bsn: 41 }));
  t.match(bsn.a.snapshot(), { state: 'out-of-service', lastFailure: { cause: 'abnormal-bsn' }, counters: { abnormalBsn: 3 } });

  const fib = inService();
  fib.a.receive(encodeSignalUnit({ ...fisu, fib: 0 }));
  t.equal(fib.a.state, 'in-service');
  fib.a.receive(encodeSignalUnit({ ...fisu, fib: 0 }));
  t.match(fib.a.snapshot(), { state: 'out-of-service', lastFailure: { cause: 'abnormal-fib' }, counters: { abnormalFib: 2 } });
});

t.test('SUERM: a run of errored units fails the link at 64', async (t) => {
  const { a } = inService();
  for (let i = 0; i < 63; i++) a.receive(Uint8Array.of(i));
  t.equal(a.state, 'in-service');
  a.receive(Uint8Array.of(0));
  t.match(a.snapshot(), { state: 'out-of-service', lastFailure: { cause: 'suerm' }, counters: { badFrames: 64, badFrameReasons: { short: 64 } } });
});

t.test('stop sends SIOS and is not a failure; the far end fails on it', async (t) => {
  const { clock, line, a, states } = inService();
  a.stop();
  clock.advance(5);
  t.match(states.a.at(-1), { state: 'out-of-service', cause: 'stop' });
  t.equal(a.snapshot().lastFailure, null);
  t.match(line.from('a').at(-1), { kind: 'lssu', status: 'SIOS' });
  t.match(states.b.at(-1), { state: 'out-of-service', cause: 'received-SIOS' });
});

t.test('MSUs beyond the retransmission buffer wait for acknowledgements and then go', async (t) => {
  const { clock, a, b, got } = inService();
  const taken = Array.from({ length: 300 }, (_, n) => a.sendMsu(Uint8Array.of(0x85, n >> 8, n & 0xff)));
  t.ok(taken.every(Boolean), 'all 300 taken');
  t.equal(a.snapshot().unacknowledged, 127);
  t.equal(a.snapshot().queued, 300 - 127);
  clock.advance(50);
  t.equal(got.b.length, 300);
  t.ok(got.b.every((d, n) => d[1] === n >> 8 && d[2] === (n & 0xff)), 'in order');
  t.equal(b.state, 'in-service');
  t.throws(() => a.sendMsu(Uint8Array.of(0x85, 1)), { name: 'TypeError' });
});
