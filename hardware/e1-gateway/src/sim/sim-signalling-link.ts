import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { HdlcPeerSnapshot } from './hdlc-peer.js';
import type { LinkState } from '../protocol/index.js';
import { Mtp2LineSide, type Mtp2LineSnapshot } from './mtp2/mtp2-line-side.js';
import type { Mtp2TimerValues } from './mtp2/mtp2-timers.js';
import type { Mtp2Transport } from './mtp2/peer-socket.js';
import type { Timers } from './sim-timers.js';
import { TimedLineSide } from './timed-line-side.js';

export { ALIGNMENT_MS } from './timed-line-side.js';

export interface LinkConfig {
  span: number;
  timeslot: number;
  mode: 'mtp2' | 'hdlc';
}

/**
 * What runs on the line side of a signalling link: the abstract timing for a far end
 * simulated at MSU level (`TimedLineSide`), or MTP2 against a far end of its own
 * (`Mtp2LineSide`). The link starts it while the host has it started and the span can carry
 * signalling, and stops it otherwise.
 */
export interface LinkLineSide {
  /** The state the host is told. */
  readonly state: LinkState;
  /** True when MSUs go through `sendMsu` rather than to the signalling peer. */
  readonly carriesMsus: boolean;
  start(emergency: boolean): void;
  stop(): void;
  /** Whether the line can carry anything now: the link is configured on a span without LOS, LOF, LMFA or AIS. */
  setCarrier(on: boolean): void;
  sendMsu?(data: Uint8Array): boolean;
  snapshot(): Mtp2LineSnapshot | null;
  close(): void;
}

/** The line side of link 0 when it runs MTP2 against an outside far end. */
export interface Mtp2LineConfig {
  transport: Mtp2Transport;
  clock: Clock;
  timers?: Partial<Mtp2TimerValues>;
  fillMs?: number;
  restartMs?: number;
  logger?: Logger;
}

export interface SimSignallingLinkOptions {
  index: number;
  timers: Timers;
  /** Normal proving period (Q.703 T4 with Pn) of the abstract timing; the simulator compresses it, default 500 ms. */
  provingMs: number;
  /** Whether the span can carry signalling now (no LOS, LOF, LMFA or AIS). */
  spanUsable: (span: number) => boolean;
  onState: (link: number, state: LinkState) => void;
  /** Run MTP2 on the line side instead of the abstract timing. */
  mtp2?: Mtp2LineConfig;
  /** An MSU the line side's MTP2 received, for the host. */
  onMsu?: (link: number, data: Uint8Array) => void;
}

export interface LinkSnapshot {
  link: number;
  config: LinkConfig | null;
  started: boolean;
  state: LinkState;
  /** Frames (MSUs or HDLC frames) from the host, passed to the peer, sent to the host, dropped. */
  counters: { fromHost: number; toPeer: number; toHost: number; dropped: number };
  /** The line side's MTP2, when it runs one (link 0 with `--mtp2-peer`); else null. */
  mtp2: Mtp2LineSnapshot | null;
  /** The HDLC peer socket's relay, on the link it takes (link 0 with `--hdlc-peer`); else null. The card fills it in. */
  hdlcPeer: HdlcPeerSnapshot | null;
}

/**
 * One signalling link as the card runs it: configured onto a span/timeslot, started by
 * the host, then aligned and proved before it carries traffic (Q.703 7). A span defect takes
 * it out of service; a link the host has started realigns by itself once the span is usable
 * again, as MTP2 does after a failure.
 */
export class SimSignallingLink {
  config: LinkConfig | null = null;
  started = false;
  readonly counters = { fromHost: 0, toPeer: 0, toHost: 0, dropped: 0 };
  readonly line: LinkLineSide;
  private emergency = false;
  private running = false;
  private carrier = false;

  constructor(private readonly opts: SimSignallingLinkOptions) {
    const onState = (state: LinkState) => opts.onState(opts.index, state);
    this.line = opts.mtp2
      ? new Mtp2LineSide({ ...opts.mtp2, onState, onMsu: (data) => opts.onMsu?.(opts.index, data) })
      : new TimedLineSide({ timers: opts.timers, provingMs: opts.provingMs, onState });
  }

  get index(): number {
    return this.opts.index;
  }

  get state(): LinkState {
    return this.line.state;
  }

  get inService(): boolean {
    return this.state === 'in-service';
  }

  configure(config: LinkConfig): void {
    this.config = { ...config };
    this.update();
  }

  /** Host `linkControl start` (or `emergency`, which proves for the shorter period). */
  start(emergency: boolean): void {
    this.started = true;
    this.emergency = emergency;
    this.update();
  }

  /** Host `linkControl stop`. */
  stop(): void {
    this.started = false;
    this.update();
  }

  /** The span's defects changed. */
  spanChanged(): void {
    this.update();
  }

  /** Card reset: the link forgets its configuration. */
  resetCard(): void {
    this.started = false;
    this.config = null;
    this.update();
  }

  /** The simulator stops: the line side lets go of its far end. */
  close(): void {
    this.line.close();
  }

  snapshot(): LinkSnapshot {
    return {
      link: this.index,
      config: this.config && { ...this.config },
      started: this.started,
      state: this.state,
      counters: { ...this.counters },
      mtp2: this.line.snapshot(),
      hdlcPeer: null,
    };
  }

  /** Starts or stops the line side as the host's commands and the span allow. */
  private update(): void {
    const carrier = this.config !== null && this.opts.spanUsable(this.config.span);
    if (carrier !== this.carrier) {
      this.carrier = carrier;
      this.line.setCarrier(carrier);
    }
    const run = this.started && carrier;
    if (run && !this.running) this.line.start(this.emergency);
    else if (!run && this.running) this.line.stop();
    this.running = run;
  }
}
