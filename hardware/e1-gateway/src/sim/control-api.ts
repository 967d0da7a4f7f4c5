import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import type { CardSimulator } from './card-simulator.js';
import { matchRoutes, ROUTES } from './control-routes.js';
import { BadRequest, parseJson } from './json-body.js';
import { SimError } from './sim-error.js';

export interface ControlApiOptions {
  sim: CardSimulator;
  /** Default: silent. */
  logger?: Logger;
  /** Larger bodies get 413; default 64 KiB. */
  maxBodyBytes?: number;
}

/** Only loopback: the control API can break the card on purpose, so it is never exposed. */
export const CONTROL_HOST = '127.0.0.1';

/**
 * Builds the simulator's HTTP control API (JSON in, JSON out) without listening, so tests
 * and the CLI choose where it listens. Every answer is JSON; errors are
 * `{"error": "..."}` with 400 (bad body), 404 (no such route, span, port or timeslot),
 * 405 (wrong method), 409 (not possible in the current state) or 413 (body too large).
 */
export function buildControlApi(opts: ControlApiOptions): Server {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'control-api' });
  const maxBody = opts.maxBodyBytes ?? 64 * 1024;
  return createServer((req, res) => {
    handle(req, res, opts.sim, log, maxBody).catch((err: unknown) => {
      log.error({ err }, 'control request failed');
      if (!res.headersSent) reply(res, 500, { error: 'internal error in the simulator; see its log' });
    });
  });
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

async function handle(req: IncomingMessage, res: ServerResponse, sim: CardSimulator, log: Logger, maxBody: number): Promise<void> {
  req.on('error', () => {}); // a client that goes away mid-body is not our problem
  const method = req.method ?? 'GET';
  let pathname: string;
  try {
    pathname = new URL(req.url ?? '/', 'http://control').pathname.replace(/(.)\/$/, '$1');
  } catch {
    drain(req);
    return reply(res, 400, { error: `cannot read the request path ${JSON.stringify(req.url)}` });
  }
  const matches = matchRoutes(pathname);
  if (matches.length === 0) {
    drain(req);
    return reply(res, 404, { error: `no route ${method} ${pathname}; routes: ${ROUTES.map((r) => `${r.method} ${r.path}`).join(', ')}` });
  }
  const match = matches.find((m) => m.route.method === method);
  if (!match) {
    drain(req);
    const allow = [...new Set(matches.map((m) => m.route.method))].join(', ');
    res.setHeader('Allow', allow);
    return reply(res, 405, { error: `${pathname} takes ${allow}, not ${method}` });
  }
  let text = '';
  if (method === 'POST') {
    const body = await readText(req, maxBody);
    if (body === undefined) {
      res.setHeader('Connection', 'close');
      return reply(res, 413, { error: `body larger than ${maxBody} bytes; control bodies are small JSON objects` });
    }
    text = body;
  }
  try {
    const result = match.route.handle(sim, match.params, parseJson(text));
    log.debug({ method, path: pathname }, 'control request');
    reply(res, 200, result);
  } catch (err) {
    if (err instanceof BadRequest) return reply(res, 400, { error: err.message });
    if (err instanceof SimError) return reply(res, err.status, { error: err.message });
    throw err;
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

function drain(req: IncomingMessage): void {
  req.resume();
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
