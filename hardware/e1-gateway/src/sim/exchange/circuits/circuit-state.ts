/**
 * Call state of one circuit at the exchange:
 *
 *     idle ──our selection──► reserved ──backward message──► outgoing ──release──► idle
 *       │                        ├──their IAM, they control it (we yield)──► incoming
 *       │                        └──release (attempt dropped)──► idle
 *       └──their IAM (or CCR)──► incoming ──release──► idle
 *
 * `reserved` is the dual-seizure window (Q.764 2.9.1.1): our IAM is out, nothing has come
 * back yet, so an IAM from the other end on the same circuit is a dual seizure.
 */
export const CALL_STATES = ['idle', 'reserved', 'outgoing', 'incoming'] as const;
export type CallState = (typeof CALL_STATES)[number];

const MOVES: Readonly<Record<CallState, readonly CallState[]>> = {
  idle: ['reserved', 'incoming'],
  reserved: ['outgoing', 'incoming', 'idle'],
  outgoing: ['idle'],
  incoming: ['idle'],
};

/** Maintenance or hardware blocking, by whom: `local` we blocked it, `remote` the other end did. */
export const BLOCK_STATES = ['none', 'local', 'remote', 'both'] as const;
export type BlockState = (typeof BLOCK_STATES)[number];
export type BlockKind = 'maintenance' | 'hardware';
export type BlockSide = 'local' | 'remote';

export class IllegalCircuitMove extends Error {
  override readonly name = 'IllegalCircuitMove';
}

/** What the exchange keeps of one circuit; `GET /exchange` shows it. */
export interface CircuitRow {
  cic: number;
  span: number;
  timeslot: number;
  call: CallState;
  maintenance: BlockState;
  hardware: BlockState;
  controlledBy: 'us' | 'peer';
  /** When the circuit last went idle (start-up counts), for circuit selection. */
  releasedAt: number;
  /** When the call state last changed. */
  since: number;
  lastRelease: { cause: number; at: number } | null;
}

/** The one guarded move of a circuit's call state. */
export function moveCircuit(row: CircuitRow, to: CallState, now: number): void {
  if (!MOVES[row.call].includes(to)) throw new IllegalCircuitMove(`CIC ${row.cic}: cannot go from ${row.call} to ${to}`);
  row.call = to;
  row.since = now;
}

/** A block state with one side's block put on or taken off. */
export function withSide(state: BlockState, side: BlockSide, on: boolean): BlockState {
  let local = state === 'local' || state === 'both';
  let remote = state === 'remote' || state === 'both';
  if (side === 'local') local = on;
  else remote = on;
  return local ? (remote ? 'both' : 'local') : remote ? 'remote' : 'none';
}

export function blockedBy(state: BlockState, side: BlockSide): boolean {
  return state === side || state === 'both';
}
