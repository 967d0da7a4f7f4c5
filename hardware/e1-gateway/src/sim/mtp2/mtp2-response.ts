import { Type } from '@sinclair/typebox';

// The MTP2 part of a link in `GET /state`, as a TypeBox schema (see control-responses.ts).

const Count = Type.Integer({ minimum: 0 });
const Fields = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: false });
const Literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const MTP2_STATES = ['power-off', 'out-of-service', 'initial-alignment', 'aligned-ready', 'in-service', 'processor-outage'] as const;
export const ALIGNMENT_STATES = ['idle', 'not-aligned', 'aligned', 'proving'] as const;
export const MTP2_CAUSES = [
  'stop',
  'T1',
  'T2',
  'T3',
  'T6',
  'T7',
  'SIOS',
  'proving',
  'suerm',
  'abnormal-bsn',
  'abnormal-fib',
  'received-SIO',
  'received-SIN',
  'received-SIE',
  'received-SIOS',
] as const;

export const Mtp2Response = Fields({
  state: Literals(MTP2_STATES),
  alignment: Literals(ALIGNMENT_STATES),
  emergency: Type.Boolean(),
  lastFailure: Type.Union([Fields({ cause: Literals(MTP2_CAUSES), at: Type.Number() }), Type.Null()]),
  unacknowledged: Count,
  queued: Count,
  counters: Fields({
    framesIn: Count,
    framesOut: Count,
    msusIn: Count,
    msusOut: Count,
    retransmissions: Count,
    nacksSent: Count,
    nacksReceived: Count,
    discarded: Count,
    badFrames: Count,
    badFrameReasons: Fields({ short: Count, long: Count, 'length-indicator': Count, fcs: Count, status: Count }),
    abnormalBsn: Count,
    abnormalFib: Count,
    alignmentAttempts: Count,
    provingAborts: Count,
    alignmentFailures: Count,
    linkFailures: Count,
  }),
  transport: Fields({ local: Type.String(), remote: Type.String(), datagramsIn: Count, datagramsOut: Count, sendErrors: Type.Record(Type.String(), Count) }),
});
