/**
 * The CIC <-> span/timeslot map of one circuit group, from config.
 *
 * Config shape (`CircuitMapConfig`): a list under `cics`, each entry one of
 *
 *   { firstCic: 1, span: 0, timeslots: "1-15,17-31" }   range entry: the timeslots in the order
 *                                                        written get consecutive CICs from
 *                                                        firstCic (here CIC 1-15 on ts1-15,
 *                                                        CIC 16-30 on ts17-31); `timeslots` may
 *                                                        also be an array of numbers
 *   { cic: 40, span: 1, timeslot: 16 }                   one circuit
 *
 * The CIC is agreed bilaterally with the far exchange and need not follow the timeslot
 * number; what matters is that both ends map the same CIC to the same bearer.
 *
 * Rules checked, each error naming the entry (`cics[2]`):
 * - CIC 0..4095: ITU ISUP carries the CIC in 12 bits (Q.763 1.2).
 * - timeslot 1..31: ts0 carries frame alignment and CRC-4 (G.704 2.3) and is never a bearer.
 * - a timeslot the caller names as signalling (an SS7 link, usually ts16) is not a bearer;
 *   ts16 of any other span is an ordinary bearer (ISUP needs no CAS).
 * - no CIC twice, no span/timeslot twice.
 */

/** ITU ISUP CIC field is 12 bits (Q.763 1.2). */
export const MAX_CIC = 4095;
const TIMESLOTS_PER_SPAN = 32;

export interface CircuitRangeEntry {
  firstCic: number;
  span: number;
  /** e.g. "1-15,17-31", or [1, 2, 3]; CICs are given in the order written. */
  timeslots: string | readonly number[];
}

export interface CircuitSingleEntry {
  cic: number;
  span: number;
  timeslot: number;
}

export type CircuitMapEntry = CircuitRangeEntry | CircuitSingleEntry;

export interface CircuitMapConfig {
  cics: readonly CircuitMapEntry[];
}

/** A timeslot that carries signalling (an SS7 link), in the card config's `links` shape. */
export interface SignallingTimeslot {
  span: number;
  timeslot: number;
}

/** One bearer circuit. `index` is its position in CIC order (0 = lowest CIC of the group). */
export interface Circuit {
  readonly cic: number;
  readonly span: number;
  readonly timeslot: number;
  readonly index: number;
}

/** The config is wrong; `entry` names the config entry at fault (e.g. `cics[2]`). */
export class CircuitMapError extends Error {
  constructor(
    readonly entry: string,
    message: string,
  ) {
    super(`circuit map ${entry}: ${message}`);
    this.name = 'CircuitMapError';
  }
}

export class CircuitMap {
  /** Every circuit, ascending CIC. */
  readonly circuits: readonly Circuit[];
  private readonly indexByCic: Int32Array;
  private readonly bySlot: Map<number, Circuit>;
  private readonly bySpan: Map<number, Circuit[]>;

  private constructor(circuits: Circuit[]) {
    this.circuits = circuits;
    this.indexByCic = new Int32Array(MAX_CIC + 1).fill(-1);
    this.bySlot = new Map();
    this.bySpan = new Map();
    for (const c of circuits) {
      this.indexByCic[c.cic] = c.index;
      this.bySlot.set(slotKey(c.span, c.timeslot), c);
      const onSpan = this.bySpan.get(c.span);
      if (onSpan) onSpan.push(c);
      else this.bySpan.set(c.span, [c]);
    }
  }

  /** Builds and validates the map; throws `CircuitMapError` naming the first bad entry. */
  static fromConfig(config: CircuitMapConfig, signalling: readonly SignallingTimeslot[] = []): CircuitMap {
    if (!config || !Array.isArray(config.cics)) throw new CircuitMapError('cics', 'must be a list of entries');
    const signallingSlots = new Set(signalling.map((s) => slotKey(s.span, s.timeslot)));
    const cicOwner = new Map<number, string>();
    const slotOwner = new Map<number, { entry: string; cic: number }>();
    const raw: { cic: number; span: number; timeslot: number }[] = [];

    config.cics.forEach((e: CircuitMapEntry, i) => {
      const entry = `cics[${i}]`;
      for (const { cic, span, timeslot } of expand(entry, e)) {
        const where = `CIC ${cic} (span ${span} ts${timeslot})`;
        if (cic > MAX_CIC) throw new CircuitMapError(entry, `${where}: CIC must be 0..${MAX_CIC} (ISUP carries 12 bits)`);
        if (timeslot === 0) throw new CircuitMapError(entry, `${where}: ts0 carries frame alignment and is never a bearer; use 1..31`);
        if (timeslot < 1 || timeslot >= TIMESLOTS_PER_SPAN) throw new CircuitMapError(entry, `${where}: timeslot must be 1..31`);
        if (signallingSlots.has(slotKey(span, timeslot))) {
          throw new CircuitMapError(entry, `${where}: span ${span} ts${timeslot} carries signalling, so it cannot be a bearer`);
        }
        const cicPrev = cicOwner.get(cic);
        if (cicPrev !== undefined) throw new CircuitMapError(entry, `${where}: CIC ${cic} is already mapped by ${cicPrev}`);
        const slotPrev = slotOwner.get(slotKey(span, timeslot));
        if (slotPrev !== undefined) {
          throw new CircuitMapError(entry, `${where}: span ${span} ts${timeslot} already carries CIC ${slotPrev.cic} (${slotPrev.entry})`);
        }
        cicOwner.set(cic, entry);
        slotOwner.set(slotKey(span, timeslot), { entry, cic });
        raw.push({ cic, span, timeslot });
      }
    });
    if (raw.length === 0) throw new CircuitMapError('cics', 'the group has no circuits');
    raw.sort((a, b) => a.cic - b.cic);
    // A literal, not a spread: V8 keeps spread-then-frozen objects in slow (dictionary) mode,
    // four times the memory on a 4,096-circuit group.
    return new CircuitMap(raw.map((c, index) => Object.freeze({ cic: c.cic, span: c.span, timeslot: c.timeslot, index })));
  }

  get size(): number {
    return this.circuits.length;
  }

  byCic(cic: number): Circuit | undefined {
    if (!Number.isInteger(cic) || cic < 0 || cic > MAX_CIC) return undefined;
    const index = this.indexByCic[cic]!;
    return index < 0 ? undefined : this.circuits[index];
  }

  byTimeslot(span: number, timeslot: number): Circuit | undefined {
    return this.bySlot.get(slotKey(span, timeslot));
  }

  /** The circuits on one span, ascending CIC (empty when the span has none). */
  onSpan(span: number): readonly Circuit[] {
    return this.bySpan.get(span) ?? [];
  }
}

function slotKey(span: number, timeslot: number): number {
  return span * TIMESLOTS_PER_SPAN + timeslot;
}

function expand(entry: string, e: CircuitMapEntry): { cic: number; span: number; timeslot: number }[] {
  if (typeof e !== 'object' || e === null) throw new CircuitMapError(entry, 'must be { firstCic, span, timeslots } or { cic, span, timeslot }');
  const span = integer(entry, 'span', e.span, 0);
  if ('firstCic' in e) {
    const firstCic = integer(entry, 'firstCic', e.firstCic, 0);
    return parseTimeslots(entry, e.timeslots).map((timeslot, k) => ({ cic: firstCic + k, span, timeslot }));
  }
  if ('cic' in e) {
    return [{ cic: integer(entry, 'cic', e.cic, 0), span, timeslot: integer(entry, 'timeslot', e.timeslot, 0) }];
  }
  throw new CircuitMapError(entry, 'must have either firstCic (with timeslots) or cic (with timeslot)');
}

function integer(entry: string, field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new CircuitMapError(entry, `${field} must be a whole number >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** "1-15,17-31" -> [1..15, 17..31]; an array is taken as it is. */
function parseTimeslots(entry: string, spec: unknown): number[] {
  if (Array.isArray(spec)) {
    if (spec.length === 0) throw new CircuitMapError(entry, 'timeslots is empty');
    return spec.map((v) => integer(entry, 'each timeslot', v, 0));
  }
  if (typeof spec !== 'string') throw new CircuitMapError(entry, 'timeslots must be a string like "1-15,17-31" or a list of numbers');
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new CircuitMapError(entry, `cannot read timeslots "${spec}": write ranges like "1-15,17-31"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new CircuitMapError(entry, `timeslot range "${part.trim()}" runs backwards; write it low-high`);
    if (to >= TIMESLOTS_PER_SPAN) throw new CircuitMapError(entry, `timeslot ${to} in "${spec}" is out of range: timeslot must be 1..31`);
    for (let ts = from; ts <= to; ts++) out.push(ts);
  }
  return out;
}
