import { Counter, Gauge, type Registry } from 'prom-client';
import type { CallManager } from './call-manager.js';
import { CALL_RESULTS } from './cdr.js';
import type { CdrStore } from './cdr-store.js';

/** The call model's counters: calls by result, calls in progress, CDRs the disk refused. */
export function registerCallMetrics(registry: Registry, calls: CallManager, cdrs: CdrStore): void {
  const ended = new Counter({ name: 'countyline_calls_total', help: 'Finished calls (CDR on disk), by result', labelNames: ['result'], registers: [registry] });
  for (const result of CALL_RESULTS) ended.inc({ result }, 0);
  calls.on('call-ended', (cdr) => ended.inc({ result: cdr.result }));
  new Gauge({
    name: 'countyline_calls_active',
    help: 'Calls in progress, by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const call of calls.active()) this.inc({ state: call.state });
    },
  });
  new Gauge({
    name: 'countyline_cdr_write_failures',
    help: 'CDR writes the disk refused since start (each is held in memory and tried again)',
    registers: [registry],
    collect() {
      this.set(cdrs.stats.writeFailures);
    },
  });
  new Gauge({
    name: 'countyline_cdr_unsaved',
    help: 'Finished calls whose CDR is not yet on disk',
    registers: [registry],
    collect() {
      this.set(cdrs.waiting);
    },
  });
}
