import { chmod, mkdir, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { CountylineError } from '../errors.js';

/**
 * The local control socket: how the `countyline` CLI reaches the running firmware. One JSON
 * object per line each way: `{"id", "method", "params"}` in; `{"id", "result"}` or
 * `{"id", "error": {"code", "message", "args"}}` out, optionally preceded by
 * `{"id", "progress"}` lines from long work such as test calls. Only root and the socket's
 * group may connect (mode 0660), so the socket is the access control.
 *
 * This is only the transport: what a method means and which parameters it takes is the
 * dispatcher's (control-dispatcher.ts), the same one in-process callers use.
 */
export interface RequestRunner {
  dispatch(method: unknown, params: unknown, onProgress: (data: unknown) => void): Promise<unknown>;
}

const MAX_LINE = 64 * 1024;

export class ControlServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly path: string,
    private readonly runner: RequestRunner,
    private readonly log: Logger,
    /** Requests that are not even a request (not JSON, too long), by code, for the metrics. */
    private readonly onGarbage: (code: 'bad-request' | 'too-long') => void = () => {},
  ) {}

  async listen(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await this.removeStaleSocket();
    const server = createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await chmod(this.path, 0o660);
    this.server = server;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A socket file left by a firmware that died is removed; one that answers is another firmware. */
  private async removeStaleSocket(): Promise<void> {
    const alive = await new Promise<boolean>((resolve) => {
      const probe = createConnection(this.path);
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (alive) throw new CountylineError('socket-in-use', { socket: this.path });
    try {
      await unlink(this.path);
    } catch (err) {
      // Nothing there is the usual case; anything else (a directory, no permission) makes
      // listen() fail next with the reason.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ err, path: this.path }, 'cannot remove the old control socket');
    }
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    // A CLI that goes away (Ctrl-C) resets the socket: nothing to report.
    socket.on('error', (err) => this.log.debug({ err }, 'control connection error'));
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > MAX_LINE && !buffered.includes('\n')) {
        this.garbage(socket, null, new CountylineError('too-long', { limit: MAX_LINE }));
        socket.end();
        buffered = '';
        return;
      }
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) void this.handle(socket, line);
      }
    });
  }

  private async handle(socket: Socket, line: string): Promise<void> {
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch (err) {
      return this.garbage(socket, null, new CountylineError('bad-request', { detail: `not JSON: ${(err as Error).message}` }));
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      return this.garbage(socket, null, new CountylineError('bad-request', { detail: 'not a JSON object' }));
    }
    const { id: rawId, method, params } = request as { id?: unknown; method?: unknown; params?: unknown };
    const id = typeof rawId === 'number' || typeof rawId === 'string' ? rawId : null;
    const progress = (data: unknown) => this.send(socket, { id, progress: data });
    try {
      const result = await this.runner.dispatch(method, params ?? {}, progress);
      this.send(socket, { id, result: result ?? null });
    } catch (err) {
      // The dispatcher turns every failure into a coded error; anything else is a bug here.
      const error = err instanceof CountylineError ? err : new CountylineError('internal', { detail: String(err) });
      this.send(socket, { id, error: error.toWire() });
    }
  }

  private garbage(socket: Socket, id: null, error: CountylineError<'bad-request' | 'too-long'>): void {
    this.onGarbage(error.code);
    this.log.warn({ code: error.code }, `control request refused: ${error.message}`);
    this.send(socket, { id, error: error.toWire() });
  }

  private send(socket: Socket, body: unknown): void {
    if (!socket.destroyed) socket.write(`${JSON.stringify(body)}\n`);
  }
}
