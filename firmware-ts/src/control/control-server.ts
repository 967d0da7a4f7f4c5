import { chmod, mkdir, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

/**
 * The local control socket: how the `countyline` CLI reaches the running firmware. One JSON
 * object per line each way: `{"id", "method", "params"}` in, `{"id", "result"}` or
 * `{"id", "error": {"code", "message"}}` out, optionally preceded by `{"id", "progress"}`
 * lines from long work such as test calls. Only root and the socket's group may connect
 * (mode 0660), so the socket is the access control.
 */
export type ControlHandler = (params: Record<string, unknown>, ctx: ControlContext) => unknown;

/** Lets a long-running handler report progress: each call sends `{"id", "progress"}`. */
export interface ControlContext {
  progress(data: unknown): void;
}

export class ControlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_LINE = 64 * 1024;

export class ControlServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  requestErrors = 0;

  constructor(
    private readonly path: string,
    private readonly handlers: Record<string, ControlHandler>,
    private readonly log: Logger,
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
    if (alive) throw new ControlError('socket-in-use', `another countyline firmware is already running on ${this.path}`);
    await unlink(this.path).catch(() => {});
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > MAX_LINE && !buffered.includes('\n')) {
        this.reply(socket, null, undefined, new ControlError('too-long', `request longer than ${MAX_LINE} bytes`));
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
    let request: { id?: unknown; method?: unknown; params?: unknown };
    try {
      request = JSON.parse(line);
      if (typeof request !== 'object' || request === null) throw new Error('not an object');
    } catch {
      this.requestErrors++;
      this.reply(socket, null, undefined, new ControlError('bad-request', 'request is not a JSON object'));
      return;
    }
    const id = typeof request.id === 'number' || typeof request.id === 'string' ? request.id : null;
    const handler = typeof request.method === 'string' ? this.handlers[request.method] : undefined;
    if (!handler) {
      this.requestErrors++;
      this.reply(socket, id, undefined, new ControlError('unknown-method', `unknown method ${JSON.stringify(request.method)}; known: ${Object.keys(this.handlers).join(', ')}`));
      return;
    }
    const params = typeof request.params === 'object' && request.params !== null ? (request.params as Record<string, unknown>) : {};
    try {
      const ctx: ControlContext = {
        progress: (data) => {
          if (!socket.destroyed) socket.write(`${JSON.stringify({ id, progress: data })}\n`);
        },
      };
      this.reply(socket, id, await handler(params, ctx));
    } catch (err) {
      const error = err instanceof ControlError ? err : new ControlError('failed', err instanceof Error ? err.message : String(err));
      if (!(err instanceof ControlError)) this.log.error({ err, method: request.method }, 'control request failed');
      this.reply(socket, id, undefined, error);
    }
  }

  private reply(socket: Socket, id: unknown, result: unknown, error?: ControlError): void {
    if (socket.destroyed) return;
    const body = error ? { id, error: { code: error.code, message: error.message } } : { id, result: result ?? null };
    socket.write(`${JSON.stringify(body)}\n`);
  }
}
