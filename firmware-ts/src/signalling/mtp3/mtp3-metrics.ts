import { Counter, Gauge, type Registry } from 'prom-client';
import type { LinkTestState } from './link-test.js';
import type { Mtp3 } from './mtp3.js';

const LINK_TEST_STATES: readonly LinkTestState[] = ['off', 'pending', 'passed', 'failed'];

/**
 * MTP3 counters for `countyline metrics`, read from the layer's own counts at each scrape:
 *
 *     countyline_mtp3_msus_total{direction, si}          MSUs by service indicator (si="isup", "snm", "test", "sccp", ...)
 *     countyline_mtp3_dropped_total{si, reason}          malformed, misrouted, before-link-up, unequipped, held-dropped
 *     countyline_mtp3_not_sent_total{si}                 not sent: the link was not available
 *     countyline_mtp3_management_total{direction, message}   SLTM, SLTA, TRA, CBD, UPU, ...
 *     countyline_mtp3_link_tests_total{result}           signalling link tests passed / failed
 *     countyline_mtp3_link_restarts_total                links restarted after two failed tests
 *     countyline_mtp3_link_test{state}                   1 for the link test's state (off, pending, passed, failed)
 */
export function registerMtp3Metrics(registry: Registry, mtp3: Mtp3): void {
  const { stats } = mtp3;
  const tests = { passed: 0, failed: 0 };
  mtp3.on('link-test', (r) => tests[r.passed ? 'passed' : 'failed']++);
  const counter = (name: string, help: string, labelNames: string[], fill: (set: (labels: Record<string, string>, n: number) => void) => void) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        fill((labels, n) => this.inc(labels, n));
      },
    });
  const each = <K extends string>(counts: Partial<Record<K, number>>, set: (key: K, n: number) => void) => {
    for (const [key, n] of Object.entries(counts) as [K, number][]) set(key, n);
  };
  counter('countyline_mtp3_msus_total', 'MSUs on the signalling link by direction and service indicator', ['direction', 'si'], (set) => {
    each(stats.received, (si, n) => set({ direction: 'in', si }, n));
    each(stats.sent, (si, n) => set({ direction: 'out', si }, n));
  });
  counter('countyline_mtp3_dropped_total', 'MSUs from the link dropped, by service indicator and reason', ['si', 'reason'], (set) => {
    const { malformed, misrouted, beforeLinkUp, unequipped, heldDropped } = stats.dropped;
    const reasons = { malformed, misrouted, 'before-link-up': beforeLinkUp, unequipped, 'held-dropped': heldDropped };
    for (const [reason, counts] of Object.entries(reasons)) each(counts, (si, n) => set({ si, reason }, n));
  });
  counter('countyline_mtp3_not_sent_total', 'MSUs not sent because the link was not available, by service indicator', ['si'], (set) => each(stats.notSent, (si, n) => set({ si }, n)));
  counter('countyline_mtp3_management_total', 'MTP3 management and link test messages by direction and name', ['direction', 'message'], (set) => {
    each(stats.managementIn, (message, n) => set({ direction: 'in', message }, n));
    each(stats.managementOut, (message, n) => set({ direction: 'out', message }, n));
  });
  counter('countyline_mtp3_link_tests_total', 'Signalling link tests (Q.707) by result', ['result'], (set) => {
    set({ result: 'passed' }, tests.passed);
    set({ result: 'failed' }, tests.failed);
  });
  counter('countyline_mtp3_link_restarts_total', 'Signalling links restarted after two failed link tests', [], (set) => set({}, mtp3.linkTest.view().restarts));
  new Gauge({
    name: 'countyline_mtp3_link_test',
    help: 'The signalling link test state: 1 for the current one',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      for (const state of LINK_TEST_STATES) this.set({ state }, mtp3.linkTest.state === state ? 1 : 0);
    },
  });
}
