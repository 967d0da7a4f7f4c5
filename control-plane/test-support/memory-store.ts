import type { AlarmPayloadRecord, Birth, CdrPayloadRecord } from '@countyline/firmware/telemetry';
import {
  StoreConflictError,
  StoreNotFoundError,
  type AlarmFilter,
  type ApiToken,
  type Box,
  type BoxTrunks,
  type CdrFilter,
  type CentralAlarm,
  type CommandOutcome,
  type ConfigState,
  type KpiInterval,
  type MessageKey,
  type NewBox,
  type NewCentralAlarm,
  type NewCommand,
  type NewSite,
  type Site,
  type Store,
  type StoredCdr,
  type StoredCommand,
} from '../src/store/store.js';

/**
 * A Store in memory for the broker, ingest and alarm tests: faithful where those tests lean
 * on it (idempotency on (box, bdSeq, seq), one active alarm per (box, source, type), a late
 * status ignored by bdSeq), and nothing more. Methods the tests never reach throw, so a test
 * that starts to need one says so instead of passing on a stub.
 */
export class MemoryStore implements Store {
  readonly sites = new Map<string, Site>();
  readonly boxes = new Map<string, Box>();
  private readonly credentials = new Map<string, string>();
  readonly alarms: CentralAlarm[] = [];
  readonly cdrs: StoredCdr[] = [];
  readonly kpis = new Map<string, KpiInterval[]>();
  readonly events: { boxId: string; type: string; data: Record<string, unknown> }[] = [];
  readonly commands = new Map<string, StoredCommand>();
  readonly reported = new Map<string, ConfigState['reported']>();
  private readonly seen = new Set<string>();
  private readonly last = new Map<string, MessageKey>();

  async migrate(): Promise<void> {}
  async close(): Promise<void> {}

  async createSite(site: NewSite): Promise<Site> {
    if (this.sites.has(site.id)) throw new StoreConflictError(`site ${site.id}`);
    const s = { ...site, createdAt: 0 };
    this.sites.set(site.id, s);
    return s;
  }
  async listSites(): Promise<Site[]> {
    return [...this.sites.values()];
  }
  async createBox(box: NewBox): Promise<Box> {
    if (this.boxes.has(box.id)) throw new StoreConflictError(`box ${box.id}`);
    if (!this.sites.has(box.site)) throw new StoreNotFoundError(`site ${box.site}`);
    const b: Box = { ...box, enrolled: false, online: false, onlineChangedAt: null, lastBirthAt: null, birth: null, trunks: null, trunksAt: null, bdSeq: null };
    this.boxes.set(box.id, b);
    return b;
  }
  async getBox(id: string): Promise<Box | null> {
    return this.boxes.get(id) ?? null;
  }
  async listBoxes(filter?: { site?: string }): Promise<Box[]> {
    return [...this.boxes.values()].filter((b) => !filter?.site || b.site === filter.site);
  }
  private readonly enrolments = new Map<string, { boxId: string; expiresAt: number; used: boolean }>();
  async setEnrolment(boxId: string, tokenHash: string, expiresAt: number): Promise<void> {
    this.box(boxId);
    for (const [hash, e] of this.enrolments) if (e.boxId === boxId) this.enrolments.delete(hash);
    this.enrolments.set(tokenHash, { boxId, expiresAt, used: false });
  }
  async redeemEnrolment(tokenHash: string, passwordHash: string, now: number): Promise<{ ok: true; boxId: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' }> {
    const e = this.enrolments.get(tokenHash);
    if (!e) return { ok: false, reason: 'unknown' };
    if (e.used) return { ok: false, reason: 'used' };
    if (now >= e.expiresAt) return { ok: false, reason: 'expired' };
    e.used = true;
    this.box(e.boxId).enrolled = true;
    this.credentials.set(e.boxId, passwordHash);
    return { ok: true, boxId: e.boxId };
  }
  async boxCredential(boxId: string): Promise<string | null> {
    return this.credentials.get(boxId) ?? null;
  }

  private box(id: string): Box {
    const box = this.boxes.get(id);
    if (!box) throw new StoreNotFoundError(`box ${id}`);
    return box;
  }

  async recordBirth(boxId: string, birth: Birth, at: number): Promise<void> {
    const box = this.box(boxId);
    Object.assign(box, { birth, lastBirthAt: at, bdSeq: birth.bdSeq, online: true, onlineChangedAt: at });
  }
  async recordStatus(boxId: string, online: boolean, bdSeq: number, at: number): Promise<boolean> {
    const box = this.box(boxId);
    if (box.bdSeq !== null && bdSeq < box.bdSeq) return false;
    if (box.online !== online) box.onlineChangedAt = at;
    box.online = online;
    return true;
  }
  async recordTrunks(boxId: string, trunks: BoxTrunks, at: number): Promise<void> {
    Object.assign(this.box(boxId), { trunks, trunksAt: at });
  }

  /** Marks (box, bdSeq, seq) seen; false when it was already. */
  private firstTime(boxId: string, key: MessageKey): boolean {
    const id = `${boxId}/${key.bdSeq}/${key.seq}`;
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    const last = this.last.get(boxId);
    if (!last || key.seq > last.seq) this.last.set(boxId, key);
    return true;
  }

  async applyBoxAlarm(boxId: string, key: MessageKey, change: 'raised' | 'updated' | 'cleared', alarm: AlarmPayloadRecord): Promise<'applied' | 'duplicate'> {
    this.box(boxId);
    if (!this.firstTime(boxId, key)) return 'duplicate';
    this.applyAlarm(boxId, change, alarm);
    return 'applied';
  }

  private applyAlarm(boxId: string, change: 'raised' | 'updated' | 'cleared', alarm: AlarmPayloadRecord): void {
    const active = this.alarms.find((a) => a.boxId === boxId && a.source === alarm.source && a.type === alarm.type && a.state === 'active');
    if (change === 'cleared') {
      if (active) Object.assign(active, { state: 'cleared', clearedAt: alarm.clearedAt ?? alarm.lastRaisedAt });
      return;
    }
    const fields = { severity: alarm.severity, cause: alarm.cause, causeCode: alarm.causeCode ?? null, causeArgs: alarm.causeArgs ?? null, lastRaisedAt: alarm.lastRaisedAt, count: alarm.count, boxAlarmId: alarm.id };
    if (active) Object.assign(active, fields);
    else this.alarms.push({ id: this.alarms.length + 1, boxId, origin: 'box', source: alarm.source, type: alarm.type, state: 'active', raisedAt: alarm.raisedAt, clearedAt: null, ackedAt: null, ackedBy: null, ackComment: null, ...fields });
  }

  async syncBoxAlarms(boxId: string, active: AlarmPayloadRecord[], at: number): Promise<void> {
    for (const alarm of active) this.applyAlarm(boxId, 'raised', alarm);
    const listed = new Set(active.map((a) => `${a.source}/${a.type}`));
    for (const a of this.alarms) {
      if (a.boxId === boxId && a.origin === 'box' && a.state === 'active' && !listed.has(`${a.source}/${a.type}`)) Object.assign(a, { state: 'cleared', clearedAt: at });
    }
  }

  async addCdr(boxId: string, key: MessageKey, cdr: CdrPayloadRecord): Promise<'applied' | 'duplicate'> {
    this.box(boxId);
    if (!this.firstTime(boxId, key)) return 'duplicate';
    this.cdrs.push({ ...cdr, boxId });
    return 'applied';
  }
  async addKpi(boxId: string, key: MessageKey, kpi: KpiInterval): Promise<'applied' | 'duplicate'> {
    this.box(boxId);
    if (!this.firstTime(boxId, key)) return 'duplicate';
    this.kpis.set(boxId, [...(this.kpis.get(boxId) ?? []), kpi]);
    return 'applied';
  }
  async addEvent(boxId: string, key: MessageKey, type: string, data: Record<string, unknown>): Promise<'applied' | 'duplicate'> {
    this.box(boxId);
    if (!this.firstTime(boxId, key)) return 'duplicate';
    this.events.push({ boxId, type, data });
    return 'applied';
  }
  async lastSeq(boxId: string): Promise<MessageKey | null> {
    return this.last.get(boxId) ?? null;
  }

  async raiseCentralAlarm(alarm: NewCentralAlarm): Promise<CentralAlarm> {
    const fields = { severity: alarm.severity, cause: alarm.cause, causeCode: alarm.causeCode ?? null, causeArgs: alarm.causeArgs ?? null, lastRaisedAt: alarm.at };
    const active = this.alarms.find((a) => a.boxId === alarm.boxId && a.source === alarm.source && a.type === alarm.type && a.state === 'active');
    if (active) return Object.assign(active, fields, { count: active.count + 1 });
    const row: CentralAlarm = { id: this.alarms.length + 1, boxId: alarm.boxId, origin: 'central', boxAlarmId: null, source: alarm.source, type: alarm.type, state: 'active', raisedAt: alarm.at, clearedAt: null, count: 1, ackedAt: null, ackedBy: null, ackComment: null, ...fields };
    this.alarms.push(row);
    return row;
  }
  async clearCentralAlarm(boxId: string, source: string, type: string, at: number): Promise<CentralAlarm | null> {
    const active = this.alarms.find((a) => a.boxId === boxId && a.source === source && a.type === type && a.state === 'active');
    return active ? Object.assign(active, { state: 'cleared' as const, clearedAt: at }) : null;
  }
  async listAlarms(filter: AlarmFilter): Promise<CentralAlarm[]> {
    return this.alarms
      .filter((a) => (!filter.state || a.state === filter.state) && (!filter.boxId || a.boxId === filter.boxId) && (!filter.severity || a.severity === filter.severity))
      .reverse()
      .slice(0, filter.limit ?? 100);
  }
  async getAlarm(id: number): Promise<CentralAlarm | null> {
    return this.alarms.find((a) => a.id === id) ?? null;
  }
  async ackAlarm(): Promise<CentralAlarm | null> {
    throw new Error('MemoryStore: ackAlarm is not implemented');
  }

  async searchCdrs(filter: CdrFilter): Promise<StoredCdr[]> {
    return this.cdrs.filter((c) => !filter.boxId || c.boxId === filter.boxId);
  }
  async listKpis(boxId: string, from: number, to: number): Promise<KpiInterval[]> {
    return (this.kpis.get(boxId) ?? []).filter((k) => k.intervalStart >= from && k.intervalStart < to);
  }

  async createCommand(cmd: NewCommand): Promise<StoredCommand> {
    const row: StoredCommand = { ...cmd, state: 'sent', completedAt: null, outcome: null };
    this.commands.set(cmd.id, row);
    return row;
  }
  async completeCommand(id: string, result: CommandOutcome, at: number): Promise<StoredCommand | null> {
    const cmd = this.commands.get(id);
    if (!cmd) return null;
    if (cmd.state === 'sent') Object.assign(cmd, { state: result.ok ? 'done' : 'failed', completedAt: at, outcome: result });
    return cmd;
  }
  async getCommand(id: string): Promise<StoredCommand | null> {
    return this.commands.get(id) ?? null;
  }

  async setDesiredConfig(): Promise<{ revision: number }> {
    throw new Error('MemoryStore: setDesiredConfig is not implemented');
  }
  async getConfigState(boxId: string): Promise<ConfigState> {
    return { desired: null, reported: this.reported.get(boxId) ?? null };
  }
  async recordReportedConfig(boxId: string, revision: number, applied: boolean, errors: string[], at: number): Promise<void> {
    this.reported.set(boxId, { revision, applied, errors, at });
  }

  async createApiToken(): Promise<ApiToken> {
    throw new Error('MemoryStore: createApiToken is not implemented');
  }
  async findApiToken(): Promise<ApiToken | null> {
    throw new Error('MemoryStore: findApiToken is not implemented');
  }
  async countApiTokens(): Promise<number> {
    throw new Error('MemoryStore: countApiTokens is not implemented');
  }
  async revokeApiToken(): Promise<boolean> {
    throw new Error('MemoryStore: revokeApiToken is not implemented');
  }
  async prune(): Promise<{ cdrs: number; events: number; kpis: number; alarms: number }> {
    throw new Error('MemoryStore: prune is not implemented');
  }
}
