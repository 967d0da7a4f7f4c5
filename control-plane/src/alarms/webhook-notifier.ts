import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { AlarmNotice, AlarmNotifier } from './alarm-notifier.js';
import type { Clock } from './clock.js';

export interface WebhookOptions {
  /** Where the JSON notice is POSTed (the SMS gateway's endpoint). */
  url: string;
  logger: Logger;
  registry: Registry;
  clock: Clock;
  /** Per attempt; default 5 s. */
  timeoutMs?: number;
  /** Attempts after the first; default 5. */
  retries?: number;
  /** First backoff; doubles per retry; default 1 s. */
  backoffMs?: number;
  /** Notices waiting at most; past it the oldest is dropped (counted). Default 1,000. */
  maxQueued?: number;
}

/**
 * POSTs each notice as JSON to a URL, one at a time in order, retrying with exponential
 * backoff (1 s, 2 s, 4 s, ...) when the receiver fails or does not answer in time. `notify`
 * only queues, so a slow or dead receiver never holds up ingest. Counted:
 *
 *     countyline_central_webhook_total{result}   sent, failed (all retries spent), dropped (queue full)
 */
export class WebhookNotifier implements AlarmNotifier {
  private readonly queue: AlarmNotice[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly counter: Counter<'result'>;
  private wake: (() => void) | null = null;
  private timer: unknown = null;

  constructor(private readonly opts: WebhookOptions) {
    this.counter = new Counter({ name: 'countyline_central_webhook_total', help: 'Alarm notices to the webhook, by result', labelNames: ['result'], registers: [opts.registry] });
  }

  notify(notice: AlarmNotice): void {
    if (this.closed) return;
    this.queue.push(notice);
    if (this.queue.length > (this.opts.maxQueued ?? 1000)) {
      const dropped = this.queue.shift()!;
      this.counter.inc({ result: 'dropped' });
      this.opts.logger.warn({ box: dropped.boxId, type: dropped.type }, 'webhook queue full: oldest notice dropped');
    }
    this.running ??= this.drain().finally(() => (this.running = null));
  }

  /** Resolves once every notice queued so far was sent or given up. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    if (this.timer !== null) this.opts.clock.clearTimeout(this.timer);
    this.wake?.();
    await this.idle();
  }

  private async drain(): Promise<void> {
    for (let notice = this.queue.shift(); notice && !this.closed; notice = this.queue.shift()) await this.deliver(notice);
  }

  private async deliver(notice: AlarmNotice): Promise<void> {
    const retries = this.opts.retries ?? 5;
    let backoff = this.opts.backoffMs ?? 1000;
    for (let attempt = 0; ; attempt++) {
      const error = await this.post(notice);
      if (error === null) {
        this.counter.inc({ result: 'sent' });
        return;
      }
      if (attempt >= retries || this.closed) {
        this.counter.inc({ result: 'failed' });
        this.opts.logger.error({ url: this.opts.url, box: notice.boxId, type: notice.type, change: notice.change, error }, `alarm webhook failed after ${attempt + 1} attempts: ${error}`);
        return;
      }
      this.opts.logger.warn({ url: this.opts.url, attempt: attempt + 1, error }, `alarm webhook attempt failed (${error}); retrying in ${backoff} ms`);
      await this.sleep(backoff);
      backoff *= 2;
    }
  }

  /** null when the receiver took it (2xx); else what went wrong. */
  private async post(notice: AlarmNotice): Promise<string | null> {
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(notice),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? null : `HTTP ${res.status}`;
    } catch (err) {
      // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, bad port).
      const e = err as Error & { cause?: { code?: string; message?: string } };
      return e.name === 'TimeoutError' ? 'no answer in time' : (e.cause?.code ?? e.cause?.message ?? e.message);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = this.opts.clock.setTimeout(() => {
        this.timer = null;
        this.wake = null;
        resolve();
      }, ms);
    });
  }
}
