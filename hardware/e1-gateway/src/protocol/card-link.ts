import type { Clock, TimerHandle } from '../clock.js';
import { TypedEmitter } from '../typed-emitter.js';
import { decodeBody, encodeBody, FLAG_RETRANSMIT, HEADER_LENGTH, type FrameHeader } from './codec.js';
import { CardCodecError, type CardCodecErrorCode } from './codec-error.js';
import { Deframer, encodeFrame } from './framing.js';
import { CATALOGUE, type CardMessage, type MessageOf, type NakCode } from './messages.js';

/** Why a request failed: the peer said no (`nak`) or never answered (`timeout`). */
export class CardRequestError extends Error {
  override readonly name = 'CardRequestError';
  constructor(
    readonly code: 'timeout' | 'nak' | 'closed',
    message: string,
    readonly nakCode?: NakCode,
  ) {
    super(message);
  }
}

export interface CardLinkOptions {
  /** Which end this is; a message the other end may not send is refused. */
  role: 'host' | 'card';
  clock: Clock;
  /** Writes frame bytes to the serial line. */
  write: (bytes: Buffer) => void;
  /** Answers a request from the peer (ack, nak or the named response). */
  onRequest?: (message: CardMessage, header: FrameHeader) => CardMessage | Promise<CardMessage>;
  /** How long to wait for an answer before sending again (ms). */
  retransmitMs?: number;
  /** How many times a frame is sent in all before giving up. */
  attempts?: number;
  /** Protocol version written into sent frames; only the simulator's mismatch fault changes it. */
  version?: number;
}

export interface CardLinkStats {
  framesSent: number;
  framesReceived: number;
  retransmits: number;
  duplicatesDropped: number;
  eventsLost: number;
  requestTimeouts: number;
  staleAnswers: number;
  /** Frames dropped on receipt, by reason (framing and codec). */
  dropped: Record<CardCodecErrorCode | 'unexpected', number>;
  discardedBytes: number;
}

export interface CardLinkEvents {
  /** An event or periodic message from the peer (each delivered once). */
  message: (message: CardMessage, header: FrameHeader) => void;
  /** A frame was dropped; the link stays up. */
  'frame-error': (error: CardCodecError) => void;
  /** The peer speaks another protocol version. */
  'version-mismatch': (peerVersion: number) => void;
  /** An event could not be delivered after every attempt. */
  'event-lost': (message: CardMessage) => void;
}

/** An answer given to a numbered frame, kept to repeat when that frame is retransmitted. */
interface Answered {
  /** The body it answered, to tell a retransmission from a new frame that reuses the seq. */
  body: Uint8Array;
  answer: Buffer | 'busy';
}

interface Pending {
  message: CardMessage;
  attempt: number;
  timer: TimerHandle;
  settle: (answer: CardMessage | CardRequestError) => void;
}

const DEDUP_WINDOW = 512;

/**
 * One end of the serial link: framing, sequence numbers, answers, repeats and duplicate
 * suppression. Used unchanged by the firmware (role `host`) and the simulator (role `card`).
 *
 * Reliability rule (PROTOCOL.md "Delivery"): a numbered frame is sent again, flagged as a
 * retransmission, until its answer arrives or `attempts` run out. The receiver remembers the
 * answers it gave to the last 512 seqs; a retransmission it has already handled gets the same
 * answer again and is not delivered twice. A retransmission counts as "already handled" only
 * if it repeats the remembered frame octet for octet (flags aside): a peer that restarted
 * numbers from 1 again, and its frames must not get answers meant for their predecessors.
 */
export class CardLink extends TypedEmitter<CardLinkEvents> {
  readonly stats: CardLinkStats;
  private readonly deframer: Deframer;
  private readonly pending = new Map<number, Pending>();
  private readonly answered = new Map<number, Answered>();
  private nextSeq = 1;
  private closed = false;
  private readonly retransmitMs: number;
  private readonly attempts: number;

  constructor(private readonly opts: CardLinkOptions) {
    super();
    this.retransmitMs = opts.retransmitMs ?? 250;
    this.attempts = opts.attempts ?? 5;
    this.deframer = new Deframer(
      (body) => this.onBody(body),
      (err) => this.dropped(err),
    );
    this.stats = {
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

  /** Feeds bytes read from the serial line. */
  receive(chunk: Uint8Array): void {
    this.deframer.push(chunk);
    this.stats.discardedBytes = this.deframer.stats.discardedBytes;
  }

  /** Sends a request and resolves with the peer's answer; rejects on nak or timeout. */
  request<T extends CardMessage>(message: T): Promise<CardMessage> {
    this.checkSendable(message, 'request');
    return new Promise((resolve, reject) => {
      this.sendNumbered(message, (answer) => {
        if (answer instanceof CardRequestError) reject(answer);
        else if (answer.type === 'nak') reject(new CardRequestError('nak', `card refused ${message.type}: ${answer.text}`, answer.code));
        else resolve(answer);
      });
    });
  }

  /** Sends an event; it is repeated until acknowledged, and counted as lost if never. */
  notify(message: CardMessage): void {
    this.checkSendable(message, 'event');
    this.sendNumbered(message, (answer) => {
      if (answer instanceof CardRequestError) {
        if (answer.code === 'closed') return;
        this.stats.eventsLost++;
        this.emit('event-lost', message);
      }
    });
  }

  /** Sends a periodic (unnumbered, never answered) message such as a heartbeat. */
  sendPeriodic(message: MessageOf<'heartbeat'>): void {
    this.checkSendable(message, 'periodic');
    this.writeBody(encodeBody(message, { seq: 0, version: this.opts.version }));
  }

  /** Stops repeating outstanding frames that match (their senders get `closed`); returns how many. */
  abandon(match: (message: CardMessage) => boolean): number {
    let count = 0;
    for (const [seq, p] of this.pending) {
      if (!match(p.message)) continue;
      this.opts.clock.clearTimeout(p.timer);
      this.pending.delete(seq);
      p.settle(new CardRequestError('closed', `${p.message.type} abandoned`));
      count++;
    }
    return count;
  }

  /** Forgets outstanding frames (their senders get `closed`) and remembered answers. */
  reset(): void {
    for (const [seq, p] of this.pending) {
      this.opts.clock.clearTimeout(p.timer);
      this.pending.delete(seq);
      p.settle(new CardRequestError('closed', `${p.message.type} abandoned: link reset`));
    }
    this.answered.clear();
  }

  close(): void {
    this.reset();
    this.closed = true;
  }

  get outstanding(): number {
    return this.pending.size;
  }

  private checkSendable(message: CardMessage, cls: 'request' | 'event' | 'periodic'): void {
    const entry = CATALOGUE[message.type];
    if (entry.cls !== cls) throw new TypeError(`${message.type} is a ${entry.cls}, not a ${cls}`);
    if (entry.from !== 'both' && entry.from !== this.opts.role) throw new TypeError(`the ${this.opts.role} does not send ${message.type}`);
  }

  private sendNumbered(message: CardMessage, settle: Pending['settle']): void {
    if (this.closed) {
      settle(new CardRequestError('closed', `${message.type} not sent: link closed`));
      return;
    }
    const seq = this.takeSeq();
    const body = encodeBody(message, { seq, version: this.opts.version });
    const pending: Pending = { message, attempt: 1, timer: this.armRetransmit(seq), settle };
    this.pending.set(seq, pending);
    this.writeBody(body);
  }

  private takeSeq(): number {
    let seq = this.nextSeq;
    // Skip seqs still waiting for an answer (only possible after 65,535 frames in flight).
    while (this.pending.has(seq)) seq = seq === 0xffff ? 1 : seq + 1;
    this.nextSeq = seq === 0xffff ? 1 : seq + 1;
    return seq;
  }

  private armRetransmit(seq: number): TimerHandle {
    return this.opts.clock.setTimeout(() => this.onRetransmitTimer(seq), this.retransmitMs);
  }

  private onRetransmitTimer(seq: number): void {
    const p = this.pending.get(seq);
    if (!p) return;
    if (p.attempt >= this.attempts) {
      this.pending.delete(seq);
      if (CATALOGUE[p.message.type].cls === 'request') this.stats.requestTimeouts++;
      p.settle(new CardRequestError('timeout', `no answer to ${p.message.type} after ${p.attempt} attempts`));
      return;
    }
    p.attempt++;
    this.stats.retransmits++;
    p.timer = this.armRetransmit(seq);
    this.writeBody(encodeBody(p.message, { seq, flags: FLAG_RETRANSMIT, version: this.opts.version }));
  }

  private writeBody(body: Uint8Array): Buffer {
    const frame = encodeFrame(body);
    this.stats.framesSent++;
    if (!this.closed) this.opts.write(frame);
    return frame;
  }

  private dropped(err: CardCodecError): void {
    this.stats.dropped[err.code]++;
    this.emit('frame-error', err);
    if (err.code === 'version' && err.peerVersion !== undefined) this.emit('version-mismatch', err.peerVersion);
  }

  private onBody(body: Uint8Array): void {
    let decoded;
    try {
      decoded = decodeBody(body);
    } catch (err) {
      if (!(err instanceof CardCodecError)) throw err;
      this.dropped(err);
      this.nakUndecodable(body, err);
      return;
    }
    this.stats.framesReceived++;
    const { header, message } = decoded;
    const entry = CATALOGUE[message.type];
    const peer = this.opts.role === 'host' ? 'card' : 'host';
    if (entry.from !== 'both' && entry.from !== peer) {
      this.stats.dropped.unexpected++;
      this.emit('frame-error', new CardCodecError('bad-value', `the ${peer} may not send ${message.type}`, 1));
      if (header.seq !== 0 && entry.cls !== 'answer') this.answer(header.seq, body, { type: 'nak', code: 'unknown-type', text: `${message.type} is not sent by the ${peer}` });
      return;
    }
    switch (entry.cls) {
      case 'answer':
        return this.onAnswer(header, message);
      case 'periodic':
        this.emit('message', message, header);
        return;
      case 'event':
      case 'request':
        return this.onNumbered(header, message, entry.cls, body);
    }
  }

  private onAnswer(header: FrameHeader, message: CardMessage): void {
    const p = this.pending.get(header.ref);
    if (!p) {
      this.stats.staleAnswers++;
      return;
    }
    this.pending.delete(header.ref);
    this.opts.clock.clearTimeout(p.timer);
    p.settle(message);
  }

  private onNumbered(header: FrameHeader, message: CardMessage, cls: 'event' | 'request', body: Uint8Array): void {
    const { seq } = header;
    if (header.flags & FLAG_RETRANSMIT) {
      const previous = this.answered.get(seq);
      if (previous !== undefined && sameFrame(previous.body, body)) {
        this.stats.duplicatesDropped++;
        if (previous.answer !== 'busy') this.opts.write(previous.answer);
        return;
      }
    }
    if (cls === 'event') {
      this.answer(seq, body, { type: 'ack' });
      this.emit('message', message, header);
      return;
    }
    const handler = this.opts.onRequest;
    if (!handler) {
      this.answer(seq, body, { type: 'nak', code: 'not-ready', text: `the ${this.opts.role} takes no requests` });
      return;
    }
    this.remember(seq, body, 'busy');
    Promise.resolve()
      .then(() => handler(message, header))
      .then((reply) => {
        if (CATALOGUE[reply.type]?.cls !== 'answer') throw new TypeError(`onRequest answered ${message.type} with ${String(reply.type)}, which is not an answer`);
        this.answer(seq, body, reply);
      })
      // A handler that throws, or whose answer cannot be encoded, still answers the peer.
      .catch((err: unknown) => this.answer(seq, body, { type: 'nak', code: 'bad-value', text: nakText(err instanceof Error ? err.message : String(err)) }));
  }

  private answer(ref: number, body: Uint8Array, reply: CardMessage): void {
    const frame = this.writeBody(encodeBody(reply, { seq: 0, ref, version: this.opts.version }));
    this.remember(ref, body, frame);
  }

  private remember(seq: number, body: Uint8Array, answer: Buffer | 'busy'): void {
    this.answered.delete(seq);
    this.answered.set(seq, { body, answer });
    if (this.answered.size > DEDUP_WINDOW) this.answered.delete(this.answered.keys().next().value!);
  }

  /** A numbered frame whose header reads but whose payload does not still gets a nak. */
  private nakUndecodable(body: Uint8Array, err: CardCodecError): void {
    if (err.code === 'version' || err.code === 'short' || body.length < HEADER_LENGTH) return;
    const seq = (body[3]! << 8) | body[4]!;
    const code = body[1]!;
    const known = [...Object.values(CATALOGUE)].find((e) => e.code === code);
    if (seq === 0 || known?.cls === 'answer' || known?.cls === 'periodic') return;
    this.answer(seq, body, { type: 'nak', code: err.code === 'unknown-type' ? 'unknown-type' : 'bad-value', text: nakText(err.message) });
  }
}

/** Whether two frame bodies are the same frame, ignoring the flags octet (RETRANSMIT). */
function sameFrame(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (i !== 2 && a[i] !== b[i]) return false;
  return true;
}

/** A nak's text is a `str` (at most 255 octets of UTF-8), so a long message is cut to fit. */
function nakText(text: string): string {
  let out = '';
  for (const ch of text.replace(/[\ud800-\udfff]/gu, '\ufffd')) {
    if (Buffer.byteLength(out + ch) > 255) break;
    out += ch;
  }
  return out;
}
