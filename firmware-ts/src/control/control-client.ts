import { createConnection } from 'node:net';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { CountylineError, fromWire, type RemoteError, type WireError } from '../errors.js';
import { CONTROL_METHODS, METHOD_NAMES, type MethodName, type ParamsOf, type ProgressOf, type ResultOf } from './control-methods.js';

/**
 * The CLI's side of the control socket. Every answer is checked against the method's
 * result schema and every progress line against its progress schema before the caller
 * sees it, so what the CLI prints is typed by the same table the firmware is.
 */
export interface CallOptions<M extends MethodName> {
  /** Longest wait for the answer or the next progress line (the timeout is per step). */
  timeoutMs?: number;
  onProgress?: (data: ProgressOf<M>) => void;
}

/** Something that answers control calls: the socket client, or an in-process firmware. */
export interface FirmwareConnection {
  call<M extends MethodName>(method: M, params: ParamsOf<M>, options?: CallOptions<M>): Promise<ResultOf<M>>;
}

const compiled = <K extends 'result' | 'progress'>(key: K) =>
  new Map<MethodName, TypeCheck<TSchema>>(
    METHOD_NAMES.flatMap((m) => {
      const schema = (CONTROL_METHODS[m] as { result: TSchema; progress?: TSchema })[key];
      return schema ? [[m, TypeCompiler.Compile(schema)] as const] : [];
    }),
  );
const resultChecks = compiled('result');
const progressChecks = compiled('progress');

/** Checks an answer against the method's result schema. */
export function checkResult<M extends MethodName>(method: M, value: unknown): ResultOf<M> {
  const check = resultChecks.get(method)!;
  if (check.Check(value)) return value as ResultOf<M>;
  throw badAnswer(method, check, value);
}

export function checkProgress<M extends MethodName>(method: M, value: unknown): ProgressOf<M> {
  const check = progressChecks.get(method);
  if (check?.Check(value)) return value as ProgressOf<M>;
  throw check ? badAnswer(method, check, value) : new CountylineError('bad-answer', { method, detail: 'progress from a method that sends none' });
}

function badAnswer(method: string, check: TypeCheck<TSchema>, value: unknown): CountylineError {
  const first = check.Errors(value).First();
  const detail = first ? `${first.path || '(top)'}: ${first.message}` : 'unexpected shape';
  return new CountylineError('bad-answer', { method, detail });
}

/** Connects to the firmware's control socket; `config` is only named in the not-running error. */
export function socketConnection(socketPath: string, configPath: string): FirmwareConnection {
  return { call: (method, params, options = {}) => callOverSocket(socketPath, configPath, method, params, options) };
}

function callOverSocket<M extends MethodName>(socketPath: string, configPath: string, method: M, params: ParamsOf<M>, options: CallOptions<M>): Promise<ResultOf<M>> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffered = '';
    let timer: ReturnType<typeof setTimeout>;
    let finished = false;
    const finish = (fn: () => void) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const fail = (err: CountylineError | RemoteError) => finish(() => reject(err));
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new CountylineError('timeout', { method, seconds: timeoutMs / 1000 })), timeoutMs);
    };
    arm();
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ id: 1, method, params })}\n`));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while (!finished && (newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let reply: { result?: unknown; progress?: unknown; error?: WireError };
        try {
          reply = JSON.parse(line);
        } catch {
          return fail(new CountylineError('bad-answer', { method, detail: 'not JSON' }));
        }
        try {
          if (typeof reply !== 'object' || reply === null) throw new CountylineError('bad-answer', { method, detail: 'not a JSON object' });
          if ('progress' in reply) {
            arm(); // progress shows the work is alive: the timeout is per step
            options.onProgress?.(checkProgress(method, reply.progress));
          } else if (reply.error) {
            return fail(fromWire(reply.error));
          } else {
            const result = checkResult(method, reply.result);
            return finish(() => resolve(result));
          }
        } catch (err) {
          // A bad answer, or the caller's progress handler failed: either way this call is over.
          return finish(() => reject(err));
        }
      }
    });
    socket.on('close', () => fail(new CountylineError('bad-answer', { method, detail: 'the firmware closed the connection without answering' })));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') fail(new CountylineError('not-running', { socket: socketPath, config: configPath }));
      else if (err.code === 'EACCES') fail(new CountylineError('no-permission', { socket: socketPath }));
      else fail(new CountylineError('bad-answer', { method, detail: `${socketPath}: ${err.message}` }));
    });
  });
}
