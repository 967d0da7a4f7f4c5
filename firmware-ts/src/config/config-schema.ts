import { Type, type Static } from '@sinclair/typebox';
import { ISUP_TIMER_RANGES } from '../signalling/isup/isup-timers.js';
import { BOX_ID_PATTERN } from '../telemetry/topics.js';

/**
 * The box configuration file (JSON). Every key but the three a box cannot guess (the card's
 * serial path, where state is kept, the CLI socket) has a default. Unknown keys are refused,
 * so a misspelt key is an error rather than a setting silently ignored.
 */
const SpanSetup = Type.Object(
  {
    crc4: Type.Boolean({ default: true, description: 'CRC-4 multiframe on the span (G.704); almost every Chinese E1 uses it' }),
    clock: Type.Union([Type.Literal('line'), Type.Literal('internal')], { default: 'line', description: 'take timing from the line (the telco is master) or run free' }),
  },
  { additionalProperties: false },
);

const LinkSetup = Type.Object(
  {
    span: Type.Integer({ minimum: 0, maximum: 7 }),
    timeslot: Type.Integer({ minimum: 1, maximum: 31, description: 'ts0 carries framing and is never a signalling channel' }),
    mode: Type.Union([Type.Literal('mtp2'), Type.Literal('hdlc')], { default: 'mtp2', description: 'mtp2 for SS7, hdlc for a PRI D-channel' }),
  },
  { additionalProperties: false },
);

const Thresholds = (defaults: Record<string, number>) =>
  Type.Object(
    {
      es: Type.Optional(Type.Integer({ minimum: 1 })),
      ses: Type.Optional(Type.Integer({ minimum: 1 })),
      uas: Type.Optional(Type.Integer({ minimum: 1 })),
      bbe: Type.Optional(Type.Integer({ minimum: 1 })),
      slips: Type.Optional(Type.Integer({ minimum: 1 })),
      lcv: Type.Optional(Type.Integer({ minimum: 1 })),
    },
    { additionalProperties: false, default: defaults },
  );

const Trunks = Type.Object(
  {
    redIntegrationMs: Type.Integer({ default: 2500, minimum: 0, description: 'LOS/LOF/LMFA this long declares red' }),
    blueIntegrationMs: Type.Integer({ default: 2500, minimum: 0, description: 'AIS this long declares blue' }),
    yellowIntegrationMs: Type.Integer({ default: 500, minimum: 0, description: 'RAI this long declares yellow' }),
    settleMs: Type.Integer({ default: 10_000, minimum: 0, description: 'clean this long after an alarm before it clears' }),
    sesThreshold: Type.Integer({ default: 300, minimum: 1, maximum: 1000, description: 'CRC-4 errors in a second that make it an SES' }),
    intervalThresholds: Thresholds({ es: 65, ses: 10, uas: 10, bbe: 2000, slips: 4 }),
    dayThresholds: Thresholds({ es: 650, ses: 100, uas: 100, bbe: 20000, slips: 40 }),
    utcOffsetHours: Type.Number({ default: 8, minimum: -12, maximum: 14, description: "the box's time zone, for the day total and the nightly test" }),
    fxo: Type.Object(
      {
        batteryThresholdV: Type.Number({ default: 3, minimum: 0.5, description: 'below this the line has no battery' }),
        hangupDebounceMs: Type.Integer({ default: 64, minimum: 1 }),
        alarmMs: Type.Integer({ default: 1000, minimum: 1, description: 'no battery this long is an unplugged line' }),
        polarityDebounceMs: Type.Integer({ default: 64, minimum: 1, description: 'the line polarity must stay reversed (or back) this long to count as a reversal' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

const Schedule = Type.Union(
  [
    Type.Object({ mode: Type.Literal('off') }, { additionalProperties: false }),
    Type.Object({ mode: Type.Literal('nightly'), at: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }) }, { additionalProperties: false }),
    Type.Object({ mode: Type.Literal('every'), hours: Type.Number({ minimum: 0.1, maximum: 168 }) }, { additionalProperties: false }),
  ],
  {
    // No `default` here: TypeBox would merge it into a given schedule. load-config fills it.
    description: 'one of {"mode": "off"}, {"mode": "nightly", "at": "HH:MM"}, {"mode": "every", "hours": N}',
  },
);

const TestCalls = Type.Object(
  {
    schedule: Type.Optional(Schedule),
    failuresToBlock: Type.Integer({ default: 2, minimum: 1, description: 'consecutive failures that take a circuit out of service' }),
    maxBlockedPerPass: Type.Integer({ default: 2, minimum: 0, description: 'circuits one pass of test calls may take out of service; past that, one group alarm' }),
    dialToneTimeoutMs: Type.Integer({ default: 3000, minimum: 100 }),
    toneTimeoutMs: Type.Integer({ default: 2000, minimum: 100, description: 'wait for the 2000 Hz continuity tone to come back' }),
  },
  { additionalProperties: false, default: {} },
);

const PointCode = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1 })], {
  description: 'a point code: an integer, or ITU 3-8-3 ("2-100-5") / China 8-8-8 ("1-2-3") form',
});

const CicEntry = Type.Union(
  [
    Type.Object({ firstCic: Type.Integer({ minimum: 0, maximum: 4095 }), span: Type.Integer({ minimum: 0 }), timeslots: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    Type.Object({ cic: Type.Integer({ minimum: 0, maximum: 4095 }), span: Type.Integer({ minimum: 0 }), timeslot: Type.Integer({ minimum: 1, maximum: 31 }) }, { additionalProperties: false }),
  ],
  { description: '{"firstCic", "span", "timeslots": "1-15,17-31"} or {"cic", "span", "timeslot"}' },
);

/** An ISUP timer setting, kept inside its Q.764 Annex A range (`q764` names the timers for the error). */
const timer = (key: keyof typeof ISUP_TIMER_RANGES, value: number) => {
  const { min, max, timers } = ISUP_TIMER_RANGES[key];
  return Type.Integer({ default: value, minimum: min, maximum: max, description: timers, q764: timers });
};

const Isup = Type.Object(
  {
    variant: Type.Union([Type.Literal('itu'), Type.Literal('china')], { default: 'itu', description: 'MTP3 label: ITU 14-bit or China 24-bit point codes' }),
    networkIndicator: Type.Union([Type.Literal('international'), Type.Literal('international-spare'), Type.Literal('national'), Type.Literal('national-spare')], {
      default: 'national',
    }),
    ownPointCode: PointCode,
    peerPointCode: PointCode,
    link: Type.Integer({ default: 0, minimum: 0, description: 'index into card.links of the SS7 link to the exchange' }),
    slc: Type.Integer({ default: 0, minimum: 0, maximum: 15, description: 'signalling link code of that link, as agreed with the exchange (SLS of its link tests)' }),
    linkTest: Type.Object(
      {
        // Q.707 5.5: T1 4-12 s, T2 30-90 s.
        timeoutMs: Type.Integer({ default: 8000, minimum: 4000, maximum: 12_000, description: 'Q.707 T1: how long the SLTA may take' }),
        periodMs: Type.Integer({ default: 60_000, minimum: 30_000, maximum: 90_000, description: 'Q.707 T2: interval between link tests' }),
      },
      { additionalProperties: false, default: {} },
    ),
    // Q.704 9 and 16.8: a restarting point waits at most T20 (59-61 s) for its neighbours'
    // TRA; 0 for an exchange that never sends one.
    traWaitMs: Type.Integer({ default: 60_000, minimum: 0, maximum: 61_000, description: "how long ISUP waits for the exchange's TRA once the link test passed (Q.704 T20)" }),
    cics: Type.Array(CicEntry, { default: [{ firstCic: 1, span: 0, timeslots: '1-15,17-31' }], minItems: 1 }),
    control: Type.Union([Type.Literal('point-code'), Type.Literal('all'), Type.Literal('none'), Type.Literal('even'), Type.Literal('odd')], {
      default: 'point-code',
      description: 'who controls which CICs in a dual seizure; point-code: the higher point code controls the even CICs',
    }),
    selection: Type.Union([Type.Literal('controlled-first'), Type.Literal('opposite-order')], { default: 'controlled-first' }),
    huntDirection: Type.Optional(Type.Union([Type.Literal('high-to-low'), Type.Literal('low-to-high')])),
    timers: Type.Object(
      {
        repeatMs: timer('repeatMs', 15_000),
        alertMs: timer('alertMs', 300_000),
        t7Ms: timer('t7Ms', 30_000),
        t9Ms: timer('t9Ms', 180_000),
        t6Ms: timer('t6Ms', 120_000),
        t8Ms: timer('t8Ms', 15_000),
        t35Ms: timer('t35Ms', 15_000),
      },
      { additionalProperties: false, default: {} },
    ),
    continuityToneMs: Type.Integer({ default: 2000, minimum: 100 }),
    callingNumber: Type.String({ default: '', pattern: '^[0-9]{0,20}$', description: "the office's own number, sent as the calling party number of the calls the box places (callbacks, countyline dial); empty: none" }),
  },
  { additionalProperties: false },
);

/**
 * ISDN PRI toward the exchange on one span (issue 11), the alternative to `isup` there: the
 * D-channel's data link on a card link in `hdlc` mode. Q.921's timers keep its defaults
 * (Q.921 5.9); a bench shortens them.
 */
const Pri = Type.Object(
  {
    link: Type.Integer({ default: 0, minimum: 0, description: 'index into card.links of the D-channel (its mode must be hdlc); its span is the PRI span' }),
    switchType: Type.String({
      default: 'euroisdn',
      minLength: 1,
      maxLength: 32,
      description: 'the Q.931 variant the exchange speaks, named as Asterisk names it; euroisdn (ITU-T Q.931 / ETSI EN 300 403, the E1 PRI of Chinese exchanges) is the one the box speaks',
    }),
    channels: Type.String({
      default: '1-15,17-31',
      pattern: '^[0-9]{1,2}(-[0-9]{1,2})?(,[0-9]{1,2}(-[0-9]{1,2})?)*$',
      description: 'the B-channels the telco provides, e.g. "1-15,17-31" (30B+D) or "1-10" (a fractional PRI); 16 is the D-channel',
    }),
    testCall: Type.Object(
      {
        number: Type.String({ default: '', pattern: '^[0-9]{0,20}$', description: "a test line at the exchange the box calls to test a B-channel; empty: the card's local loopback test" }),
        loopAround: Type.Boolean({ default: false, description: 'the test line loops the B-channel back: the test tone must come back; false: its answer is enough' }),
        answerTimeoutMs: Type.Integer({ default: 10_000, minimum: 1000, maximum: 120_000, description: 'how long the test line has to answer' }),
      },
      { additionalProperties: false, default: {} },
    ),
    callingNumber: Type.String({ default: '', pattern: '^[0-9]{0,20}$', description: "the office's own number, sent as the calling party number of the calls the box places (callbacks, countyline dial); empty: none" }),
    q921: Type.Object(
      {
        t200Ms: Type.Integer({ default: 1000, minimum: 100, maximum: 10_000, description: 'Q.921 T200: waiting for an acknowledgement or a response' }),
        n200: Type.Integer({ default: 3, minimum: 1, maximum: 10, description: 'Q.921 N200: the most retransmissions of a frame' }),
        t203Ms: Type.Integer({ default: 10_000, minimum: 1000, maximum: 300_000, description: 'Q.921 T203: the longest the link stays idle before a poll' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

const Agent = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._~-]+$', description: 'SIP user name the phone registers with (letters, digits, . _ ~ -)' }),
    password: Type.String({ minLength: 4, maxLength: 128, description: 'digest password of that user' }),
    name: Type.String({ minLength: 1, maxLength: 64, description: 'the person, as shown in calls and CDRs' }),
    wrapUpMs: Type.Integer({ default: 0, minimum: 0, maximum: 3_600_000, description: 'after each call, this long before the agent is offered another (notes, forms)' }),
  },
  { additionalProperties: false },
);

const Sip = Type.Object(
  {
    port: Type.Integer({ default: 5060, minimum: 1, maximum: 65535, description: 'UDP port of the registrar and agent calls' }),
    bind: Type.String({ default: '0.0.0.0', description: 'address the SIP socket listens on' }),
    address: Type.Optional(Type.String({ minLength: 1, description: "the box's address as phones reach it (Via, Contact, SDP); default: its first LAN IPv4 address" })),
    realm: Type.Optional(Type.String({ minLength: 1, description: 'digest realm; default: the host name' })),
    minExpiresS: Type.Integer({ default: 60, minimum: 10, description: 'shortest registration accepted (423 below it)' }),
    maxExpiresS: Type.Integer({ default: 3600, minimum: 60, description: 'longer registrations are cut to this' }),
    digestAlgorithms: Type.Array(Type.Union([Type.Literal('SHA-256'), Type.Literal('MD5')]), {
      default: ['SHA-256', 'MD5'],
      minItems: 1,
      maxItems: 2,
      uniqueItems: true,
      description: 'digest challenges, in the order offered (RFC 7616); ["MD5"] for phones that read only the first challenge and know only MD5',
    }),
    nonceTtlMs: Type.Integer({ default: 300_000, minimum: 10_000, description: 'a nonce older than this is answered stale=true' }),
    keepAliveMs: Type.Integer({ default: 30_000, minimum: 1000, description: 'OPTIONS to each registered phone this often' }),
    keepAliveFailures: Type.Integer({ default: 2, minimum: 1, description: 'unanswered OPTIONS in a row that make a phone unreachable' }),
    loginFailuresPerMinute: Type.Integer({ default: 10, minimum: 1, description: 'failed logins from one address in a minute before it is refused for a minute' }),
    // Numbers an agent dials on the phone's keypad: 1-16 of 0-9 * #.
    featureCodes: Type.Object(
      {
        login: Type.String({ default: '*21', pattern: '^[0-9*#]{1,16}$', description: 'log in (the agent is offered calls); 1-16 of 0-9 * #' }),
        logout: Type.String({ default: '*22', pattern: '^[0-9*#]{1,16}$', description: 'log out (no calls offered); 1-16 of 0-9 * #' }),
        break: Type.String({ default: '*23', pattern: '^[0-9*#]{1,16}$', description: 'take a break (no calls offered until the agent logs in again); 1-16 of 0-9 * #' }),
      },
      { additionalProperties: false, default: {}, description: 'numbers an agent dials from the phone; the three must differ' },
    ),
  },
  { additionalProperties: false, default: {} },
);

const Media = Type.Object(
  {
    rtpPortMin: Type.Integer({ default: 20_000, minimum: 1024, maximum: 65534, description: 'first UDP port for RTP to the phones (even ports)' }),
    rtpPortMax: Type.Integer({ default: 20_999, minimum: 1025, maximum: 65535 }),
  },
  { additionalProperties: false, default: {} },
);

const Calls = Type.Object(
  {
    ringTimeoutMs: Type.Integer({ default: 20_000, minimum: 1000, description: "how long one agent's phone rings before the call is offered to the next" }),
    noAgent: Type.Union([Type.Literal('announce'), Type.Literal('test-line')], {
      default: 'announce',
      description: 'no agent free: announce it to the caller and release; test-line: answer with a 1004 Hz tone (trunk commissioning, before phones exist)',
    }),
    testLineAnswerMs: Type.Integer({ default: 200, minimum: 0, description: 'test-line: answer this long after the call is offered' }),
    recent: Type.Integer({ default: 200, minimum: 1, maximum: 10_000, description: 'finished calls kept in memory for countyline calls' }),
  },
  { additionalProperties: false, default: {} },
);

/** The opening times of one day, e.g. `["08:30-12:00", "14:00-17:30"]`; `[]`: closed. Checked in queue/office-hours.ts. */
const DayHours = Type.Array(Type.String(), { maxItems: 24, description: 'a list of "HH:MM-HH:MM" ranges, e.g. ["08:30-12:00", "14:00-17:30"]; [] for closed' });
const Weekday = Type.Union([Type.Literal('mon'), Type.Literal('tue'), Type.Literal('wed'), Type.Literal('thu'), Type.Literal('fri'), Type.Literal('sat'), Type.Literal('sun')]);

/**
 * The office's opening hours in the box's time zone (`trunks.utcOffsetHours`). A weekday not
 * listed is closed. `closedDates` are holidays; `openDates` are make-up working days (调休:
 * a Saturday worked to bridge a holiday), each with the hours of a weekday or its own list.
 */
const QueueHours = Type.Object(
  {
    mon: Type.Optional(DayHours),
    tue: Type.Optional(DayHours),
    wed: Type.Optional(DayHours),
    thu: Type.Optional(DayHours),
    fri: Type.Optional(DayHours),
    sat: Type.Optional(DayHours),
    sun: Type.Optional(DayHours),
    closedDates: Type.Array(Type.String(), { default: [], maxItems: 1000, description: 'days the office is closed, "YYYY-MM-DD"' }),
    openDates: Type.Record(Type.String(), Type.Union([Weekday, DayHours], { description: 'a weekday ("mon") whose hours the day keeps, or its own list of "HH:MM-HH:MM" ranges' }), {
      default: {},
      description: 'make-up working days, "YYYY-MM-DD": "mon" or ["08:30-12:00"]',
    }),
  },
  { additionalProperties: false },
);

/** Why a call goes to the city centre instead of the office's own agents. */
const CentreReason = Type.Union([Type.Literal('after-hours'), Type.Literal('no-agent'), Type.Literal('overflow')]);

/**
 * The SIP trunk towards the city centre's hotline: calls the office cannot take go there
 * (checked in calls/centre-trunk.ts). The centre not answering leaves the office's own way:
 * a callback request, or the announcement.
 */
const CentreTrunk = Type.Object(
  {
    uri: Type.String({
      pattern: '^sip:[^@\\s]+@[A-Za-z0-9.-]+(:[0-9]{1,5})?$',
      description: 'where the calls go, e.g. sip:12345@10.20.0.5:5060 (the user part is the number the centre answers on)',
    }),
    when: Type.Array(CentreReason, {
      default: ['after-hours', 'no-agent', 'overflow'],
      uniqueItems: true,
      description: 'which calls go to the centre: after-hours (the office is closed), no-agent (nobody staffed), overflow (waited the longest wait)',
    }),
    ringTimeoutMs: Type.Integer({ default: 30_000, minimum: 5_000, maximum: 180_000, description: 'how long the centre may ring before the office takes the call back' }),
  },
  { additionalProperties: false },
);

/** The local queue (issue 10): what callers hear and how they are handed to agents. */
const Queue = Type.Object(
  {
    lang: Type.Union([Type.Literal('zh'), Type.Literal('en')], { default: 'zh', description: 'the language of the prompts callers hear' }),
    strategy: Type.Union([Type.Literal('longest-idle'), Type.Literal('round-robin'), Type.Literal('fewest-calls'), Type.Literal('ring-all')], {
      default: 'longest-idle',
      description: 'which free agent is offered the next caller',
    }),
    welcome: Type.Boolean({ default: true, description: 'play the welcome prompt to every caller first (the line is answered for it)' }),
    announceEveryMs: Type.Integer({ default: 30_000, minimum: 0, maximum: 600_000, description: "a waiting caller hears their place and expected wait this often; 0: never" }),
    maxWaitMs: Type.Integer({ default: 0, minimum: 0, maximum: 3_600_000, description: 'a caller waiting this long leaves a callback request instead; 0: no limit' }),
    repeatWindowMs: Type.Integer({ default: 30 * 60_000, minimum: 0, maximum: 24 * 3_600_000, description: 'a number that called within this long before is a repeat caller' }),
    repeatAbandonersAhead: Type.Boolean({ default: true, description: 'a repeat caller who hung up waiting last time goes ahead of the others' }),
    agentsStart: Type.Union([Type.Literal('available'), Type.Literal('logged-out')], {
      default: 'available',
      description: 'agent status when the box starts: available (take calls as soon as the phone registers) or logged out (log in with the feature code or the CLI)',
    }),
    hours: Type.Optional(QueueHours),
    callbacks: Type.Union([Type.Literal('auto'), Type.Literal('off')], {
      default: 'off',
      description: 'auto: while the office is open, the box calls callback requests back itself, an idle agent rung first; off: staff call them back by hand',
    }),
    callbackRetryMs: Type.Integer({ default: 600_000, minimum: 10_000, maximum: 24 * 3_600_000, description: 'least time between two calls the box places for one callback request' }),
    callbackMaxAttempts: Type.Integer({ default: 3, minimum: 1, maximum: 20, description: 'calls the box places for one callback request before leaving it to staff' }),
    voiceMessage: Type.Boolean({ default: true, description: 'a caller whose callback request was taken may leave a voice message after the beep (kept in <dataDir>/messages)' }),
    voiceMessageMaxMs: Type.Integer({ default: 60_000, minimum: 5_000, maximum: 600_000, description: 'the longest voice message; the recording ends there' }),
    voiceMessageKeepDays: Type.Integer({ default: 90, minimum: 0, maximum: 3650, description: 'a voice message whose request is done is removed this many days after it was left; 0: never' }),
    centre: Type.Optional(CentreTrunk),
  },
  { additionalProperties: false, default: {} },
);

/** Telemetry to central over MQTT (issue 9); written by `countyline provision`. */
const Central = Type.Object(
  {
    url: Type.String({ pattern: '^mqtts?://[^/]+$', description: 'the broker: mqtt://host:port, or mqtts://host:port for TLS' }),
    boxId: Type.String({ pattern: BOX_ID_PATTERN, description: "this box's id at central: its MQTT client id and user name" }),
    password: Type.String({ minLength: 1, description: 'the MQTT password enrolment gave the box' }),
    caFile: Type.Optional(Type.String({ minLength: 1, description: "PEM file of the CA that signed the broker's certificate (mqtts); default: the system's CAs" })),
    outboxMaxBytes: Type.Integer({ default: 64 * 1024 * 1024, minimum: 64 * 1024, description: 'messages waiting for central may take this much disk; past it the least valuable are dropped first' }),
    trunksIntervalMs: Type.Integer({ default: 60_000, minimum: 1000, description: 'a snapshot of the trunks this often (and on each span alarm change)' }),
    liveMinGapMs: Type.Integer({ default: 2000, minimum: 250, maximum: 60_000, description: 'a snapshot also goes when callers, calls or agents change, at most this often' }),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    card: Type.Object(
      {
        path: Type.String({ minLength: 1, description: 'serial device of the card, e.g. /dev/ttyS1' }),
        baudRate: Type.Integer({ default: 115200, minimum: 1200, maximum: 4000000 }),
        heartbeatTimeoutMs: Type.Integer({ default: 3500, minimum: 1500, description: 'the card beats every second' }),
        spans: Type.Array(SpanSetup, { default: [{ crc4: true, clock: 'line' }], minItems: 1 }),
        links: Type.Array(LinkSetup, { default: [{ span: 0, timeslot: 16, mode: 'mtp2' }], description: 'SS7 on ts16 of span 0 unless told otherwise' }),
      },
      { additionalProperties: false },
    ),
    dataDir: Type.String({ minLength: 1, description: 'where the box keeps its state' }),
    control: Type.Object(
      {
        socket: Type.String({ minLength: 1, description: 'unix socket the countyline CLI talks to' }),
      },
      { additionalProperties: false },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          [Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')],
          { default: 'info' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    hostName: Type.String({ default: 'countyline' }),
    trunks: Trunks,
    isup: Type.Optional(Isup),
    pri: Type.Optional(Pri),
    testCalls: TestCalls,
    sip: Sip,
    agents: Type.Array(Agent, { default: [], maxItems: 500, description: 'the office staff who answer calls on SIP phones' }),
    media: Media,
    calls: Calls,
    queue: Queue,
    central: Type.Optional(Central),
    alarms: Type.Object(
      {
        restoreSettleMs: Type.Integer({
          default: 30_000,
          minimum: 0,
          description: 'after the card is up this long, alarms kept from before a restart that nothing raised again are cleared',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export const DEFAULT_TEST_SCHEDULE = { mode: 'nightly', at: '02:00' } as const;

type RawConfig = Static<typeof ConfigSchema>;
type RawIsup = NonNullable<RawConfig['isup']>;
/** The config after defaults: every optional key filled, point codes as numbers. */
export type Config = Omit<RawConfig, 'isup'> & {
  testCalls: RawConfig['testCalls'] & { schedule: NonNullable<RawConfig['testCalls']['schedule']> };
  isup?: Omit<RawIsup, 'ownPointCode' | 'peerPointCode'> & { ownPointCode: number; peerPointCode: number };
};
