import type { Logger } from 'pino';
import type { Callback, CallbackReason, CallbackRequest } from '../queue/callback-store.js';
import type { Call } from './call-record.js';

/** Where the call model leaves callback requests (queue/callback-store.ts). */
export interface CallbackTaker {
  /** On disk when it resolves; a number with a request pending gets that one back, asked once more. */
  request(r: CallbackRequest): Promise<Callback>;
  /** Keeps the voice message file (a name in the messages folder) call `callId` left for request `id`. */
  message(id: string, m: { callId: string; message: string }): Promise<unknown>;
}

/**
 * Callback requests taken from callers: one per call, kept in `call.callback` so that the
 * call's CDR waits for it and names it. No store: none are taken.
 */
export class CallbackRequests {
  constructor(
    private readonly logger: Logger,
    private readonly store: CallbackTaker | undefined,
  ) {}

  /** A callback request can be offered to this caller: requests are taken and the line gave a number. */
  offers(call: Call): boolean {
    return this.store !== undefined && call.calling !== '';
  }

  /**
   * Takes a callback request for the caller (one per call: asked again, the same promise).
   * Null when none can be: no store, or a withheld number (logged).
   */
  take(call: Call, reason: CallbackReason): Promise<string | null> | null {
    const store = this.store;
    if (!store) return null;
    if (call.callback) return call.callback;
    if (call.calling === '') {
      this.logger.info({ call: call.id, reason }, 'no callback request: the caller withheld their number');
      return null;
    }
    call.callback = store.request({ number: call.calling, line: call.leg.line, reason, callId: call.id }).then(
      (callback) => {
        const again = callback.requests > 1;
        this.logger.info({ call: call.id, callback: callback.id, reason, requests: callback.requests }, again ? 'callback request asked again (one was pending for the number)' : 'callback request taken');
        return callback.id;
      },
      (err: Error & { code?: string }) => {
        this.logger.error({ call: call.id, reason, code: err.code, err: err.message }, 'callback request not taken');
        return null;
      },
    );
    return call.callback;
  }
}
