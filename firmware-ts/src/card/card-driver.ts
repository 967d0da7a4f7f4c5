import {
  CardLink,
  CardRequestError,
  PROTOCOL_VERSION,
  TypedEmitter,
  type CardCodecError,
  type CardLinkStats,
  type CardMessage,
  type Clock,
  type MessageOf,
  type TimerHandle,
} from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { CardState, type Inventory, type LinkView } from './card-state.js';
import { TransportOpenError, type CardTransport, type OpenTransport } from './card-transport.js';

/** Where the driver is with its card. Only `up` means commands can be sent. */
export type CardDriverState = 'closed' | 'opening' | 'handshake' | 'up' | 'lost';

/** What is wrong with the card link, for the log and for `countyline status`. */
export type CardErrorCode = 'open-failed' | 'port-closed' | 'card-silent' | 'version-mismatch' | 'card-lost' | 'setup-failed';
export interface CardError {
  code: CardErrorCode;
  /** English explanation with what to check; the CLI translates by `code`. */
  message: string;
  path: string;
  at: number;
  detail?: string;
  peerVersion?: number;
}

export interface SpanSetup {
  crc4: boolean;
  clock: 'line' | 'internal';
}
export type LinkSetup = Omit<LinkView, 'state' | 'link'>;

export interface CardDriverOptions {
  path: string;
  baudRate: number;
  openTransport: OpenTransport;
  clock: Clock;
  logger: Logger;
  /** Sent in hello so the card's log says who talks to it. */
  hostName: string;
  /** Framing and clock per span; spans past the end of the list get the last entry. */
  spans: SpanSetup[];
  /** Signalling links to bring up, in card link order (link 0, 1, ...). */
  links: LinkSetup[];
  /** No heartbeat for this long means the card is lost. The card beats every second. */
  heartbeatTimeoutMs?: number;
  /** Below this line voltage an FXO port has no battery (`trunks.fxo.batteryThresholdV`); default 3 V. */
  batteryThresholdV?: number;
  /** Wait before opening the port again after it failed or closed. */
  reopenMs?: number;
  /** Wait before saying hello again after the card did not answer. */
  handshakeRetryMs?: number;
  retransmitMs?: number;
  attempts?: number;
  /**
   * How often to ask the card for a full snapshot while up. Every change is sent as an event
   * and repeated until acknowledged, so this only repairs the rare event lost after every
   * repeat on a very noisy line.
   */
  auditMs?: number;
}

type Ev<T extends CardMessage['type']> = (message: MessageOf<T>) => void;

/** Commands that put a timeslot or a line back to rest. */
export type RestCommand = MessageOf<'tsLoopback'> | MessageOf<'tsTone'> | MessageOf<'fxoHook'>;

function restKey(m: RestCommand): string {
  return m.type === 'fxoHook' ? `fxo/${m.port}` : `${m.type}/${m.span}/${m.timeslot}`;
}
export interface CardDriverEvents {
  state: (state: CardDriverState) => void;
  /** First successful handshake since start. */
  'card-up': (inventory: Inventory) => void;
  /** No heartbeat, or the port went away. */
  'card-lost': (error: CardError) => void;
  /** Handshake succeeded again after `card-lost` or a card restart. */
  'card-back': (inventory: Inventory) => void;
  /** The card reported it started (power-on, reset, watchdog); the driver sets it up again. */
  'card-restarted': (reason: MessageOf<'cardStarted'>['reason']) => void;
  'card-error': (error: CardError) => void;
  /** A rest command (`commandOrReport`) the card did not take; it is sent again when the card is back. */
  'command-failed': (command: RestCommand, purpose: string) => void;
  'frame-error': (error: CardCodecError) => void;
  'span-status': Ev<'spanStatus'>;
  'span-counters': Ev<'spanCounters'>;
  'link-state': Ev<'linkState'>;
  msu: Ev<'msu'>;
  'hdlc-frame': Ev<'hdlcFrame'>;
  'tone-detect': Ev<'tsToneDetect'>;
  'fxo-status': Ev<'fxoStatus'>;
  'fxo-ring': Ev<'fxoRing'>;
  'fxo-polarity': Ev<'fxoPolarity'>;
  'fxo-dtmf': Ev<'fxoDtmf'>;
  'fxo-tone': Ev<'fxoTone'>;
  'fxo-caller-id': Ev<'fxoCallerId'>;
}

/** How soon a rest command the card did not take is sent again while the card is up. */
const RESEND_REST_MS = 2000;

const EVENT_NAMES = {
  spanStatus: 'span-status',
  spanCounters: 'span-counters',
  linkState: 'link-state',
  msu: 'msu',
  hdlcFrame: 'hdlc-frame',
  tsToneDetect: 'tone-detect',
  fxoStatus: 'fxo-status',
  fxoRing: 'fxo-ring',
  fxoPolarity: 'fxo-polarity',
  fxoDtmf: 'fxo-dtmf',
  fxoTone: 'fxo-tone',
  fxoCallerId: 'fxo-caller-id',
} as const satisfies Partial<Record<CardMessage['type'], keyof CardDriverEvents>>;

/** Thrown by commands while the card is not up. */
export class CardNotReadyError extends Error {
  override readonly name = 'CardNotReadyError';
}

/** A snapshot of the card link for `countyline status`. */
export interface CardStatusView {
  link: 'up' | 'down';
  state: CardDriverState;
  path: string;
  protocolVersion: number;
  inventory: Inventory | null;
  error: CardError | null;
  lastHeartbeatAt: number | null;
  cardUptimeMs: number | null;
  upSince: number | null;
  restarts: number;
  lost: number;
  serial: CardLinkStats & { cardRxErrors: number };
}

/**
 * The card driver: opens the serial path, says hello, sets the card up, watches its
 * heartbeat and turns what the card reports into typed events. It never gives up: a port
 * that will not open, a silent card and a lost card are retried for as long as it runs,
 * with the reason kept in `error` for the operator.
 */
export class CardDriver extends TypedEmitter<CardDriverEvents> {
  readonly state: CardState;
  private driverState: CardDriverState = 'closed';
  private transport: CardTransport | null = null;
  private link: CardLink | null = null;
  private error: CardError | null = null;
  private generation = 0;
  private everUp = false;
  private lastHeartbeatAt: number | null = null;
  private cardUptimeMs: number | null = null;
  private cardRxErrors = 0;
  private upSince: number | null = null;
  private restarts = 0;
  private lostCount = 0;
  private versionMismatchAt = -Infinity;
  private watchdog: TimerHandle | null = null;
  private auditTimer: TimerHandle | null = null;
  private retryTimer: TimerHandle | null = null;
  private stopped = false;
  private handshaking = false;
  /** Link counters of earlier port openings, so reopening the port does not zero them. */
  private readonly retired = emptyStats();
  /** Seq of the newest state report applied per object, to drop older ones that arrive late. */
  private readonly newestState = new Map<string, number>();
  private readonly log: Logger;

  constructor(private readonly opts: CardDriverOptions) {
    super();
    this.log = opts.logger;
    this.state = new CardState(opts.batteryThresholdV);
  }

  get current(): CardDriverState {
    return this.driverState;
  }

  /** Starts opening the port; resolves at once. Watch `card-up` / `card-error`. */
  start(): void {
    this.stopped = false;
    void this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    this.clearTimers();
    this.retireLink();
    const transport = this.transport;
    this.transport = null;
    if (transport) await transport.close();
    this.setState('closed');
  }

  status(): CardStatusView {
    const stats = addStats(structuredClone(this.retired), this.link?.stats ?? emptyStats());
    return {
      link: this.driverState === 'up' ? 'up' : 'down',
      state: this.driverState,
      path: this.opts.path,
      protocolVersion: PROTOCOL_VERSION,
      inventory: this.state.inventory,
      error: this.error,
      lastHeartbeatAt: this.lastHeartbeatAt,
      cardUptimeMs: this.cardUptimeMs,
      upSince: this.upSince,
      restarts: this.restarts,
      lost: this.lostCount,
      serial: { ...stats, cardRxErrors: this.cardRxErrors },
    };
  }

  /** Sends a command; resolves with the card's answer (ack or a response). */
  async command(message: CardMessage): Promise<CardMessage> {
    if (this.driverState !== 'up' || !this.link) {
      throw new CardNotReadyError(`card on ${this.opts.path} is not up (${this.driverState}); ${message.type} not sent`);
    }
    // A newer command for a timeslot or port replaces a rest command still waiting for it.
    if (message.type === 'tsLoopback' || message.type === 'tsTone' || message.type === 'fxoHook') this.unsettled.delete(restKey(message));
    return this.link.request(message);
  }

  /**
   * Sends a command that puts the card back to rest (a loopback off, a tone off, a line back
   * on-hook) where the caller cannot wait or undo anything if it fails. A failure is logged
   * and counted (`command-failed`), never dropped: a loopback that stays on is a circuit that
   * hears itself. The command is sent again each time the card comes back until the card
   * takes it, unless a newer command for the same timeslot or port replaced it.
   * Resolves true when the card took it now.
   */
  async commandOrReport(message: RestCommand, purpose: string): Promise<boolean> {
    const key = restKey(message);
    try {
      await this.command(message);
      this.unsettled.delete(key);
      return true;
    } catch (err) {
      this.emit('command-failed', message, purpose);
      if (err instanceof CardRequestError && err.code === 'nak') {
        // The card refused it outright (no such port, say): sending it again would not help.
        this.unsettled.delete(key);
        this.log.error({ err: err.message, nak: err.nakCode, command: message, purpose }, `card refused ${message.type} (${purpose})`);
        return false;
      }
      if (!this.unsettled.has(key)) this.unsettled.set(key, { message, purpose });
      this.log.error({ err: (err as Error).message, command: message, purpose }, `card did not take ${message.type} (${purpose}); sending it again`);
      // Up but not answering this once: try again shortly; down: when it is back (up()).
      if (this.driverState === 'up' && !this.stopped && !this.resendTimer) {
        this.resendTimer = this.opts.clock.setTimeout(() => {
          this.resendTimer = null;
          this.resendUnsettled();
        }, RESEND_REST_MS);
      }
      return false;
    }
  }

  /** Rest commands the card has not taken yet, by timeslot or port, with what they were for. */
  private readonly unsettled = new Map<string, { message: RestCommand; purpose: string }>();
  private resendTimer: TimerHandle | null = null;

  private resendUnsettled(): void {
    if (this.driverState !== 'up') return;
    for (const { message, purpose } of [...this.unsettled.values()]) void this.commandOrReport(message, purpose);
  }

  /** Sends an event-class message (MSU, HDLC frame) toward the card. */
  send(message: MessageOf<'msu'> | MessageOf<'hdlcFrame'>): void {
    if (this.driverState !== 'up' || !this.link) throw new CardNotReadyError(`card on ${this.opts.path} is not up; ${message.type} not sent`);
    this.link.notify(message);
  }

  private async open(): Promise<void> {
    const generation = ++this.generation;
    this.setState('opening');
    let transport: CardTransport;
    try {
      transport = await this.opts.openTransport(this.opts.path, this.opts.baudRate);
    } catch (err) {
      if (generation !== this.generation) return;
      const reason = err instanceof TransportOpenError ? err.reason : err instanceof Error ? err.message : String(err);
      this.fail('open-failed', `cannot open ${this.opts.path}: ${reason}; check card.path in the config, that the card's serial device exists and that no other program holds it`, reason);
      this.scheduleRetry(() => void this.open(), this.opts.reopenMs ?? 2000);
      return;
    }
    if (generation !== this.generation || this.stopped) {
      await transport.close();
      return;
    }
    this.transport = transport;
    const link = new CardLink({
      role: 'host',
      clock: this.opts.clock,
      write: (bytes) => transport.write(bytes),
      retransmitMs: this.opts.retransmitMs,
      attempts: this.opts.attempts,
    });
    this.link = link;
    transport.on('data', (chunk) => link.receive(chunk));
    transport.on('close', (err) => this.onTransportClosed(transport, err));
    link.on('message', (message, header) => this.onMessage(message, header.seq));
    link.on('frame-error', (err) => this.emit('frame-error', err));
    link.on('version-mismatch', (peerVersion) => this.onVersionMismatch(peerVersion));
    link.on('event-lost', (message) => this.log.warn({ type: message.type }, 'message to the card lost after every retransmission'));
    this.log.info({ path: this.opts.path }, 'serial port open');
    void this.handshake();
  }

  private onTransportClosed(transport: CardTransport, err?: Error): void {
    if (transport !== this.transport || this.stopped) return;
    this.transport = null;
    this.retireLink();
    this.clearTimers();
    const wasUp = this.driverState === 'up';
    const detail = err?.message;
    this.fail('port-closed', `serial port ${this.opts.path} closed${detail ? ` (${detail})` : ''}; check the card's cable or USB connection`, detail);
    if (wasUp) this.markLost();
    this.scheduleRetry(() => void this.open(), this.opts.reopenMs ?? 2000);
  }

  private async handshake(): Promise<void> {
    const generation = ++this.generation;
    const link = this.link;
    if (!link) return;
    this.clearRetry();
    link.reset();
    this.newestState.clear();
    this.handshaking = true;
    if (this.driverState !== 'lost') this.setState('handshake');
    try {
      const answer = await link.request({ type: 'hello', hostName: this.opts.hostName });
      if (generation !== this.generation) return;
      if (answer.type !== 'inventory') throw new Error(`card answered hello with ${answer.type}, not inventory`);
      const { type: _type, ...inventory } = answer;
      this.state.setInventory(inventory);
      await this.configure(link, inventory, generation);
      await link.request({ type: 'snapshot' });
      if (generation !== this.generation) return;
      this.up(inventory);
    } catch (err) {
      if (generation !== this.generation || this.stopped) return;
      if (err instanceof CardRequestError && err.code === 'closed') return;
      if (err instanceof CardRequestError && err.code === 'timeout') {
        if (this.opts.clock.now() - this.versionMismatchAt > 5000) {
          this.fail('card-silent', `card not answering on ${this.opts.path}: check that the card is powered, the serial cable is seated and card.baudRate matches the card`);
        }
      } else {
        const detail = err instanceof Error ? err.message : String(err);
        this.fail('setup-failed', `card on ${this.opts.path} refused its setup: ${detail}; check the card section of the config`, detail);
      }
      this.scheduleRetry(() => void this.handshake(), this.opts.handshakeRetryMs ?? 2000);
    } finally {
      if (generation === this.generation) this.handshaking = false;
    }
  }

  private async configure(link: CardLink, inventory: Inventory, generation: number): Promise<void> {
    const spans = this.opts.spans;
    for (let span = 0; span < inventory.spans; span++) {
      const setup = spans[Math.min(span, spans.length - 1)] ?? { crc4: true, clock: 'line' as const };
      await link.request({ type: 'spanConfig', span, crc4: setup.crc4, clock: setup.clock });
    }
    const links = this.opts.links.slice(0, inventory.links);
    for (const [index, setup] of links.entries()) {
      if (setup.span >= inventory.spans) {
        this.log.warn({ link: index, span: setup.span }, 'signalling link configured on a span the card does not have; skipped');
        continue;
      }
      await link.request({ type: 'linkConfig', link: index, span: setup.span, timeslot: setup.timeslot, mode: setup.mode });
      if (generation !== this.generation) return;
      this.state.setLinkConfig({ link: index, ...setup });
      await link.request({ type: 'linkControl', link: index, action: 'start' });
    }
  }

  private up(inventory: Inventory): void {
    const wasLost = this.driverState === 'lost' || this.everUp;
    this.error = null;
    this.upSince = this.opts.clock.now();
    this.setState('up');
    this.armWatchdog();
    this.armAudit();
    this.log.info({ inventory }, wasLost ? 'card back' : 'card up');
    if (!this.everUp) {
      this.everUp = true;
      this.emit('card-up', inventory);
    } else {
      this.emit('card-back', inventory);
    }
    this.resendUnsettled();
  }

  /**
   * Events are repeated until acknowledged, so an old report can arrive after a newer one
   * (PROTOCOL.md "Delivery"). A full-state report older than one already applied is dropped.
   */
  private isStale(message: CardMessage, seq: number): boolean {
    let key: string;
    if (message.type === 'spanStatus') key = `span/${message.span}`;
    else if (message.type === 'fxoStatus') key = `fxo/${message.port}`;
    else if (message.type === 'linkState') key = `link/${message.link}`;
    else return false;
    const newest = this.newestState.get(key);
    // Sequence numbers wrap at 65,535: "older" means behind by less than half the space.
    if (newest !== undefined && seq !== newest && ((newest - seq) & 0xffff) < 0x8000) return true;
    this.newestState.set(key, seq);
    return false;
  }

  private onMessage(message: CardMessage, seq: number): void {
    if (this.isStale(message, seq)) return;
    switch (message.type) {
      case 'heartbeat':
        this.lastHeartbeatAt = this.opts.clock.now();
        this.cardUptimeMs = message.uptime;
        this.cardRxErrors = message.rxErrors;
        if (this.driverState === 'up') this.armWatchdog();
        else if (this.driverState === 'lost' && !this.handshaking) void this.handshake();
        return;
      case 'cardStarted':
        this.restarts++;
        this.newestState.clear(); // a restarted card numbers its frames afresh
        this.log.warn({ reason: message.reason }, 'card restarted; setting it up again');
        this.state.markLinksDown();
        this.emit('card-restarted', message.reason);
        // A restarted card has forgotten its setup, even mid-handshake: start over.
        void this.handshake();
        return;
      default: {
        this.state.apply(message);
        const event = EVENT_NAMES[message.type as keyof typeof EVENT_NAMES];
        if (event) (this.emit as (e: string, m: CardMessage) => boolean)(event, message);
      }
    }
  }

  private onVersionMismatch(peerVersion: number): void {
    const first = this.opts.clock.now() - this.versionMismatchAt > 5000;
    this.versionMismatchAt = this.opts.clock.now();
    if (!first && this.error?.code === 'version-mismatch') return;
    this.fail(
      'version-mismatch',
      `card on ${this.opts.path} speaks card protocol v${peerVersion}, this firmware speaks v${PROTOCOL_VERSION}: install matching card and box firmware`,
      undefined,
      peerVersion,
    );
  }

  private retireLink(): void {
    if (!this.link) return;
    addStats(this.retired, this.link.stats);
    this.link.close();
    this.link = null;
  }

  private armAudit(): void {
    if (this.auditTimer) this.opts.clock.clearTimeout(this.auditTimer);
    this.auditTimer = this.opts.clock.setTimeout(() => {
      this.auditTimer = null;
      if (this.driverState !== 'up' || !this.link) return;
      this.link.request({ type: 'snapshot' }).then(
        () => this.armAudit(),
        (err: Error) => {
          this.log.warn({ err: err.message }, 'card did not answer the periodic snapshot request');
          this.armAudit();
        },
      );
    }, this.opts.auditMs ?? 60_000);
  }

  private armWatchdog(): void {
    if (this.watchdog) this.opts.clock.clearTimeout(this.watchdog);
    this.watchdog = this.opts.clock.setTimeout(() => {
      this.watchdog = null;
      const silentFor = this.lastHeartbeatAt === null ? null : this.opts.clock.now() - this.lastHeartbeatAt;
      this.fail('card-lost', `no heartbeat from the card on ${this.opts.path} for ${Math.round((silentFor ?? 0) / 100) / 10} s: check the card's power and serial cable`);
      this.markLost();
    }, this.opts.heartbeatTimeoutMs ?? 3500);
  }

  private markLost(): void {
    this.lostCount++;
    this.upSince = null;
    this.state.markLinksDown();
    this.setState('lost');
    if (this.error) this.emit('card-lost', this.error);
  }

  private fail(code: CardErrorCode, message: string, detail?: string, peerVersion?: number): void {
    const repeat = this.error?.code === code && this.error.message === message;
    this.error = { code, message, path: this.opts.path, at: this.opts.clock.now(), ...(detail ? { detail } : {}), ...(peerVersion !== undefined ? { peerVersion } : {}) };
    if (!repeat) {
      this.log.error({ code, path: this.opts.path }, message);
      this.emit('card-error', this.error);
    }
  }

  private setState(state: CardDriverState): void {
    if (state === this.driverState) return;
    this.driverState = state;
    this.emit('state', state);
  }

  private scheduleRetry(fn: () => void, ms: number): void {
    this.clearRetry();
    if (this.stopped) return;
    this.retryTimer = this.opts.clock.setTimeout(() => {
      this.retryTimer = null;
      fn();
    }, ms);
  }

  private clearRetry(): void {
    if (this.retryTimer) this.opts.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private clearTimers(): void {
    this.clearRetry();
    if (this.resendTimer) this.opts.clock.clearTimeout(this.resendTimer);
    this.resendTimer = null;
    if (this.watchdog) this.opts.clock.clearTimeout(this.watchdog);
    this.watchdog = null;
    if (this.auditTimer) this.opts.clock.clearTimeout(this.auditTimer);
    this.auditTimer = null;
  }
}

function emptyStats(): CardLinkStats {
  return {
    framesSent: 0,
    framesReceived: 0,
    retransmits: 0,
    duplicatesDropped: 0,
    eventsLost: 0,
    requestTimeouts: 0,
    staleAnswers: 0,
    dropped: { short: 0, crc: 0, escape: 0, oversize: 0, version: 0, 'unknown-type': 0, truncated: 0, trailing: 0, 'bad-value': 0, unexpected: 0 },
    discardedBytes: 0,
  };
}

function addStats(into: CardLinkStats, from: CardLinkStats): CardLinkStats {
  for (const key of Object.keys(from) as (keyof CardLinkStats)[]) {
    if (key === 'dropped') {
      for (const reason of Object.keys(from.dropped) as (keyof CardLinkStats['dropped'])[]) into.dropped[reason] += from.dropped[reason];
    } else {
      into[key] += from[key];
    }
  }
  return into;
}
