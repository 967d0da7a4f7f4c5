import type { CardDriver, CardStatusView } from './card/card-driver.js';
import type { FxoView, LinkView, SpanView } from './card/card-state.js';
import type { CircuitRecord, TestSchedule } from './trunks/test-call-scheduler.js';
import type { TestCallScheduler } from './trunks/test-call-scheduler.js';
import type { FxoHealth, SpanHealth, TrunkMonitor } from './trunks/trunk-monitor.js';
import type { SpanAlarmState } from './trunks/span-alarm.js';
import type { CircuitCounts } from './circuits/circuit-group.js';
import type { IsupStack } from './signalling/isup/isup-stack.js';
import type { PriStack, PriStatusView } from './signalling/pri/pri-stack.js';
import type { LinkTestView } from './signalling/mtp3/link-test.js';
import type { CentralStatus } from './telemetry/telemetry.js';

/** What `countyline status --json` prints. Field names are a contract (see README). */
export interface BoxStatus {
  firmware: { uptimeMs: number };
  card: CardStatusView;
  spans: (SpanView & { alarm: SpanAlarmState; alarmCauses: string[] })[];
  links: LinkView[];
  fxo: (Omit<FxoView, 'line'> & { line: FxoHealth['line'] })[];
  /**
   * SS7 toward the exchange, when configured: the link usable (in service and its link test
   * passed), start-up reset done, the link test, circuit counts.
   */
  isup: { linkUp: boolean; ready: boolean; linkTest: LinkTestView; circuits: CircuitCounts } | null;
  /** ISDN PRI toward the exchange, when configured: the D-channel and its Q.921 data link. */
  pri: PriStatusView | null;
  /** Telemetry to central (`disabled` without a `central` config section). */
  central: CentralStatus;
}

export function buildStatus(card: CardDriver, trunks: TrunkMonitor, uptimeMs: number, isup: IsupStack | null = null, pri: PriStack | null = null): Omit<BoxStatus, 'central'> {
  const view = card.state.view();
  const spanHealth = new Map(trunks.spanHealth().map((s) => [s.span, s]));
  const fxoHealth = new Map(trunks.fxoHealth().map((p) => [p.port, p]));
  return {
    firmware: { uptimeMs },
    card: card.status(),
    spans: view.spans.map((s) => ({ ...s, alarm: spanHealth.get(s.span)?.alarm ?? 'none', alarmCauses: spanHealth.get(s.span)?.alarmCauses ?? [] })),
    links: view.links,
    // The supervised line state (debounced), not the instantaneous voltage reading.
    fxo: view.fxo.map((p) => ({ ...p, line: fxoHealth.get(p.port)?.line ?? 'unknown' })),
    isup: isup && { linkUp: isup.transport.isUp, ready: isup.maintenance.ready, linkTest: isup.mtp3.linkTest.view(), circuits: isup.group.counts() },
    pri: pri && pri.status(),
  };
}

/** What `countyline trunks --json` prints. */
export interface TrunksView {
  spans: (SpanHealth & { causes: string[] })[];
  fxo: FxoHealth[];
  circuits: CircuitRecord[];
  testCalls: { schedule: TestSchedule; nextRunAt: number | null };
}

export function buildTrunks(card: CardDriver, trunks: TrunkMonitor, testCalls: TestCallScheduler): TrunksView {
  return {
    spans: trunks.spanHealth().map((s) => ({ ...s, causes: card.state.spans.get(s.span)?.causes ?? [] })),
    fxo: trunks.fxoHealth(),
    circuits: testCalls.list(),
    testCalls: { schedule: testCalls.schedule, nextRunAt: testCalls.nextRunAt() },
  };
}
