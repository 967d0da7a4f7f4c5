import { FXO_TONES, LINK_STATES, SPAN_DEFECTS, type CardCodecErrorCode } from '@countyline/e1-gateway';
import { Type, type Static } from '@sinclair/typebox';
import type { AlarmCauseCode, AlarmRecord } from '../alarms/alarm-types.js';
import { SEVERITIES } from '../alarms/alarm-types.js';
import type { CardStatusView } from '../card/card-driver.js';
import type { CallView } from '../calls/call-manager.js';
import { CALL_STATES } from '../calls/call-state.js';
import { CALL_RESULTS, CENTRE_OUTCOMES, type Cdr } from '../calls/cdr.js';
import type { CircuitCounts } from '../circuits/circuit-group.js';
import { CALL_PHASES } from '../signalling/isup/isup-call-phase.js';
import type { CallReasonCode } from '../signalling/isup/isup-call-reasons.js';
import type { CircuitView } from '../signalling/isup/isup-stack.js';
import type { LinkTestView } from '../signalling/mtp3/link-test.js';
import type { TestReasonCode } from '../trunks/circuit-tests.js';
import type { BoxStatus, TrunksView } from '../status.js';
import type { OfficeAgentView } from '../queue/office-queue.js';
import type { KpiDay, StaffingAdvice } from '../queue/kpi.js';
import { ATTEMPT_OUTCOMES, CALLBACK_REASONS, DONE_BY } from '../queue/callback-records.js';
import type { Callback } from '../queue/callback-store.js';
import type { TestOutcome } from '../trunks/test-call-scheduler.js';
import { literals, nullable, type Assert, type Same } from './schema-kit.js';

/**
 * The views the firmware answers on its control socket, as TypeBox schemas: what
 * `countyline <command> --json` prints. The modules that build them keep their own types;
 * each schema is checked against its type at compile time (`Same`), and the CLI checks every
 * answer against the schema before it uses it, so the two ends cannot disagree silently.
 */

const count = Type.Integer({ minimum: 0 });
const time = Type.Number({ description: 'ms since the epoch' });

// --- reasons and causes as codes, for the reader's language (the English text goes beside)

const TEST_REASON_CODES = [
  'no-such-circuit',
  'card-not-up',
  'card-no-answer',
  'card-refused',
  'busy',
  'line-in-use',
  'no-line',
  'span-in-alarm',
  'no-dial-tone',
  'no-tone-back',
  'no-cic',
  'signalling-down',
  'cic-busy',
  'cic-blocked',
  'no-tone-from-exchange',
  'test-line-refused',
  'test-line-no-answer',
  'stopped',
] as const;
type _testReasons = Assert<Same<(typeof TEST_REASON_CODES)[number], TestReasonCode>>;

const ALARM_CAUSE_CODES = [...TEST_REASON_CODES, 'card-error', 'span-defects', 'threshold-crossed', 'no-battery', 'test-failed', 'block-limit', 'link-test-failed', 'd-channel-down', 'cic-unequipped', 'off-hook-guard'] as const;
type _alarmCauses = Assert<Same<(typeof ALARM_CAUSE_CODES)[number], AlarmCauseCode>>;

const CALL_REASON_CODES = [
  'link-down',
  'not-ready',
  'no-circuit',
  'no-acm',
  'no-answer',
  'released-before-answer',
  'busy-circuit-seized',
  'blocked-here',
  'release-not-confirmed',
  'firmware-stopping',
  'dual-seizure',
  'failed-on-repeat',
  'reset-by-exchange',
  'blocked-by-exchange',
  'group-reset-at-start',
  'group-reset-by-exchange',
  'circuit-reset',
  'span-failed',
  'exchange-hardware-failure',
  'continuity-check-by-exchange',
  'unequipped-at-exchange',
  'unrecognised-message',
  'not-resumed',
  'continuity-failed',
  'no-continuity',
  'invalid-parameter',
] as const;
type _callReasons = Assert<Same<(typeof CALL_REASON_CODES)[number], CallReasonCode>>;

/** The arguments of a coded reason: the numbers and names its text takes. */
const ReasonArgs = Type.Array(Type.Union([Type.String(), Type.Number()]));

// --- card

const CARD_CODEC_ERRORS = ['short', 'crc', 'escape', 'oversize', 'version', 'unknown-type', 'truncated', 'trailing', 'bad-value'] as const;
type _codecErrors = Assert<Same<(typeof CARD_CODEC_ERRORS)[number], CardCodecErrorCode>>;

const Inventory = Type.Object({ model: Type.String(), serial: Type.String(), firmware: Type.String(), spans: count, fxoPorts: count, links: count });

const CardError = Type.Object({
  code: literals(['open-failed', 'port-closed', 'card-silent', 'version-mismatch', 'card-lost', 'setup-failed']),
  message: Type.String(),
  path: Type.String(),
  at: time,
  detail: Type.Optional(Type.String()),
  peerVersion: Type.Optional(Type.Integer()),
});

const CardStatus = Type.Object({
  link: literals(['up', 'down']),
  state: literals(['closed', 'opening', 'handshake', 'up', 'lost']),
  path: Type.String(),
  protocolVersion: Type.Integer(),
  inventory: nullable(Inventory),
  error: nullable(CardError),
  lastHeartbeatAt: nullable(time),
  cardUptimeMs: nullable(Type.Number()),
  upSince: nullable(time),
  restarts: count,
  lost: count,
  serial: Type.Object({
    framesSent: count,
    framesReceived: count,
    retransmits: count,
    duplicatesDropped: count,
    eventsLost: count,
    requestTimeouts: count,
    staleAnswers: count,
    dropped: Type.Record(literals([...CARD_CODEC_ERRORS, 'unexpected']), count),
    discardedBytes: count,
    cardRxErrors: count,
  }),
});
type _card = Assert<Same<Static<typeof CardStatus>, CardStatusView>>;

// --- spans, links, FXO ports

const Defects = Type.Record(literals(SPAN_DEFECTS), Type.Boolean());
const SpanAlarmState = literals(['none', 'red', 'blue', 'yellow', 'recovering']);

const SpanStatus = Type.Object({
  span: count,
  causes: Type.Array(Type.String()),
  defects: Defects,
  crc4: Type.Boolean(),
  clock: literals(['line', 'internal']),
  sendingRai: Type.Boolean(),
  lastSecond: nullable(Type.Object({ second: count, defects: Defects, crc4Errors: count, eBits: count, lineCodeViolations: count, slips: count })),
  totals: Type.Object({ seconds: count, crc4Errors: count, eBits: count, lineCodeViolations: count, slips: count }),
  alarm: SpanAlarmState,
  alarmCauses: Type.Array(Type.String()),
});

const LinkStatus = Type.Object({ link: count, span: count, timeslot: count, mode: literals(['mtp2', 'hdlc']), state: literals(LINK_STATES) });

const FxoLine = literals(['unknown', 'present', 'unplugged']);
const Hook = literals(['on', 'off']);
const Polarity = literals(['normal', 'reversed']);

const FxoStatus = Type.Object({
  port: count,
  line: FxoLine,
  voltage: Type.Number(),
  loopCurrent: Type.Number(),
  hook: Hook,
  ringing: Type.Boolean(),
  polarity: Polarity,
  tone: literals(FXO_TONES),
  lastCallerId: nullable(Type.Object({ number: Type.String(), name: Type.String(), time: Type.String() })),
});

export const CircuitCountsSchema = Type.Object({
  total: count,
  offerable: count,
  idle: count,
  reserved: count,
  outgoing: count,
  incoming: count,
  maintenanceBlocked: count,
  hardwareBlocked: count,
  blocked: count,
  glaresWon: count,
  glaresLost: count,
});
type _counts = Assert<Same<Static<typeof CircuitCountsSchema>, CircuitCounts>>;

/** The signalling link test (Q.707) in `countyline status`. */
export const LinkTestSchema = Type.Object({
  state: literals(['off', 'pending', 'passed', 'failed']),
  lastTestAt: nullable(time),
  lastResult: nullable(literals(['passed', 'failed'])),
  lastFailure: nullable(literals(['no-answer', 'wrong-pattern', 'wrong-slc'])),
  restarts: count,
});
type _linkTest = Assert<Same<Static<typeof LinkTestSchema>, LinkTestView>>;

/** `countyline status`. */
export const BoxStatusSchema = Type.Object({
  firmware: Type.Object({ uptimeMs: Type.Number() }),
  card: CardStatus,
  spans: Type.Array(SpanStatus),
  links: Type.Array(LinkStatus),
  fxo: Type.Array(FxoStatus),
  isup: nullable(Type.Object({ linkUp: Type.Boolean(), ready: Type.Boolean(), linkTest: LinkTestSchema, circuits: CircuitCountsSchema })),
  pri: nullable(
    Type.Object({
      linkInService: Type.Boolean(),
      dChannelUp: Type.Boolean(),
      q921: literals(['tei-assigned', 'awaiting-establishment', 'awaiting-release', 'multiple-frame-established', 'timer-recovery']),
      establishments: count,
      failures: count,
      since: time,
    }),
  ),
  central: Type.Object({
    state: literals(['connected', 'connecting', 'disabled']),
    outbox: Type.Object({ messages: count, bytes: count, dropped: count }),
    lastPubackAt: nullable(time),
  }),
});
type _status = Assert<Same<Static<typeof BoxStatusSchema>, BoxStatus>>;

// --- trunk health

const IntervalCounts = Type.Object({ start: time, es: count, ses: count, uas: count, bbe: count, slips: count, lcv: count, eBits: count, seconds: count });

export const TestOutcomeSchema = Type.Object({
  circuit: Type.String(),
  result: literals(['pass', 'fail', 'skipped']),
  reason: nullable(Type.String()),
  at: time,
  durationMs: Type.Number({ minimum: 0 }),
  reasonCode: Type.Optional(literals(TEST_REASON_CODES)),
  reasonArgs: Type.Optional(ReasonArgs),
});
type _outcome = Assert<Same<Static<typeof TestOutcomeSchema>, TestOutcome>>;

const TestSchedule = Type.Union([
  Type.Object({ mode: Type.Literal('off') }),
  Type.Object({ mode: Type.Literal('nightly'), at: Type.String() }),
  Type.Object({ mode: Type.Literal('every'), hours: Type.Number() }),
]);

/** `countyline trunks`. */
export const TrunksViewSchema = Type.Object({
  spans: Type.Array(
    Type.Object({
      span: count,
      alarm: SpanAlarmState,
      alarmCauses: Type.Array(Type.String()),
      alarmSince: time,
      available: Type.Boolean(),
      pendingSeconds: count,
      current15min: nullable(IntervalCounts),
      day: nullable(IntervalCounts),
      intervals: Type.Array(IntervalCounts),
      causes: Type.Array(Type.String()),
    }),
  ),
  fxo: Type.Array(
    Type.Object({
      port: count,
      line: FxoLine,
      since: time,
      voltage: nullable(Type.Number()),
      loopCurrent: nullable(Type.Number()),
      hook: Hook,
      polarity: nullable(Polarity),
    }),
  ),
  circuits: Type.Array(
    Type.Object({ circuit: Type.String(), lastTest: nullable(TestOutcomeSchema), consecutiveFailures: count, blocked: Type.Boolean(), blockedSince: nullable(time) }),
  ),
  testCalls: Type.Object({ schedule: TestSchedule, nextRunAt: nullable(time) }),
});
type _trunks = Assert<Same<Static<typeof TrunksViewSchema>, TrunksView>>;

/** One alarm record of `countyline alarms`. */
export const AlarmRecordSchema = Type.Object({
  id: Type.String(),
  source: Type.String(),
  type: Type.String(),
  severity: literals(SEVERITIES),
  state: literals(['active', 'cleared']),
  raisedAt: time,
  clearedAt: nullable(time),
  lastRaisedAt: time,
  cause: Type.String(),
  causeCode: Type.Optional(literals(ALARM_CAUSE_CODES)),
  causeArgs: Type.Optional(ReasonArgs),
  count: Type.Integer({ minimum: 1 }),
});
type _alarm = Assert<Same<Static<typeof AlarmRecordSchema>, AlarmRecord>>;

// --- SS7 circuits and calls

const BlockState = literals(['none', 'local', 'remote', 'both']);

/** One row of `countyline circuits`. */
export const CircuitViewSchema = Type.Object({
  cic: count,
  span: count,
  timeslot: count,
  call: literals(['idle', 'reserved', 'outgoing', 'incoming']),
  maintenance: BlockState,
  hardware: BlockState,
  block: BlockState,
  controlledBy: literals(['us', 'peer']),
  releasedAt: time,
  since: time,
  lastRelease: nullable(Type.Object({ cause: count, at: time })),
  callPhase: nullable(literals(CALL_PHASES)),
  direction: nullable(literals(['in', 'out'])),
  unequipped: Type.Boolean(),
  continuity: nullable(literals(['exchange-loop', 'recheck-wait'])),
});
type _circuit = Assert<Same<Static<typeof CircuitViewSchema>, CircuitView>>;

/** How one call of `countyline call` ended. */
export const CallSummarySchema = Type.Object({
  cic: nullable(count),
  result: literals(['completed', 'failed', 'abandoned']),
  reason: nullable(Type.String()),
  reasonCode: Type.Optional(literals(CALL_REASON_CODES)),
  reasonArgs: Type.Optional(ReasonArgs),
  cause: nullable(count),
  repeats: count,
  answered: Type.Boolean(),
  durationMs: Type.Number({ minimum: 0 }),
});
export type CallSummary = Static<typeof CallSummarySchema>;

// --- calls to people (the call model and its CDRs)

const CallLineSchema = Type.Union([
  Type.Object({ kind: Type.Literal('fxo'), port: count }),
  Type.Object({ kind: Type.Literal('e1'), span: count, timeslot: count, cic: count }),
]);

/** A call in progress, in `countyline calls`. */
export const CallViewSchema = Type.Object({
  id: Type.String(),
  line: CallLineSchema,
  calling: Type.String(),
  called: Type.String(),
  state: literals(CALL_STATES),
  agent: nullable(Type.String()),
  agentName: nullable(Type.String()),
  arrivedAt: time,
  offeredAt: nullable(time),
  answeredAt: nullable(time),
});
type _callView = Assert<Same<Static<typeof CallViewSchema>, CallView>>;

/** A finished call's record, as the CDR journal keeps it. */
export const CdrSchema = Type.Object({
  id: Type.String(),
  line: CallLineSchema,
  calling: Type.String(),
  called: Type.String(),
  agent: nullable(Type.String()),
  arrivedAt: time,
  offeredAt: nullable(time),
  answeredAt: nullable(time),
  endedAt: time,
  result: literals(CALL_RESULTS),
  reason: nullable(Type.String()),
  reasonCode: Type.Optional(Type.String()),
  reasonArgs: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Number()]))),
  hungUpBy: nullable(literals(['caller', 'agent', 'box'])),
  cause: nullable(count),
  direction: Type.Optional(Type.Literal('out')),
  repeat: Type.Optional(Type.Boolean()),
  bulletin: Type.Optional(Type.Object({ heardMs: count, skipped: Type.Boolean() })),
  queue: Type.Optional(Type.Object({ id: Type.String(), enteredAt: time, leftAt: time, position: count })),
  callback: Type.Optional(Type.String()),
  centre: Type.Optional(Type.Object({ reason: literals(['after-hours', 'no-agent', 'overflow']), outcome: literals(CENTRE_OUTCOMES) })),
});
type _cdr = Assert<Same<Static<typeof CdrSchema>, Cdr>>;

/** A callback request, in `countyline callbacks --json` (queue/callback-store.ts). */
export const CallbackSchema = Type.Object({
  id: Type.String(),
  number: Type.String(),
  line: CallLineSchema,
  reason: literals(CALLBACK_REASONS),
  callId: Type.String(),
  requestedAt: time,
  requests: count,
  lastRequestedAt: time,
  message: Type.Optional(Type.String()),
  attempts: Type.Array(Type.Object({ at: time, outcome: literals(ATTEMPT_OUTCOMES), callId: Type.String(), agent: Type.Optional(Type.String()) })),
  state: literals(['pending', 'done']),
  doneAt: nullable(time),
  doneBy: nullable(literals(DONE_BY)),
});
type _callback = Assert<Same<Static<typeof CallbackSchema>, Callback>>;
/** One agent as the queue sees it (queue/office-queue.ts). */
export const QueueAgentSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: literals(['logged-out', 'available', 'on-break']),
  state: literals(['idle', 'ringing', 'in-call', 'wrap-up']),
  phoneUp: Type.Boolean(),
  callId: nullable(Type.String()),
  callsAnswered: count,
  stateSince: time,
});
type _queueAgent = Assert<Same<Static<typeof QueueAgentSchema>, OfficeAgentView>>;

/** `countyline queue --json`: the callers waiting, oldest first, and the agents. */
export const QueueViewSchema = Type.Object({
  strategy: literals(['longest-idle', 'round-robin', 'fewest-calls', 'ring-all']),
  waiting: count,
  longestWaitMs: count,
  callers: Type.Array(
    Type.Object({
      id: Type.String(),
      calling: Type.String(),
      state: literals(['queued', 'offering']),
      position: count,
      waitedMs: count,
      agent: nullable(Type.String()),
    }),
  ),
  agents: Type.Array(QueueAgentSchema),
});
export type QueueView = Static<typeof QueueViewSchema>;

/** One agent as `countyline agents --json` lists it (sip/agent-directory.ts). */
export const AgentRowSchema = Type.Object({
  user: Type.String(),
  name: Type.String(),
  registered: Type.Boolean(),
  contact: nullable(Type.String()),
  reachable: Type.Boolean(),
  busy: Type.Boolean(),
});
export type AgentRow = Static<typeof AgentRowSchema>;

// --- `countyline kpi --json`: the day's KPIs from the CDRs (queue/kpi.ts defines every figure)

const KpiCountsSchema = Type.Object({
  inbound: count,
  offered: count,
  answered: count,
  answeredIn15s: count,
  abandoned: count,
  abandonedIn15s: count,
  abandonedWaitMs: count,
  longestAbandonedWaitMs: count,
  deflected: count,
  overflowed: count,
  callbacksCaptured: count,
  forwarded: count,
  callbacksCompleted: count,
  noAgent: count,
  failed: count,
  failedInQueue: count,
  repeatCallers: count,
  answeredWaitMs: count,
  talkMs: count,
  longestWaitMs: count,
  peakQueue: count,
});
const share = nullable(Type.Number({ minimum: 0, maximum: 1 }));
const KpiPeriodSchema = Type.Object({
  from: time,
  to: time,
  counts: KpiCountsSchema,
  rates: Type.Object({ answerRate: share, sl15: share, sl: share, sl2: share, asaMs: nullable(Type.Number({ minimum: 0 })), ahtMs: nullable(Type.Number({ minimum: 0 })) }),
});
const KpiDaySchema = Type.Object({
  day: Type.String({ description: 'YYYY-MM-DD, box time' }),
  utcOffsetMs: Type.Integer(),
  totals: KpiPeriodSchema,
  intervals: Type.Array(KpiPeriodSchema),
});
type _kpiDay = Assert<Same<Static<typeof KpiDaySchema>, KpiDay>>;
const StaffingAdviceSchema = Type.Object({
  day: Type.String(),
  utcOffsetMs: Type.Integer(),
  targetSl: Type.Number(),
  targetMs: Type.Number({ minimum: 0 }),
  wrapUpMs: Type.Number({ minimum: 0 }),
  dayAhtMs: nullable(Type.Number({ minimum: 0 })),
  hours: Type.Array(
    Type.Object({
      from: time,
      to: time,
      callsPerHour: count,
      ahtMs: nullable(Type.Number({ minimum: 0 })),
      handleMs: Type.Number({ minimum: 0 }),
      agentsNeeded: count,
      sl: share,
    }),
  ),
});
type _staffing = Assert<Same<Static<typeof StaffingAdviceSchema>, StaffingAdvice>>;

/** `countyline kpi --json`: the day's quarter hours and totals, and the staffing advice by hour. */
export const KpiReportSchema = Type.Object({ day: KpiDaySchema, staffing: StaffingAdviceSchema });
