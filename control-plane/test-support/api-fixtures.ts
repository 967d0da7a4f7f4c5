import { SCHEMA_VERSION, type Birth, type CdrPayloadRecord } from '@countyline/firmware/telemetry';

/** A birth as a box with one E1 span (two circuits) and one FXO port sends it. */
export function birth(at: number, bdSeq = 3): Birth {
  return {
    v: SCHEMA_VERSION,
    seq: 41,
    ts: at,
    bdSeq,
    software: { version: '0.1.0', node: 'v20.19.0' },
    inventory: { hostName: 'box-north-1', card: { serial: 'E1G-0042' } },
    spans: [{ span: 0, alarm: 'red', causes: ['LOS'] }],
    fxo: [{ port: 0, line: 'present', voltage: -48 }],
    circuits: {
      total: 2,
      idle: 1,
      busy: 0,
      blocked: 1,
      list: [
        { cic: 1, span: 0, timeslot: 1, call: 'idle', block: 'none', controlledBy: 'us' },
        { cic: 2, span: 0, timeslot: 2, call: 'idle', block: 'local', controlledBy: 'peer' },
      ],
    },
    alarms: [],
    agents: null,
    queue: null,
  };
}

export function cdr(id: string, arrivedAt: number, over: Partial<CdrPayloadRecord> = {}): CdrPayloadRecord {
  return {
    id,
    line: { kind: 'fxo', port: 0 },
    calling: '13800000001',
    called: '12345',
    agent: 'li.wei',
    arrivedAt,
    offeredAt: arrivedAt + 100,
    answeredAt: arrivedAt + 4000,
    endedAt: arrivedAt + 60_000,
    result: 'answered',
    reason: null,
    hungUpBy: 'caller',
    cause: 16,
    ...over,
  };
}
