import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { SPAN_DEFECTS } from '../protocol/index.js';
import type { CardSimulator } from './card-simulator.js';
import {
  CardResponse,
  CircuitResponse,
  ExchangeResponse,
  ExchangeSummaryResponse,
  FxoResponse,
  KeysResponse,
  LineAudioResponse,
  RecordingResponse,
  SerialResponse,
  SpanResponse,
  StateResponse,
  TrafficResponse,
} from './control-responses.js';
import { NO_FIELDS, route, type Route } from './control-route.js';
import { MAX_CALLS_PER_MINUTE, MAX_HOLD_SECONDS, MIN_HOLD_SECONDS } from './exchange/exchange-config.js';
import { MAX_GROUP } from './exchange/exchange-maintenance.js';
import type { FarEndExchange } from './exchange/far-end-exchange.js';
import { MAX_CIC } from './exchange/isup/index.js';
import { readAudioFile } from './audio-file.js';
import type { AudioSource } from './line-audio.js';
import { SimError } from './sim-error.js';
import { ERROR_RATE_FIELDS } from './sim-span.js';
import { ALAW_OVERLOAD_DBM0, MAX_TONE_HZ } from '../audio/index.js';

export { matchRoutes, type Route } from './control-route.js';

/** A body of these fields and no other; a field is required unless wrapped in `Type.Optional`. */
function Body<T extends TProperties>(properties: T) {
  return Type.Object(properties, { additionalProperties: false });
}

// The numbers in paths. A card has at most 255 spans and 255 FXO ports (their counts are
// octets in the card protocol), so indexes run to 254; whether this card has the span or port
// is the simulator's to say (404 not-found).
const Index = Type.Integer({ minimum: 0, maximum: 254 });
const Span = Type.Object({ span: Index });
const Port = Type.Object({ port: Index });
// G.704: timeslot 0 carries framing and CRC-4, so only 1..31 can be looped or tested.
const SpanTimeslot = Type.Object({ span: Index, timeslot: Type.Integer({ minimum: 1, maximum: 31 }) });
// Q.763 1.2: the CIC field is 12 bits.
const Cic = Type.Object({ cic: Type.Integer({ minimum: 0, maximum: MAX_CIC }) });

const Ratio = Type.Number({ minimum: 0, maximum: 1 });
/** Error rates: Number.MAX_SAFE_INTEGER keeps the simulator's running sums exact. */
const Rate = Type.Number({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

const DefectsBody = Type.Partial(Type.Record(Type.Union(SPAN_DEFECTS.map((d) => Type.Literal(d))), Type.Boolean()), { additionalProperties: false });
const ErrorsBody = Type.Object(
  {
    ...Type.Partial(Type.Record(Type.Union(ERROR_RATE_FIELDS.map((f) => Type.Literal(f))), Rate)).properties,
    seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  },
  { additionalProperties: false },
);
const RingBody = Body({
  // YD/T 1277.1 numbers are digits; letters cover its "P" (private) and "O" (unavailable).
  callerId: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z*#+]{1,32}$', description: 'a number of 1 to 32 digits (also * # + and letters)' })),
  // A RegExp schema, not a string pattern: \P{Cc} and counting characters (not UTF-16 units)
  // need the `u` flag, which JSON Schema patterns cannot carry.
  name: Type.Optional(Type.RegExp(/^\P{Cc}{0,32}$/u, { description: 'a name of up to 32 characters, no control characters' })),
  maxRings: Type.Optional(Type.Integer({ minimum: 1, maximum: 255 })),
});
const TrafficBody = Body({
  callsPerMinute: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_CALLS_PER_MINUTE })),
  holdSeconds: Type.Optional(Type.Number({ minimum: MIN_HOLD_SECONDS, maximum: MAX_HOLD_SECONDS })),
});
const GroupBlockBody = Body({
  firstCic: Type.Integer({ minimum: 0, maximum: MAX_CIC }),
  // Q.763 3.43: a group message covers 2 to 32 circuits.
  count: Type.Integer({ minimum: 2, maximum: MAX_GROUP }),
  on: Type.Boolean(),
});

// What the far end plays into a line: exactly one of tone, file, silence (checked in
// audioSource, since one object schema with optional fields gives the clearest messages).
const AudioBody = Body({
  tone: Type.Optional(
    Type.Object(
      {
        hz: Type.Number({ minimum: 1, maximum: MAX_TONE_HZ }),
        // Down to -60 dBm0, where the far end's own measurement calls it silence; up to A-law's overload point (G.711).
        dbm0: Type.Number({ minimum: -60, maximum: ALAW_OVERLOAD_DBM0 }),
      },
      { additionalProperties: false, description: `{"hz": 1 to ${MAX_TONE_HZ}, "dbm0": -60 to ${ALAW_OVERLOAD_DBM0}}` },
    ),
  ),
  file: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'an absolute path: raw A-law, or a WAV file of 8 kHz mono A-law or 16-bit PCM' })),
  loop: Type.Optional(Type.Boolean()),
  silence: Type.Optional(Type.Literal(true)),
});

// The caller's keys: Q.23's sixteen, upper-case letters as the protocol's fxoDtmf digits are.
const DtmfBody = Body({
  digits: Type.String({ pattern: '^[0-9*#A-D]{1,32}$', description: '1 to 32 keys, each one of 0-9, *, #, A-D' }),
});

function audioSource(body: Static<typeof AudioBody>): AudioSource {
  const given = (['tone', 'file', 'silence'] as const).filter((k) => body[k] !== undefined);
  if (given.length !== 1) {
    throw new SimError('bad-body', `give exactly one of "tone", "file", "silence"${given.length ? `, not ${given.map((k) => `"${k}"`).join(' and ')}` : ''}`);
  }
  if (body.loop !== undefined && body.file === undefined) throw new SimError('bad-body', '"loop" goes with "file" only');
  if (body.tone) return { tone: body.tone };
  if (body.file !== undefined) return { file: body.file, alaw: readAudioFile(body.file), loop: body.loop ?? false };
  return { silence: true };
}

function exchangeOf(sim: CardSimulator): FarEndExchange {
  if (!sim.exchange) throw new SimError('not-found', 'this simulator runs without a far-end exchange; start it without --no-exchange');
  return sim.exchange;
}

/**
 * The control API's routes. Spans and FXO ports are numbered from 0, timeslots 1..31.
 * README.md's route table is rendered from this one (`npm run docs`).
 */
export const ROUTES: readonly Route[] = [
  route({
    method: 'GET',
    path: '/state',
    description: 'The card, each span and FXO port, the signalling links, the exchange summary, the serial line, and the control requests refused so far.',
    params: NO_FIELDS,
    body: NO_FIELDS,
    response: StateResponse,
    handle: ({ sim, api }) => ({ ...sim.state(), control: { rejected: api.rejected } }),
  }),
  route({
    method: 'POST',
    path: '/spans/<span>/defects',
    description: 'Sets or clears line defects; defects left out stay as they are.',
    params: Span,
    body: DefectsBody,
    response: SpanResponse,
    handle: ({ sim, params, body }) => sim.setSpanDefects(params.span, body),
  }),
  route({
    method: 'POST',
    path: '/spans/<span>/errors',
    description: 'Sets error rates; rates left out stay as they are. With `seconds`, the rates given hold for that many one-second reports, then go back to 0.',
    params: Span,
    body: ErrorsBody,
    response: SpanResponse,
    handle: ({ sim, params, body: { seconds, ...rates } }) => sim.setSpanErrors(params.span, rates, seconds),
  }),
  route({
    method: 'POST',
    path: '/spans/<span>/timeslots/<timeslot>/loopback-fault',
    description: 'Breaks (or mends) the loopback of a timeslot: a tone sent into it never comes back.',
    params: SpanTimeslot,
    body: Body({ broken: Type.Boolean() }),
    response: SpanResponse,
    handle: ({ sim, params, body }) => sim.setLoopbackFault(params.span, params.timeslot, body.broken),
  }),
  route({
    method: 'POST',
    path: '/fxo/<port>/line',
    description: 'Unplugs (or plugs back) the line of an FXO port.',
    params: Port,
    body: Body({ plugged: Type.Boolean() }),
    response: FxoResponse,
    handle: ({ sim, params, body }) => sim.setLinePlugged(params.port, body.plugged),
  }),
  route({
    method: 'POST',
    path: '/fxo/<port>/ring',
    description: 'The exchange rings a plugged, idle line, with FSK caller ID when `callerId` is given; `maxRings` defaults to 10.',
    params: Port,
    body: RingBody,
    response: FxoResponse,
    handle: ({ sim, params, body }) => sim.ringLine(params.port, body),
  }),
  route({
    method: 'POST',
    path: '/fxo/<port>/hangup',
    description: 'The far end hangs up: a ringing line stops ringing, an off-hook line gets the open-loop disconnect.',
    params: Port,
    body: NO_FIELDS,
    response: FxoResponse,
    handle: ({ sim, params }) => sim.hangUpLine(params.port),
  }),
  route({
    method: 'POST',
    path: '/fxo/<port>/answer',
    description: "The far end answers the box's call (the box went off-hook and dialled: `dialled` in the port shows the digits): ringback stops and, unless `reversePolarity` is false, the polarity reverses as the answer signal.",
    params: Port,
    body: Body({ reversePolarity: Type.Optional(Type.Boolean()) }),
    response: FxoResponse,
    handle: ({ sim, params, body }) => sim.answerLine(params.port, body),
  }),
  route({
    method: 'POST',
    path: '/fxo/<port>/polarity',
    description: 'Sets the line polarity; without `reversed` it flips.',
    params: Port,
    body: Body({ reversed: Type.Optional(Type.Boolean()) }),
    response: FxoResponse,
    handle: ({ sim, params, body }) => sim.setLinePolarity(params.port, body.reversed),
  }),
  route({
    method: 'GET',
    path: '/fxo/<port>/audio',
    description: "The line's audio: its media port, whether it carries audio (loop closed), what the far end plays, frame counts, and the tone the far end hears from the box over the last second.",
    params: Port,
    body: NO_FIELDS,
    response: LineAudioResponse,
    handle: ({ sim, params }) => sim.lineAudio(params),
  }),
  route({
    method: 'POST',
    path: '/fxo/<port>/audio',
    description: 'What the far end plays into the line from now on: exactly one of `tone`, `file` (once, or again and again with `loop`) or `silence`.',
    params: Port,
    body: AudioBody,
    response: LineAudioResponse,
    handle: ({ sim, params, body }) => sim.playLineAudio(params, audioSource(body)),
  }),
  route({
    method: 'POST',
    path: '/fxo/<port>/audio/measure-reset',
    description: 'Forgets what the far end heard so far: `received` is measured over frames from now on (null until one comes).',
    params: Port,
    body: NO_FIELDS,
    response: LineAudioResponse,
    handle: ({ sim, params }) => sim.resetLineMeasurement(params),
  }),
  route({
    method: 'POST',
    path: '/fxo/<port>/audio/record',
    description: 'Starts recording, octet for octet, what the box sends into the line while it carries audio; an earlier recording is dropped. The first 10 minutes are kept.',
    params: Port,
    body: NO_FIELDS,
    response: RecordingResponse,
    handle: ({ sim, params }) => sim.startLineRecording(params),
  }),
  route({
    method: 'GET',
    path: '/fxo/<port>/audio/recording',
    description: 'The recording so far: its A-law octets in base64, how many, and the frames past the 10-minute cap that were not kept.',
    params: Port,
    body: NO_FIELDS,
    response: RecordingResponse,
    handle: ({ sim, params }) => sim.lineRecording(params),
  }),
  route({
    method: 'POST',
    path: '/fxo/<port>/dtmf',
    description: "The caller presses keys on a line the box holds off-hook: the card reports each as `fxoDtmf`, 100 ms apart, and the keys' DTMF tones go into the line over what the far end plays.",
    params: Port,
    body: DtmfBody,
    response: KeysResponse,
    handle: ({ sim, params, body }) => sim.pressKeys(params, body.digits),
  }),
  route({
    method: 'GET',
    path: '/spans/<span>/timeslots/<timeslot>/audio',
    description: "The timeslot's audio, as for an FXO line; it carries audio while the span is in frame (no LOS, LOF or AIS).",
    params: SpanTimeslot,
    body: NO_FIELDS,
    response: LineAudioResponse,
    handle: ({ sim, params }) => sim.lineAudio(params),
  }),
  route({
    method: 'POST',
    path: '/spans/<span>/timeslots/<timeslot>/audio',
    description: 'What the far end plays into the timeslot from now on, as for an FXO line.',
    params: SpanTimeslot,
    body: AudioBody,
    response: LineAudioResponse,
    handle: ({ sim, params, body }) => sim.playLineAudio(params, audioSource(body)),
  }),
  route({
    method: 'POST',
    path: '/spans/<span>/timeslots/<timeslot>/audio/measure-reset',
    description: 'Forgets what the far end heard on the timeslot so far.',
    params: SpanTimeslot,
    body: NO_FIELDS,
    response: LineAudioResponse,
    handle: ({ sim, params }) => sim.resetLineMeasurement(params),
  }),
  route({
    method: 'POST',
    path: '/spans/<span>/timeslots/<timeslot>/audio/record',
    description: 'Starts recording what the box sends into the timeslot, as for an FXO line.',
    params: SpanTimeslot,
    body: NO_FIELDS,
    response: RecordingResponse,
    handle: ({ sim, params }) => sim.startLineRecording(params),
  }),
  route({
    method: 'GET',
    path: '/spans/<span>/timeslots/<timeslot>/audio/recording',
    description: "The timeslot's recording so far, as for an FXO line.",
    params: SpanTimeslot,
    body: NO_FIELDS,
    response: RecordingResponse,
    handle: ({ sim, params }) => sim.lineRecording(params),
  }),
  route({
    method: 'POST',
    path: '/spans/<span>/timeslots/<timeslot>/dtmf',
    description: "The caller presses keys on a timeslot that carries audio: their DTMF tones go into it in band only (the card has no DTMF receiver on E1).",
    params: SpanTimeslot,
    body: DtmfBody,
    response: KeysResponse,
    handle: ({ sim, params, body }) => sim.pressKeys(params, body.digits),
  }),
  route({
    method: 'POST',
    path: '/card/reset',
    description: 'Resets the card as the host can: silent for the reset time, then it starts afresh.',
    params: NO_FIELDS,
    body: NO_FIELDS,
    response: CardResponse,
    handle: ({ sim }) => sim.injectReset(),
  }),
  route({
    method: 'POST',
    path: '/card/silence',
    description: 'The card stops (or starts again) sending and hearing anything, heartbeats included.',
    params: NO_FIELDS,
    body: Body({ on: Type.Boolean() }),
    response: CardResponse,
    handle: ({ sim, body }) => sim.setSilent(body.on),
  }),
  route({
    method: 'POST',
    path: '/card/protocol-version',
    description: 'Changes the protocol version written into the frames the card sends.',
    params: NO_FIELDS,
    body: Body({ version: Type.Integer({ minimum: 0, maximum: 255 }) }),
    response: CardResponse,
    handle: ({ sim, body }) => sim.setProtocolVersion(body.version),
  }),
  route({
    method: 'POST',
    path: '/serial/noise',
    description: 'Corrupts each byte on the serial line, both ways, with probability `ratio`.',
    params: NO_FIELDS,
    body: Body({ ratio: Ratio }),
    response: SerialResponse,
    handle: ({ sim, body }) => sim.setNoiseRatio(body.ratio),
  }),
  route({
    method: 'POST',
    path: '/traffic',
    description: "Sets the exchange's own call rate and mean hold time; fields left out stay as they are.",
    params: NO_FIELDS,
    body: TrafficBody,
    response: TrafficResponse,
    handle: ({ sim, body }) => exchangeOf(sim).setTraffic(body),
  }),
  route({
    method: 'POST',
    path: '/glare',
    description: "Each of the box's IAMs meets an IAM of the exchange on the same CIC with probability `ratio`.",
    params: NO_FIELDS,
    body: Body({ ratio: Ratio }),
    response: TrafficResponse,
    handle: ({ sim, body }) => exchangeOf(sim).setGlareRatio(body.ratio),
  }),
  route({
    method: 'GET',
    path: '/exchange',
    description: 'The exchange: its summary, its settings and every circuit.',
    params: NO_FIELDS,
    body: NO_FIELDS,
    response: ExchangeResponse,
    handle: ({ sim }) => exchangeOf(sim).snapshot(),
  }),
  route({
    method: 'POST',
    path: '/exchange/circuits/<cic>/block',
    description: 'The exchange blocks (`on`: true, BLO) or unblocks (false, UBL) a circuit.',
    params: Cic,
    body: Body({ on: Type.Boolean() }),
    response: CircuitResponse,
    handle: ({ sim, params, body }) => exchangeOf(sim).blockCircuit(params.cic, body.on),
  }),
  route({
    method: 'POST',
    path: '/exchange/circuits/<cic>/reset',
    description: 'The exchange resets a circuit (RSC).',
    params: Cic,
    body: NO_FIELDS,
    response: CircuitResponse,
    handle: ({ sim, params }) => exchangeOf(sim).resetCircuit(params.cic),
  }),
  route({
    method: 'POST',
    path: '/exchange/group-block',
    description: 'The exchange blocks (`on`: true, CGB) or unblocks (false, CGU) `count` circuits from `firstCic`, maintenance oriented.',
    params: NO_FIELDS,
    body: GroupBlockBody,
    response: Type.Array(CircuitResponse, { title: 'the circuits, a list' }),
    handle: ({ sim, body }) => exchangeOf(sim).groupBlock(body.firstCic, body.count, body.on),
  }),
  route({
    method: 'POST',
    path: '/exchange/reset-all',
    description: 'The exchange resets its whole circuit group (GRS).',
    params: NO_FIELDS,
    body: NO_FIELDS,
    response: ExchangeSummaryResponse,
    handle: ({ sim }) => exchangeOf(sim).resetAll(),
  }),
];
