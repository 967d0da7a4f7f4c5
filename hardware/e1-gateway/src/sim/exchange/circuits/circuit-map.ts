import { MAX_CIC } from '../isup/isup-codec.js';

/**
 * One entry of the exchange's circuit list, as its `--exchange` file writes it: a run of
 * timeslots on a span numbered from `firstCic` up, or one circuit.
 */
export type CircuitMapEntry = { firstCic: number; span: number; timeslots: string | readonly number[] } | { cic: number; span: number; timeslot: number };

/** A circuit: its CIC and the E1 timeslot that carries it. */
export interface CircuitPlace {
  cic: number;
  span: number;
  timeslot: number;
}

/** The largest span number a card may have. */
const MAX_SPAN = 255;

/**
 * The exchange's circuit group: which CIC is which timeslot. Timeslot 0 carries the E1 frame
 * alignment (G.704), so it is never a circuit; a CIC or a timeslot may appear only once.
 */
export class CircuitMap {
  /** Every circuit, by CIC ascending. */
  readonly circuits: readonly CircuitPlace[];
  private readonly cics = new Map<number, CircuitPlace>();
  private readonly slots = new Map<string, CircuitPlace>();

  private constructor(circuits: CircuitPlace[]) {
    this.circuits = [...circuits].sort((a, b) => a.cic - b.cic);
    for (const c of this.circuits) {
      this.cics.set(c.cic, c);
      this.slots.set(slotKey(c.span, c.timeslot), c);
    }
  }

  /** Builds the map from config entries; throws a TypeError naming the entry at fault. */
  static fromEntries(entries: unknown): CircuitMap {
    if (!Array.isArray(entries) || entries.length === 0) throw new TypeError('cics must be a list of at least one {firstCic, span, timeslots} or {cic, span, timeslot}');
    const circuits: CircuitPlace[] = [];
    const seenCic = new Map<number, string>();
    const seenSlot = new Map<string, string>();
    entries.forEach((entry: unknown, i) => {
      const where = `cics[${i}]`;
      for (const c of expand(entry, where)) {
        const cicIn = seenCic.get(c.cic);
        if (cicIn) throw new TypeError(`${where}: CIC ${c.cic} is already in ${cicIn}`);
        const slotIn = seenSlot.get(slotKey(c.span, c.timeslot));
        if (slotIn) throw new TypeError(`${where}: span ${c.span} ts${c.timeslot} is already a circuit of ${slotIn}`);
        seenCic.set(c.cic, where);
        seenSlot.set(slotKey(c.span, c.timeslot), where);
        circuits.push(c);
      }
    });
    return new CircuitMap(circuits);
  }

  get size(): number {
    return this.circuits.length;
  }

  has(cic: number): boolean {
    return this.cics.has(cic);
  }

  byCic(cic: number): CircuitPlace | undefined {
    return this.cics.get(cic);
  }

  byTimeslot(span: number, timeslot: number): CircuitPlace | undefined {
    return this.slots.get(slotKey(span, timeslot));
  }

  /** Runs of consecutive CICs, each at most `max` long: what one GRS may cover. */
  contiguousRuns(max: number): { firstCic: number; count: number }[] {
    const runs: { firstCic: number; count: number }[] = [];
    for (const { cic } of this.circuits) {
      const last = runs.at(-1);
      if (last && last.firstCic + last.count === cic && last.count < max) last.count++;
      else runs.push({ firstCic: cic, count: 1 });
    }
    return runs;
  }
}

function expand(entry: unknown, where: string): CircuitPlace[] {
  if (typeof entry !== 'object' || entry === null) throw new TypeError(`${where}: must be {firstCic, span, timeslots} or {cic, span, timeslot}`);
  const e = entry as Record<string, unknown>;
  const keys = Object.keys(e).sort().join(',');
  if (keys === 'firstCic,span,timeslots') {
    const span = whole(e.span, `${where}.span`, 0, MAX_SPAN);
    const first = whole(e.firstCic, `${where}.firstCic`, 0, MAX_CIC);
    const slots = timeslotList(e.timeslots, `${where}.timeslots`);
    if (first + slots.length - 1 > MAX_CIC) throw new TypeError(`${where}: ${slots.length} circuits from CIC ${first} go past CIC ${MAX_CIC}`);
    return slots.map((timeslot, i) => ({ cic: first + i, span, timeslot }));
  }
  if (keys === 'cic,span,timeslot') {
    return [{ cic: whole(e.cic, `${where}.cic`, 0, MAX_CIC), span: whole(e.span, `${where}.span`, 0, MAX_SPAN), timeslot: timeslot(e.timeslot, `${where}.timeslot`) }];
  }
  throw new TypeError(`${where}: has fields ${keys || 'none'}; give either firstCic, span, timeslots or cic, span, timeslot`);
}

/** "1-15,17-31" or [1, 2, 3]: timeslots in the order given, each 1 to 31. */
function timeslotList(value: unknown, where: string): number[] {
  if (Array.isArray(value)) {
    if (value.length === 0) throw new TypeError(`${where}: the list is empty`);
    return value.map((v, i) => timeslot(v, `${where}[${i}]`));
  }
  if (typeof value !== 'string') throw new TypeError(`${where}: must be text like "1-15,17-31" or a list of timeslots`);
  const out: number[] = [];
  for (const part of value.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new TypeError(`${where}: "${part}" is not a timeslot or a range like 17-31`);
    const from = timeslot(Number(m[1]), where);
    const to = m[2] === undefined ? from : timeslot(Number(m[2]), where);
    if (to < from) throw new TypeError(`${where}: range ${from}-${to} runs backwards`);
    for (let ts = from; ts <= to; ts++) out.push(ts);
  }
  return out;
}

function timeslot(value: unknown, where: string): number {
  if (value === 0) throw new TypeError(`${where}: ts0 carries the E1 frame alignment and is never a circuit; use 1 to 31`);
  return whole(value, where, 1, 31);
}

function whole(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new TypeError(`${where} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return value;
}

function slotKey(span: number, timeslot: number): string {
  return `${span}/${timeslot}`;
}
