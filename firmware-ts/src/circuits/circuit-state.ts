/**
 * The state of one circuit as three independent fields (Q.764 2.8, 2.9; the circuit state
 * indicator that CQR reports has the same split):
 *
 *   call         idle | reserved | outgoing | incoming
 *   maintenance  none | local | remote | both      (BLO/UBL, CGB/CGU maintenance oriented)
 *   hardware     none | local | remote | both      (span alarms, CGB/CGU hardware oriented)
 *
 * Call states:
 *   idle      no call.
 *   reserved  taken by us for an outgoing call, and no backward message yet: the IAM may or
 *             may not have left. This is the "transient" window in which an incoming IAM is a
 *             dual seizure (Q.764 2.9.1); reserving happens before the IAM is sent, so two
 *             local callers never race for one circuit.
 *   outgoing  outgoing busy: a backward message (ACM, CON, ANM, CPG...) has come back.
 *   incoming  incoming busy: the far end seized it with an IAM.
 *
 * Call moves (anything else throws `IllegalTransitionError`):
 *
 *   idle ──reserve──► reserved ──confirm──► outgoing ──release──► idle
 *    │                 │  │ └──cancel (no IAM left)──► idle
 *    │                 │  └──release──► idle
 *    │                 └──yield (dual seizure, not controlling)──► incoming
 *    └──seize──► incoming ──release──► idle
 *
 * Blocks: each side (local = we blocked, remote = the far end blocked) is set and cleared on
 * its own. Blocking a side already blocked, or unblocking one that is not, changes nothing and
 * is not an error: Q.764 2.8 answers a repeated BLO/UBL with BLA/UBA again.
 *
 * A circuit can be offered for a new call only when call is idle and both blocks are none.
 */
export type CallState = 'idle' | 'reserved' | 'outgoing' | 'incoming';
export type BlockState = 'none' | 'local' | 'remote' | 'both';
export type BlockKind = 'maintenance' | 'hardware';
export type BlockSide = 'local' | 'remote';
export type CallEvent = 'reserve' | 'confirm' | 'cancel' | 'yield' | 'seize' | 'release';

export const CALL_STATES: readonly CallState[] = ['idle', 'reserved', 'outgoing', 'incoming'];

const CALL_MOVES: Record<CallState, Partial<Record<CallEvent, CallState>>> = {
  idle: { reserve: 'reserved', seize: 'incoming' },
  reserved: { confirm: 'outgoing', cancel: 'idle', yield: 'incoming', release: 'idle' },
  outgoing: { release: 'idle' },
  incoming: { release: 'idle' },
};

export class IllegalTransitionError extends Error {
  constructor(
    readonly cic: number,
    readonly from: CallState,
    readonly event: CallEvent,
  ) {
    super(`CIC ${cic}: cannot ${event} a circuit whose call state is ${from}`);
    this.name = 'IllegalTransitionError';
  }
}

/** The last release of a circuit, for the CLI: Q.850 cause value and when. */
export interface LastRelease {
  cause: number;
  at: number;
}

export function blockAfter(from: BlockState, move: 'block' | 'unblock', side: BlockSide): BlockState {
  const local = side === 'local' ? move === 'block' : from === 'local' || from === 'both';
  const remote = side === 'remote' ? move === 'block' : from === 'remote' || from === 'both';
  return local ? (remote ? 'both' : 'local') : remote ? 'remote' : 'none';
}

export class CircuitState {
  private callState: CallState = 'idle';
  private blocks: Record<BlockKind, BlockState> = { maintenance: 'none', hardware: 'none' };
  private released: number;
  private changed: number;
  private last: LastRelease | null = null;

  /** `now`: when the circuit came into service; it counts as released then. */
  constructor(
    readonly cic: number,
    now: number,
  ) {
    this.released = now;
    this.changed = now;
  }

  get call(): CallState {
    return this.callState;
  }
  get maintenance(): BlockState {
    return this.blocks.maintenance;
  }
  get hardware(): BlockState {
    return this.blocks.hardware;
  }
  /** When the last call on it ended: the key of controlled-first selection. */
  get releasedAt(): number {
    return this.released;
  }
  /** When the call state last changed. */
  get since(): number {
    return this.changed;
  }
  get lastRelease(): LastRelease | null {
    return this.last;
  }
  get offerable(): boolean {
    return this.callState === 'idle' && this.blocks.maintenance === 'none' && this.blocks.hardware === 'none';
  }

  /**
   * The one guarded call move. `release` needs the Q.850 cause and stamps `releasedAt`;
   * `cancel` gives back a reservation no IAM was sent for, so the circuit keeps its old
   * `releasedAt` (it was never used) and returns to its old place in the idle order.
   */
  transition(event: CallEvent, now: number, cause?: number): CallState {
    const to = CALL_MOVES[this.callState][event];
    if (to === undefined) throw new IllegalTransitionError(this.cic, this.callState, event);
    if (event === 'release') {
      if (cause === undefined || !Number.isInteger(cause) || cause < 0 || cause > 127) {
        throw new RangeError(`CIC ${this.cic}: release needs a Q.850 cause value 0..127, got ${String(cause)}`);
      }
      this.released = now;
      this.last = { cause, at: now };
    }
    this.callState = to;
    this.changed = now;
    return to;
  }

  setBlock(kind: BlockKind, move: 'block' | 'unblock', side: BlockSide): BlockState {
    this.blocks[kind] = blockAfter(this.blocks[kind], move, side);
    return this.blocks[kind];
  }
}

/** Any block on a circuit, maintenance or hardware: `none`, `local`, `remote` or `both`. */
export function combinedBlock(a: BlockState, b: BlockState): BlockState {
  const local = a === 'local' || a === 'both' || b === 'local' || b === 'both';
  const remote = a === 'remote' || a === 'both' || b === 'remote' || b === 'both';
  return local && remote ? 'both' : local ? 'local' : remote ? 'remote' : 'none';
}
