import type { Test } from 'tap';
import { Registry } from 'prom-client';
import { hashToken } from '../src/auth/secrets.js';
import { buildApi, type ApiOptions } from '../src/api/build-api.js';
import type { ApiStore } from '../src/api/api-context.js';
import type { Role, Store } from '../src/store/store.js';
import { freshStore } from './stores.js';
import { RecordingBoxLink } from './api-recording-box-link.js';

/**
 * What the API tests need of a store: the API's methods and the ones they seed with (named
 * and typed as the Store's, so the same tests run on the real store: pass `makeStore`).
 */
export type ApiTestStore = ApiStore & Pick<Store, 'recordBirth' | 'recordTrunks' | 'raiseCentralAlarm' | 'clearCentralAlarm' | 'addCdr' | 'addKpi' | 'recordReportedConfig' | 'boxCredential' | 'countApiTokens'>;

/** A clock the test moves. */
export class ManualClock {
  constructor(public time = Date.UTC(2026, 0, 5, 8, 0, 0)) {}
  now(): number {
    return this.time;
  }
}

export const TOKENS: Record<Role, string> = { viewer: 'viewer-token-0123456789', operator: 'operator-token-0123456789', admin: 'admin-token-0123456789' };

/**
 * The API on a fresh SQLite store and a recording box link, with one token per role (named as
 * the role) and one site, `north`. Closed when the test ends.
 */
export async function apiRig(t: Test, options: Partial<ApiOptions> = {}, makeStore: (now: () => number) => ApiTestStore | Promise<ApiTestStore> = async () => (await freshStore(t, 'sqlite')).store) {
  const clock = new ManualClock();
  const store = await makeStore(() => clock.now());
  const boxLink = new RecordingBoxLink();
  const metrics = new Registry();
  for (const role of Object.keys(TOKENS) as Role[]) await store.createApiToken({ name: role, role, tokenHash: hashToken(TOKENS[role]), createdAt: clock.now() });
  await store.createSite({ id: 'north', name: 'North county office', county: 'North' });
  const app = await buildApi({ store, boxLink, metrics, clock, mqttUrl: 'mqtt://central.example:1883', enrolmentTtlMs: 3_600_000, ...options });
  t.teardown(() => app.close());
  const as = (role: Role | null) => (role ? { authorization: `Bearer ${TOKENS[role]}` } : {});
  return { app, store, boxLink, metrics, clock, as };
}
