import { Type } from '@sinclair/typebox';
import { hashPassword, hashToken, newSecret } from '../auth/secrets.js';
import type { ApiApp, ApiContext } from './api-context.js';
import { ApiError, errorResponses } from './api-errors.js';
import type { RateLimiter } from './rate-limit.js';

export const EnrolResponse = Type.Object({
  boxId: Type.String(),
  mqtt: Type.Object({
    url: Type.String({ description: 'the broker as the box reaches it' }),
    username: Type.String({ description: 'the box id' }),
    password: Type.String({ description: 'shown once; central keeps only its scrypt hash' }),
  }),
});

const REFUSALS = { unknown: 'enrolment-unknown', used: 'enrolment-used', expired: 'enrolment-expired' } as const;

/**
 * `POST /enrol`: a box (through `countyline provision`) exchanges its one-time enrolment
 * token for its MQTT credentials. No bearer token: the enrolment token is the credential, so
 * the route is rate-limited per address to make guessing pointless.
 */
export function enrolRoute(app: ApiApp, ctx: ApiContext, limiter: RateLimiter): void {
  app.post(
    '/enrol',
    {
      schema: {
        tags: ['enrolment'],
        description: 'Exchanges an enrolment token for MQTT credentials, once. Unknown token: 401 `enrolment-unknown`; used or expired: 410 `enrolment-used` / `enrolment-expired`; too many tries from one address: 429.',
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
        response: { 200: EnrolResponse, ...errorResponses(400, 401, 410, 429) },
      },
      onRequest: async (request, reply) => {
        const waitMs = limiter.take(request.ip);
        if (waitMs > 0) {
          ctx.metrics.rateLimited.inc({ route: '/api/v1/enrol' });
          request.log.warn({ ip: request.ip }, 'enrolment rate-limited');
          void reply.header('retry-after', Math.ceil(waitMs / 1000));
          throw new ApiError('rate-limited', Math.ceil(waitMs / 1000));
        }
      },
    },
    async (request) => {
      const password = newSecret();
      const outcome = await ctx.store.redeemEnrolment(hashToken(request.body.token), await hashPassword(password), ctx.clock.now());
      if (!outcome.ok) {
        ctx.metrics.enrolments.inc({ result: outcome.reason });
        request.log.warn({ ip: request.ip, reason: outcome.reason }, 'enrolment refused');
        throw new ApiError(REFUSALS[outcome.reason]);
      }
      ctx.metrics.enrolments.inc({ result: 'ok' });
      request.log.info({ box: outcome.boxId, ip: request.ip }, 'box enrolled');
      return { boxId: outcome.boxId, mqtt: { url: ctx.mqttUrl, username: outcome.boxId, password } };
    },
  );
}
