import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { BoxLink } from '../broker/box-link.js';
import type { LiveFeed } from '../live/live-feed.js';
import type { Store } from '../store/store.js';
import type { ApiMetrics } from './api-metrics.js';
import type { Authorize } from './auth.js';

/** The parts of the store the API uses. */
export type ApiStore = Pick<
  Store,
  | 'createSite'
  | 'listSites'
  | 'createBox'
  | 'getBox'
  | 'listBoxes'
  | 'setEnrolment'
  | 'redeemEnrolment'
  | 'listAlarms'
  | 'ackAlarm'
  | 'searchCdrs'
  | 'listKpis'
  | 'createCommand'
  | 'completeCommand'
  | 'getCommand'
  | 'setDesiredConfig'
  | 'getConfigState'
  | 'createApiToken'
  | 'findApiToken'
>;

export interface ApiClock {
  now(): number;
}

/** The fastify instance with TypeBox as its type provider. */
export type ApiApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** What every route module is given. */
export interface ApiContext {
  store: ApiStore;
  boxLink: BoxLink;
  clock: ApiClock;
  metrics: ApiMetrics;
  authorize: Authorize;
  /** The broker's address as boxes reach it (`mqtt://host:1883`, `mqtts://...`), handed out at enrolment. */
  mqttUrl: string;
  /** How long an enrolment token stays usable. */
  enrolmentTtlMs: number;
  /** A command's deadline is this long after it is sent. */
  commandTimeoutMs: number;
  /** Central's changes as they happen: the event stream sends them, the ack route adds to them. */
  live: LiveFeed;
}
