import type { CardMessage, NakCode } from '../protocol/index.js';
import { MAX_TONE_HZ } from '../audio/tone.js';
import type { CardDescription } from './card-description.js';
import { fxoLine, timeslotLine, type MediaLines } from './media-lines.js';
import type { SimFxoPort } from './sim-fxo-port.js';
import type { SimSignallingLink } from './sim-signalling-link.js';
import type { SimSpan } from './sim-span.js';
import type { SimTimeslots } from './sim-timeslots.js';

/** What the request handler needs of the card. */
export interface CardRequestTarget {
  readonly description: CardDescription;
  readonly spans: readonly SimSpan[];
  readonly timeslots: readonly SimTimeslots[];
  readonly fxo: readonly SimFxoPort[];
  readonly links: readonly SimSignallingLink[];
  /** Which line goes to which media port of the PCM highway. */
  readonly media: MediaLines;
  /** Sends spanStatus if the span's status changed. */
  publishSpan(span: number): void;
  /** A hello starts a new host session: the card stops repeating what it sent the old one. */
  hostSaidHello(): void;
  /** Runs `fn` once the answer to the current request is on the wire. */
  afterAnswer(fn: () => void): void;
  sendSnapshot(): void;
  resetCard(): void;
  /** The host dialled digits on a port (for traffic generators listening to the card). */
  dialled(port: number, digits: string): void;
}

export { MAX_TONE_HZ };
const DTMF_DIGITS = /^[0-9*#A-D]+$/;

const ACK: CardMessage = { type: 'ack' };

function nak(code: NakCode, text: string): CardMessage {
  return { type: 'nak', code, text };
}

/**
 * Answers one request from the host: `ack`, `nak` or the named response. A change the
 * request causes is reported by the components as events; anything that must come after
 * the answer (snapshot, reset) is deferred with `afterAnswer`.
 */
export function answerRequest(card: CardRequestTarget, message: CardMessage): CardMessage {
  switch (message.type) {
    case 'hello': {
      card.hostSaidHello();
      const { model, serial, firmware, spans, fxoPorts, links } = card.description;
      return { type: 'inventory', model, serial, firmware, spans, fxoPorts, links };
    }
    case 'snapshot':
      card.afterAnswer(() => card.sendSnapshot());
      return ACK;
    case 'reset':
      card.afterAnswer(() => card.resetCard());
      return ACK;
    case 'spanConfig':
      return withSpan(card, message.span, (span) => span.configure({ crc4: message.crc4, clock: message.clock }));
    case 'spanSendRai':
      return withSpan(card, message.span, (span) => span.configure({ sendingRai: message.on }));
    case 'linkConfig':
      return configureLink(card, message);
    case 'linkControl': {
      const link = card.links[message.link];
      if (!link) return noSuchLink(card, message.link);
      if (!link.config) return nak('not-ready', `link ${message.link} is not configured; send linkConfig first`);
      if (message.action === 'stop') link.stop();
      else link.start(message.action === 'emergency');
      return ACK;
    }
    case 'tsConnect':
      // Media port 0 disconnects (PROTOCOL.md, tsConnect).
      return withTimeslot(card, message.span, message.timeslot, (ts) => {
        ts.connect(message.timeslot, message.mediaPort);
        card.media.connect(timeslotLine(message.span, message.timeslot), message.mediaPort);
      });
    case 'tsLoopback':
      return withTimeslot(card, message.span, message.timeslot, (ts) => ts.setLoopback(message.timeslot, message.on));
    case 'tsTone':
      if (message.frequency > MAX_TONE_HZ) return nak('bad-value', `tone of ${message.frequency} Hz: use 1..${MAX_TONE_HZ} Hz, or 0 for off`);
      return withTimeslot(card, message.span, message.timeslot, (ts) => ts.setTone(message.timeslot, message.frequency));
    case 'fxoHook': {
      const port = card.fxo[message.port];
      if (!port) return noSuchPort(card, message.port);
      port.setHook(message.offHook);
      return ACK;
    }
    case 'fxoConnect': {
      if (!card.fxo[message.port]) return noSuchPort(card, message.port);
      card.media.connect(fxoLine(message.port), message.mediaPort);
      return ACK;
    }
    case 'fxoDtmfSend': {
      const port = card.fxo[message.port];
      if (!port) return noSuchPort(card, message.port);
      if (!DTMF_DIGITS.test(message.digits)) return nak('bad-value', `digits "${message.digits.slice(0, 40)}": use 0-9, *, #, A-D`);
      if (port.sendDigits(message.digits) === 'not-ready') return nak('not-ready', `FXO port ${message.port} is on-hook; go off-hook before dialling`);
      card.dialled(message.port, message.digits);
      return ACK;
    }
    default:
      return nak('unknown-type', `the card takes no ${message.type} request`);
  }
}

function withSpan(card: CardRequestTarget, index: number, apply: (span: SimSpan) => void): CardMessage {
  const span = card.spans[index];
  if (!span) return nak('no-such-span', `span ${index} does not exist; this card has ${describeRange(card.spans.length, 'spans')}`);
  apply(span);
  card.publishSpan(index);
  return ACK;
}

function withTimeslot(card: CardRequestTarget, span: number, timeslot: number, apply: (ts: SimTimeslots) => void): CardMessage {
  const timeslots = card.timeslots[span];
  if (!timeslots) return nak('no-such-span', `span ${span} does not exist; this card has ${describeRange(card.spans.length, 'spans')}`);
  if (timeslot < 1 || timeslot > 31) return nak('bad-value', `timeslot ${timeslot}: use 1..31 (timeslot 0 carries framing)`);
  apply(timeslots);
  return ACK;
}

function configureLink(card: CardRequestTarget, m: Extract<CardMessage, { type: 'linkConfig' }>): CardMessage {
  const link = card.links[m.link];
  if (!link) return noSuchLink(card, m.link);
  if (!card.spans[m.span]) return nak('no-such-span', `span ${m.span} does not exist; this card has ${describeRange(card.spans.length, 'spans')}`);
  if (m.timeslot < 1 || m.timeslot > 31) return nak('bad-value', `timeslot ${m.timeslot}: use 1..31 (timeslot 0 carries framing)`);
  const config = { span: m.span, timeslot: m.timeslot, mode: m.mode };
  const same = link.config?.span === m.span && link.config.timeslot === m.timeslot && link.config.mode === m.mode;
  if (same) return ACK;
  if (link.started) return nak('busy', `link ${m.link} is started; stop it before configuring it again`);
  const other = card.links.find((l) => l !== link && l.config?.span === m.span && l.config.timeslot === m.timeslot);
  if (other) return nak('busy', `span ${m.span} timeslot ${m.timeslot} already carries link ${other.index}`);
  link.configure(config);
  return ACK;
}

function noSuchLink(card: CardRequestTarget, index: number): CardMessage {
  return nak('no-such-link', `link ${index} does not exist; this card has ${describeRange(card.links.length, 'links')}`);
}

function noSuchPort(card: CardRequestTarget, index: number): CardMessage {
  return nak('no-such-port', `FXO port ${index} does not exist; this card has ${describeRange(card.fxo.length, 'ports')}`);
}

/** "spans 0..1", "no ports". */
export function describeRange(count: number, what: string): string {
  return count === 0 ? `no ${what}` : `${what} 0..${count - 1}`;
}
