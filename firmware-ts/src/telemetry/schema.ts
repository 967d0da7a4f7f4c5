import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * The MQTT payloads between a box and central: the one place both sides take them from
 * (central imports this module). Topics are `cl/v1/<boxId>/<kind>` (see topics.ts).
 *
 * Every message from a box carries:
 * - `v`: the schema version below; a reader refuses a version it does not know;
 * - `seq`: per box, one more for each message the box creates, kept across restarts (the
 *   outbox on disk holds it); `status` is the exception (see StatusPayload);
 * - `ts`: when the box created the message, ms since the epoch;
 * - `bdSeq`: the birth/death sequence of the connection the message was created for, one
 *   more for each connection the box makes, kept on disk. (box, bdSeq, seq) names a message
 *   once: a message replayed after a reconnect keeps all three, so central stores it once.
 *
 * Central reads `seq` as one stream per box: a gap (a message lost, or dropped by the
 * outbox when it was full) makes central ask for a new birth with `cmd/rebirth`.
 */
export const SCHEMA_VERSION = 1;

const Ms = Type.Integer({ minimum: 0, description: 'ms since the epoch' });
const Seq = Type.Integer({ minimum: 0 });

const header = {
  v: Type.Literal(SCHEMA_VERSION),
  seq: Seq,
  ts: Ms,
  bdSeq: Seq,
};

/** Alarm records as the box keeps them (firmware-ts/src/alarms/alarm-types.ts). */
export const AlarmSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  source: Type.String({ minLength: 1, maxLength: 64 }),
  type: Type.String({ minLength: 1, maxLength: 64 }),
  severity: Type.Union([Type.Literal('critical'), Type.Literal('major'), Type.Literal('minor'), Type.Literal('warning')]),
  state: Type.Union([Type.Literal('active'), Type.Literal('cleared')]),
  raisedAt: Ms,
  clearedAt: Type.Union([Ms, Type.Null()]),
  lastRaisedAt: Ms,
  cause: Type.String({ maxLength: 500 }),
  causeCode: Type.Optional(Type.String({ maxLength: 64 })),
  causeArgs: Type.Optional(Type.Array(Type.Union([Type.String({ maxLength: 200 }), Type.Number()]), { maxItems: 16 })),
  count: Type.Integer({ minimum: 1 }),
});
export type AlarmPayloadRecord = Static<typeof AlarmSchema>;

const CallLineSchema = Type.Union([
  Type.Object({ kind: Type.Literal('fxo'), port: Type.Integer({ minimum: 0 }) }),
  Type.Object({ kind: Type.Literal('e1'), span: Type.Integer({ minimum: 0 }), timeslot: Type.Integer({ minimum: 0, maximum: 31 }), cic: Type.Integer({ minimum: 0 }) }),
]);

/** A CDR as the box writes it (firmware-ts/src/calls/cdr.ts). */
export const CdrSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  line: CallLineSchema,
  calling: Type.String({ maxLength: 40 }),
  called: Type.String({ maxLength: 40 }),
  agent: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
  arrivedAt: Ms,
  offeredAt: Type.Union([Ms, Type.Null()]),
  answeredAt: Type.Union([Ms, Type.Null()]),
  endedAt: Ms,
  result: Type.Union(
    (['answered', 'abandoned', 'deflected', 'overflowed', 'callback', 'forwarded', 'no-agent', 'failed', 'test-line'] as const).map((r) => Type.Literal(r)),
  ),
  reason: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
  reasonCode: Type.Optional(Type.String({ maxLength: 64 })),
  reasonArgs: Type.Optional(Type.Array(Type.Union([Type.String({ maxLength: 200 }), Type.Number()]), { maxItems: 16 })),
  hungUpBy: Type.Union([Type.Literal('caller'), Type.Literal('agent'), Type.Literal('box'), Type.Null()]),
  cause: Type.Union([Type.Integer({ minimum: 0, maximum: 127 }), Type.Null()]),
  direction: Type.Optional(Type.Literal('out')),
  repeat: Type.Optional(Type.Boolean()),
  bulletin: Type.Optional(Type.Object({ heardMs: Type.Integer({ minimum: 0 }), skipped: Type.Boolean() })),
  queue: Type.Optional(Type.Object({ id: Type.String({ maxLength: 64 }), enteredAt: Ms, leftAt: Ms, position: Type.Integer({ minimum: 0 }) })),
  callback: Type.Optional(Type.String({ maxLength: 64 })),
  centre: Type.Optional(
    Type.Object({
      reason: Type.Union((['after-hours', 'no-agent', 'overflow'] as const).map((r) => Type.Literal(r))),
      outcome: Type.Union((['answered', 'busy', 'rejected', 'no-answer', 'failed', 'hangup'] as const).map((r) => Type.Literal(r))),
    }),
  ),
});
export type CdrPayloadRecord = Static<typeof CdrSchema>;

/** A span as central shows it; the box may send more fields than these. */
/** G.826 counts of one period (errored, severely errored and unavailable seconds, background block errors, slips, line code violations, E-bits). */
const G826Counts = Type.Object(
  {
    start: Ms,
    seconds: Type.Integer({ minimum: 0 }),
    es: Type.Integer({ minimum: 0 }),
    ses: Type.Integer({ minimum: 0 }),
    uas: Type.Integer({ minimum: 0 }),
    bbe: Type.Integer({ minimum: 0 }),
    slips: Type.Integer({ minimum: 0 }),
    lcv: Type.Integer({ minimum: 0 }),
    eBits: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: true },
);

const SpanSummary = Type.Object(
  {
    span: Type.Integer({ minimum: 0 }),
    alarm: Type.String({ maxLength: 16 }),
    causes: Type.Array(Type.String({ maxLength: 16 }), { maxItems: 16 }),
    /** G.826 this quarter hour and today (absent from older firmware; null before the first second counted). */
    g826: Type.Optional(Type.Object({ current15min: Type.Union([G826Counts, Type.Null()]), day: Type.Union([G826Counts, Type.Null()]) })),
  },
  { additionalProperties: true },
);

/** An FXO port as central shows it. */
const FxoSummary = Type.Object(
  {
    port: Type.Integer({ minimum: 0 }),
    line: Type.String({ maxLength: 16 }),
    voltage: Type.Union([Type.Number(), Type.Null()]),
  },
  { additionalProperties: true },
);

/** A circuit as central shows it (the rows of `countyline circuits --json`). */
const CircuitSummary = Type.Object(
  {
    cic: Type.Integer({ minimum: 0 }),
    span: Type.Integer({ minimum: 0 }),
    timeslot: Type.Integer({ minimum: 0, maximum: 31 }),
    call: Type.String({ maxLength: 32 }),
    block: Type.String({ maxLength: 32 }),
    controlledBy: Type.String({ maxLength: 8 }),
  },
  { additionalProperties: true },
);

const AgentSummary = Type.Object(
  {
    user: Type.String({ maxLength: 64 }),
    name: Type.String({ maxLength: 128 }),
    registered: Type.Boolean(),
  },
  { additionalProperties: true },
);

/**
 * The office queue now (`countyline queue --json`, trimmed): the callers waiting, first in
 * line first, and the agents with their status (logged out, available, on break) and state
 * (idle, ringing, in a call, wrap-up). Open to more fields, as the box's own view grows.
 */
export const QueueSummary = Type.Object(
  {
    waiting: Type.Integer({ minimum: 0 }),
    longestWaitMs: Type.Integer({ minimum: 0 }),
    callers: Type.Array(
      Type.Object(
        {
          calling: Type.String({ maxLength: 32 }),
          state: Type.String({ maxLength: 16 }),
          position: Type.Integer({ minimum: 0 }),
          waitedMs: Type.Integer({ minimum: 0 }),
          agent: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
        },
        { additionalProperties: true },
      ),
      { maxItems: 256 },
    ),
    agents: Type.Array(
      Type.Object(
        {
          id: Type.String({ maxLength: 64 }),
          name: Type.String({ maxLength: 128 }),
          status: Type.String({ maxLength: 16 }),
          state: Type.String({ maxLength: 16 }),
          phoneUp: Type.Boolean(),
          callsAnswered: Type.Integer({ minimum: 0 }),
          stateSince: Ms,
        },
        { additionalProperties: true },
      ),
      { maxItems: 256 },
    ),
  },
  { additionalProperties: true },
);
export type QueueSummaryView = Static<typeof QueueSummary>;

/** A callback request waiting for the office to call back (`countyline callbacks --json`, trimmed). */
export const CallbackSummary = Type.Object(
  {
    id: Type.String({ maxLength: 64 }),
    number: Type.String({ maxLength: 32 }),
    reason: Type.String({ maxLength: 32 }),
    requestedAt: Ms,
    requests: Type.Integer({ minimum: 1 }),
    attempts: Type.Integer({ minimum: 0 }),
    lastAttemptAt: Type.Union([Ms, Type.Null()]),
    lastOutcome: Type.Union([Type.String({ maxLength: 32 }), Type.Null()]),
    message: Type.Boolean({ description: 'the caller left a voice message' }),
  },
  { additionalProperties: true },
);

/** The notice played to callers, as the box has it (`until` null: until cleared). */
export const BulletinSummary = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 500 }),
  until: Type.Union([Ms, Type.Null()]),
  setAt: Ms,
});

/**
 * The full state after every connect: what central shows until the next change. `queue` is
 * null until the box has a queue; `bulletin` (absent from older firmware) is null when none is
 * set. A bulletin set, cleared or ended sends a new birth.
 */
export const BirthPayload = Type.Object({
  ...header,
  software: Type.Object({ version: Type.String({ maxLength: 64 }), node: Type.String({ maxLength: 32 }) }),
  inventory: Type.Object({ hostName: Type.String({ maxLength: 128 }), card: Type.Record(Type.String(), Type.Unknown()) }),
  spans: Type.Array(SpanSummary, { maxItems: 64 }),
  fxo: Type.Array(FxoSummary, { maxItems: 64 }),
  circuits: Type.Object({
    total: Type.Integer({ minimum: 0 }),
    idle: Type.Integer({ minimum: 0 }),
    busy: Type.Integer({ minimum: 0 }),
    blocked: Type.Integer({ minimum: 0 }),
    list: Type.Array(CircuitSummary, { maxItems: 2048 }),
  }),
  alarms: Type.Array(AlarmSchema, { maxItems: 1024 }),
  agents: Type.Union([Type.Array(AgentSummary, { maxItems: 256 }), Type.Null()]),
  queue: Type.Union([QueueSummary, Type.Null()]),
  bulletin: Type.Optional(Type.Union([BulletinSummary, Type.Null()])),
});
export type Birth = Static<typeof BirthPayload>;

/**
 * Retained, and the connection's last will: `online` false when the box goes away without
 * saying so. The will is composed when the connection opens, so a status does not take a
 * `seq` of its own: `seq` is the latest the box had created then. Central ignores a status
 * whose bdSeq is older than the box's latest birth (a late will).
 */
export const StatusPayload = Type.Object({
  ...header,
  online: Type.Boolean(),
});
export type Status = Static<typeof StatusPayload>;

/** An alarm raised, raised again, or cleared on the box. */
export const AlarmPayload = Type.Object({
  ...header,
  change: Type.Union([Type.Literal('raised'), Type.Literal('updated'), Type.Literal('cleared')]),
  alarm: AlarmSchema,
});
export type AlarmMessage = Static<typeof AlarmPayload>;

/**
 * A snapshot of the box's live state: the least valuable message (dropped first when full).
 * Sent periodically, when a span or line changes, and (at most every `central.liveMinGapMs`)
 * when the queue or the calls change. `circuitList`, `agents` and `queue` are absent from
 * older firmware; `agents` and `queue` are null on a box with no agents.
 */
export const TrunksPayload = Type.Object({
  ...header,
  spans: Type.Array(SpanSummary, { maxItems: 64 }),
  fxo: Type.Array(FxoSummary, { maxItems: 64 }),
  circuits: Type.Object({ total: Type.Integer({ minimum: 0 }), idle: Type.Integer({ minimum: 0 }), busy: Type.Integer({ minimum: 0 }), blocked: Type.Integer({ minimum: 0 }) }),
  circuitList: Type.Optional(Type.Array(CircuitSummary, { maxItems: 2048 })),
  agents: Type.Optional(Type.Union([Type.Array(AgentSummary, { maxItems: 256 }), Type.Null()])),
  queue: Type.Optional(Type.Union([QueueSummary, Type.Null()])),
  /** The pending callback requests, longest waiting first (at most 256 of them; `callbacksPending` counts all). */
  callbacks: Type.Optional(Type.Union([Type.Array(CallbackSummary, { maxItems: 256 }), Type.Null()])),
  callbacksPending: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type TrunksMessage = Static<typeof TrunksPayload>;

/** One finished call. */
export const CdrPayload = Type.Object({
  ...header,
  cdr: CdrSchema,
});
export type CdrMessage = Static<typeof CdrPayload>;

const Count = Type.Integer({ minimum: 0 });
const OptionalCount = (description: string) => Type.Optional(Type.Integer({ minimum: 0, description }));

/**
 * The KPIs of one 15-minute interval, as counts and sums (central adds intervals up and works
 * out every rate from them), by the definitions of firmware-ts/src/queue/kpi.ts: a call counts
 * in the interval it arrived in (a later message for the same interval corrects it); test-line
 * calls are left out; `offered` leaves out deflected calls and failed ones that never reached
 * the queue; `answeredIn15s` is timed from joining the queue; `failed` is every failed call.
 * The optional fields came with the queue: a box from before sends only the first six, with
 * calls counted in the interval they ended in and `answeredIn15s` timed from arrival.
 */
export const KpiPayload = Type.Object({
  ...header,
  intervalStart: Ms,
  intervalMs: Type.Integer({ minimum: 1 }),
  offered: Count,
  answered: Count,
  answeredIn15s: Count,
  abandoned: Count,
  noAgent: Count,
  failed: Count,
  inbound: OptionalCount('inbound calls, test-line calls left out'),
  abandonedIn15s: OptionalCount('abandoned after a wait of 15 s or less'),
  abandonedWaitMs: OptionalCount('the waits of the abandoned calls, summed'),
  longestAbandonedWaitMs: OptionalCount('the longest wait of an abandoned call'),
  deflected: OptionalCount('hung up during the bulletin, before the queue'),
  overflowed: OptionalCount('sent on after the longest wait'),
  callbacksCaptured: OptionalCount('callback requests left'),
  forwarded: OptionalCount('sent to the city centre over its trunk and answered there'),
  callbacksCompleted: OptionalCount('callbacks the box placed that were answered'),
  failedInQueue: OptionalCount('failed calls that had reached the queue (in `offered`)'),
  repeatCallers: OptionalCount('calls from a number that called within the repeat window'),
  answeredWaitMs: OptionalCount('the waits of the answered calls, summed (ASA = answeredWaitMs / answered)'),
  talkMs: OptionalCount('the talk time of the answered calls, summed (AHT = talkMs / answered; no wrap-up)'),
  longestWaitMs: OptionalCount('the longest wait of an offered call'),
  peakQueue: OptionalCount('the most calls in the queue at one moment of the interval'),
});
export type KpiMessage = Static<typeof KpiPayload>;

/** Something that happened on the box that is neither an alarm nor a call (a test call's result, a restart). */
export const EventPayload = Type.Object({
  ...header,
  type: Type.String({ minLength: 1, maxLength: 64 }),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type EventMessage = Static<typeof EventPayload>;

/** Commands central sends on `cmd/<name>`; `id` makes a repeat harmless (the box answers it again from memory). */
export const COMMAND_NAMES = ['test-call', 'block', 'unblock', 'bulletin-set', 'bulletin-clear', 'rebirth'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

const commandHeader = {
  v: Type.Literal(SCHEMA_VERSION),
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' }),
  ts: Ms,
};

export const CommandPayloads = {
  'test-call': Type.Object({ ...commandHeader, circuit: Type.String({ minLength: 1, maxLength: 32, description: '`fxo/<port>` or `e1/<span>/<timeslot>`' }) }),
  block: Type.Object({ ...commandHeader, cic: Type.Integer({ minimum: 0, maximum: 4095 }) }),
  unblock: Type.Object({ ...commandHeader, cic: Type.Integer({ minimum: 0, maximum: 4095 }) }),
  'bulletin-set': Type.Object({ ...commandHeader, text: Type.String({ minLength: 1, maxLength: 500 }), until: Type.Union([Ms, Type.Null()]) }),
  'bulletin-clear': Type.Object({ ...commandHeader }),
  rebirth: Type.Object({ ...commandHeader }),
} satisfies Record<CommandName, TSchema>;
export type Command<N extends CommandName> = Static<(typeof CommandPayloads)[N]>;

/** The box's answer to a command, sent once the command has run (or was refused). */
export const CommandResultPayload = Type.Object({
  ...header,
  id: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.String({ maxLength: 32 }),
  ok: Type.Boolean(),
  result: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  /** When refused or failed: the firmware's error code and its English text. */
  error: Type.Union([Type.Object({ code: Type.String({ maxLength: 64 }), message: Type.String({ maxLength: 500 }) }), Type.Null()]),
});
export type CommandResult = Static<typeof CommandResultPayload>;

/** The configuration central wants the box to run (retained); `revision` grows with each change. */
export const DesiredConfigPayload = Type.Object({
  v: Type.Literal(SCHEMA_VERSION),
  ts: Ms,
  revision: Type.Integer({ minimum: 1 }),
  config: Type.Record(Type.String(), Type.Unknown()),
});
export type DesiredConfig = Static<typeof DesiredConfigPayload>;

/** What the box made of a desired configuration: applied, or refused with the reasons. */
export const ReportedConfigPayload = Type.Object({
  ...header,
  revision: Type.Integer({ minimum: 1 }),
  applied: Type.Boolean(),
  errors: Type.Array(Type.String({ maxLength: 500 }), { maxItems: 32 }),
});
export type ReportedConfig = Static<typeof ReportedConfigPayload>;

/** The kinds a box publishes, and their payloads. */
export const BoxPayloads = {
  birth: BirthPayload,
  status: StatusPayload,
  alarm: AlarmPayload,
  trunks: TrunksPayload,
  kpi: KpiPayload,
  cdr: CdrPayload,
  event: EventPayload,
  'cmd-result': CommandResultPayload,
  'config/reported': ReportedConfigPayload,
} as const;
export type BoxKind = keyof typeof BoxPayloads;
export type BoxPayload<K extends BoxKind> = Static<(typeof BoxPayloads)[K]>;
