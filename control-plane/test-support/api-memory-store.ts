import type { Birth, CdrPayloadRecord } from '@countyline/firmware/telemetry';
import {
  StoreConflictError,
  StoreNotFoundError,
  type AlarmFilter,
  type ApiToken,
  type Box,
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
  type Role,
  type Site,
  type StoredCdr,
  type StoredCommand,
} from '../src/store/store.js';
import type { ApiTestStore } from './api-test-app.js';

/**
 * The store in memory, for the API's tests: the methods the API uses, keeping the contract
 * the Store interface documents (conflicts, one-time enrolment, ack keeps the first, newest
 * first with limits), plus a few seeding methods named as the real store's.
 */
export class ApiMemoryStore implements ApiTestStore {
  private readonly sites = new Map<string, Site>();
  private readonly boxes = new Map<string, Box>();
  private readonly enrolments = new Map<string, { boxId: string; expiresAt: number; used: boolean }>();
  private readonly credentials = new Map<string, string>();
  private readonly alarms: CentralAlarm[] = [];
  private readonly cdrs: StoredCdr[] = [];
  private readonly kpis = new Map<string, KpiInterval[]>();
  private readonly commands = new Map<string, StoredCommand>();
  private readonly configs = new Map<string, ConfigState>();
  private readonly tokens = new Map<string, ApiToken>();
  private readonly messages = new Set<string>();

  /** `now` stamps what the real store stamps itself (a site's creation). */
  constructor(private readonly now: () => number = Date.now) {}

  async createSite(site: NewSite): Promise<Site> {
    if (this.sites.has(site.id)) throw new StoreConflictError(`site ${site.id}`);
    const stored = { ...site, createdAt: this.now() };
    this.sites.set(site.id, stored);
    return { ...stored };
  }

  async listSites(): Promise<Site[]> {
    return [...this.sites.values()].map((s) => ({ ...s }));
  }

  async createBox(box: NewBox): Promise<Box> {
    if (this.boxes.has(box.id)) throw new StoreConflictError(`box ${box.id}`);
    if (!this.sites.has(box.site)) throw new StoreNotFoundError(`site ${box.site}`);
    const stored: Box = { ...box, enrolled: false, online: false, onlineChangedAt: null, lastBirthAt: null, birth: null, trunks: null, trunksAt: null, bdSeq: null };
    this.boxes.set(box.id, stored);
    return structuredClone(stored);
  }

  async getBox(id: string): Promise<Box | null> {
    const box = this.boxes.get(id);
    return box ? structuredClone(box) : null;
  }

  async listBoxes(filter?: { site?: string }): Promise<Box[]> {
    return [...this.boxes.values()].filter((b) => filter?.site === undefined || b.site === filter.site).map((b) => structuredClone(b));
  }

  async setEnrolment(boxId: string, tokenHash: string, expiresAt: number): Promise<void> {
    for (const [hash, e] of this.enrolments) if (e.boxId === boxId) this.enrolments.delete(hash);
    this.enrolments.set(tokenHash, { boxId, expiresAt, used: false });
  }

  async redeemEnrolment(tokenHash: string, passwordHash: string, now: number): Promise<{ ok: true; boxId: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' }> {
    const e = this.enrolments.get(tokenHash);
    if (!e) return { ok: false, reason: 'unknown' };
    if (e.used) return { ok: false, reason: 'used' };
    if (now >= e.expiresAt) return { ok: false, reason: 'expired' };
    e.used = true;
    this.credentials.set(e.boxId, passwordHash);
    this.boxes.get(e.boxId)!.enrolled = true;
    return { ok: true, boxId: e.boxId };
  }

  async boxCredential(boxId: string): Promise<string | null> {
    return this.credentials.get(boxId) ?? null;
  }

  /** Seeding: the box's latest birth, online from `at`. */
  async recordBirth(boxId: string, birth: Birth, at: number): Promise<void> {
    const box = this.boxes.get(boxId)!;
    Object.assign(box, { birth: structuredClone(birth), lastBirthAt: at, bdSeq: birth.bdSeq, online: true, onlineChangedAt: at });
  }

  /** Seeding: an alarm central raised (one active per box, source and type). */
  async raiseCentralAlarm(a: NewCentralAlarm): Promise<CentralAlarm> {
    const active = this.alarms.find((x) => x.boxId === a.boxId && x.source === a.source && x.type === a.type && x.state === 'active');
    if (active) {
      Object.assign(active, { severity: a.severity, cause: a.cause, lastRaisedAt: a.at, count: active.count + 1 });
      return { ...active };
    }
    const alarm: CentralAlarm = {
      id: this.alarms.length + 1,
      boxId: a.boxId,
      origin: 'central',
      boxAlarmId: null,
      source: a.source,
      type: a.type,
      severity: a.severity,
      state: 'active',
      cause: a.cause,
      causeCode: a.causeCode ?? null,
      causeArgs: a.causeArgs ?? null,
      raisedAt: a.at,
      lastRaisedAt: a.at,
      clearedAt: null,
      count: 1,
      ackedAt: null,
      ackedBy: null,
      ackComment: null,
    };
    this.alarms.push(alarm);
    return { ...alarm };
  }

  async clearCentralAlarm(boxId: string, source: string, type: string, at: number): Promise<CentralAlarm | null> {
    const active = this.alarms.find((x) => x.boxId === boxId && x.source === source && x.type === type && x.state === 'active');
    if (!active) return null;
    Object.assign(active, { state: 'cleared', clearedAt: at });
    return { ...active };
  }

  async listAlarms(f: AlarmFilter): Promise<CentralAlarm[]> {
    return this.alarms
      .filter((a) => (f.state === undefined || a.state === f.state) && (f.boxId === undefined || a.boxId === f.boxId) && (f.severity === undefined || a.severity === f.severity))
      .filter((a) => (f.acked === undefined || (a.ackedAt !== null) === f.acked) && (f.before === undefined || a.raisedAt < f.before))
      .sort((a, b) => b.raisedAt - a.raisedAt || b.id - a.id)
      .slice(0, Math.min(f.limit ?? 100, 1000))
      .map((a) => ({ ...a }));
  }

  async ackAlarm(id: number, by: string, comment: string, at: number): Promise<CentralAlarm | null> {
    const alarm = this.alarms.find((a) => a.id === id);
    if (!alarm) return null;
    if (alarm.ackedAt === null) Object.assign(alarm, { ackedAt: at, ackedBy: by, ackComment: comment });
    return { ...alarm };
  }

  /** Seeding: a CDR as ingest stores it. */
  async addCdr(boxId: string, key: MessageKey, cdr: CdrPayloadRecord): Promise<'applied' | 'duplicate'> {
    if (!this.seen(boxId, key)) return 'duplicate';
    this.cdrs.push({ ...structuredClone(cdr), boxId });
    return 'applied';
  }

  async searchCdrs(f: CdrFilter): Promise<StoredCdr[]> {
    return this.cdrs
      .filter((c) => (f.boxId === undefined || c.boxId === f.boxId) && (f.result === undefined || c.result === f.result) && (f.calling === undefined || c.calling === f.calling))
      .filter((c) => (f.from === undefined || c.arrivedAt >= f.from) && (f.to === undefined || c.arrivedAt < f.to))
      .sort((a, b) => b.arrivedAt - a.arrivedAt)
      .slice(0, Math.min(f.limit ?? 100, 1000))
      .map((c) => structuredClone(c));
  }

  /** Seeding: a KPI interval. */
  async addKpi(boxId: string, key: MessageKey, kpi: KpiInterval): Promise<'applied' | 'duplicate'> {
    if (!this.seen(boxId, key)) return 'duplicate';
    this.kpis.set(boxId, [...(this.kpis.get(boxId) ?? []), { ...kpi }]);
    return 'applied';
  }

  /** True the first time (box, bdSeq, seq) is seen. */
  private seen(boxId: string, key: MessageKey): boolean {
    const name = `${boxId}/${key.bdSeq}/${key.seq}`;
    if (this.messages.has(name)) return false;
    this.messages.add(name);
    return true;
  }

  async listKpis(boxId: string, from: number, to: number): Promise<KpiInterval[]> {
    return (this.kpis.get(boxId) ?? []).filter((k) => k.intervalStart >= from && k.intervalStart < to).sort((a, b) => a.intervalStart - b.intervalStart);
  }

  async createCommand(cmd: NewCommand): Promise<StoredCommand> {
    const stored: StoredCommand = { ...structuredClone(cmd), state: 'sent', completedAt: null, outcome: null };
    this.commands.set(cmd.id, stored);
    return structuredClone(stored);
  }

  async completeCommand(id: string, result: CommandOutcome, at: number): Promise<StoredCommand | null> {
    const cmd = this.commands.get(id);
    if (!cmd) return null;
    if (cmd.state === 'sent') Object.assign(cmd, { state: result.ok ? 'done' : 'failed', completedAt: at, outcome: structuredClone(result) });
    return structuredClone(cmd);
  }

  async getCommand(id: string): Promise<StoredCommand | null> {
    const cmd = this.commands.get(id);
    return cmd ? structuredClone(cmd) : null;
  }

  async setDesiredConfig(boxId: string, config: Record<string, unknown>, at: number): Promise<{ revision: number }> {
    const state = this.configs.get(boxId) ?? { desired: null, reported: null };
    const revision = (state.desired?.revision ?? 0) + 1;
    this.configs.set(boxId, { ...state, desired: { revision, config: structuredClone(config), at } });
    return { revision };
  }

  async getConfigState(boxId: string): Promise<ConfigState> {
    return structuredClone(this.configs.get(boxId) ?? { desired: null, reported: null });
  }

  async recordReportedConfig(boxId: string, revision: number, applied: boolean, errors: string[], at: number): Promise<void> {
    const state = this.configs.get(boxId) ?? { desired: null, reported: null };
    this.configs.set(boxId, { ...state, reported: { revision, applied, errors: [...errors], at } });
  }

  async createApiToken(t: { name: string; role: Role; tokenHash: string; createdAt: number }): Promise<ApiToken> {
    const token = { id: this.tokens.size + 1, name: t.name, role: t.role, createdAt: t.createdAt };
    this.tokens.set(t.tokenHash, token);
    return { ...token };
  }

  async findApiToken(tokenHash: string): Promise<ApiToken | null> {
    const token = this.tokens.get(tokenHash);
    return token ? { ...token } : null;
  }

  async countApiTokens(): Promise<number> {
    return this.tokens.size;
  }
}
