import t from 'tap';
import type { AlarmStore } from './alarms/alarm-store.js';
import type { CardDriver } from './card/card-driver.js';
import type { IsupStack } from './signalling/isup/isup-stack.js';
import type { TestCallScheduler } from './trunks/test-call-scheduler.js';
import type { TrunkMonitor } from './trunks/trunk-monitor.js';

// Type-level test, checked by `tsc -p tsconfig.test.json` in `npm test`: subscribing to an
// event a module does not emit must not compile. Each `@ts-expect-error` fails the type-check
// if the line below it compiles, as it did while the event maps had index signatures.
// The function is never called; only its types matter.
export function misspeltEventsDoNotCompile(card: CardDriver, trunks: TrunkMonitor, tests: TestCallScheduler, alarms: AlarmStore, isup: IsupStack): void {
  card.on('span-status', (m) => m.span);
  // @ts-expect-error: the card driver emits 'span-status', not 'span-statsu'
  card.on('span-statsu', () => {});
  trunks.on('span-alarm', (span, transition) => transition.to === 'red' && span);
  // @ts-expect-error: no 'span-alarms' event
  trunks.on('span-alarms', () => {});
  // @ts-expect-error: 'span-alarm' listeners get (span, transition), not a string
  trunks.on('span-alarm', (span: string) => span);
  tests.on('circuit-blocked', (r) => r.circuit);
  // @ts-expect-error: no 'circuit-block' event
  tests.on('circuit-block', () => {});
  alarms.on('raised', (a) => a.id);
  // @ts-expect-error: no 'raise' event
  alarms.on('raise', () => {});
  isup.on('capture', (msu) => msu.data);
  // @ts-expect-error: no 'captured' event
  isup.on('captured', () => {});
}

t.test('the firmware modules declare their events', async (t) => {
  t.type(misspeltEventsDoNotCompile, 'function', 'the checks above are type-level; tsc -p tsconfig.test.json runs them');
});
