import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import { CardLink, PROTOCOL_VERSION, type CardMessage } from '../protocol/index.js';
import { TypedEmitter } from '../typed-emitter.js';
import { CallerKeys, type KeysView } from './caller-keys.js';
import { DEFAULT_CARD, parseCardDescription, type CardDescription } from './card-description.js';
import { answerRequest, describeRange, type CardRequestTarget } from './card-requests.js';
import type { FarEndExchange } from './exchange/far-end-exchange.js';
import { HDLC_SOCKET_WORDS, HdlcPeerRelay } from './hdlc-peer.js';
import type { Mtp2TimerValues } from './mtp2/mtp2-timers.js';
import { Mtp2PeerSocket, type Mtp2Transport } from './mtp2/peer-socket.js';
import { SerialNoise } from './serial-noise.js';
import type { SignallingPeer, TimeslotFarEnd } from './signalling-peer.js';
import { SignallingRouter } from './signalling-router.js';
import type { AudioSource } from './line-audio.js';
import type { RecordingView } from './line-recording.js';
import { fxoLine, MediaLines, timeslotLine, type LineAudioState, type LineKey } from './media-lines.js';
import { SimError } from './sim-error.js';
import { SimFxoPort, type FxoSnapshot, type FxoTiming, type RingRequest, type AnswerRequest } from './sim-fxo-port.js';
import { SimSignallingLink } from './sim-signalling-link.js';
import { SimSpan, type SpanDefects, type SpanErrorRates } from './sim-span.js';
import type { CardState, SerialState, SimState, SpanState } from './sim-state.js';
import { SimTimeslots } from './sim-timeslots.js';
import { Timers } from './sim-timers.js';

export interface CardSimulatorOptions {
  /** Writes bytes to the serial line (after the noise fault, if any). */
  write: (bytes: Buffer) => void;
  clock?: Clock;
  /** Randomness for the noise fault; default Math.random. */
  random?: () => number;
  card?: Partial<CardDescription>;
  /** Signalling link proving period, default 500 ms. */
  provingMs?: number;
  /** How long a card reset keeps the card silent, default 1500 ms. */
  resetMs?: number;
  /** Protocol version of the frames the card sends (a fault when not the current one). */
  protocolVersion?: number;
  noiseRatio?: number;
  fxoTiming?: Partial<FxoTiming>;
  peer?: SignallingPeer;
  timeslotFarEnd?: TimeslotFarEnd;
  /**
   * A far-end exchange: it becomes the peer and the timeslot far end (unless those are
   * given too), its loops are rechecked as they change, and the control API reaches it.
   */
  exchange?: FarEndExchange;
  /** Default: silent. */
  logger?: Logger;
  /** Passed to the card's CardLink. */
  retransmitMs?: number;
  attempts?: number;
  /**
   * Hands link 0's line side to an outside far end: the card runs MTP2 (Q.703) on it
   * instead of passing MSUs to `peer` or `exchange`.
   */
  mtp2Peer?: Mtp2PeerOptions;
  /**
   * Hands link 0's line side, as an `hdlc` link, to an outside far end (a libpri D-channel):
   * the relay becomes the signalling peer instead of `peer` or `exchange`. Not with `mtp2Peer`,
   * which takes the same link.
   */
  hdlcPeer?: HdlcPeerOptions;
}

export interface HdlcPeerOptions {
  /**
   * The folder of the peer socket, laid out as for `mtp2Peer` (card.sock bound here,
   * peer.sock the outside process's); stop() closes it. Or give a `transport` of your own.
   */
  dir?: string;
  transport?: Mtp2Transport;
}

export interface Mtp2PeerOptions {
  /**
   * The folder of the peer socket: the simulator binds `card.sock` there and sends to
   * `peer.sock` (see Mtp2PeerSocket); stop() closes it. Or give a `transport` of your own.
   */
  dir?: string;
  transport?: Mtp2Transport;
  /** MTP2 timers; the rest keep their Q.703 values. */
  timers?: Partial<Mtp2TimerValues>;
  /** How often FISUs or LSSUs are repeated, default 50 ms. */
  fillMs?: number;
  /** Delay before a failed link aligns again (Q.704 T17), default 1000 ms. */
  restartMs?: number;
}

export interface CardSimulatorEvents {
  'card-started': (reason: 'power-on' | 'reset') => void;
  /** The host dialled on an FXO port. */
  'fxo-digits': (port: number, digits: string) => void;
  /** A fault was injected (also logged). */
  fault: (fault: string, detail: Record<string, unknown>) => void;
}

export const HEARTBEAT_MS = 1000;
export const COUNTERS_MS = 1000;
export const FXO_REFRESH_MS = 10_000;

/**
 * The simulated E1/FXO card: the card end of the serial protocol over any byte transport,
 * with its spans, FXO lines and signalling links, and the faults a bench wants to inject.
 * Feed it what the host writes with `receive`; it writes through `options.write`.
 */
export class CardSimulator extends TypedEmitter<CardSimulatorEvents> implements CardRequestTarget {
  readonly description: CardDescription;
  readonly spans: SimSpan[];
  readonly timeslots: SimTimeslots[];
  readonly fxo: SimFxoPort[];
  readonly links: SimSignallingLink[];
  /** The PCM highway's connections and each line's far-end audio; a SimHighway moves the frames. */
  readonly media: MediaLines;
  private readonly callerKeys: CallerKeys;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly noise: SerialNoise;
  /** Heartbeat, counters, refresh, reset: the card's own timers. */
  private readonly cardTimers: Timers;
  /** Timers of the spans, lines and links (ring cadence, proving, tone detection). */
  private readonly lineTimers: Timers;
  private link: CardLink;
  private version: number;
  private running = false;
  private resetting = false;
  private silent = false;
  private bootAt = 0;
  private droppedRetired = 0;
  private droppedAtBoot = 0;
  private readonly router: SignallingRouter;
  private farEnd: TimeslotFarEnd | undefined;
  private farExchange: FarEndExchange | undefined;
  private readonly recheck = () => this.recheckTimeslots();
  /** The peer socket the simulator opened itself (and so closes). */
  private ownSocket: Mtp2PeerSocket | undefined;
  /** The relay of link 0's line side to the HDLC peer socket, when there is one. */
  private readonly hdlcRelay: HdlcPeerRelay | undefined;

  constructor(private readonly opts: CardSimulatorOptions) {
    super();
    this.description = parseCardDescription({ ...DEFAULT_CARD, ...opts.card });
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.noise = new SerialNoise(opts.random ?? Math.random, opts.noiseRatio ?? 0);
    this.cardTimers = new Timers(this.clock);
    this.lineTimers = new Timers(this.clock);
    this.version = checkVersion(opts.protocolVersion ?? PROTOCOL_VERSION);
    this.link = this.makeLink();
    const send = (m: CardMessage) => this.send(m);
    const { spans, fxoPorts, links } = this.description;
    this.spans = Array.from({ length: spans }, (_, i) => new SimSpan(i));
    this.timeslots = Array.from(
      { length: spans },
      (_, span) =>
        new SimTimeslots({
          span,
          timers: this.lineTimers,
          send,
          inFrame: () => !this.spans[span]!.outOfFrame,
          farEndLoopback: (ts) => this.farEnd?.farEndLoopback(span, ts) ?? false,
        }),
    );
    this.fxo = Array.from({ length: fxoPorts }, (_, index) => new SimFxoPort({ index, timers: this.lineTimers, clock: this.clock, send, timing: opts.fxoTiming }));
    if (opts.mtp2Peer && opts.hdlcPeer) throw new SimError('bad-value', 'mtp2Peer and hdlcPeer both take link 0; give one of them');
    const mtp2 = opts.mtp2Peer && this.mtp2Line(opts.mtp2Peer);
    this.links = Array.from(
      { length: links },
      (_, index) =>
        new SimSignallingLink({
          index,
          timers: this.lineTimers,
          provingMs: opts.provingMs ?? 500,
          spanUsable: (span) => this.spans[span]?.signallingBlocked === false,
          onState: (link, state) => this.router.linkState(link, state),
          mtp2: index === 0 ? mtp2 : undefined,
          onMsu: (link, data) => this.router.fromLine(link, data),
        }),
    );
    this.media = new MediaLines({ clock: this.clock, carrying: (line) => this.carrying(line) });
    this.callerKeys = new CallerKeys({ media: this.media, clock: this.clock, timers: this.lineTimers, send });
    this.router = new SignallingRouter({ links: this.links, send, cardUp: () => this.running && !this.resetting, log: this.log });
    this.farEnd = opts.timeslotFarEnd;
    this.hdlcRelay = opts.hdlcPeer && this.hdlcLine(opts.hdlcPeer);
    const peer = this.hdlcRelay ?? opts.peer;
    if (peer) this.setPeer(peer);
    if (opts.exchange) this.setExchange(opts.exchange, { peer: !peer, timeslots: !opts.timeslotFarEnd });
  }

  // --- lifecycle and transport

  /** Powers the card on: `cardStarted {reason:'power-on'}`, then heartbeats. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.boot('power-on');
  }

  /** Powers the card off: all timers stop, the link closes, the peer is let go. */
  stop(): void {
    this.running = false;
    this.resetting = false;
    this.cardTimers.cancelAll();
    this.lineTimers.cancelAll();
    this.link.close();
    this.setPeer(undefined);
    for (const link of this.links) link.close();
    this.ownSocket?.close();
    this.hdlcRelay?.close();
    this.media.disconnectAll();
  }

  /** Bytes the host wrote. Ignored while the card is off, resetting or silent. */
  receive(chunk: Uint8Array): void {
    if (!this.running || this.resetting || this.silent) return;
    this.link.receive(this.noise.pass(chunk, 'rx'));
  }

  /** Sends an event to the host; while the card reboots there is nobody to send it. */
  send(message: CardMessage): void {
    if (!this.running || this.resetting) return;
    this.link.notify(message);
  }

  // --- CardRequestTarget

  publishSpan(index: number): void {
    const status = this.spans[index]?.changedStatus();
    if (status) this.send(status);
  }

  afterAnswer(fn: () => void): void {
    // The answer is written once the request handler's promise settles; a zero timer runs after that.
    this.cardTimers.after(0, fn);
  }

  hostSaidHello(): void {
    // A new host session: what was still being repeated belongs to the old one. State comes
    // again with the snapshot; MSUs meant for a host that went away are lost, as on a real
    // card, and the ISUP layer recovers with a circuit group reset.
    this.link.abandon(() => true);
  }

  sendSnapshot(): void {
    for (const span of this.spans) this.send(span.status());
    for (const port of this.fxo) this.send(port.status());
    for (const link of this.links) if (link.config) this.send({ type: 'linkState', link: link.index, state: link.state });
  }

  /**
   * Card reset (host request or fault): silent for `resetMs`, host configuration gone,
   * line conditions kept, then `cardStarted {reason:'reset'}`.
   */
  resetCard(): void {
    if (!this.running) return;
    this.log.info({ resetMs: this.resetMs }, 'card reset');
    this.resetting = true;
    this.cardTimers.cancelAll();
    // A reboot loses the link's RAM: unanswered frames and remembered answers. The seq
    // counter runs on, so a repeat of a new frame is never taken for one from before.
    this.link.reset();
    for (const span of this.spans) span.resetCard();
    for (const ts of this.timeslots) ts.resetCard();
    for (const link of this.links) link.resetCard();
    for (const port of this.fxo) port.resetCard();
    this.media.disconnectAll();
    // Nobody hears the changes a reboot makes; the host asks for a snapshot afterwards.
    for (const span of this.spans) span.changedStatus();
    this.cardTimers.after(this.resetMs, () => this.boot('reset'));
  }

  dialled(port: number, digits: string): void {
    this.emit('fxo-digits', port, digits);
  }

  // --- signalling peer and far end

  /** Sets (or, with undefined, removes) the far end of the signalling links. */
  setPeer(peer: SignallingPeer | undefined): void {
    this.router.setPeer(peer);
  }

  setTimeslotFarEnd(farEnd: TimeslotFarEnd | undefined): void {
    this.farEnd = farEnd;
    this.recheckTimeslots();
  }

  /** The far-end exchange behind the signalling links, if the simulator has one. */
  get exchange(): FarEndExchange | undefined {
    return this.farExchange;
  }

  /**
   * Puts a far-end exchange behind the links (or, with undefined, takes it away): it becomes
   * the peer and the timeslot far end, and the control API's exchange routes reach it.
   */
  setExchange(exchange: FarEndExchange | undefined, use: { peer?: boolean; timeslots?: boolean } = {}): void {
    const old = this.farExchange;
    if (old === exchange) return;
    old?.off('loopback', this.recheck);
    this.farExchange = exchange;
    exchange?.on('loopback', this.recheck);
    if (use.peer ?? true) this.setPeer(exchange);
    if (use.timeslots ?? true) this.setTimeslotFarEnd(exchange);
  }

  /** The far end's loopbacks changed: detect (or lose) tones being sent now. */
  recheckTimeslots(): void {
    for (const ts of this.timeslots) ts.recheck();
  }

  // --- faults and line conditions (the control API calls these)

  setSpanDefects(index: number, update: Partial<SpanDefects>): SpanState {
    const span = this.spanAt(index);
    this.fault('span-defects', { span: index, ...update });
    if (span.setDefects(update)) this.spanChanged(index);
    return this.spanState(index);
  }

  setSpanErrors(index: number, update: Partial<SpanErrorRates>, seconds?: number): SpanState {
    const span = this.spanAt(index);
    try {
      span.setErrorRates(update, seconds);
    } catch (err) {
      throw new SimError('bad-value', (err as Error).message);
    }
    this.fault('span-errors', { span: index, ...update, ...(seconds === undefined ? {} : { seconds }) });
    return this.spanState(index);
  }

  setLoopbackFault(index: number, timeslot: number, broken: boolean): SpanState {
    this.spanAt(index);
    if (!Number.isInteger(timeslot) || timeslot < 1 || timeslot > 31) throw new SimError('not-found', `timeslot ${timeslot} does not exist; use 1..31`);
    this.fault('loopback-fault', { span: index, timeslot, broken });
    this.timeslots[index]!.setLoopbackFault(timeslot, broken);
    return this.spanState(index);
  }

  setLinePlugged(index: number, plugged: boolean): FxoSnapshot {
    const port = this.portAt(index);
    this.fault('fxo-line', { port: index, plugged });
    port.setPlugged(plugged);
    return port.snapshot();
  }

  ringLine(index: number, request: RingRequest): FxoSnapshot {
    const port = this.portAt(index);
    port.ring(request);
    this.fault('fxo-ring', { port: index, ...request });
    return port.snapshot();
  }

  hangUpLine(index: number): FxoSnapshot {
    const port = this.portAt(index);
    port.farEndHangup();
    this.fault('fxo-hangup', { port: index });
    return port.snapshot();
  }

  answerLine(index: number, request: AnswerRequest): FxoSnapshot {
    const port = this.portAt(index);
    port.answer(request);
    this.fault('fxo-answer', { port: index, ...request });
    return port.snapshot();
  }

  setLinePolarity(index: number, reversed?: boolean): FxoSnapshot {
    const port = this.portAt(index);
    port.setPolarity(reversed);
    this.fault('fxo-polarity', { port: index, polarity: port.polarity });
    return port.snapshot();
  }

  // --- the far end's audio (the control API's audio routes)

  /** The audio of an FXO port's line or a timeslot; 404 not-found for a line this card lacks. */
  lineAudio(line: { port: number } | { span: number; timeslot: number }): LineAudioState {
    return this.media.state(this.lineKey(line));
  }

  /** What the far end plays into a line from now on. */
  playLineAudio(line: { port: number } | { span: number; timeslot: number }, source: AudioSource): LineAudioState {
    const key = this.lineKey(line);
    this.media.audio(key).play(source);
    this.fault('line-audio', { line: key, ...('file' in source ? { file: source.file, loop: source.loop } : source) });
    return this.media.state(key);
  }

  /** Starts the measurement of what the box sends into a line afresh. */
  resetLineMeasurement(line: { port: number } | { span: number; timeslot: number }): LineAudioState {
    const key = this.lineKey(line);
    this.media.audio(key).resetMeasurement();
    return this.media.state(key);
  }

  /** Records what the box sends into a line from now on, dropping any earlier recording. */
  startLineRecording(line: { port: number } | { span: number; timeslot: number }): RecordingView {
    return this.media.audio(this.lineKey(line)).startRecording();
  }

  lineRecording(line: { port: number } | { span: number; timeslot: number }): RecordingView {
    return this.media.audio(this.lineKey(line)).recorded();
  }

  /** The caller presses keys (DTMF keys, already checked): see CallerKeys; 409 conflict on a line that cannot take them. */
  pressKeys(line: { port: number } | { span: number; timeslot: number }, digits: string): KeysView {
    const key = this.lineKey(line);
    const view = 'port' in line ? this.callerKeys.onFxo(this.portAt(line.port), key, digits) : this.callerKeys.onTimeslot(key, digits);
    this.fault('caller-keys', { line: key, digits });
    return view;
  }

  setSilent(on: boolean): CardState {
    this.fault('card-silence', { on });
    this.silent = on;
    return this.state().card;
  }

  /** Frames the card sends from now on carry `version`; a new CardLink speaks it. */
  setProtocolVersion(version: number): CardState {
    checkVersion(version);
    this.fault('protocol-version', { version });
    if (version !== this.version) {
      this.version = version;
      this.droppedRetired += totalDropped(this.link);
      this.link.close();
      this.link = this.makeLink();
    }
    return this.state().card;
  }

  setNoiseRatio(ratio: number): SerialState {
    try {
      this.noise.ratio = ratio;
    } catch (err) {
      throw new SimError('bad-value', (err as Error).message);
    }
    this.fault('serial-noise', { ratio });
    return this.state().serial;
  }

  /** Fault: the host asks for a card reset the way the control API does. */
  injectReset(): CardState {
    if (!this.running) throw new SimError('conflict', 'the card is not running');
    this.fault('card-reset', {});
    this.resetCard();
    return this.state().card;
  }

  // --- state

  state(): SimState {
    const { model, serial, firmware, spans, fxoPorts, links } = this.description;
    return {
      card: {
        model,
        serial,
        firmware,
        spans,
        fxoPorts,
        links,
        protocolVersion: this.version,
        running: this.running,
        uptimeMs: this.uptimeMs,
        resetting: this.resetting,
        silent: this.silent,
      },
      spans: this.spans.map((s) => this.spanState(s.index)),
      fxo: this.fxo.map((p) => p.snapshot()),
      links: this.links.map((l) => (l.index === this.hdlcRelay?.link ? { ...l.snapshot(), hdlcPeer: this.hdlcRelay.snapshot() } : l.snapshot())),
      exchange: this.farExchange?.summary() ?? null,
      serial: {
        noiseRatio: this.noise.ratio,
        corruptedBytes: this.noise.corruptedBytes,
        corruptedTxBytes: this.noise.corrupted.tx,
        corruptedRxBytes: this.noise.corrupted.rx,
        rxErrors: this.rxErrors,
        link: structuredClone(this.link.stats),
      },
    };
  }

  private get uptimeMs(): number {
    return this.running && !this.resetting ? this.clock.now() - this.bootAt : 0;
  }

  private get rxErrors(): number {
    return this.droppedRetired + totalDropped(this.link) - this.droppedAtBoot;
  }

  private get resetMs(): number {
    return this.opts.resetMs ?? 1500;
  }

  private spanState(index: number): SpanState {
    return { ...this.spans[index]!.snapshot(), timeslots: this.timeslots[index]!.snapshot() };
  }

  private mtp2Line(peer: Mtp2PeerOptions) {
    const logger = this.log.child({ module: 'mtp2', link: 0 });
    if (!peer.transport) {
      if (peer.dir === undefined) throw new SimError('bad-value', 'mtp2Peer needs a dir or a transport');
      this.ownSocket = new Mtp2PeerSocket(peer.dir, { logger });
    }
    const transport = peer.transport ?? this.ownSocket!;
    return { transport, clock: this.clock, timers: peer.timers, fillMs: peer.fillMs, restartMs: peer.restartMs, logger };
  }

  private hdlcLine(peer: HdlcPeerOptions): HdlcPeerRelay {
    const logger = this.log.child({ module: 'hdlc', link: 0 });
    const mode = () => this.links[0]?.config?.mode;
    if (peer.transport) return new HdlcPeerRelay({ transport: peer.transport, mode, logger });
    if (peer.dir === undefined) throw new SimError('bad-value', 'hdlcPeer needs a dir or a transport');
    const transport = new Mtp2PeerSocket(peer.dir, { logger, carries: HDLC_SOCKET_WORDS });
    return new HdlcPeerRelay({ transport, mode, logger, ownsTransport: true });
  }

  private makeLink(): CardLink {
    const link = new CardLink({
      role: 'card',
      clock: this.clock,
      version: this.version,
      retransmitMs: this.opts.retransmitMs,
      attempts: this.opts.attempts,
      write: (bytes) => {
        if (this.running && !this.resetting && !this.silent) this.opts.write(this.noise.pass(bytes, 'tx'));
      },
      onRequest: (message) => answerRequest(this, message),
    });
    link.on('message', (message) => {
      if (message.type === 'msu') this.router.fromHost('mtp2', message.link, message.data);
      else if (message.type === 'hdlcFrame') this.router.fromHost('hdlc', message.link, message.data);
    });
    return link;
  }

  private boot(reason: 'power-on' | 'reset'): void {
    this.resetting = false;
    this.bootAt = this.clock.now();
    this.droppedAtBoot = this.droppedRetired + totalDropped(this.link);
    this.send({ type: 'cardStarted', reason });
    this.cardTimers.every(HEARTBEAT_MS, () => this.heartbeat(), { immediate: true });
    this.cardTimers.every(COUNTERS_MS, () => {
      for (const span of this.spans) this.send(span.countSecond());
    });
    this.cardTimers.every(FXO_REFRESH_MS, () => {
      for (const port of this.fxo) this.send(port.status());
    });
    this.emit('card-started', reason);
  }

  private heartbeat(): void {
    this.link.sendPeriodic({ type: 'heartbeat', uptime: this.uptimeMs % 2 ** 32, rxErrors: this.rxErrors % 2 ** 32 });
  }

  private spanChanged(index: number): void {
    this.publishSpan(index);
    for (const link of this.links) if (link.config?.span === index) link.spanChanged();
    this.timeslots[index]!.recheck();
  }

  private fault(fault: string, detail: Record<string, unknown>): void {
    this.log.info({ fault, ...detail }, `fault injected: ${fault}`);
    this.emit('fault', fault, detail);
  }

  private spanAt(index: number): SimSpan {
    const span = this.spans[index];
    if (!span) throw new SimError('not-found', `span ${index} does not exist; this card has ${describeRange(this.spans.length, 'spans')}`);
    return span;
  }

  private lineKey(line: { port: number } | { span: number; timeslot: number }): LineKey {
    if ('port' in line) {
      this.portAt(line.port);
      return fxoLine(line.port);
    }
    this.spanAt(line.span);
    if (!Number.isInteger(line.timeslot) || line.timeslot < 1 || line.timeslot > 31) throw new SimError('not-found', `timeslot ${line.timeslot} does not exist; use 1..31`);
    return timeslotLine(line.span, line.timeslot);
  }

  /**
   * The line carries audio: an FXO loop closed (off-hook on a plugged line with battery), or a
   * timeslot of a span in frame (no LOS, LOF or AIS: a span out of frame carries nothing).
   */
  private carrying(line: LineKey): boolean {
    const [kind, a, b] = line.split('/');
    if (kind === 'fxo') return (this.fxo[Number(a)]?.loopCurrent ?? 0) > 0;
    return b !== undefined && this.spans[Number(a)]?.outOfFrame === false;
  }

  private portAt(index: number): SimFxoPort {
    const port = this.fxo[index];
    if (!port) throw new SimError('not-found', `FXO port ${index} does not exist; this card has ${describeRange(this.fxo.length, 'ports')}`);
    return port;
  }
}

function checkVersion(version: number): number {
  if (!Number.isInteger(version) || version < 0 || version > 255) throw new SimError('bad-value', `protocol version ${version} is outside 0..255`);
  return version;
}

function totalDropped(link: CardLink): number {
  return Object.values(link.stats.dropped).reduce((a, b) => a + b, 0);
}
