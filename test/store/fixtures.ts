// Payloads as a box sends them, for the store tests.
import type { AlarmPayloadRecord, Birth, CdrPayloadRecord } from '@countyline/firmware/telemetry';
import type { Store } from '../../control-plane/src/store/store.js';

export function birth(bdSeq: number, seq: number, hostName = 'box-a'): Birth {
  return {
    v: 1,
    seq,
    ts: 1_000,
    bdSeq,
    software: { version: '0.1.0', node: 'v20' },
    inventory: { hostName, card: { model: 'sim' } },
    spans: [{ span: 0, alarm: 'none', causes: [] }],
    fxo: [{ port: 0, line: 'idle', voltage: -48 }],
    circuits: { total: 30, idle: 28, busy: 1, blocked: 1, list: [] },
    alarms: [],
    agents: null,
    queue: null,
  };
}

export function alarm(over: Partial<AlarmPayloadRecord> = {}): AlarmPayloadRecord {
  return {
    id: '1000-1',
    source: 'span/0',
    type: 'span-red',
    severity: 'critical',
    state: 'active',
    raisedAt: 1_000,
    clearedAt: null,
    lastRaisedAt: 1_000,
    cause: 'LOS',
    causeCode: 'span-defects',
    causeArgs: ['LOS'],
    count: 1,
    ...over,
  };
}

export function cdr(id: string, arrivedAt: number, over: Partial<CdrPayloadRecord> = {}): CdrPayloadRecord {
  return {
    id,
    line: { kind: 'e1', span: 0, timeslot: 1, cic: 1 },
    calling: '5551000',
    called: '12345',
    agent: null,
    arrivedAt,
    offeredAt: arrivedAt + 100,
    answeredAt: arrivedAt + 2_000,
    endedAt: arrivedAt + 60_000,
    result: 'answered',
    reason: null,
    hungUpBy: 'caller',
    cause: 16,
    ...over,
  };
}

/** A site `s1` with boxes `a` and `b`. */
export async function twoBoxes(store: Store): Promise<void> {
  await store.createSite({ id: 's1', name: 'North', county: 'Hill County' });
  await store.createBox({ id: 'a', site: 's1', name: 'Box A', createdAt: 10 });
  await store.createBox({ id: 'b', site: 's1', name: 'Box B', createdAt: 20 });
}
