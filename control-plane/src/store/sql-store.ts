import { Migrator, type Kysely } from 'kysely';
import type { AlarmPayloadRecord, Birth, CdrPayloadRecord } from '@countyline/firmware/telemetry';
import type { Logger } from 'pino';
import * as alarms from './alarm-queries.js';
import * as commands from './command-queries.js';
import { openDialect, type Dialect, type StoreLocation } from './dialect.js';
import { migrations } from './migrations.js';
import { prune } from './retention.js';
import { pageSize, parseJson, toBox, toKpi } from './rows.js';
import {
  StoreConflictError,
  StoreDriverError,
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
  type Role,
  type Severity,
  type Site,
  type Store,
  type StoredCdr,
  type StoredCommand,
} from './store.js';
import type { Tables } from './tables.js';

type Db = Kysely<Tables>;

/**
 * Opens central's store (not yet migrated: call `migrate()`). SQLite makes the file's folder
 * when it is missing. `logger` hears about PostgreSQL connections lost while idle.
 */
export function openStore(location: StoreLocation, options: { logger?: Logger } = {}): Store {
  return new SqlStore(openDialect(location, options.logger));
}

/** What a failed statement means to the caller: which unique key, or which missing row. */
interface Meaning {
  conflict?: string;
  notFound?: string;
}

/** The Store over kysely: the same queries for SQLite and PostgreSQL (see dialect.ts for the differences). */
class SqlStore implements Store {
  private readonly db: Db;

  constructor(private readonly dialect: Dialect) {
    this.db = dialect.db;
  }

  /** Runs `work`; the driver's errors come back as the Store's errors, or with what was being done. */
  private async run<T>(operation: string, work: () => Promise<T>, meaning: Meaning = {}): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof StoreConflictError || err instanceof StoreNotFoundError || err instanceof RangeError) throw err;
      if (meaning.conflict && this.dialect.isUniqueViolation(err)) throw new StoreConflictError(meaning.conflict);
      if (meaning.notFound && this.dialect.isForeignKeyViolation(err)) throw new StoreNotFoundError(meaning.notFound);
      throw new StoreDriverError(`${operation} (${this.dialect.kind})`, err);
    }
  }

  private transaction<T>(operation: string, work: (trx: Db) => Promise<T>, meaning?: Meaning): Promise<T> {
    return this.run(operation, () => this.db.transaction().execute(work), meaning);
  }

  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: { getMigrations: async () => migrations(this.dialect) } });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'the migrator';
      throw new StoreDriverError(`migrate (${this.dialect.kind}): ${failed}`, error);
    }
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  // Sites and boxes ----------------------------------------------------------------------

  createSite(site: NewSite): Promise<Site> {
    const created = { ...site, createdAt: Date.now() };
    return this.run(
      'createSite',
      async () => {
        await this.db.insertInto('sites').values({ id: site.id, name: site.name, county: site.county, created_at: created.createdAt }).execute();
        return created;
      },
      { conflict: `site ${site.id}` },
    );
  }

  listSites(): Promise<Site[]> {
    return this.run('listSites', async () => {
      const rows = await this.db.selectFrom('sites').selectAll().orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, name: r.name, county: r.county, createdAt: r.created_at }));
    });
  }

  createBox(box: NewBox): Promise<Box> {
    return this.run(
      'createBox',
      async () => {
        await this.db.insertInto('boxes').values({ id: box.id, site_id: box.site, name: box.name, created_at: box.createdAt }).execute();
        return (await this.getBox(box.id))!;
      },
      { conflict: `box ${box.id}`, notFound: `site ${box.site}` },
    );
  }

  getBox(id: string): Promise<Box | null> {
    return this.run('getBox', async () => {
      const row = await this.db.selectFrom('boxes').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toBox(row) : null;
    });
  }

  listBoxes(filter: { site?: string } = {}): Promise<Box[]> {
    return this.run('listBoxes', async () => {
      let query = this.db.selectFrom('boxes').selectAll();
      if (filter.site !== undefined) query = query.where('site_id', '=', filter.site);
      return (await query.orderBy('id').execute()).map(toBox);
    });
  }

  setEnrolment(boxId: string, tokenHash: string, expiresAt: number): Promise<void> {
    return this.transaction(
      'setEnrolment',
      async (trx) => {
        await trx.deleteFrom('enrolments').where('box_id', '=', boxId).execute();
        await trx.insertInto('enrolments').values({ token_hash: tokenHash, box_id: boxId, expires_at: expiresAt, used_at: null }).execute();
      },
      { notFound: `box ${boxId}`, conflict: 'enrolment token' },
    );
  }

  redeemEnrolment(tokenHash: string, passwordHash: string, now: number): Promise<{ ok: true; boxId: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' }> {
    return this.transaction('redeemEnrolment', async (trx) => {
      // One conditional update takes the token: of two redeems at once, the second finds it
      // used (PostgreSQL re-checks the condition after the first commits; SQLite runs one
      // writer at a time).
      const taken = await trx
        .updateTable('enrolments')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning('box_id')
        .executeTakeFirst();
      if (taken) {
        // A box enrolled again may be a new or wiped one, counting its connections and
        // messages from 1: its sequences start afresh here too, or its births would read as
        // late and its messages as ones already stored.
        await trx.updateTable('boxes').set({ password_hash: passwordHash, bd_seq: null, last_seq: null, last_seq_bd_seq: null }).where('id', '=', taken.box_id).execute();
        await trx.deleteFrom('messages').where('box_id', '=', taken.box_id).execute();
        return { ok: true as const, boxId: taken.box_id };
      }
      const token = await trx.selectFrom('enrolments').select(['used_at', 'expires_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
      const reason = !token ? 'unknown' : token.used_at !== null ? 'used' : 'expired';
      return { ok: false as const, reason };
    });
  }

  boxCredential(boxId: string): Promise<string | null> {
    return this.run('boxCredential', async () => {
      const row = await this.db.selectFrom('boxes').select('password_hash').where('id', '=', boxId).executeTakeFirst();
      return row?.password_hash ?? null;
    });
  }

  // What the box says about itself --------------------------------------------------------

  recordBirth(boxId: string, birth: Birth, at: number): Promise<boolean> {
    const { list, ...counts } = birth.circuits;
    const trunks: BoxTrunks = { spans: birth.spans, fxo: birth.fxo, circuits: counts, circuitList: list, agents: birth.agents, queue: birth.queue };
    return this.transaction('recordBirth', async (trx) => {
      const box = await trx.selectFrom('boxes').select(['bd_seq', 'online', 'online_changed_at']).where('id', '=', boxId).executeTakeFirst();
      if (!box) throw new StoreNotFoundError(`box ${boxId}`);
      if (box.bd_seq !== null && birth.bdSeq < box.bd_seq) return false;
      await trx
        .updateTable('boxes')
        .set({
          birth: JSON.stringify(birth),
          last_birth_at: at,
          bd_seq: birth.bdSeq,
          online: 1,
          online_changed_at: box.online === 1 && box.online_changed_at !== null ? box.online_changed_at : at,
          trunks: JSON.stringify(trunks),
          trunks_at: at,
        })
        .where('id', '=', boxId)
        .execute();
      await advanceSeq(trx, boxId, birth);
      return true;
    });
  }

  recordStatus(boxId: string, online: boolean, bdSeq: number, at: number): Promise<boolean> {
    return this.transaction('recordStatus', async (trx) => {
      const box = await trx.selectFrom('boxes').select(['bd_seq', 'online', 'online_changed_at']).where('id', '=', boxId).executeTakeFirst();
      // A will from a connection older than the latest birth arrives late: the box is back.
      if (!box || (box.bd_seq !== null && bdSeq < box.bd_seq)) return false;
      const changedAt = (box.online === 1) === online && box.online_changed_at !== null ? box.online_changed_at : at;
      await trx.updateTable('boxes').set({ online: online ? 1 : 0, online_changed_at: changedAt }).where('id', '=', boxId).execute();
      return true;
    });
  }

  recordTrunks(boxId: string, trunks: BoxTrunks, at: number, key?: MessageKey): Promise<void> {
    return this.transaction('recordTrunks', async (trx) => {
      const result = await trx.updateTable('boxes').set({ trunks: JSON.stringify(trunks), trunks_at: at }).where('id', '=', boxId).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new StoreNotFoundError(`box ${boxId}`);
      if (key) await advanceSeq(trx, boxId, key);
    });
  }

  /** Stores the message's key, then its effect, in one transaction; a key already there is a duplicate. */
  private durable(operation: string, boxId: string, key: MessageKey, kind: string, at: number, effect: (trx: Db) => Promise<boolean | void>): Promise<'applied' | 'duplicate'> {
    return this.transaction(
      operation,
      async (trx) => {
        const claimed = await trx
          .insertInto('messages')
          .values({ box_id: boxId, bd_seq: key.bdSeq, seq: key.seq, kind, at })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return 'duplicate';
        await advanceSeq(trx, boxId, key);
        return (await effect(trx)) === false ? 'duplicate' : 'applied';
      },
      { notFound: `box ${boxId}` },
    );
  }

  applyBoxAlarm(boxId: string, key: MessageKey, change: 'raised' | 'updated' | 'cleared', alarm: AlarmPayloadRecord): Promise<'applied' | 'duplicate'> {
    const at = change === 'cleared' ? (alarm.clearedAt ?? alarm.lastRaisedAt) : alarm.lastRaisedAt;
    return this.durable('applyBoxAlarm', boxId, key, 'alarm', at, (trx) => alarms.applyBoxAlarm(trx, boxId, change, alarm));
  }

  addCdr(boxId: string, key: MessageKey, cdr: CdrPayloadRecord): Promise<'applied' | 'duplicate'> {
    return this.durable('addCdr', boxId, key, 'cdr', cdr.arrivedAt, async (trx) => {
      // The CDR id is the box's and unique on it: the same call sent again under a new key
      // (a box that lost its outbox position) is not counted twice.
      const inserted = await trx
        .insertInto('cdrs')
        .values({ box_id: boxId, cdr_id: cdr.id, arrived_at: cdr.arrivedAt, result: cdr.result, calling: cdr.calling, record: JSON.stringify(cdr) })
        .onConflict((oc) => oc.columns(['box_id', 'cdr_id']).doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    });
  }

  addKpi(boxId: string, key: MessageKey, kpi: KpiInterval): Promise<'applied' | 'duplicate'> {
    const row = {
      interval_ms: kpi.intervalMs,
      offered: kpi.offered,
      answered: kpi.answered,
      answered_in_15s: kpi.answeredIn15s,
      abandoned: kpi.abandoned,
      no_agent: kpi.noAgent,
      failed: kpi.failed,
    };
    return this.durable('addKpi', boxId, key, 'kpi', kpi.intervalStart, async (trx) => {
      // One row per (box, interval): a later message for the same interval is the box's
      // better count of it and replaces the earlier.
      await trx
        .insertInto('kpis')
        .values({ ...row, box_id: boxId, interval_start: kpi.intervalStart })
        .onConflict((oc) => oc.columns(['box_id', 'interval_start']).doUpdateSet(row))
        .execute();
    });
  }

  addEvent(boxId: string, key: MessageKey, type: string, data: Record<string, unknown>, at = Date.now()): Promise<'applied' | 'duplicate'> {
    return this.durable('addEvent', boxId, key, 'event', at, async (trx) => {
      await trx.insertInto('events').values({ box_id: boxId, bd_seq: key.bdSeq, seq: key.seq, type, data: JSON.stringify(data), at }).execute();
    });
  }

  syncBoxAlarms(boxId: string, active: AlarmPayloadRecord[], at: number): Promise<void> {
    return this.transaction('syncBoxAlarms', async (trx) => {
      // Checked first: an empty list touches no row that would tell.
      if (!(await trx.selectFrom('boxes').select('id').where('id', '=', boxId).executeTakeFirst())) throw new StoreNotFoundError(`box ${boxId}`);
      await alarms.syncBoxAlarms(trx, boxId, active, at);
    });
  }

  lastSeq(boxId: string): Promise<MessageKey | null> {
    return this.run('lastSeq', async () => {
      const row = await this.db.selectFrom('boxes').select(['last_seq', 'last_seq_bd_seq']).where('id', '=', boxId).executeTakeFirst();
      return row && row.last_seq !== null && row.last_seq_bd_seq !== null ? { bdSeq: row.last_seq_bd_seq, seq: row.last_seq } : null;
    });
  }

  // Alarms --------------------------------------------------------------------------------

  raiseCentralAlarm(alarm: NewCentralAlarm): Promise<CentralAlarm> {
    return this.run('raiseCentralAlarm', () => alarms.raiseCentralAlarm(this.db, alarm), { notFound: `box ${alarm.boxId}` });
  }

  clearCentralAlarm(boxId: string, source: string, type: string, at: number): Promise<CentralAlarm | null> {
    return this.run('clearCentralAlarm', () => alarms.clearCentralAlarm(this.db, boxId, source, type, at));
  }

  listAlarms(filter: AlarmFilter): Promise<CentralAlarm[]> {
    return this.run('listAlarms', () => alarms.listAlarms(this.db, filter));
  }

  listActiveCentralAlarms(source: string): Promise<CentralAlarm[]> {
    return this.run('listActiveCentralAlarms', () => alarms.listActiveCentralAlarms(this.db, source));
  }

  countActiveAlarms(): Promise<Record<Severity, number>> {
    return this.run('countActiveAlarms', async () => {
      const rows = await this.db.selectFrom('alarms').select(['severity', (eb) => eb.fn.countAll<number | string>().as('n')]).where('state', '=', 'active').groupBy('severity').execute();
      const counts: Record<Severity, number> = { critical: 0, major: 0, minor: 0, warning: 0 };
      for (const row of rows) if (row.severity in counts) counts[row.severity as Severity] = Number(row.n);
      return counts;
    });
  }

  getAlarm(id: number): Promise<CentralAlarm | null> {
    return this.run('getAlarm', () => alarms.getAlarm(this.db, id));
  }

  ackAlarm(id: number, by: string, comment: string, at: number): Promise<CentralAlarm | null> {
    return this.transaction('ackAlarm', (trx) => alarms.ackAlarm(trx, id, by, comment, at));
  }

  // Calls and KPIs ----------------------------------------------------------------------

  searchCdrs(filter: CdrFilter): Promise<StoredCdr[]> {
    return this.run('searchCdrs', async () => {
      let query = this.db.selectFrom('cdrs').select(['box_id', 'record']);
      if (filter.boxId !== undefined) query = query.where('box_id', '=', filter.boxId);
      if (filter.from !== undefined) query = query.where('arrived_at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('arrived_at', '<', filter.to);
      if (filter.result !== undefined) query = query.where('result', '=', filter.result);
      if (filter.calling !== undefined) query = query.where('calling', '=', filter.calling);
      const rows = await query.orderBy('arrived_at', 'desc').orderBy('id', 'desc').limit(pageSize(filter.limit)).execute();
      return rows.map((r) => ({ ...(JSON.parse(r.record) as CdrPayloadRecord), boxId: r.box_id }));
    });
  }

  listKpis(boxId: string, from: number, to: number): Promise<KpiInterval[]> {
    return this.run('listKpis', async () => {
      const rows = await this.db.selectFrom('kpis').selectAll().where('box_id', '=', boxId).where('interval_start', '>=', from).where('interval_start', '<', to).orderBy('interval_start').execute();
      return rows.map(toKpi);
    });
  }

  // Commands ----------------------------------------------------------------------------

  createCommand(cmd: NewCommand): Promise<StoredCommand> {
    return this.run('createCommand', () => commands.createCommand(this.db, cmd), { conflict: `command ${cmd.id}`, notFound: `box ${cmd.boxId}` });
  }

  completeCommand(id: string, result: CommandOutcome, at: number, key?: MessageKey): Promise<StoredCommand | null> {
    return this.transaction('completeCommand', async (trx) => {
      const command = await commands.completeCommand(trx, id, result, at);
      if (command && key) await advanceSeq(trx, command.boxId, key);
      return command;
    });
  }

  getCommand(id: string): Promise<StoredCommand | null> {
    return this.run('getCommand', () => commands.getCommand(this.db, id));
  }

  timeOutCommands(now: number): Promise<StoredCommand[]> {
    return this.run('timeOutCommands', () => commands.timeOutCommands(this.db, now));
  }

  // Desired configuration ------------------------------------------------------------------

  setDesiredConfig(boxId: string, config: Record<string, unknown>, at: number): Promise<{ revision: number }> {
    return this.transaction('setDesiredConfig', async (trx) => {
      // The increment takes the box's row lock (PostgreSQL): two changes at once get 1 and 2.
      const box = await trx
        .updateTable('boxes')
        .set((eb) => ({ desired_revision: eb('desired_revision', '+', 1) }))
        .where('id', '=', boxId)
        .returning('desired_revision')
        .executeTakeFirst();
      if (!box) throw new StoreNotFoundError(`box ${boxId}`);
      await trx.insertInto('config_revisions').values({ box_id: boxId, revision: box.desired_revision, config: JSON.stringify(config), at }).execute();
      return { revision: box.desired_revision };
    });
  }

  getConfigState(boxId: string): Promise<ConfigState> {
    return this.run('getConfigState', async () => {
      const desired = await this.db.selectFrom('config_revisions').selectAll().where('box_id', '=', boxId).orderBy('revision', 'desc').limit(1).executeTakeFirst();
      const box = await this.db.selectFrom('boxes').select(['reported_revision', 'reported_applied', 'reported_errors', 'reported_at']).where('id', '=', boxId).executeTakeFirst();
      return {
        desired: desired ? { revision: desired.revision, config: JSON.parse(desired.config) as Record<string, unknown>, at: desired.at } : null,
        reported:
          box && box.reported_revision !== null && box.reported_at !== null
            ? { revision: box.reported_revision, applied: box.reported_applied === 1, errors: parseJson<string[]>(box.reported_errors) ?? [], at: box.reported_at }
            : null,
      };
    });
  }

  recordReportedConfig(boxId: string, revision: number, applied: boolean, errors: string[], at: number, key?: MessageKey): Promise<void> {
    return this.transaction('recordReportedConfig', async (trx) => {
      const result = await trx
        .updateTable('boxes')
        .set({ reported_revision: revision, reported_applied: applied ? 1 : 0, reported_errors: JSON.stringify(errors), reported_at: at })
        .where('id', '=', boxId)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new StoreNotFoundError(`box ${boxId}`);
      if (key) await advanceSeq(trx, boxId, key);
    });
  }

  // API tokens ----------------------------------------------------------------------------

  createApiToken(token: { name: string; role: Role; tokenHash: string; createdAt: number }): Promise<ApiToken> {
    return this.run(
      'createApiToken',
      async () => {
        const row = await this.db
          .insertInto('api_tokens')
          .values({ name: token.name, role: token.role, token_hash: token.tokenHash, created_at: token.createdAt, revoked_at: null })
          .returning('id')
          .executeTakeFirstOrThrow();
        return { id: row.id, name: token.name, role: token.role, createdAt: token.createdAt };
      },
      { conflict: 'API token' },
    );
  }

  findApiToken(tokenHash: string): Promise<ApiToken | null> {
    return this.run('findApiToken', async () => {
      const row = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
      return row ? { id: row.id, name: row.name, role: row.role as Role, createdAt: row.created_at } : null;
    });
  }

  countApiTokens(): Promise<number> {
    return this.run('countApiTokens', async () => {
      const row = await this.db.selectFrom('api_tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
      return Number(row.n);
    });
  }

  revokeApiToken(id: number, at: number): Promise<boolean> {
    return this.run('revokeApiToken', async () => {
      const result = await this.db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  // Retention -----------------------------------------------------------------------------

  prune(cutoffs: { cdrsBefore: number; historyBefore: number }): Promise<{ cdrs: number; events: number; kpis: number; alarms: number }> {
    return this.run('prune', () => prune(this.db, cutoffs));
  }
}

/** The box's last seq moves forward only (seq grows across connections, so bdSeq follows it). */
async function advanceSeq(trx: Db, boxId: string, key: MessageKey): Promise<void> {
  await trx
    .updateTable('boxes')
    .set({ last_seq: key.seq, last_seq_bd_seq: key.bdSeq })
    .where('id', '=', boxId)
    .where((eb) => eb.or([eb('last_seq', 'is', null), eb('last_seq', '<', key.seq)]))
    .execute();
}
