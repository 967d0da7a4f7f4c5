import { Type } from '@sinclair/typebox';
import { BirthPayload, BOX_ID_PATTERN, CdrSchema, COMMAND_NAMES, CallbackSummary } from '@countyline/firmware/telemetry';

/** The response and request shapes the routes share (the OpenAPI document shows them). */

const Ms = Type.Integer({ minimum: 0, description: 'ms since the epoch' });
const MsOrNull = Type.Union([Ms, Type.Null()]);

export const BoxId = Type.String({ pattern: BOX_ID_PATTERN, description: 'letters, digits, - and _ (it names MQTT topics and the broker user)' });
export const SiteId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const RoleSchema = Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Literal('admin')]);
export const SeveritySchema = Type.Union([Type.Literal('critical'), Type.Literal('major'), Type.Literal('minor'), Type.Literal('warning')]);

export const SiteSchema = Type.Object({ id: SiteId, name: Type.String(), county: Type.String(), createdAt: Ms });

export const BoxSummarySchema = Type.Object({
  id: Type.String(),
  site: Type.String(),
  name: Type.String(),
  createdAt: Ms,
  enrolled: Type.Boolean(),
  online: Type.Boolean(),
  onlineChangedAt: MsOrNull,
  lastBirthAt: MsOrNull,
  worstAlarm: Type.Union([SeveritySchema, Type.Null()], { description: 'the most severe active alarm of the box; null when none is active' }),
  waiting: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: "callers waiting in the box's queue as it last reported; null when it reports no queue" }),
});

export const BoxDetailSchema = Type.Object({
  ...BoxSummarySchema.properties,
  bdSeq: Type.Union([Type.Integer(), Type.Null()]),
  birth: Type.Union([BirthPayload, Type.Null()], { description: 'the latest birth as the box sent it' }),
});

const CircuitCounts = Type.Object({ total: Type.Integer(), idle: Type.Integer(), busy: Type.Integer(), blocked: Type.Integer() });

export const TrunksSchema = Type.Object({
  at: Type.Union([Ms, Type.Null()], { description: 'when the box reported these (its latest trunk snapshot or birth); null when it never did' }),
  spans: BirthPayload.properties.spans,
  fxo: BirthPayload.properties.fxo,
  circuits: Type.Union([CircuitCounts, Type.Null()]),
});

export const CircuitsSchema = Type.Object({
  at: Type.Union([Ms, Type.Null()], { description: 'when the box reported them: its latest live snapshot, or its birth (older firmware lists circuits only there)' }),
  circuits: BirthPayload.properties.circuits.properties.list,
});

export const QueueSchema = Type.Object({
  at: Type.Union([Ms, Type.Null()], { description: 'when the box reported it (its latest live snapshot or birth); null when it never did' }),
  agents: BirthPayload.properties.agents,
  queue: BirthPayload.properties.queue,
  callbacks: Type.Union([Type.Array(CallbackSummary, { maxItems: 256 }), Type.Null()], { description: 'the callback requests waiting, longest first (at most 256); null when the box does not report them' }),
  callbacksPending: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
});

export const KpiSchema = Type.Object({
  intervalStart: Ms,
  intervalMs: Type.Integer(),
  offered: Type.Integer(),
  answered: Type.Integer(),
  answeredIn15s: Type.Integer(),
  abandoned: Type.Integer(),
  noAgent: Type.Integer(),
  failed: Type.Integer(),
});

export const AlarmSchema = Type.Object({
  id: Type.Integer(),
  boxId: Type.String(),
  origin: Type.Union([Type.Literal('box'), Type.Literal('central')]),
  boxAlarmId: Type.Union([Type.String(), Type.Null()]),
  source: Type.String(),
  type: Type.String(),
  severity: SeveritySchema,
  state: Type.Union([Type.Literal('active'), Type.Literal('cleared')]),
  cause: Type.String(),
  causeCode: Type.Union([Type.String(), Type.Null()]),
  causeArgs: Type.Union([Type.Array(Type.Union([Type.String(), Type.Number()])), Type.Null()]),
  raisedAt: Ms,
  lastRaisedAt: Ms,
  clearedAt: MsOrNull,
  count: Type.Integer(),
  ackedAt: MsOrNull,
  ackedBy: Type.Union([Type.String(), Type.Null()]),
  ackComment: Type.Union([Type.String(), Type.Null()]),
});

export const CdrSchemaWithBox = Type.Object({ boxId: Type.String(), ...CdrSchema.properties });

export const CommandNameSchema = Type.Union(COMMAND_NAMES.map((n) => Type.Literal(n)));

const Outcome = Type.Object({
  ok: Type.Boolean(),
  result: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
});

export const CommandSchema = Type.Object({
  id: Type.String(),
  boxId: Type.String(),
  name: CommandNameSchema,
  params: Type.Record(Type.String(), Type.Unknown()),
  requestedBy: Type.String(),
  createdAt: Ms,
  state: Type.Union([Type.Literal('sent'), Type.Literal('done'), Type.Literal('failed'), Type.Literal('timed-out')], {
    description: "sent: waiting for the box's answer; done / failed: the box answered ok or not (or central could not send it); timed-out: no answer by deadlineAt (a late answer still replaces it)",
  }),
  completedAt: Type.Union([Ms, Type.Null()], { description: 'when the answer was stored' }),
  outcome: Type.Union([Outcome, Type.Null()]),
  deadlineAt: Type.Integer({ minimum: 0, description: "ms since the epoch: central stops waiting for the answer then (countyline-central --command-timeout after it was sent)" }),
  timedOutAt: Type.Union([Ms, Type.Null()], { description: 'when central gave up waiting; kept when a late answer came after' }),
});

export const ConfigStateSchema = Type.Object({
  desired: Type.Union([Type.Object({ revision: Type.Integer(), config: Type.Record(Type.String(), Type.Unknown()), at: Ms }), Type.Null()]),
  reported: Type.Union([Type.Object({ revision: Type.Integer(), applied: Type.Boolean(), errors: Type.Array(Type.String()), at: Ms }), Type.Null()]),
});

export const EnrolmentTokenSchema = Type.Object({
  enrolmentToken: Type.String({ description: 'shown once: give it to `countyline provision --token`' }),
  expiresAt: Ms,
});

export const BoxIdParams = Type.Object({ id: BoxId });
