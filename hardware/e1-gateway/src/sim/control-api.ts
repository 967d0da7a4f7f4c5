import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { HTTP_ERROR_CODES, type HttpErrorCode } from '../errors.js';
import type { CardSimulator } from './card-simulator.js';
import type { ControlApiStats } from './control-route.js';
import { matchRoutes, ROUTES } from './control-routes.js';
import { SimError } from './sim-error.js';

export interface ControlApiOptions {
  sim: CardSimulator;
  /** Default: silent. */
  logger?: Logger;
  /** Larger bodies get 413; default 64 KiB. */
  maxBodyBytes?: number;
  /**
   * Check every answer against its route's response schema; one that does not match is a
   * 500. For tests: the schemas document the answers, and this keeps them true. Default off.
   */
  checkResponses?: boolean;
}

/** Only loopback: the control API can break the card on purpose, so it is never exposed. */
export const CONTROL_HOST = '127.0.0.1';

/**
 * Builds the simulator's HTTP control API (JSON in, JSON out) without listening, so tests
 * and the CLI choose where it listens. Each route checks its path numbers and body against
 * the TypeBox schemas in control-routes.ts. Every error is answered as
 * `{"error": "<message>", "code": "<code>"}` with the code's status from `ERROR_CODES`
 * (src/errors.ts), logged at warn and counted by code in `GET /state` (`control.rejected`).
 */
export function buildControlApi(opts: ControlApiOptions): Server {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'control-api' });
  const maxBody = opts.maxBodyBytes ?? 64 * 1024;
  const rejected = Object.fromEntries(HTTP_ERROR_CODES.map((code) => [code, 0])) as Record<HttpErrorCode, number>;
  const api: Api = { sim: opts.sim, stats: { rejected }, rejected, maxBody, log, checkResponses: opts.checkResponses ?? false };
  return createServer((req, res) => {
    void serve(req, res, api);
  });
}

interface Api {
  sim: CardSimulator;
  /** What handlers see of the counters below. */
  stats: ControlApiStats;
  rejected: Record<HttpErrorCode, number>;
  maxBody: number;
  log: Logger;
  checkResponses: boolean;
}

/** Answers one request: 200 with the route's result, or the error with its code. Never throws. */
async function serve(req: IncomingMessage, res: ServerResponse, api: Api): Promise<void> {
  const { rejected, log } = api;
  req.on('error', () => {}); // a client that goes away mid-body is not our problem
  const method = req.method ?? 'GET';
  try {
    const text = JSON.stringify(await answer(req, res, api));
    log.debug({ method, url: req.url }, 'control request');
    send(res, 200, text);
  } catch (err) {
    req.resume(); // whatever is left of the body is not read
    const refusal = err instanceof SimError ? err : undefined;
    const code: HttpErrorCode = refusal?.code ?? 'internal';
    rejected[code]++;
    if (refusal) log.warn({ code, method, url: req.url, error: refusal.message }, 'control request refused');
    else log.error({ err, method, url: req.url }, 'control request failed');
    const message = refusal?.message ?? 'internal error in the simulator; see its log';
    if (!res.headersSent) send(res, refusal?.status ?? 500, JSON.stringify({ error: message, code }));
  }
}

/** Listens on 127.0.0.1 (port 0: any free port); resolves with the base URL. */
export function listenControlApi(server: Server, port: number): Promise<{ url: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, CONTROL_HOST, () => {
      server.off('error', onError);
      const bound = (server.address() as AddressInfo).port;
      resolve({ url: `http://${CONTROL_HOST}:${bound}`, port: bound });
    });
  });
}

/** Stops listening and drops idle keep-alive connections. */
export function closeControlApi(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** The answer to a request; a refusal is thrown as a SimError with its code. */
async function answer(req: IncomingMessage, res: ServerResponse, { sim, stats, maxBody, checkResponses }: Api): Promise<unknown> {
  const method = req.method ?? 'GET';
  let pathname: string;
  try {
    pathname = new URL(req.url ?? '/', 'http://control').pathname.replace(/(.)\/$/, '$1');
  } catch {
    throw new SimError('bad-path', `cannot read the request path ${JSON.stringify(req.url)}`);
  }
  const matches = matchRoutes(ROUTES, pathname);
  if (matches.length === 0) throw new SimError('no-route', `no route ${method} ${pathname}; routes: ${ROUTES.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  const match = matches.find((m) => m.route.method === method);
  if (!match) {
    const allow = [...new Set(matches.map((m) => m.route.method))].join(', ');
    res.setHeader('Allow', allow);
    throw new SimError('wrong-method', `${pathname} takes ${allow}, not ${method}`);
  }
  let body: unknown = {};
  if (method === 'POST') {
    const text = await readText(req, maxBody);
    if (text === undefined) {
      res.setHeader('Connection', 'close');
      throw new SimError('body-too-large', `body larger than ${maxBody} bytes; control bodies are small JSON objects`);
    }
    body = parseJson(text);
  }
  return match.route.run(sim, match.pathNumbers, body, stats, checkResponses);
}

/** A request body as JSON; an empty body reads as `{}`. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SimError('bad-body', `body is not valid JSON (${(err as Error).message}); send a JSON object`);
  }
}

/** The body as text, or undefined once it passes `max` bytes (the rest is thrown away). */
function readText(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
