import type { Clock, MessageOf } from '@countyline/e1-gateway';
import type { CardDriver, CardDriverEvents } from '../card/card-driver.js';

/**
 * The single-circuit tests behind the scheduled test calls (逐条拨测).
 *
 * Circuits are named `fxo/<port>` and `e1/<span>/<timeslot>`.
 */
export type TestVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Tests one E1 circuit. Until ISUP signalling exists this is the card-level loopback test;
 * the ISUP work supplies a CCR/COT continuity check behind the same interface.
 */
export interface E1CircuitTest {
  run(span: number, timeslot: number): Promise<TestVerdict>;
}

/** Resolves with the first matching event, or null after `timeoutMs`. */
export function nextEvent<K extends keyof CardDriverEvents & string>(
  card: CardDriver,
  clock: Clock,
  event: K,
  match: (...args: Parameters<CardDriverEvents[K]>) => boolean,
  timeoutMs: number,
): { promise: Promise<Parameters<CardDriverEvents[K]> | null>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<Parameters<CardDriverEvents[K]> | null>((resolve) => {
    const listener = ((...args: Parameters<CardDriverEvents[K]>) => {
      if (!match(...args)) return;
      cancel();
      resolve(args);
    }) as CardDriverEvents[K];
    const timer = clock.setTimeout(() => {
      cancel();
      resolve(null);
    }, timeoutMs);
    card.on(event, listener);
    cancel = () => {
      clock.clearTimeout(timer);
      card.off(event, listener);
    };
  });
  return { promise, cancel: () => cancel() };
}

/**
 * Card loopback continuity test: loop the timeslot back in the card, send 2000 Hz into it
 * (the continuity check tone of Q.724 §7) and expect the card's tone detector to hear it.
 */
export class CardLoopbackTest implements E1CircuitTest {
  constructor(
    private readonly card: CardDriver,
    private readonly clock: Clock,
    private readonly toneTimeoutMs = 2000,
    private readonly frequency = 2000,
  ) {}

  async run(span: number, timeslot: number): Promise<TestVerdict> {
    const heard = nextEvent(
      this.card,
      this.clock,
      'tone-detect',
      (m: MessageOf<'tsToneDetect'>) => m.span === span && m.timeslot === timeslot && m.present && m.frequency === this.frequency,
      this.toneTimeoutMs,
    );
    try {
      await this.card.command({ type: 'tsLoopback', span, timeslot, on: true });
      await this.card.command({ type: 'tsTone', span, timeslot, frequency: this.frequency });
      const got = await heard.promise;
      return got ? { ok: true } : { ok: false, reason: `no ${this.frequency} Hz tone back within ${this.toneTimeoutMs / 1000} s` };
    } finally {
      heard.cancel();
      await this.card.command({ type: 'tsTone', span, timeslot, frequency: 0 }).catch(() => {});
      await this.card.command({ type: 'tsLoopback', span, timeslot, on: false }).catch(() => {});
    }
  }
}

/** FXO test call: off-hook, expect dial tone (China: 450 Hz continuous) in time, on-hook. */
export class DialToneTest {
  constructor(
    private readonly card: CardDriver,
    private readonly clock: Clock,
    private readonly dialToneTimeoutMs = 3000,
  ) {}

  async run(port: number): Promise<TestVerdict> {
    const tone = nextEvent(this.card, this.clock, 'fxo-tone', (m: MessageOf<'fxoTone'>) => m.port === port && m.tone === 'dial', this.dialToneTimeoutMs);
    try {
      await this.card.command({ type: 'fxoHook', port, offHook: true });
      const got = await tone.promise;
      return got ? { ok: true } : { ok: false, reason: `no dial tone within ${this.dialToneTimeoutMs / 1000} s` };
    } finally {
      tone.cancel();
      await this.card.command({ type: 'fxoHook', port, offHook: false }).catch(() => {});
    }
  }
}
