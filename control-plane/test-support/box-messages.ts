import { SCHEMA_VERSION, type AlarmPayloadRecord, type BoxKind, type BoxPayload, type CdrPayloadRecord } from '@countyline/firmware/telemetry';

/** Valid box payloads for central's tests, each with (bdSeq, seq) given and the rest filled in. */
export function header(seq: number, bdSeq = 1) {
  return { v: SCHEMA_VERSION as typeof SCHEMA_VERSION, seq, ts: 1_700_000_000_000 + seq, bdSeq };
}

export function alarmRecord(fields: Partial<AlarmPayloadRecord> = {}): AlarmPayloadRecord {
  return { id: 'span0-los', source: 'span0', type: 'los', severity: 'critical', state: 'active', raisedAt: 1000, clearedAt: null, lastRaisedAt: 1000, cause: 'loss of signal', count: 1, ...fields };
}

export function birth(seq: number, bdSeq: number, alarms: AlarmPayloadRecord[] = []): BoxPayload<'birth'> {
  return {
    ...header(seq, bdSeq),
    software: { version: '0.1.0', node: 'v20' },
    inventory: { hostName: 'box', card: {} },
    spans: [{ span: 0, alarm: 'none', causes: [] }],
    fxo: [],
    circuits: { total: 30, idle: 30, busy: 0, blocked: 0, list: [] },
    alarms,
    agents: null,
    queue: null,
  };
}

export function cdrRecord(id: string): CdrPayloadRecord {
  return { id, line: { kind: 'fxo', port: 0 }, calling: '5550100', called: '110', agent: null, arrivedAt: 1000, offeredAt: null, answeredAt: null, endedAt: 2000, result: 'abandoned', reason: null, hungUpBy: 'caller', cause: 16 };
}

export function cdr(seq: number, id = `cdr-${seq}`, bdSeq = 1): BoxPayload<'cdr'> {
  return { ...header(seq, bdSeq), cdr: cdrRecord(id) };
}

export function status(online: boolean, bdSeq: number, seq = 0): BoxPayload<'status'> {
  return { ...header(seq, bdSeq), online };
}

export function trunks(seq: number, bdSeq = 1): BoxPayload<'trunks'> {
  return { ...header(seq, bdSeq), spans: [{ span: 0, alarm: 'none', causes: [] }], fxo: [], circuits: { total: 30, idle: 29, busy: 1, blocked: 0 } };
}

export function json<K extends BoxKind>(payload: BoxPayload<K>): Buffer {
  return Buffer.from(JSON.stringify(payload));
}
