import { Type, type TObject, type TProperties } from '@sinclair/typebox';
import { HTTP_ERROR_CODES } from '../errors.js';
import { FXO_TONES, LINK_STATES, SPAN_DEFECTS } from '../protocol/index.js';
import { CALL_STATES, CONTROL_RULES, SELECTION_METHODS } from './exchange/circuits/index.js';
import { NETWORK_INDICATORS } from './exchange/isup/index.js';
import type { LineKey } from './media-lines.js';
import { Mtp2Response } from './mtp2/mtp2-response.js';
import { ERROR_RATE_FIELDS } from './sim-span.js';

// What the control API answers with, as TypeBox schemas. Each handler's return type is the
// schema's Static type, so the compiler ties the simulator's snapshots to these; the control
// API tests check every answer against its schema at run time, and `additionalProperties:
// false` there makes a field the schema lacks fail too.

/** An object with exactly these fields. */
function Fields<T extends TProperties>(properties: T, title?: string): TObject<T> {
  return Type.Object(properties, title === undefined ? { additionalProperties: false } : { additionalProperties: false, title });
}

/** One of these strings. */
function Literals<T extends string>(values: readonly T[]) {
  return Type.Union(values.map((v) => Type.Literal(v)));
}

const Count = Type.Integer({ minimum: 0 });
/** Milliseconds on the simulator's clock. */
const Time = Type.Number();
const Counts = Type.Record(Type.String(), Count);
/** The exchange's circuit map keeps its timeslot lists read-only; the JSON is the same. */
const ReadonlyCounts = Type.Unsafe<readonly number[]>(Type.Array(Count));

const SpanCounts = Fields({ crc4Errors: Count, eBits: Count, lineCodeViolations: Count, slips: Count });

export const SpanResponse = Fields(
  {
    span: Count,
    defects: Type.Record(Literals(SPAN_DEFECTS), Type.Boolean(), { additionalProperties: false }),
    errors: Type.Record(Literals(ERROR_RATE_FIELDS), Type.Number(), { additionalProperties: false }),
    crc4: Type.Boolean(),
    clock: Literals(['line', 'internal'] as const),
    sendingRai: Type.Boolean(),
    counters: Fields({ secondsSent: Count, last: Type.Union([SpanCounts, Type.Null()]), totals: SpanCounts }),
    timeslots: Fields({
      connections: Type.Array(Fields({ timeslot: Count, mediaPort: Count })),
      loopbacks: Type.Array(Count),
      tones: Type.Array(Fields({ timeslot: Count, frequency: Type.Number(), detected: Type.Boolean() })),
      brokenLoopbacks: Type.Array(Count),
    }),
  },
  'the span',
);

export const FxoResponse = Fields(
  {
    port: Count,
    plugged: Type.Boolean(),
    voltage: Type.Number(),
    loopCurrent: Type.Number(),
    offHook: Type.Boolean(),
    ringing: Type.Boolean(),
    polarity: Literals(['normal', 'reversed'] as const),
    tone: Literals(FXO_TONES),
    call: Literals(['idle', 'ringing', 'seized', 'connected', 'open-loop', 'released'] as const),
    rings: Count,
    dialled: Type.String(),
  },
  'the port',
);

const ToneFields = Fields({ hz: Type.Number(), dbm0: Type.Number() });
const Line = Type.Unsafe<LineKey>(Type.String({ pattern: '^(fxo/\\d+|e1/\\d+/\\d+)$' }));

/** `GET /fxo/<port>/audio` and the timeslot's: one line's connection and far-end audio. */
export const LineAudioResponse = Fields(
  {
    line: Line,
    connected: Type.Boolean(),
    mediaPort: Type.Union([Count, Type.Null()]),
    localPort: Type.Union([Count, Type.Null()]),
    carrying: Type.Boolean(),
    playing: Type.Union([
      Fields({ tone: ToneFields }),
      Fields({ file: Type.String(), loop: Type.Boolean(), finished: Type.Boolean() }),
      Fields({ silence: Type.Literal(true) }),
    ]),
    framesSent: Count,
    framesReceived: Count,
    framesDropped: Count,
    received: Fields({ hz: Type.Union([Type.Number(), Type.Null()]), dbm0: Type.Union([Type.Number(), Type.Null()]) }),
  },
  'the line audio',
);

/** `GET /fxo/<port>/audio/recording` and the timeslot's: what the far end recorded from the box. */
export const RecordingResponse = Fields(
  {
    recording: Type.Boolean(),
    startedAt: Type.Union([Time, Type.Null()]),
    octets: Count,
    truncatedFrames: Count,
    alaw: Type.String({ contentEncoding: 'base64' }),
  },
  'the recording',
);

/** `POST /fxo/<port>/dtmf` and the timeslot's: the keys the caller pressed. */
export const KeysResponse = Fields(
  {
    line: Line,
    digits: Type.String(),
    startsAt: Time,
    endsAt: Time,
    fxoDtmfEvents: Type.Boolean(),
  },
  'the key presses',
);

export const CardResponse = Fields(
  {
    model: Type.String(),
    serial: Type.String(),
    firmware: Type.String(),
    spans: Count,
    fxoPorts: Count,
    links: Count,
    protocolVersion: Count,
    running: Type.Boolean(),
    uptimeMs: Type.Number(),
    resetting: Type.Boolean(),
    silent: Type.Boolean(),
  },
  'the card',
);

export const SerialResponse = Fields(
  {
    noiseRatio: Type.Number(),
    corruptedBytes: Count,
    corruptedTxBytes: Count,
    corruptedRxBytes: Count,
    rxErrors: Count,
    link: Fields({
      framesSent: Count,
      framesReceived: Count,
      retransmits: Count,
      duplicatesDropped: Count,
      eventsLost: Count,
      requestTimeouts: Count,
      staleAnswers: Count,
      dropped: Counts,
      discardedBytes: Count,
    }),
  },
  'the serial line',
);

const LinkResponse = Fields({
  link: Count,
  config: Type.Union([Fields({ span: Count, timeslot: Count, mode: Literals(['mtp2', 'hdlc'] as const) }), Type.Null()]),
  started: Type.Boolean(),
  state: Literals(LINK_STATES),
  counters: Fields({ fromHost: Count, toPeer: Count, toHost: Count, dropped: Count }),
  mtp2: Type.Union([Mtp2Response, Type.Null()]),
  hdlcPeer: Type.Union([
    Fields({
      link: Count,
      framesOut: Count,
      framesIn: Count,
      tooShort: Count,
      dropped: Count,
      transport: Fields({ local: Type.String(), remote: Type.String(), datagramsIn: Count, datagramsOut: Count, sendErrors: Type.Record(Type.String(), Count) }),
    }),
    Type.Null(),
  ]),
});

export const TrafficResponse = Fields({ callsPerMinute: Type.Number(), holdSeconds: Type.Number(), glareRatio: Type.Number() }, 'the traffic');

const BlockState = Literals(['none', 'local', 'remote', 'both'] as const);

export const CircuitResponse = Fields(
  {
    cic: Count,
    span: Count,
    timeslot: Count,
    call: Literals(CALL_STATES),
    maintenance: BlockState,
    hardware: BlockState,
    controlledBy: Literals(['us', 'peer'] as const),
    releasedAt: Time,
    since: Time,
    lastRelease: Type.Union([Fields({ cause: Count, at: Time }), Type.Null()]),
    ready: Type.Boolean(),
    loopback: Type.Boolean(),
    exchangeCall: Type.Union([
      Fields({
        id: Count,
        direction: Literals(['out', 'in'] as const),
        state: Literals(['out-setup', 'out-alerting', 'out-answered', 'in-continuity', 'in-setup', 'in-alerting', 'in-answered', 'releasing'] as const),
        attempt: Count,
        called: Type.String(),
        calling: Type.String(),
      }),
      Type.Null(),
    ]),
  },
  'the circuit',
);

const summaryFields = {
  pointCode: Count,
  peerPointCode: Count,
  link: Count,
  linkInService: Type.Boolean(),
  linkTest: Fields({
    required: Type.Boolean(),
    state: Literals(['stopped', 'testing', 'passed', 'failed'] as const),
    isupAvailable: Type.Boolean(),
    sltmSent: Count,
    passed: Count,
    timedOut: Count,
    failures: Count,
    badSlta: Count,
    sltmAnswered: Count,
    lastPassedAt: Type.Union([Time, Type.Null()]),
  }),
  readyCircuits: Count,
  traffic: TrafficResponse,
  counts: Fields({
    total: Count,
    offerable: Count,
    idle: Count,
    reserved: Count,
    outgoing: Count,
    incoming: Count,
    maintenanceBlocked: Count,
    hardwareBlocked: Count,
    glaresWon: Count,
    glaresLost: Count,
  }),
  counters: Fields({
    callsOriginated: Count,
    callsAnswered: Count,
    callsCompleted: Count,
    callsFailed: Counts,
    rejectCauses: Counts,
    iamsReceived: Count,
    incomingAnswered: Count,
    incomingCompleted: Count,
    incomingFailed: Counts,
    forcedGlares: Count,
    repeatAttempts: Count,
    releaseRepeats: Count,
    maintenanceSent: Counts,
    maintenanceReceived: Counts,
    maintenanceRepeats: Count,
    continuityChecks: Count,
    msusReceived: Count,
    msusSent: Count,
    notSent: Count,
    malformedMsus: Count,
    otherServices: Count,
    unrecognised: Count,
    confusionReceived: Count,
    isupHeld: Count,
    wrongRoute: Count,
    unknownCic: Count,
    badRange: Count,
    unexpected: Count,
    glaresWon: Count,
    glaresLost: Count,
  }),
  pending: Type.Array(
    Fields({ type: Literals(['BLO', 'UBL', 'RSC', 'CGB', 'CGU', 'GRS'] as const), cic: Count, count: Count, since: Time, repeats: Count }),
  ),
};

export const ExchangeSummaryResponse = Fields(summaryFields, 'the exchange summary');

const ExchangeConfigResponse = Fields({
  variant: Literals(['itu', 'china'] as const),
  ni: Literals(NETWORK_INDICATORS),
  pointCode: Count,
  peerPointCode: Count,
  link: Count,
  cics: Type.Array(
    Type.Union([
      Fields({ firstCic: Count, span: Count, timeslots: Type.Union([Type.String(), ReadonlyCounts]) }),
      Fields({ cic: Count, span: Count, timeslot: Count }),
    ]),
  ),
  control: Literals(CONTROL_RULES),
  selection: Literals(SELECTION_METHODS),
  huntDirection: Type.Union([Literals(['high-to-low', 'low-to-high'] as const), Type.Null()]),
  answerDelayMs: Type.Number(),
  holdSeconds: Type.Number(),
  callsPerMinute: Type.Number(),
  seed: Type.Number(),
  calledNumber: Type.String(),
  linkTest: Fields({ required: Type.Boolean(), periodMs: Count, timeoutMs: Count, slc: Count }),
});

export const ExchangeResponse = Fields({ ...summaryFields, config: ExchangeConfigResponse, circuits: Type.Array(CircuitResponse) }, 'the exchange');

/** `GET /state`: the whole simulator, and what the control API itself has refused. */
export const StateResponse = Fields(
  {
    card: CardResponse,
    spans: Type.Array(SpanResponse),
    fxo: Type.Array(FxoResponse),
    links: Type.Array(LinkResponse),
    exchange: Type.Union([ExchangeSummaryResponse, Type.Null()]),
    serial: SerialResponse,
    control: Fields({ rejected: Type.Record(Literals(HTTP_ERROR_CODES), Count, { additionalProperties: false }) }),
  },
  'everything, see below',
);
