import type { Logger } from 'pino';
import type { Timer, Timers } from '../sim-timers.js';
import type { LinkTestSettings } from './exchange-config.js';
import type { LinkTestMessage } from './isup/index.js';

/**
 * Where the exchange's own signalling link test stands:
 *
 *     stopped ──link in service──► testing ──SLTA──► passed ──T2──► testing ...
 *                                     │ T1, first time: test again at once
 *                                     └ T1 again ──► failed ──T2──► testing ...
 *
 * `stopped` while the link is out of service.
 */
export type LinkTestState = 'stopped' | 'testing' | 'passed' | 'failed';

/** What `GET /exchange` and `GET /state` show of the link test. */
export interface LinkTestView {
  required: boolean;
  state: LinkTestState;
  /** ISUP may flow: always with `required` off, else only while the last test passed. */
  isupAvailable: boolean;
  sltmSent: number;
  /** Tests answered in time with the right pattern and SLC. */
  passed: number;
  /** Single tests with no right SLTA within T1. */
  timedOut: number;
  /** Link-test failures: two failed tests in a row (Q.707 2.2). */
  failures: number;
  /** SLTAs that answered nothing we sent: wrong SLC, wrong pattern, or none outstanding. */
  badSlta: number;
  /** SLTMs from the box, each answered with an SLTA. */
  sltmAnswered: number;
  lastPassedAt: number | null;
}

export interface LinkTestHooks {
  send(test: LinkTestMessage): boolean;
  /** ISUP availability changed: start ISUP (reset the circuits) or stop it (as a link failure). */
  onIsupAvailable(available: boolean): void;
}

/**
 * The signalling link test of Q.707 2.2 at the exchange's end. Any SLTM that reaches it is
 * answered at once with an SLTA carrying the same SLC and test pattern. Its own test starts
 * when the link comes into service and repeats every T2: an SLTM with a fresh pattern,
 * passed when an SLTA with the same SLC and pattern comes back within T1. A failed test is
 * repeated once at once; when that fails too, it is a link-test failure. Q.707 then has MTP
 * take the link out of service; the exchange cannot restart the card's link, so with
 * `required` it stops ISUP instead (calls and pending maintenance go, as on a link failure)
 * and starts it again, with a circuit group reset, when a later test passes.
 */
export class ExchangeLinkTest {
  private state: LinkTestState = 'stopped';
  private available = false;
  private outstanding: Uint8Array | undefined;
  private attempt = 0;
  private sequence = 0;
  private timer: Timer | undefined;
  private readonly counts = { sltmSent: 0, passed: 0, timedOut: 0, failures: 0, badSlta: 0, sltmAnswered: 0 };
  private lastPassedAt: number | null = null;

  constructor(
    private readonly settings: LinkTestSettings,
    private readonly timers: Timers,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly hooks: LinkTestHooks,
  ) {}

  get isupAvailable(): boolean {
    return this.available;
  }

  view(): LinkTestView {
    return { required: this.settings.required, state: this.state, isupAvailable: this.available, ...this.counts, lastPassedAt: this.lastPassedAt };
  }

  /** The link is in service: test it now; without `required`, ISUP may start at once too. */
  linkUp(): void {
    this.attempt = 0;
    this.startTest();
    if (!this.settings.required) this.setAvailable(true);
  }

  /** The link failed: no test runs, no ISUP flows. Nothing is said to the hooks; the caller clears ISUP. */
  linkDown(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.outstanding = undefined;
    this.state = 'stopped';
    this.available = false;
  }

  /** Q.707 2.2: an SLTM is answered with an SLTA on the same link, same SLC, same pattern. */
  onSltm(m: LinkTestMessage): void {
    if (this.hooks.send({ type: 'SLTA', slc: m.slc, pattern: m.pattern })) this.counts.sltmAnswered++;
  }

  onSlta(m: LinkTestMessage): void {
    const expected = this.outstanding;
    if (!expected || m.slc !== this.settings.slc || !sameBytes(m.pattern, expected)) {
      this.counts.badSlta++;
      this.log.warn({ slc: m.slc, pattern: hex(m.pattern), expected: expected && hex(expected) }, 'SLTA that answers no SLTM of ours ignored');
      return;
    }
    this.timer?.cancel();
    this.outstanding = undefined;
    this.attempt = 0;
    this.counts.passed++;
    this.lastPassedAt = this.now();
    this.state = 'passed';
    this.setAvailable(true);
    this.timer = this.timers.after(this.settings.periodMs, () => this.startTest());
  }

  private startTest(): void {
    this.timer?.cancel();
    this.sequence = (this.sequence + 1) & 0xffff;
    // The pattern is ours to choose (Q.707 2.2); a new one each test, so that a late SLTA
    // for an earlier test does not pass this one.
    const pattern = Uint8Array.of(0x43, 0x4c, this.sequence >> 8, this.sequence & 0xff);
    this.outstanding = pattern;
    this.state = 'testing';
    this.counts.sltmSent++;
    // T1 runs before the SLTM goes: an SLTA may come back within the send itself.
    this.timer = this.timers.after(this.settings.timeoutMs, () => this.timedOut());
    this.hooks.send({ type: 'SLTM', slc: this.settings.slc, pattern });
  }

  /** T1 ran out: the first failure is tested again at once, the second is a link-test failure. */
  private timedOut(): void {
    this.counts.timedOut++;
    this.outstanding = undefined;
    if (++this.attempt < 2) {
      this.log.info({ slc: this.settings.slc }, 'no SLTA within T1: testing the link once more');
      this.startTest();
      return;
    }
    this.attempt = 0;
    this.counts.failures++;
    this.state = 'failed';
    this.log.warn({ slc: this.settings.slc, required: this.settings.required }, this.settings.required ? 'signalling link test failed twice: ISUP stopped until a test passes' : 'signalling link test failed twice (not required: ISUP goes on)');
    if (this.settings.required) this.setAvailable(false);
    this.timer = this.timers.after(this.settings.periodMs, () => this.startTest());
  }

  private setAvailable(available: boolean): void {
    if (available === this.available) return;
    this.available = available;
    this.hooks.onIsupAvailable(available);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
