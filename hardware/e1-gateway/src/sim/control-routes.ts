import { SPAN_DEFECTS } from '../protocol/index.js';
import type { CardSimulator } from './card-simulator.js';
import { MAX_CALLS_PER_MINUTE, MAX_HOLD_SECONDS, MIN_HOLD_SECONDS } from './exchange/exchange-config.js';
import { MAX_GROUP } from './exchange/exchange-maintenance.js';
import type { FarEndExchange } from './exchange/far-end-exchange.js';
import { readBody, type BodyShape, type FieldRule } from './json-body.js';
import { SimError } from './sim-error.js';
import { ERROR_RATE_FIELDS } from './sim-span.js';

export interface Route {
  method: 'GET' | 'POST';
  /** The path as documented, `<n>` for a number. */
  path: string;
  handle: (sim: CardSimulator, params: number[], body: unknown) => unknown;
}

const bool: FieldRule = { type: 'boolean' };
const rate: FieldRule = { type: 'number', min: 0, max: Number.MAX_SAFE_INTEGER };

const defectShape: BodyShape = Object.fromEntries(SPAN_DEFECTS.map((d) => [d, bool]));
const errorShape: BodyShape = {
  ...Object.fromEntries(ERROR_RATE_FIELDS.map((f) => [f, rate])),
  seconds: { type: 'number', min: 1, max: 86_400, integer: true },
};
const ringShape = {
  // YD/T 1277.1 numbers are digits; letters cover its "P" (private) and "O" (unavailable).
  callerId: { type: 'string', pattern: /^[0-9A-Za-z*#+]{1,32}$/, describe: 'a number of 1 to 32 digits (also * # + and letters)' },
  name: { type: 'string', pattern: /^\P{Cc}{0,32}$/u, describe: 'a name of up to 32 characters, no control characters' },
  maxRings: { type: 'number', min: 1, max: 255, integer: true },
} as const;

const trafficShape = {
  callsPerMinute: { type: 'number', min: 0, max: MAX_CALLS_PER_MINUTE },
  holdSeconds: { type: 'number', min: MIN_HOLD_SECONDS, max: MAX_HOLD_SECONDS },
} as const;
const groupBlockShape = {
  firstCic: { type: 'number', min: 0, max: 4095, integer: true },
  count: { type: 'number', min: 2, max: MAX_GROUP, integer: true },
  on: bool,
} as const;

function exchangeOf(sim: CardSimulator): FarEndExchange {
  if (!sim.exchange) throw new SimError('not-found', 'this simulator runs without a far-end exchange; start it without --no-exchange');
  return sim.exchange;
}

/**
 * The control API's routes (ARCHITECTURE.md section 5, "Simulator control API").
 * Spans and FXO ports are numbered from 0, timeslots 1..31.
 */
export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/state', handle: (sim) => sim.state() },
  {
    method: 'POST',
    path: '/spans/<n>/defects',
    handle: (sim, [span], body) => sim.setSpanDefects(span!, readBody(body, defectShape)),
  },
  {
    method: 'POST',
    path: '/spans/<n>/errors',
    handle: (sim, [span], body) => {
      const { seconds, ...rates } = readBody(body, errorShape) as Record<string, number | undefined>;
      return sim.setSpanErrors(span!, rates, seconds);
    },
  },
  {
    method: 'POST',
    path: '/spans/<n>/timeslots/<n>/loopback-fault',
    handle: (sim, [span, ts], body) => sim.setLoopbackFault(span!, ts!, readBody(body, { broken: bool }, ['broken']).broken!),
  },
  {
    method: 'POST',
    path: '/fxo/<n>/line',
    handle: (sim, [port], body) => sim.setLinePlugged(port!, readBody(body, { plugged: bool }, ['plugged']).plugged!),
  },
  {
    method: 'POST',
    path: '/fxo/<n>/ring',
    handle: (sim, [port], body) => sim.ringLine(port!, readBody(body, ringShape)),
  },
  {
    method: 'POST',
    path: '/fxo/<n>/hangup',
    handle: (sim, [port], body) => (readBody(body, {}), sim.hangUpLine(port!)),
  },
  {
    method: 'POST',
    path: '/fxo/<n>/polarity',
    handle: (sim, [port], body) => sim.setLinePolarity(port!, readBody(body, { reversed: bool }).reversed),
  },
  {
    method: 'POST',
    path: '/card/reset',
    handle: (sim, _params, body) => (readBody(body, {}), sim.injectReset()),
  },
  {
    method: 'POST',
    path: '/card/silence',
    handle: (sim, _params, body) => sim.setSilent(readBody(body, { on: bool }, ['on']).on!),
  },
  {
    method: 'POST',
    path: '/card/protocol-version',
    handle: (sim, _params, body) => sim.setProtocolVersion(readBody(body, { version: { type: 'number', min: 0, max: 255, integer: true } }, ['version']).version!),
  },
  {
    method: 'POST',
    path: '/serial/noise',
    handle: (sim, _params, body) => sim.setNoiseRatio(readBody(body, { ratio: { type: 'number', min: 0, max: 1 } }, ['ratio']).ratio!),
  },
  // The far-end exchange (src/sim/exchange).
  {
    method: 'POST',
    path: '/traffic',
    handle: (sim, _params, body) => exchangeOf(sim).setTraffic(readBody(body, trafficShape)),
  },
  {
    method: 'POST',
    path: '/glare',
    handle: (sim, _params, body) => exchangeOf(sim).setGlareRatio(readBody(body, { ratio: { type: 'number', min: 0, max: 1 } }, ['ratio']).ratio!),
  },
  { method: 'GET', path: '/exchange', handle: (sim) => exchangeOf(sim).snapshot() },
  {
    method: 'POST',
    path: '/exchange/circuits/<n>/block',
    handle: (sim, [cic], body) => exchangeOf(sim).blockCircuit(cic!, readBody(body, { on: bool }, ['on']).on!),
  },
  {
    method: 'POST',
    path: '/exchange/circuits/<n>/reset',
    handle: (sim, [cic], body) => (readBody(body, {}), exchangeOf(sim).resetCircuit(cic!)),
  },
  {
    method: 'POST',
    path: '/exchange/group-block',
    handle: (sim, _params, body) => {
      const { firstCic, count, on } = readBody(body, groupBlockShape, ['firstCic', 'count', 'on']);
      return exchangeOf(sim).groupBlock(firstCic!, count!, on!);
    },
  },
  {
    method: 'POST',
    path: '/exchange/reset-all',
    handle: (sim, _params, body) => (readBody(body, {}), exchangeOf(sim).resetAll()),
  },
];

const patterns = ROUTES.map((route) => ({
  route,
  regex: new RegExp(`^${route.path.replace(/<n>/g, '(\\d{1,9})')}$`),
}));

/** The routes whose path matches, with the numbers taken from it. */
export function matchRoutes(pathname: string): { route: Route; params: number[] }[] {
  const found: { route: Route; params: number[] }[] = [];
  for (const { route, regex } of patterns) {
    const m = regex.exec(pathname);
    if (m) found.push({ route, params: m.slice(1).map(Number) });
  }
  return found;
}
