import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { literals } from './schema-kit.js';
import {
  AgentRowSchema,
  AlarmRecordSchema,
  BoxStatusSchema,
  CallbackSchema,
  CallSummarySchema,
  CallViewSchema,
  CdrSchema,
  CircuitViewSchema,
  KpiReportSchema,
  QueueAgentSchema,
  QueueViewSchema,
  TestOutcomeSchema,
  TrunksViewSchema,
} from './view-schemas.js';

/**
 * Every method of the control socket (`countyline` CLI <-> firmware), typed once: the schema
 * of its parameters, of its result and, for long work, of the progress lines it sends before
 * the result. The firmware checks parameters against these schemas before a handler runs;
 * the CLI checks results and progress against them before it prints anything; tests drive
 * the firmware in-process through the same table.
 *
 * Parameters are complete: every field is sent, none is filled in by the firmware. The CLI
 * owns the defaults it documents in its usage text.
 */
export interface MethodSpec {
  summary: string;
  params: TSchema;
  result: TSchema;
  progress?: TSchema;
}

const NoParams = Type.Object({}, { additionalProperties: false });

/** Circuit names as `countyline trunks` shows them. */
const CircuitName = Type.String({ pattern: '^(all|fxo/[0-9]{1,2}|e1/[0-9]{1,2}/[0-9]{1,2})$', description: 'fxo/N, e1/S/T or all', descriptionZh: 'fxo/N、e1/S/T 或 all' });

/** A CIC is 12 bits (Q.763 1.2). */
const Cic = Type.Integer({ minimum: 0, maximum: 4095, description: 'a CIC' });

const CircuitChange = {
  summary: '',
  params: Type.Object({ cic: Cic }, { additionalProperties: false }),
  result: Type.Object({
    circuit: CircuitViewSchema,
    /**
     * `sent`: BLO/UBL went to the exchange; `pending`: the link is down, it goes when the link
     * is back; `local`: a PRI B-channel, blocked at the box only (Q.931 has no blocking message).
     */
    exchange: literals(['sent', 'pending', 'local']),
  }),
} satisfies MethodSpec;

const AnswerSignalSchema = literals(['anm', 'connect', 'polarity-reversal', 'dialling-complete']);
const DialResultSchema = Type.Object({
  line: Type.String(),
  answered: Type.Boolean(),
  answeredBy: Type.Union([AnswerSignalSchema, Type.Null()]),
  endedBy: literals(['box', 'far-end', 'line']),
  cause: Type.Union([Type.Integer(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Number({ minimum: 0 }),
});

/** The bulletin as the box has it, and its spoken copy (null: none, or it could not be spoken). */
const BulletinView = Type.Object({
  bulletin: Type.Union([Type.Object({ text: Type.String(), until: Type.Union([Type.Integer(), Type.Null()]), setAt: Type.Integer() }), Type.Null()]),
  audio: Type.Union([Type.Object({ lang: literals(['en', 'zh']), seconds: Type.Number({ minimum: 0 }) }), Type.Null()]),
  audioError: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});

export const CONTROL_METHODS = {
  status: { summary: 'card, spans, signalling links, FXO lines, SS7 summary', params: NoParams, result: BoxStatusSchema },
  trunks: { summary: 'span alarms and G.826 counters, FXO line health, test-call records', params: NoParams, result: TrunksViewSchema },
  alarms: {
    summary: 'active alarms, or all kept alarms',
    params: Type.Object({ all: Type.Boolean({ description: 'true: cleared alarms too' }) }, { additionalProperties: false }),
    result: Type.Object({ alarms: Type.Array(AlarmRecordSchema) }),
  },
  'test-call': {
    summary: 'test circuits now, one at a time',
    params: Type.Object({ circuit: CircuitName }, { additionalProperties: false }),
    result: Type.Object({ outcomes: Type.Array(TestOutcomeSchema) }),
    progress: Type.Union([
      Type.Object({ total: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
      Type.Object({ total: Type.Integer({ minimum: 0 }), index: Type.Integer({ minimum: 0 }), outcome: TestOutcomeSchema }),
    ]),
  },
  metrics: { summary: 'Prometheus text', params: NoParams, result: Type.Object({ text: Type.String() }) },
  circuits: { summary: 'E1 circuits: the SS7 CICs, or the PRI B-channels', params: NoParams, result: Type.Array(CircuitViewSchema) },
  block: { ...CircuitChange, summary: 'block a circuit for maintenance (SS7: BLO; PRI: at the box)' },
  unblock: { ...CircuitChange, summary: 'lift our maintenance block (SS7: UBL)' },
  call: {
    summary: 'outgoing test calls over SS7',
    params: Type.Object(
      {
        number: Type.String({ pattern: '^[0-9]{1,20}$', description: '1 to 20 digits', descriptionZh: '1 到 20 位数字' }),
        count: Type.Integer({ minimum: 1, maximum: 100_000 }),
        perMinute: Type.Number({ exclusiveMinimum: 0, maximum: 6000 }),
        holdSeconds: Type.Number({ minimum: 0, maximum: 3600 }),
      },
      { additionalProperties: false },
    ),
    result: Type.Object({ completed: Type.Integer({ minimum: 0 }), failed: Type.Integer({ minimum: 0 }), outcomes: Type.Array(CallSummarySchema) }),
    progress: Type.Object({ index: Type.Integer({ minimum: 0 }), total: Type.Integer({ minimum: 1 }), outcome: CallSummarySchema }),
  },
  capture: {
    summary: 'the E1 signalling both ways, as it crosses: SS7 MTP3 messages, or PRI D-channel (LAPD) frames',
    params: Type.Object({ seconds: Type.Number({ exclusiveMinimum: 0, maximum: 86_400 }) }, { additionalProperties: false }),
    result: Type.Object({ frames: Type.Integer({ minimum: 0 }), protocol: literals(['mtp3', 'lapd']) }),
    // First a line saying the box is listening (nothing sent before it is in the file), then one
    // line per frame.
    progress: Type.Union([
      Type.Object({ started: Type.Literal(true), protocol: literals(['mtp3', 'lapd']) }),
      Type.Object({ at: Type.Number(), direction: literals(['in', 'out']), protocol: literals(['mtp3', 'lapd']), data: Type.String({ contentEncoding: 'base64' }) }),
    ]),
  },
  agents: { summary: 'the agents and their SIP phones', params: NoParams, result: Type.Array(AgentRowSchema) },
  bulletin: { summary: 'the bulletin callers hear, and its recording', params: NoParams, result: BulletinView },
  'bulletin-set': {
    summary: 'set the bulletin (answered once it is spoken)',
    params: Type.Object(
      {
        text: Type.String({ minLength: 1, maxLength: 500, description: '1 to 500 characters', descriptionZh: '1 到 500 个字符' }),
        until: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'ms since the epoch, or null', descriptionZh: '毫秒时间戳或 null' }),
      },
      { additionalProperties: false },
    ),
    result: BulletinView,
  },
  'bulletin-clear': { summary: 'clear the bulletin', params: NoParams, result: Type.Object({ cleared: Type.Boolean() }) },
  queue: { summary: 'the queue now: waiting callers, and each agent with status and state', params: NoParams, result: QueueViewSchema },
  'agent-status': {
    summary: 'log an agent in or out, or put it on a break',
    params: Type.Object(
      {
        user: Type.String({ minLength: 1, maxLength: 64, description: "the agent's SIP user name", descriptionZh: '坐席的 SIP 用户名' }),
        action: Type.Union([Type.Literal('login'), Type.Literal('logout'), Type.Literal('break')], { description: 'login, logout or break', descriptionZh: 'login、logout 或 break' }),
      },
      { additionalProperties: false },
    ),
    result: QueueAgentSchema,
  },
  calls: {
    summary: 'calls in progress and the latest finished calls (CDRs)',
    params: Type.Object({ recent: Type.Integer({ minimum: 0, maximum: 10_000, description: 'how many finished calls' }) }, { additionalProperties: false }),
    result: Type.Object({ active: Type.Array(CallViewSchema), recent: Type.Array(CdrSchema) }),
  },
  kpi: {
    summary: "a day's KPIs from the CDRs (quarter hours, totals, staffing advice by hour)",
    params: Type.Object(
      {
        // Left out: today in the box's time zone (trunks.utcOffsetHours), by the firmware's clock.
        day: Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'a date as YYYY-MM-DD, e.g. 2026-12-01', descriptionZh: 'YYYY-MM-DD 格式的日期, 如 2026-12-01' })),
      },
      { additionalProperties: false },
    ),
    result: KpiReportSchema,
  },
  callbacks: {
    summary: 'callback requests: those waiting first (oldest first), then with all the done ones',
    params: Type.Object({ all: Type.Boolean({ description: 'true: done requests too' }) }, { additionalProperties: false }),
    result: Type.Object({ callbacks: Type.Array(CallbackSchema) }),
  },
  'callback-done': {
    summary: 'mark a callback request done (by staff)',
    params: Type.Object(
      { id: Type.String({ minLength: 1, maxLength: 64, description: 'the id, or its first 8 or more characters', descriptionZh: '编号, 或其前 8 位以上' }) },
      { additionalProperties: false },
    ),
    result: CallbackSchema,
  },
  dial: {
    summary: 'one call out, as a callback goes: answered, the test tone in the line, held, released',
    params: Type.Object(
      {
        number: Type.String({ pattern: '^[0-9]{1,20}$', description: '1 to 20 digits', descriptionZh: '1 到 20 位数字' }),
        line: literals(['fxo', 'e1', 'any']),
        holdSeconds: Type.Number({ minimum: 0, maximum: 3600 }),
      },
      { additionalProperties: false },
    ),
    result: DialResultSchema,
    progress: Type.Object({ event: literals(['placed', 'dialled', 'alerting', 'answered', 'far-end-answered']), line: Type.String(), signal: Type.Optional(AnswerSignalSchema) }),
  },
  'debug-hang': {
    // For testing systemd's watchdog: refused unless the firmware runs with COUNTYLINE_DEBUG_HANG=1.
    summary: 'block the event loop for a while (answered first, then the loop blocks)',
    params: Type.Object({ seconds: Type.Number({ exclusiveMinimum: 0, maximum: 3600, description: 'seconds, more than 0 and at most 3600', descriptionZh: '秒数, 大于 0 且不超过 3600' }) }, { additionalProperties: false }),
    result: Type.Object({ seconds: Type.Number() }),
  },
} as const satisfies Record<string, MethodSpec>;

export type Methods = typeof CONTROL_METHODS;
export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Static<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = Static<Methods[M]['result']>;
export type ProgressOf<M extends MethodName> = Methods[M] extends { progress: infer P extends TSchema } ? Static<P> : never;

export const METHOD_NAMES = Object.keys(CONTROL_METHODS) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(CONTROL_METHODS, name);
}
