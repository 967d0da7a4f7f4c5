import { createConnection } from 'node:net';

/** Why the CLI could not get an answer from the firmware. */
export class ControlClientError extends Error {
  override readonly name = 'ControlClientError';
  constructor(
    readonly code: 'not-running' | 'no-permission' | 'timeout' | 'remote' | 'protocol',
    message: string,
    readonly remoteCode?: string,
  ) {
    super(message);
  }
}

/** Sends one request over the control socket and resolves with its result. */
export function callFirmware(
  socketPath: string,
  method: string,
  params: Record<string, unknown> = {},
  timeoutMs = 10_000,
  onProgress?: (data: unknown) => void,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffered = '';
    let timer: ReturnType<typeof setTimeout>;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        socket.destroy();
        reject(new ControlClientError('timeout', `the firmware did not answer ${method} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
    };
    arm();
    const done = (fn: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ id: 1, method, params })}\n`));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        let reply: { result?: unknown; progress?: unknown; error?: { code: string; message: string } };
        try {
          reply = JSON.parse(buffered.slice(0, newline));
        } catch {
          done(() => reject(new ControlClientError('protocol', 'the firmware answered with something that is not JSON')));
          return;
        }
        buffered = buffered.slice(newline + 1);
        if ('progress' in reply) {
          arm(); // progress shows the work is alive: the timeout is per step
          onProgress?.(reply.progress);
          continue;
        }
        if (reply.error) {
          const { code, message } = reply.error;
          done(() => reject(new ControlClientError('remote', message, code)));
        } else done(() => resolve(reply.result));
        return;
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code;
      if (code === 'ENOENT' || code === 'ECONNREFUSED') {
        done(() => reject(new ControlClientError('not-running', socketPath)));
      } else if (code === 'EACCES') {
        done(() => reject(new ControlClientError('no-permission', socketPath)));
      } else done(() => reject(new ControlClientError('protocol', `${socketPath}: ${err.message}`)));
    });
  });
}
