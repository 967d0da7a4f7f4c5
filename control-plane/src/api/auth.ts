import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashToken } from '../auth/secrets.js';
import { ROLES, type ApiToken, type Role } from '../store/store.js';
import type { ApiStore } from './api-context.js';
import type { ApiMetrics } from './api-metrics.js';
import { ApiError } from './api-errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API token the request came with, once `authorize` has checked it. */
    apiUser: ApiToken | null;
  }
}

/** A hook that lets a request through only with a token of at least `role`. */
export type Authorize = (role: Role) => (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** viewer < operator < admin: each role may do all that the ones below it may. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/**
 * Bearer tokens (RFC 6750 2.1). Only the token's SHA-256 is stored, so the lookup is by the
 * hash. Every refusal is counted by reason; the token itself is never logged.
 */
export function bearerAuth(store: ApiStore, metrics: ApiMetrics): Authorize {
  return (need) => async (request) => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer +([^ ]+) *$/i.exec(header);
    if (!match) {
      metrics.authFailures.inc({ reason: header === undefined ? 'missing' : 'malformed' });
      throw new ApiError('unauthenticated', header === undefined ? 'no API token' : 'the Authorization header is not a bearer token');
    }
    const token = await store.findApiToken(hashToken(match[1]!));
    if (!token) {
      metrics.authFailures.inc({ reason: 'unknown-token' });
      request.log.warn({ ip: request.ip }, 'unknown or revoked API token');
      throw new ApiError('unauthenticated', 'this API token is not known (or was revoked)');
    }
    if (!roleAtLeast(token.role, need)) {
      metrics.authFailures.inc({ reason: 'role' });
      request.log.warn({ user: token.name, role: token.role, need }, 'API token role too low');
      throw new ApiError('forbidden', need, token.role);
    }
    request.apiUser = token;
  };
}
