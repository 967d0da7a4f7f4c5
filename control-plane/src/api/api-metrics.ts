import { Counter, type Registry } from 'prom-client';

/** What the API counts for operators: refused credentials, enrolments, rate-limited callers. */
export interface ApiMetrics {
  authFailures: Counter<'reason'>;
  enrolments: Counter<'result'>;
  rateLimited: Counter<'route'>;
  badRequests: Counter<'route'>;
}

export function apiMetrics(registry: Registry): ApiMetrics {
  return {
    authFailures: new Counter({
      name: 'countyline_central_api_auth_failures_total',
      help: 'API requests refused for their credentials (missing, unknown token, role too low)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    enrolments: new Counter({
      name: 'countyline_central_enrolments_total',
      help: 'enrolment token exchanges by result (ok, unknown, used, expired)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'countyline_central_api_rate_limited_total',
      help: 'API requests refused because their address sent too many',
      labelNames: ['route'] as const,
      registers: [registry],
    }),
    badRequests: new Counter({
      name: 'countyline_central_api_bad_requests_total',
      help: 'API requests refused as not valid (schema, unknown parameters)',
      labelNames: ['route'] as const,
      registers: [registry],
    }),
  };
}
