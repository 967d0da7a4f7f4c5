import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { CardDriver } from '../card/card-driver.js';
import type { AnalogLines } from '../signalling/analog/analog-lines.js';
import type { IsupStack } from '../signalling/isup/isup-stack.js';
import type { TestCallScheduler } from '../trunks/test-call-scheduler.js';
import type { TrunkMonitor } from '../trunks/trunk-monitor.js';
import type { AlarmStore } from './alarm-store.js';
import { D_CHANNEL_DOWN_TEXT, LINK_TEST_FAILURE_TEXT } from './alarm-text.js';
import { alarmCause, type CodedCause } from './alarm-types.js';
import type { LinkTestFailure } from '../signalling/mtp3/link-test.js';
import type { PriStack } from '../signalling/pri/pri-stack.js';
import type { CircuitRecord } from '../trunks/test-call-scheduler.js';

/**
 * Which events raise and clear which alarms, with their severities (the policy of the box):
 *
 * | alarm                  | source            | severity | raised by                      | cleared by           |
 * |------------------------|-------------------|----------|--------------------------------|----------------------|
 * | card-link              | card              | critical | lost heartbeat, port, version  | card up again        |
 * | span-red               | span/N            | critical | LOS/LOF/LMFA integrated        | span clear (settled) |
 * | span-blue, span-yellow | span/N            | major    | AIS / RAI integrated           | span clear (settled) |
 * | tca-<counter>-<period> | span/N            | minor    | G.826 threshold crossed        | end of the interval  |
 * | fxo-unplugged          | fxo/N             | major    | no battery for 1 s             | battery back         |
 * | test-call-failed       | circuit/<circuit> | major    | N test calls failed in a row   | a test call passes   |
 * | test-call-block-limit  | test-calls        | major    | a pass reached its block limit | a pass within it     |
 * | link-test-failed       | link/N            | critical | 2 SS7 link tests failed in a   | a link test passes   |
 * |                        |                   |          | row; the link is restarted     |                      |
 * | d-channel-down         | link/N            | critical | the PRI D-channel down (or not | the D-channel up     |
 * |                        |                   |          | up since the start) for 10 s   |                      |
 * | fxo-off-hook-guard     | fxo/N             | major    | the off-hook guard put a line  | the next call on the |
 * |                        |                   |          | back on-hook (no hang-up seen) | line is answered     |
 */
export interface AlarmRuleDeps {
  store: AlarmStore;
  card: CardDriver;
  trunks: TrunkMonitor;
  testCalls: TestCallScheduler;
  clock: Clock;
  intervalMs: number;
  /** The box's time zone offset, for the end of a day's threshold alarm. */
  utcOffsetMs: number;
  /** After the card is up this long, restored alarms nobody raised again are cleared. */
  restoreSettleMs: number;
  /** SS7, when configured: its signalling link test. */
  isup?: IsupStack | null;
  /** PRI, when configured: its D-channel. */
  pri?: PriStack | null;
  /** The FXO lines' call control: its off-hook guard. */
  analog?: AnalogLines | null;
}

/** How long the PRI D-channel may be down before its alarm: a link re-established within it raises none. */
const D_CHANNEL_GRACE_MS = 10_000;

const SPAN_ALARMS = { red: 'span-red', blue: 'span-blue', yellow: 'span-yellow' } as const;

export function applyAlarmRules(deps: AlarmRuleDeps): () => void {
  const { store, card, trunks, testCalls, clock } = deps;
  const timers = new Set<TimerHandle>();
  const later = (ms: number, fn: () => void) => {
    const handle = clock.setTimeout(() => {
      timers.delete(handle);
      fn();
    }, Math.max(0, ms));
    timers.add(handle);
  };

  card.on('card-error', (error) => {
    // A card that has never answered is as much a problem as one that stopped.
    store.raise('card', 'card-link', 'critical', error.code, alarmCause('card-error', error.code));
  });
  card.on('card-lost', (error) => store.raise('card', 'card-link', 'critical', error.code, alarmCause('card-error', error.code)));
  const cardUp = () => {
    store.clear('card', 'card-link');
    later(deps.restoreSettleMs, () => {
      if (card.current === 'up') store.clearRestored();
    });
  };
  card.on('card-up', cardUp);
  card.on('card-back', cardUp);

  trunks.on('span-alarm', (span, transition) => {
    const source = `span/${span}`;
    const cause = transition.causes.join('+');
    const to = transition.to;
    if (to === 'red' || to === 'blue' || to === 'yellow') {
      store.raise(source, SPAN_ALARMS[to], to === 'red' ? 'critical' : 'major', cause, alarmCause('span-defects', ...transition.causes));
      for (const [state, type] of Object.entries(SPAN_ALARMS)) if (state !== to) store.clear(source, type);
    } else if (to === 'none') {
      // Cleared when the span was declared clear: its timer may fire a moment before the
      // clock reaches the deadline the span state takes as its time.
      for (const type of Object.values(SPAN_ALARMS)) store.clear(source, type, transition.at);
    }
    // recovering: the alarm stays until the span has been clean for the settle time.
  });

  trunks.on('span-tca', (span, crossing) => {
    const source = `span/${span}`;
    const type = `tca-${crossing.counter}-${crossing.period}`;
    store.raise(source, type, 'minor', `${crossing.counter.toUpperCase()} ${crossing.value} >= ${crossing.threshold}`, alarmCause('threshold-crossed', crossing.counter, crossing.value, crossing.threshold));
    const end = crossing.period === '15min' ? crossing.start + deps.intervalMs : crossing.start + 86_400_000;
    later(end - clock.now(), () => store.clear(source, type));
  });

  trunks.on('fxo-line', (port, event) => {
    if (event.type === 'line-unplugged') store.raise(`fxo/${port}`, 'fxo-unplugged', 'major', 'no battery voltage', alarmCause('no-battery'));
    else if (event.type === 'line-present') store.clear(`fxo/${port}`, 'fxo-unplugged');
  });

  // A line the guard had to put back on-hook never showed the far end hanging up: its
  // disconnect supervision (battery, polarity, busy tone) is suspect until a call works again.
  deps.analog?.on('line', (port, event) => {
    if (event.type === 'off-hook-too-long') {
      const minutes = Math.round(event.ms / 60_000);
      store.raise(`fxo/${port}`, 'fxo-off-hook-guard', 'major', `off-hook for ${minutes} min without the far end hanging up`, alarmCause('off-hook-guard', minutes));
    } else if (event.type === 'answered') store.clear(`fxo/${port}`, 'fxo-off-hook-guard');
  });

  testCalls.on('circuit-blocked', (record) => {
    store.raise(`circuit/${record.circuit}`, 'test-call-failed', 'major', record.lastTest?.reason ?? 'test call failed', testFailureCause(record));
  });
  testCalls.on('circuit-unblocked', (record) => store.clear(`circuit/${record.circuit}`, 'test-call-failed'));
  // Many circuits failing in one pass point at the test path or the far end: one alarm for
  // the group, raised once per pass, rather than a block for each circuit.
  testCalls.on('block-limit', (limit, circuit) => {
    const cause = `one pass may block ${limit} circuits; ${circuit} and the circuits failing after it stay in service`;
    store.raise('test-calls', 'test-call-block-limit', 'major', cause, alarmCause('block-limit', limit, circuit));
  });
  testCalls.on('block-limit-clear', () => store.clear('test-calls', 'test-call-block-limit'));
  if (deps.isup) {
    // Without its link test passing the exchange takes no calls from the box (Q.707 2.2): the
    // whole SS7 route is down, hence critical.
    const { mtp3, settings } = deps.isup;
    const source = `link/${settings.link}`;
    const t1Seconds = mtp3.linkTest.settings.timeoutMs / 1000;
    mtp3.on('link-restart', (view) => {
      const failure = view.lastFailure ?? 'no-answer';
      store.raise(source, 'link-test-failed', 'critical', linkTestCause(failure, t1Seconds), alarmCause('link-test-failed', failure, t1Seconds));
    });
    mtp3.on('link-test', (result) => {
      if (result.passed) store.clear(source, 'link-test-failed');
    });
    // A CIC the exchange does not have: a mismatch of the two CIC maps that calls on it would
    // meet; the circuit is out of use until the exchange acknowledges a reset of it.
    const isup = deps.isup;
    isup.on('cic-unequipped', (cic, unequipped) => {
      const circuit = isup.map.byCic(cic);
      const where = circuit ? `circuit/e1/${circuit.span}/${circuit.timeslot}` : `circuit/cic/${cic}`;
      if (!unequipped) return store.clear(where, 'cic-unequipped');
      store.raise(where, 'cic-unequipped', 'major', `the exchange has no CIC ${cic} (UCIC): check the CIC map with the exchange`, alarmCause('cic-unequipped', cic));
    });
  }

  if (deps.pri) {
    // No D-channel, no call either way on the PRI: critical, as SS7's link. A reset mended at
    // once, or a drop mended within the grace, raises nothing.
    const pri = deps.pri;
    const source = `link/${pri.link}`;
    let timer: TimerHandle | null = null;
    const stopWaiting = () => {
      if (timer === null) return;
      clock.clearTimeout(timer);
      timers.delete(timer);
      timer = null;
    };
    const wait = () => {
      if (timer !== null) return;
      const handle = (timer = clock.setTimeout(() => {
        timers.delete(handle);
        timer = null;
        if (pri.isUp) return;
        const reason = pri.downReason;
        store.raise(source, 'd-channel-down', 'critical', D_CHANNEL_DOWN_TEXT[reason].en, alarmCause('d-channel-down', reason));
      }, D_CHANNEL_GRACE_MS));
      timers.add(handle);
    };
    pri.on('d-channel', (up) => {
      if (!up) return wait();
      stopWaiting();
      store.clear(source, 'd-channel-down');
    });
    if (!pri.isUp) wait();
  }

  // Circuits still blocked from before a restart keep their alarm (confirmed, not raised again).
  for (const record of testCalls.toJSON()) {
    if (record.blocked) store.raise(`circuit/${record.circuit}`, 'test-call-failed', 'major', record.lastTest?.reason ?? 'test call failed', testFailureCause(record));
  }

  return () => {
    for (const handle of timers) clock.clearTimeout(handle);
    timers.clear();
  };
}

function linkTestCause(failure: LinkTestFailure, t1Seconds: number): string {
  return `${LINK_TEST_FAILURE_TEXT[failure].en(t1Seconds)}, twice in a row`;
}

/**
 * A failed test call's alarm cause is its last test's reason code. A reason without a code
 * stays without one, so its English text shows rather than a vaguer translation.
 */
function testFailureCause(record: CircuitRecord): CodedCause | undefined {
  const last = record.lastTest;
  if (last?.reasonCode !== undefined) return { causeCode: last.reasonCode, causeArgs: [...(last.reasonArgs ?? [])] };
  return last?.reason ? undefined : alarmCause('test-failed');
}
