import type { CircuitRow } from './circuit-state.js';

/**
 * The two ways Q.764 2.9.1.3 gives to make dual seizure rare on a both-way group:
 *
 * - `controlled-first` (method 2): first the circuits this exchange controls, the one
 *   released longest ago (first in, first out); only when none is free, the other end's
 *   circuits, the one released most recently (last in, first out).
 * - `opposite-order` (method 1): the two ends hunt the group from opposite ends.
 */
export const SELECTION_METHODS = ['controlled-first', 'opposite-order'] as const;
export type SelectionMethod = (typeof SELECTION_METHODS)[number];
export type HuntDirection = 'high-to-low' | 'low-to-high';

/** The hunting direction when the config leaves it out: the higher point code hunts from the top. */
export function defaultHuntDirection(ownPointCode: number, peerPointCode: number): HuntDirection {
  return ownPointCode > peerPointCode ? 'high-to-low' : 'low-to-high';
}

/**
 * The circuit to take among `free` ones (idle, unblocked, acceptable to the caller). Equal
 * release times go to the lower CIC. A linear pass: the exchange's groups are a few E1s, and
 * the simulator does not need the firmware's indexed structures to keep up.
 */
export function selectCircuit(free: Iterable<CircuitRow>, method: SelectionMethod, direction: HuntDirection): CircuitRow | undefined {
  let best: CircuitRow | undefined;
  for (const c of free) if (best === undefined || better(c, best, method, direction)) best = c;
  return best;
}

function better(a: CircuitRow, b: CircuitRow, method: SelectionMethod, direction: HuntDirection): boolean {
  if (method === 'opposite-order') return direction === 'high-to-low' ? a.cic > b.cic : a.cic < b.cic;
  const aOurs = a.controlledBy === 'us';
  if (aOurs !== (b.controlledBy === 'us')) return aOurs;
  if (a.releasedAt !== b.releasedAt) return aOurs ? a.releasedAt < b.releasedAt : a.releasedAt > b.releasedAt;
  return a.cic < b.cic;
}
