import { TypedEmitter, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { LinkTestMessage } from './link-test-codec.js';

/**
 * The signalling link test of one link (Q.707 2.2), both ends of it:
 *
 * - as the tested end, every SLTM from the adjacent point is answered at once with an SLTA
 *   carrying the same test pattern and the same signalling link code (SLC);
 * - as the testing end, an SLTM goes out when the link comes into service and every T2
 *   after a test passed. A test passes when an SLTA comes back within T1 with our SLC (the
 *   routing layer has already checked it comes from the adjacent point code) and the
 *   pattern of the SLTM it answers. A test that fails is repeated once, at once; when the
 *   repeat fails too, the link is taken out of service and restored (`restart`). Q.707
 *   leaves the action after failed periodic tests for further study; a link that cannot
 *   carry an SLTA cannot carry calls either, so it is treated the same.
 *
 * The link is available to the user parts only from the first passed test on.
 *
 * States (anything else throws):
 *
 *     off ──link in service──► pending ──test passed──► passed
 *      ▲                        │    │                    │
 *      └──link out of service───┴────┼────────────────────┤
 *                                    └─two tests failed─► failed ◄─two tests failed─┘
 *     failed ──link in service again (after the restart)──► pending
 *
 * `failed` stays while the link is being restored, so that the operator sees why it is down.
 */
export type LinkTestState = 'off' | 'pending' | 'passed' | 'failed';

const MOVES: Readonly<Record<LinkTestState, readonly LinkTestState[]>> = {
  off: ['pending'],
  pending: ['passed', 'failed', 'off'],
  passed: ['failed', 'off'],
  failed: ['pending'],
};

/** Q.707 5.5 timers. */
export interface LinkTestSettings {
  /** T1: how long an SLTA may take (4-12 s). */
  timeoutMs: number;
  /** T2: interval between tests on a link in service (30-90 s). */
  periodMs: number;
}

export const LINK_TEST_DEFAULTS: Readonly<LinkTestSettings> = { timeoutMs: 8000, periodMs: 60_000 };
/** Q.707 5.5 ranges, enforced by the config. */
export const LINK_TEST_RANGES = { timeoutMs: [4000, 12_000], periodMs: [30_000, 90_000] } as const;

/** Why a test failed: no SLTA within T1, or an SLTA with another pattern or another SLC. */
export type LinkTestFailure = 'no-answer' | 'wrong-pattern' | 'wrong-slc';

export interface LinkTestResult {
  passed: boolean;
  at: number;
  failure?: LinkTestFailure;
}

/** What `countyline status` shows of the test. */
export interface LinkTestView {
  state: LinkTestState;
  /** When the last test ended, passed or failed; null before the first. */
  lastTestAt: number | null;
  lastResult: 'passed' | 'failed' | null;
  /** Why the last failed test failed; null when none has. */
  lastFailure: LinkTestFailure | null;
  /** Times the link was restarted after two failed tests. */
  restarts: number;
}

export interface LinkTestEvents {
  /** The link became available to the user parts (true), or stopped being so (false). */
  available: (available: boolean) => void;
  result: (result: LinkTestResult) => void;
  /** Two tests in a row failed: take the link out of service and restore it. */
  restart: (failure: LinkTestFailure) => void;
}

export interface LinkTestOptions {
  clock: Clock;
  logger: Logger;
  settings: LinkTestSettings;
  /** Our signalling link code, agreed with the exchange: the SLS of the SLTMs we send. */
  slc: number;
  /** Sends a test message with this SLC in the routing label's SLS; false when it could not. */
  send: (message: LinkTestMessage, slc: number) => boolean;
}

/** Test patterns remembered, so that an SLTA arriving after its T1 is known as late, not wrong. */
const RECENT_PATTERNS = 4;

export class LinkTest extends TypedEmitter<LinkTestEvents> {
  private current: LinkTestState = 'off';
  private failures = 0;
  private outstanding: Uint8Array | null = null;
  private readonly recent: Uint8Array[] = [];
  private sequence = 0;
  private t1: TimerHandle | null = null;
  private t2: TimerHandle | null = null;
  private stopped = false;
  private readonly record: Omit<LinkTestView, 'state'> = { lastTestAt: null, lastResult: null, lastFailure: null, restarts: 0 };

  constructor(private readonly opts: LinkTestOptions) {
    super();
  }

  get state(): LinkTestState {
    return this.current;
  }

  get available(): boolean {
    return this.current === 'passed';
  }

  get settings(): Readonly<LinkTestSettings> {
    return this.opts.settings;
  }

  view(): LinkTestView {
    return { state: this.current, ...this.record };
  }

  /** MTP2 put the link in service: test it before anyone may use it. */
  linkInService(): void {
    if (this.stopped || this.current === 'pending' || this.current === 'passed') return;
    this.transition('pending');
    this.failures = 0;
    this.recent.length = 0;
    this.startTest();
  }

  /** MTP2 took the link out of service (or the card went): no test runs on it. */
  linkOutOfService(): void {
    this.clearTimers();
    this.outstanding = null;
    if (this.current === 'off' || this.current === 'failed') return;
    const wasAvailable = this.available;
    this.transition('off');
    if (wasAvailable) this.emit('available', false);
  }

  /** A test message from the adjacent point, `slc` from its routing label. */
  onMessage(message: LinkTestMessage, slc: number): void {
    if (this.stopped) return;
    if (message.type === 'SLTM') return this.answer(message, slc);
    const log = this.opts.logger;
    if (this.outstanding === null) {
      log.info({ slc, pattern: hex(message.pattern) }, 'SLTA with no test under way ignored');
      return;
    }
    const late = this.recent.some((p) => p !== this.outstanding && same(p, message.pattern));
    if (late) {
      log.info({ slc, pattern: hex(message.pattern) }, 'SLTA for an earlier test (after its T1) ignored');
      return;
    }
    // Q.707 2.2: the SLTA must name the link it came on and carry our pattern back.
    if (slc !== this.opts.slc) return this.failed('wrong-slc', { slc, expected: this.opts.slc });
    if (!same(message.pattern, this.outstanding)) return this.failed('wrong-pattern', { pattern: hex(message.pattern), expected: hex(this.outstanding) });
    this.passed();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
  }

  /** Q.707 2.2: the ability to answer a test must always be there, whatever our own test's state. */
  private answer(sltm: LinkTestMessage, slc: number): void {
    if (slc !== this.opts.slc) {
      this.opts.logger.warn({ slc, ours: this.opts.slc }, 'SLTM names another signalling link code than isup.slc: answered with its SLC, but check the SLC agreed with the exchange');
    }
    this.opts.send({ type: 'SLTA', pattern: sltm.pattern }, slc);
  }

  private startTest(): void {
    this.t2 = null;
    const pattern = this.nextPattern();
    this.outstanding = pattern;
    this.recent.push(pattern);
    if (this.recent.length > RECENT_PATTERNS) this.recent.shift();
    this.opts.send({ type: 'SLTM', pattern }, this.opts.slc);
    this.t1 = this.opts.clock.setTimeout(() => {
      this.t1 = null;
      this.failed('no-answer', { t1Ms: this.opts.settings.timeoutMs });
    }, this.opts.settings.timeoutMs);
  }

  private passed(): void {
    this.clearTimers();
    this.outstanding = null;
    this.failures = 0;
    const at = this.opts.clock.now();
    Object.assign(this.record, { lastTestAt: at, lastResult: 'passed' });
    const first = this.current === 'pending';
    if (first) {
      this.transition('passed');
      this.opts.logger.info({ slc: this.opts.slc }, 'signalling link test passed: the link is available');
      this.emit('available', true);
    }
    this.emit('result', { passed: true, at });
    this.t2 = this.opts.clock.setTimeout(() => this.startTest(), this.opts.settings.periodMs);
  }

  private failed(failure: LinkTestFailure, details: Record<string, unknown>): void {
    this.clearTimers();
    this.outstanding = null;
    this.failures++;
    const at = this.opts.clock.now();
    Object.assign(this.record, { lastTestAt: at, lastResult: 'failed', lastFailure: failure });
    this.emit('result', { passed: false, at, failure });
    if (this.failures < 2) {
      this.opts.logger.warn({ failure, ...details }, 'signalling link test failed; repeating it once (Q.707 2.2)');
      this.startTest();
      return;
    }
    const wasAvailable = this.available;
    this.transition('failed');
    this.record.restarts++;
    if (wasAvailable) this.emit('available', false);
    this.emit('restart', failure);
  }

  private nextPattern(): Uint8Array {
    // A new pattern per test: an SLTA can only pass the test it answers.
    this.sequence = (this.sequence + 1) % 100_000;
    return new TextEncoder().encode(`CLT${String(this.sequence).padStart(5, '0')}`);
  }

  private clearTimers(): void {
    if (this.t1) this.opts.clock.clearTimeout(this.t1);
    if (this.t2) this.opts.clock.clearTimeout(this.t2);
    this.t1 = this.t2 = null;
  }

  private transition(to: LinkTestState): void {
    if (!MOVES[this.current].includes(to)) throw new Error(`signalling link test: illegal move ${this.current} -> ${to}`);
    this.current = to;
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
