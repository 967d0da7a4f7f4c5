import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Clock } from '../../clock.js';
import type { LinkState } from '../../protocol/index.js';
import type { LinkLineSide } from '../sim-signalling-link.js';
import { Timers, type Timer } from '../sim-timers.js';
import type { AlignmentState } from './initial-alignment.js';
import { Mtp2Link, type Mtp2Cause, type Mtp2Snapshot, type Mtp2State } from './mtp2-link.js';
import type { Mtp2TimerValues } from './mtp2-timers.js';
import type { Mtp2Transport, PeerSocketSnapshot } from './peer-socket.js';

/** Q.704 16.8 T17: a failed link is started again after this delay (800-1500 ms), to avoid rapid oscillation. */
export const RESTART_MS = 1000;

export interface Mtp2LineSideOptions {
  clock: Clock;
  transport: Mtp2Transport;
  timers?: Partial<Mtp2TimerValues>;
  /** How often FISUs or LSSUs are repeated; see Mtp2LinkOptions. */
  fillMs?: number;
  /** Delay before a failed link aligns again (T17); default 1000 ms. */
  restartMs?: number;
  onState: (state: LinkState) => void;
  onMsu: (data: Uint8Array) => void;
  logger?: Logger;
}

/** What `GET /state` shows of a link whose line side runs MTP2. */
export interface Mtp2LineSnapshot extends Mtp2Snapshot {
  /** The datagrams on the peer socket. */
  transport: PeerSocketSnapshot;
}

/**
 * The line side of a signalling link as the card's MCU runs it: MTP2 (Q.703) against the
 * far end over a transport (the peer socket), one signal unit per datagram, CK written but
 * not checked. The host sees the MTP2 state reduced to the card protocol's link states;
 * a link the host started is aligned again T17 after a failure, as long as it stays started.
 */
export class Mtp2LineSide implements LinkLineSide {
  readonly carriesMsus = true;
  state: LinkState = 'out-of-service';
  private readonly mtp2: Mtp2Link;
  private readonly timers: Timers;
  private readonly log: Logger;
  private running = false;
  private emergency = false;
  private restart: Timer | undefined;

  constructor(private readonly opts: Mtp2LineSideOptions) {
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.timers = new Timers(opts.clock);
    this.mtp2 = new Mtp2Link({
      clock: opts.clock,
      send: (su) => opts.transport.send(su),
      timers: opts.timers,
      fillMs: opts.fillMs,
      checkFcs: false,
      powered: false,
      logger: this.log,
    });
    this.mtp2.on('state', (state, alignment, cause) => this.changed(state, alignment, cause));
    this.mtp2.on('msu', (data) => opts.onMsu(data));
    opts.transport.onReceive((su) => this.mtp2.receive(su));
  }

  start(emergency: boolean): void {
    this.running = true;
    this.emergency = emergency;
    this.mtp2.start(emergency);
  }

  stop(): void {
    this.running = false;
    this.restart?.cancel();
    this.mtp2.stop();
  }

  /** Without carrier (no configuration, or a span defect) the link sends and hears nothing. */
  setCarrier(on: boolean): void {
    if (on) this.mtp2.powerOn();
    else this.mtp2.powerOff();
  }

  sendMsu(data: Uint8Array): boolean {
    return this.mtp2.sendMsu(data);
  }

  snapshot(): Mtp2LineSnapshot {
    return { ...this.mtp2.snapshot(), transport: this.opts.transport.snapshot() };
  }

  close(): void {
    this.running = false;
    this.timers.cancelAll();
    this.mtp2.close();
    this.opts.transport.onReceive(undefined);
  }

  private changed(state: Mtp2State, alignment: AlignmentState, cause: Mtp2Cause | undefined): void {
    const reported = hostState(state, alignment);
    if (reported !== this.state) {
      this.state = reported;
      this.opts.onState(reported);
    }
    if (state === 'out-of-service' && cause !== undefined && cause !== 'stop' && this.running) {
      this.log.info({ cause, restartMs: this.restartMs }, 'MTP2 link failed; aligning again after T17');
      this.restart?.cancel();
      this.restart = this.timers.after(this.restartMs, () => {
        if (this.running) this.mtp2.start(this.emergency);
      });
    }
  }

  private get restartMs(): number {
    return this.opts.restartMs ?? RESTART_MS;
  }
}

/**
 * The card protocol's link states (PROTOCOL.md `linkState`) from the MTP2 state: aligned
 * ready counts as proving still, since the link carries no MSUs until the far end has
 * proved too; power off (no carrier) is out of service.
 */
export function hostState(state: Mtp2State, alignment: AlignmentState): LinkState {
  switch (state) {
    case 'power-off':
    case 'out-of-service':
      return 'out-of-service';
    case 'initial-alignment':
      return alignment === 'proving' ? 'proving' : 'alignment';
    case 'aligned-ready':
      return 'proving';
    case 'in-service':
      return 'in-service';
    case 'processor-outage':
      return 'processor-outage';
  }
}
