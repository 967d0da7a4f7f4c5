import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CardDriver } from '../../card/card-driver.js';
import { combinedBlock } from '../../circuits/circuit-state.js';
import type { CircuitView } from '../isup/isup-stack.js';
import { PriChannels } from './pri-channels.js';
import { encodeQ931 } from './q931-codec.js';
import { Q931Calls } from './q931-calls.js';
import type { Q931CallEnded, Q931IncomingCall } from './q931-calls-types.js';
import { Q921Link, type Q921ReleaseReason, type Q921State, type Q921Timers } from './q921-link.js';
import { registerQ921Metrics } from './q921-metrics.js';
import { registerQ931Metrics } from './q931-metrics.js';
import { snapshotCounters } from './snapshot-counters.js';

export interface PriStackOptions {
  card: CardDriver;
  clock: Clock;
  logger: Logger;
  /** The card's `hdlc` link that carries the D-channel (config `pri.link`). */
  link: number;
  /** The span of that link, for logs and metrics. */
  span: number;
  timers?: Partial<Q921Timers>;
  /** The B-channels the telco provides (config `pri.channels`); all 30 when left out. */
  channels?: readonly number[];
}

/** One D-channel frame as it crossed, for `countyline capture` (LAPD, no FCS). */
export interface PriCapturedFrame {
  at: number;
  direction: 'in' | 'out';
  data: Uint8Array;
}

export interface PriStackEvents {
  capture: (frame: PriCapturedFrame) => void;
  /** A SETUP from the network was taken (CALL PROCEEDING sent on its B-channel). */
  'incoming-call': (call: Q931IncomingCall & { span: number }) => void;
  /** A call ended (the first clearing message either way, a restart, the link). */
  'call-ended': (end: Q931CallEnded) => void;
  /** The D-channel's data link came up (multiple frame established) or went down. */
  'd-channel': (up: boolean) => void;
  /**
   * One of the box's calls moved to another B-channel: repeated there after the network
   * refused the first (cause 34/44), or put there by the network's first answer.
   */
  'call-channel': (e: { callId: number; from: number; to: number }) => void;
}

/** Why the D-channel is down: how Q.921 last released it, or `never-up`. */
export type PriDownReason = Q921ReleaseReason | 'never-up';

/** The PRI part of `countyline status`. */
export interface PriStatusView {
  /** The card's HDLC link in service (the D-channel's timeslot has frames). */
  linkInService: boolean;
  /** Q.921 multiple frame operation established: Q.931 can run. */
  dChannelUp: boolean;
  /** The Q.921 state (`tei-assigned` 4 … `timer-recovery` 8). */
  q921: Q921State;
  /** Times the data link was established, and released or reset under us. */
  establishments: number;
  failures: number;
  /** Since when the D-channel is in its present up or down state (ms since the epoch). */
  since: number;
}

/**
 * ISDN PRI on one E1 span, user side: the D-channel's Q.921 data link on the card's `hdlc`
 * link (`q921-link.ts`), kept up for as long as the stack runs and the card's link is in
 * service: it goes down the moment the link leaves service (LOS, AIS, the card lost), and is
 * established again when the link is back. Frames go to the card only while it is up and the
 * link is in service (otherwise they are counted and dropped); every frame both ways is
 * offered to `countyline capture`.
 */
export class PriStack extends TypedEmitter<PriStackEvents> {
  readonly q921: Q921Link;
  /** Q.931 call control, user side, over the data link. */
  readonly calls: Q931Calls;
  /** The span's B-channels as circuits. */
  readonly channels: PriChannels;
  private restartedOnce = false;
  private linkInService = false;
  private dChannelUp = false;
  private since: number;
  private droppedFrames = 0;
  private down: PriDownReason = 'never-up';
  private readonly unlisten: (() => void)[] = [];

  constructor(private readonly o: PriStackOptions) {
    super();
    const log = o.logger;
    this.since = o.clock.now();
    // The physical layer is down until the card says the D-channel's timeslot is in service.
    this.q921 = new Q921Link({ clock: o.clock, logger: log, send: (frame) => this.sendFrame(frame), physicalUp: false, ...(o.timers && { timers: o.timers }) });
    this.channels = new PriChannels(o.clock, o.span, { ...(o.channels && { channels: o.channels }) });
    this.calls = new Q931Calls({ clock: o.clock, logger: log, channels: this.channels, send: (m) => this.q921.send(encodeQ931(m)) });
    this.calls.on('incoming', (call) => this.emit('incoming-call', { ...call, span: o.span }));
    this.calls.on('call-ended', (end) => this.emit('call-ended', end));
    this.calls.on('restart', ({ channels, by }) => log.info({ span: o.span, channels, by }, channels ? 'PRI B-channels restarted' : 'PRI interface restarted'));
    this.calls.on('error', (e) => log.warn({ span: o.span, code: e.code, callId: e.callId, channels: e.channels }, e.message));
    this.q921.on('info', (payload) => receiveQ931(this.calls, payload, (e) => this.emit('call-channel', e)));
    this.q921.on('established', ({ by, reestablished }) => {
      log.info({ span: o.span, by, reestablished }, reestablished ? 'PRI D-channel re-established' : 'PRI D-channel up');
      this.setUp(true);
      this.calls.linkUp(reestablished);
      // Q.931 5.5: a user starting up restarts its interface, so both sides begin with every
      // B-channel idle.
      if (!this.restartedOnce) {
        this.restartedOnce = true;
        this.calls.restart(null);
      }
    });
    this.q921.on('released', (reason) => {
      log.warn({ span: o.span, reason }, 'PRI D-channel down');
      this.down = reason;
      this.setUp(false);
      this.calls.linkDown();
    });
    this.q921.on('error', (e) => log.warn({ span: o.span, code: e.code, state: e.state }, e.message));
    const card = o.card;
    const onFrame = (m: { link: number; data: Uint8Array }) => {
      if (m.link !== o.link) return;
      this.emit('capture', { at: o.clock.now(), direction: 'in', data: m.data });
      this.q921.receive(m.data);
    };
    const onLinkState = (m: { link: number; state: string }) => {
      if (m.link !== o.link) return;
      const inService = m.state === 'in-service';
      if (inService !== this.linkInService) log.info({ span: o.span, link: o.link, state: m.state }, inService ? 'D-channel timeslot in service' : 'D-channel timeslot out of service');
      this.linkInService = inService;
      // LOS, AIS, a link stopped: the data link goes down at once, and up again with the timeslot.
      this.q921.physicalLayer(inService);
    };
    const onLost = () => {
      this.linkInService = false;
      this.q921.physicalLayer(false);
    };
    card.on('hdlc-frame', onFrame);
    card.on('link-state', onLinkState);
    card.on('card-lost', onLost);
    card.on('card-restarted', onLost);
    this.unlisten.push(() => {
      card.off('hdlc-frame', onFrame);
      card.off('link-state', onLinkState);
      card.off('card-lost', onLost);
      card.off('card-restarted', onLost);
    });
  }

  /** Starts the data link: SABME, and again after each release, until stop(). */
  start(): void {
    this.q921.start();
  }

  /** Releases the data link (DISC) and lets go of the card's events. */
  stop(): void {
    this.calls.stop();
    this.q921.stop();
    for (const off of this.unlisten.splice(0)) off();
  }

  /** The PRI's span. */
  get span(): number {
    return this.o.span;
  }

  get isUp(): boolean {
    return this.dChannelUp;
  }

  /** The card link of the D-channel (config `pri.link`). */
  get link(): number {
    return this.o.link;
  }

  /** Why the D-channel last went down (`never-up` before it first came up). */
  get downReason(): PriDownReason {
    return this.down;
  }

  status(): PriStatusView {
    const s = this.q921.snapshot();
    return {
      linkInService: this.linkInService,
      dChannelUp: this.dChannelUp,
      q921: s.state,
      establishments: s.counters.establishments,
      failures: s.counters.failures,
      since: this.since,
    };
  }

  /**
   * The B-channels as `countyline circuits` lists circuits: the channel number is the CIC and
   * the timeslot; the network controls every channel; there are no ISUP call phases.
   */
  circuits(): CircuitView[] {
    const calls = new Map(this.calls.calls().filter((c) => !c.ended && c.channel !== null).map((c) => [c.channel!, c]));
    return this.channels.group.list().map((row) => ({
      ...row,
      block: combinedBlock(row.maintenance, row.hardware),
      callPhase: null,
      direction: calls.get(row.cic)?.direction ?? null,
      unequipped: false,
      continuity: null,
    }));
  }

  registerMetrics(registry: Registry): void {
    registerQ921Metrics(registry, this.q921, this.o.span);
    registerQ931Metrics(registry, this.calls, this.o.span);
    snapshotCounters(registry, this.o.span, () => this.droppedFrames)(
      'countyline_q921_frames_dropped_total',
      'Q.921 frames the box sent while the card or the D-channel timeslot could not carry them',
      [],
      (n, set) => set({}, n),
    );
  }

  private setUp(up: boolean): void {
    if (up === this.dChannelUp) return;
    this.dChannelUp = up;
    this.since = this.o.clock.now();
    this.emit('d-channel', up);
  }

  private sendFrame(frame: Uint8Array): void {
    const { card, link } = this.o;
    if (!this.linkInService || card.current !== 'up') {
      this.droppedFrames++;
      return;
    }
    this.emit('capture', { at: this.o.clock.now(), direction: 'out', data: frame });
    card.send({ type: 'hdlcFrame', link, data: frame });
  }
}

/**
 * Gives `calls` one Q.931 message and reports each call of the box's that it moved to another
 * B-channel (Q931Calls moves a call of ours only while taking a message in: the repeat after
 * cause 34/44, or the network's first answer naming another channel).
 */
export function receiveQ931(calls: Q931Calls, payload: Uint8Array, moved: (e: { callId: number; from: number; to: number }) => void): void {
  const channels = () => new Map(calls.calls().flatMap((c) => (c.direction === 'out' && c.channel !== null ? [[c.callId, c.channel] as const] : [])));
  const before = channels();
  calls.receive(payload);
  if (before.size === 0) return;
  for (const [callId, to] of channels()) {
    const from = before.get(callId);
    if (from !== undefined && from !== to) moved({ callId, from, to });
  }
}
