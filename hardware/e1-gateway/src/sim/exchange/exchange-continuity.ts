import type { ExchangeContext } from './exchange-context.js';
import { CAUSE, rlc } from './exchange-messages.js';

/**
 * Continuity re-checks the box asks for with CCR (Q.764 2.1.8): the far end loops the
 * circuit back, so a tone the box sends into its timeslot comes back to it, until the box
 * ends the test with REL; the loop goes and the far end answers RLC. The circuit counts as
 * incoming busy meanwhile, so the exchange offers no call on it.
 */
export class ExchangeContinuity {
  /** CICs under test, with when the CCR came. */
  private readonly tests = new Map<number, number>();

  constructor(private readonly ctx: ExchangeContext) {}

  has(cic: number): boolean {
    return this.tests.has(cic);
  }

  onCcr(cic: number): void {
    const { ctx } = this;
    if (this.tests.has(cic)) return; // a repeated CCR: the loop is there already
    if (ctx.group.state(cic)?.call !== 'idle') {
      ctx.counters.unexpected++;
      ctx.log.warn({ cic }, 'CCR for a circuit with a call on it ignored');
      return;
    }
    ctx.group.seizeIncoming(cic, ctx.now());
    ctx.counters.continuityChecks++;
    this.tests.set(cic, ctx.now());
    ctx.setLoop(cic, true);
  }

  /** REL ends a test: loop off, RLC. False when the circuit is not under test. */
  onRel(cic: number, cause: number): boolean {
    if (!this.tests.has(cic)) return false;
    this.end(cic, cause);
    this.ctx.send(rlc(cic));
    return true;
  }

  /** The circuit is reset, or the link failed: the test goes without a word. */
  clear(cic: number): void {
    if (this.tests.has(cic)) this.end(cic, CAUSE.temporaryFailure);
  }

  clearAll(): void {
    for (const cic of [...this.tests.keys()]) this.end(cic, CAUSE.temporaryFailure);
  }

  private end(cic: number, cause: number): void {
    this.tests.delete(cic);
    this.ctx.setLoop(cic, false);
    if (this.ctx.group.state(cic)?.call !== 'idle') this.ctx.group.release(cic, this.ctx.now(), cause);
  }
}
