import { hashToken, newSecret } from '../auth/secrets.js';
import type { Store } from '../store/store.js';

/**
 * The first admin token, so that someone can create sites, boxes and other tokens. Only when
 * central has no token at all: with `envToken` (COUNTYLINE_ADMIN_TOKEN) that token is stored
 * and null is returned; without, a new one is made and returned for the caller to print
 * once. When any token exists nothing changes and null is returned.
 */
export async function ensureAdminToken(store: Pick<Store, 'countApiTokens' | 'createApiToken'>, envToken?: string, now = Date.now()): Promise<string | null> {
  if ((await store.countApiTokens()) > 0) return null;
  const given = envToken !== undefined && envToken !== '';
  const token = given ? envToken : newSecret();
  await store.createApiToken({ name: 'admin', role: 'admin', tokenHash: hashToken(token), createdAt: now });
  return given ? null : token;
}
