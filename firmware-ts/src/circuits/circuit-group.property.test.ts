import t from 'tap';
import { CircuitGroup, type CircuitGroupOptions } from './circuit-group.js';
import { CircuitMap } from './circuit-map.js';
import type { CallState } from './circuit-state.js';
import { seededRandom as mulberry32 } from '@countyline/e1-gateway';

/**
 * Thousands of random operations on a group, each checked against a slow reference that
 * keeps its own state and picks a circuit by scanning all of them. Seeded, so a failure
 * repeats; the message gives seed and step.
 */


interface RefCircuit {
  cic: number;
  span: number;
  ours: boolean;
  call: CallState;
  blocks: Record<'maintenance' | 'hardware', { local: boolean; remote: boolean }>;
  releasedAt: number;
}

class Reference {
  readonly circuits: RefCircuit[];
  constructor(
    map: CircuitMap,
    ours: (cic: number) => boolean,
    private readonly pick: 'controlled-first' | 'high-to-low' | 'low-to-high',
    now: number,
  ) {
    this.circuits = map.circuits.map((c) => ({
      cic: c.cic,
      span: c.span,
      ours: ours(c.cic),
      call: 'idle',
      blocks: { maintenance: { local: false, remote: false }, hardware: { local: false, remote: false } },
      releasedAt: now,
    }));
  }

  get(cic: number): RefCircuit {
    return this.circuits.find((c) => c.cic === cic)!;
  }

  offerable(c: RefCircuit): boolean {
    const b = c.blocks;
    return c.call === 'idle' && !b.maintenance.local && !b.maintenance.remote && !b.hardware.local && !b.hardware.remote;
  }

  /** The spec, written the plain way. */
  choose(): RefCircuit | undefined {
    const free = this.circuits.filter((c) => this.offerable(c));
    if (this.pick === 'low-to-high') return free[0];
    if (this.pick === 'high-to-low') return free[free.length - 1];
    const ours = free.filter((c) => c.ours);
    if (ours.length > 0) return ours.reduce((a, b) => (b.releasedAt < a.releasedAt ? b : a)); // earliest; ties keep the lower CIC
    const theirs = free.filter((c) => !c.ours);
    return theirs.length === 0 ? undefined : theirs.reduce((a, b) => (b.releasedAt > a.releasedAt ? b : a));
  }
}

const map = CircuitMap.fromConfig(
  {
    cics: [
      { firstCic: 1, span: 0, timeslots: '1-15,17-31' },
      { firstCic: 33, span: 1, timeslots: '1-31' },
      { firstCic: 100, span: 2, timeslots: '2-9' },
      { cic: 4095, span: 3, timeslot: 5 },
      { cic: 0, span: 3, timeslot: 6 },
    ],
  },
  [{ span: 0, timeslot: 16 }],
);

interface Coverage {
  reservedTheirs: number;
  noneLeft: number;
  glares: number;
}

function run(seed: number, opts: Omit<CircuitGroupOptions, 'now'>, steps: number, seen: Coverage): string | null {
  const rnd = mulberry32(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const anyCic = () => map.circuits[int(map.size)]!.cic;
  const g = new CircuitGroup(map, { ...opts, now: 0 });
  const pick = g.selection === 'controlled-first' ? 'controlled-first' : g.huntDirection!;
  const ref = new Reference(map, (cic) => g.control.controlledByUs(cic), pick, 0);
  let now = 0;
  for (let step = 0; step < steps; step++) {
    const fail = (what: string) => `seed ${seed} step ${step}: ${what}`;
    // Ties on purpose: time often stands still between operations.
    now += int(3);
    // Swing the load: phases that mostly take circuits, phases that mostly give them back.
    const taking = Math.floor(step / 400) % 2 === 0;
    const r = rnd();
    const cic = anyCic();
    const c = ref.get(cic);
    if (r < (taking ? 0.4 : 0.15)) {
      const expected = ref.choose();
      const got = g.reserve(now);
      if ((got?.cic ?? null) !== (expected?.cic ?? null)) return fail(`reserve gave ${got?.cic ?? 'none'}, reference ${expected?.cic ?? 'none'}`);
      if (expected) expected.call = 'reserved';
      if (expected && !expected.ours) seen.reservedTheirs++;
      if (!expected) seen.noneLeft++;
    } else if (r < 0.6) {
      if (c.call === 'idle') continue;
      const cause = 16;
      g.release(cic, now, cause);
      c.call = 'idle';
      c.releasedAt = now;
    } else if (r < 0.68) {
      const res = g.seizeIncoming(cic, now);
      const expected = c.call === 'idle' ? 'seized' : c.call === 'reserved' ? (c.ours ? 'keep-ours' : 'yield') : 'busy';
      if (res.outcome !== expected) return fail(`IAM on CIC ${cic} (${c.call}) gave ${res.outcome}, reference ${expected}`);
      if (expected === 'seized' || expected === 'yield') c.call = 'incoming';
      if (res.dualSeizure) seen.glares++;
    } else if (r < 0.72) {
      if (c.call !== 'reserved') continue;
      g.confirmOutgoing(cic, now);
      c.call = 'outgoing';
    } else if (r < 0.76) {
      if (c.call !== 'reserved') continue;
      g.cancelReservation(cic, now);
      c.call = 'idle';
    } else if (r < 0.8) {
      const res = g.reserveSpecific(cic, now);
      if (res.ok !== ref.offerable(c)) return fail(`reserveSpecific(${cic}) ok=${res.ok}, reference ${ref.offerable(c)}`);
      if (res.ok) c.call = 'reserved';
    } else if (r < 0.97) {
      const kind = rnd() < 0.5 ? 'maintenance' : 'hardware';
      const side = rnd() < 0.5 ? 'local' : 'remote';
      const block = rnd() < 0.45;
      if (block) g.block(cic, kind, side);
      else g.unblock(cic, kind, side);
      c.blocks[kind][side] = block;
    } else {
      const span = int(4);
      const block = rnd() < 0.5;
      const changed = block ? g.blockSpan(span) : g.unblockSpan(span);
      const expected = ref.circuits.filter((x) => x.span === span && x.blocks.hardware.local !== block).map((x) => x.cic);
      for (const x of ref.circuits) if (x.span === span) x.blocks.hardware.local = block;
      if (changed.join() !== expected.join()) return fail(`span ${span} ${block ? 'block' : 'unblock'} changed [${changed}], reference [${expected}]`);
    }
    // The selector holds exactly the offerable circuits.
    const offerable = ref.circuits.filter((x) => ref.offerable(x)).length;
    if (g.counts().offerable !== offerable) return fail(`offerable ${g.counts().offerable}, reference ${offerable}`);
    if (step % 250 === 0) {
      for (const row of g.list()) {
        const x = ref.get(row.cic);
        const ok = row.call === x.call && row.releasedAt === x.releasedAt && row.hardware === blockName(x.blocks.hardware) && row.maintenance === blockName(x.blocks.maintenance);
        if (!ok) return fail(`CIC ${row.cic}: ${JSON.stringify(row)} differs from reference ${JSON.stringify(x)}`);
      }
    }
  }
  return null;
}

function blockName(b: { local: boolean; remote: boolean }): string {
  return b.local ? (b.remote ? 'both' : 'local') : b.remote ? 'remote' : 'none';
}

const configs: [string, Omit<CircuitGroupOptions, 'now'>][] = [
  ['controlled-first, higher point code', { ownPointCode: 2000, peerPointCode: 1000 }],
  ['controlled-first, lower point code', { ownPointCode: 1000, peerPointCode: 2000 }],
  ['controlled-first, control all', { ownPointCode: 1000, peerPointCode: 2000, control: 'all' }],
  ['controlled-first, control none', { ownPointCode: 1000, peerPointCode: 2000, control: 'none' }],
  ['opposite-order, high-to-low', { ownPointCode: 2000, peerPointCode: 1000, selection: 'opposite-order' }],
  ['opposite-order, low-to-high', { ownPointCode: 2000, peerPointCode: 1000, selection: 'opposite-order', huntDirection: 'low-to-high' }],
];

for (const [name, opts] of configs) {
  t.test(`random operations agree with the reference: ${name}`, async (t) => {
    const seen: Coverage = { reservedTheirs: 0, noneLeft: 0, glares: 0 };
    for (const seed of [1, 2, 3]) {
      t.equal(run(seed * 7919, opts, 4000, seen), null, `seed ${seed * 7919}, 4000 operations`);
    }
    // The runs must reach the cases that matter, or agreeing proves little.
    t.ok(seen.noneLeft > 0, `group ran out of circuits ${seen.noneLeft} times`);
    t.ok(seen.glares > 0, `${seen.glares} dual seizures`);
    if (opts.control !== 'all') t.ok(seen.reservedTheirs > 0, `${seen.reservedTheirs} circuits taken from the far end's share`);
  });
}
