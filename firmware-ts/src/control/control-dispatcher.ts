import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { Logger } from 'pino';
import { CountylineError, type ErrorCode } from '../errors.js';
import { CONTROL_METHODS, isMethodName, METHOD_NAMES, type MethodName, type ParamsOf, type ProgressOf, type ResultOf } from './control-methods.js';
import { paramsError } from './param-errors.js';

/** Lets a long-running handler report progress before its result. */
export interface ControlContext<P> {
  progress(data: P): void;
}

export type ControlHandler<M extends MethodName> = (params: ParamsOf<M>, ctx: ControlContext<ProgressOf<M>>) => ResultOf<M> | Promise<ResultOf<M>>;

/** One handler per method of the table; a method without a handler does not compile. */
export type ControlHandlers = { [M in MethodName]: ControlHandler<M> };

const paramChecks = new Map<MethodName, TypeCheck<TSchema>>(METHOD_NAMES.map((m) => [m, TypeCompiler.Compile(CONTROL_METHODS[m].params)]));

/**
 * Runs control requests: checks the method and its parameters against the method table,
 * then calls the handler. The socket server and in-process callers (tests, later the
 * telemetry's commands from central) go through here, so both get the same checks and the
 * same coded errors. A handler's own failure that is not a `CountylineError` is logged and
 * answered as `internal`.
 */
export class ControlDispatcher {
  constructor(
    private readonly handlers: ControlHandlers,
    private readonly log: Logger,
    /** Called with the code of every request refused or failed, for the metrics. */
    private readonly onRefused: (code: ErrorCode) => void = () => {},
  ) {}

  /** A request as it came off the wire: nothing about it is trusted. */
  async dispatch(method: unknown, params: unknown, onProgress: (data: unknown) => void = () => {}): Promise<unknown> {
    if (!isMethodName(method)) {
      throw this.refuse(new CountylineError('unknown-method', { method: typeof method === 'string' ? method : JSON.stringify(method) ?? 'none', known: METHOD_NAMES }));
    }
    return this.call(method, this.checked(method, params), onProgress);
  }

  /** A typed call from inside the process; the parameters are checked all the same. */
  async call<M extends MethodName>(method: M, params: ParamsOf<M>, onProgress: (data: ProgressOf<M>) => void = () => {}): Promise<ResultOf<M>> {
    const checked = this.checked(method, params);
    const handler: ControlHandler<M> = this.handlers[method];
    try {
      return await handler(checked, { progress: onProgress });
    } catch (err) {
      if (err instanceof CountylineError) throw this.refuse(err);
      this.log.error({ err, method }, 'control request failed');
      throw this.refuse(new CountylineError('internal', { detail: err instanceof Error ? err.message : String(err) }));
    }
  }

  private checked<M extends MethodName>(method: M, params: unknown): ParamsOf<M> {
    const check = paramChecks.get(method)!;
    if (check.Check(params)) return params as ParamsOf<M>;
    throw this.refuse(paramsError(CONTROL_METHODS[method].params, check.Errors(params)));
  }

  private refuse<E extends CountylineError>(err: E): E {
    this.onRefused(err.code);
    this.log.warn({ code: err.code, args: err.args }, `control request refused: ${err.message}`);
    return err;
  }
}
