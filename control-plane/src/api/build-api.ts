import Fastify, { type FastifyBaseLogger, type FastifyError } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from 'prom-client';
import type { BoxLink } from '../broker/box-link.js';
import { LiveFeed } from '../live/live-feed.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../commands/command-deadline.js';
import type { ApiApp, ApiClock, ApiContext, ApiStore } from './api-context.js';
import { ApiError } from './api-errors.js';
import { apiMetrics } from './api-metrics.js';
import { alarmRoutes } from './alarm-routes.js';
import { bearerAuth } from './auth.js';
import { boxRoutes } from './box-routes.js';
import { commandRoutes } from './command-routes.js';
import { configRoutes } from './config-routes.js';
import { enrolRoute } from './enrol-route.js';
import { eventRoutes } from './event-routes.js';
import { webRoutes } from './web-routes.js';
import { RateLimiter } from './rate-limit.js';

export interface ApiOptions {
  store: ApiStore;
  boxLink: BoxLink;
  /** Central's Prometheus registry: `/metrics` serves it, and the API's own counters go in it. */
  metrics: Registry;
  clock: ApiClock;
  logger?: FastifyBaseLogger;
  /** The broker's address as boxes reach it, handed out at enrolment. */
  mqttUrl: string;
  /** How long an enrolment token stays usable (default 7 days). */
  enrolmentTtlMs?: number;
  /** How long central waits for a box to answer a command (default 300 s); the command's deadline. */
  commandTimeoutMs?: number;
  /** Enrolment attempts per address: this many at once, then `perMinute` (default 10 and 6). */
  enrolRateLimit?: { burst: number; perMinute: number };
  /** Behind a reverse proxy: trust its X-Forwarded-For (fastify's `trustProxy`), so the rate limit sees the box's address. */
  trustProxy?: boolean | string;
  /** Central's changes as they happen, for `GET /api/v1/events`; default a feed nobody publishes to. */
  live?: LiveFeed;
  /** A comment line on every open event stream this often, so proxies keep it open (default 15 s). */
  eventsHeartbeatMs?: number;
}

const WEEK_MS = 7 * 86_400_000;

/**
 * Central's HTTP API: `/api/v1/...` with bearer tokens, `/api/docs` (OpenAPI, UI and
 * `/api/docs/json`), `/metrics`, `/api/v1/health`, and the ops page at `/`. Built apart from `listen` so tests use
 * `inject()`.
 */
export async function buildApi(options: ApiOptions): Promise<ApiApp> {
  const app: ApiApp = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // A box's CDR search or an alarm list is small; a config body is the largest thing sent.
    bodyLimit: 1024 * 1024,
    // A misspelt field is refused (400), not silently dropped as fastify does by default.
    ajv: { customOptions: { removeAdditional: false } },
    trustProxy: options.trustProxy ?? false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  const metrics = apiMetrics(options.metrics);
  const ctx: ApiContext = {
    store: options.store,
    boxLink: options.boxLink,
    clock: options.clock,
    metrics,
    authorize: bearerAuth(options.store, metrics),
    mqttUrl: options.mqttUrl,
    enrolmentTtlMs: options.enrolmentTtlMs ?? WEEK_MS,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    live: options.live ?? new LiveFeed(),
  };
  const rate = options.enrolRateLimit ?? { burst: 10, perMinute: 6 };
  const limiter = new RateLimiter(options.clock, rate.burst, rate.perMinute);

  app.decorateRequest('apiUser', null);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = toApiError(error);
    if (answer.code === 'bad-request') {
      metrics.badRequests.inc({ route: request.routeOptions.url ?? 'unknown' });
      request.log.info({ route: request.routeOptions.url, problem: answer.message }, 'bad request');
    }
    if (answer.code === 'internal') request.log.error({ err: error }, 'request failed');
    return reply.code(answer.statusCode).send(answer.body());
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(new ApiError('not-found', `${request.method} ${request.url.split('?')[0]}`).body()));

  await app.register(swagger, {
    openapi: {
      info: { title: 'Countyline central', version: '1', description: 'Sites, boxes, alarms, calls, commands and configuration of the county boxes. Every /api/v1 route but /enrol and /health needs `Authorization: Bearer <token>`; roles viewer < operator < admin.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  await app.register(
    async (v1) => {
      const api = v1.withTypeProvider<TypeBoxTypeProvider>();
      boxRoutes(api, ctx);
      enrolRoute(api, ctx, limiter);
      alarmRoutes(api, ctx);
      commandRoutes(api, ctx);
      configRoutes(api, ctx);
      eventRoutes(api, ctx, { heartbeatMs: options.eventsHeartbeatMs ?? 15_000 });
      api.get(
        '/health',
        { schema: { tags: ['central'], description: 'Answers while central runs; no token needed.', response: { 200: Type.Object({ ok: Type.Boolean(), boxesConnected: Type.Integer() }) } } },
        async () => ({ ok: true, boxesConnected: ctx.boxLink.connectedCount() }),
      );
    },
    { prefix: '/api/v1' },
  );
  await webRoutes(app);

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['central'],
        description: "Prometheus text exposition of central's metrics. No token: it holds counts only, and the Prometheus server scrapes it; keep it on the operations network.",
        produces: ['text/plain'],
        response: { 200: Type.String() },
      },
    },
    async (_request, reply) => {
      const text = await options.metrics.metrics();
      return reply.type(options.metrics.contentType).send(text);
    },
  );
  return app;
}

/** Everything a route can throw, as the API's coded error. */
function toApiError(error: FastifyError): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation) {
    const first = error.validation[0]!;
    const missing = (first.params as { missingProperty?: string }).missingProperty;
    const extra = (first.params as { additionalProperty?: string }).additionalProperty;
    const field = [error.validationContext ?? 'request', ...first.instancePath.split('/').filter(Boolean), ...(missing ? [missing] : []), ...(extra ? [extra] : [])].join('.');
    const problem = missing ? 'is missing' : extra ? 'is not a known field' : (first.message ?? 'is not valid');
    return new ApiError('bad-request', `${field} ${problem}`);
  }
  // fastify's own refusals (a body that is not JSON, a wrong content type, too large) keep their status.
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const refused = new ApiError('bad-request', error.message);
    (refused as { statusCode: number }).statusCode = status;
    return refused;
  }
  return new ApiError('internal');
}
