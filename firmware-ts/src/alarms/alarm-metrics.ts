import { Counter, Gauge, type Registry } from 'prom-client';
import type { AlarmStore } from './alarm-store.js';
import { SEVERITIES } from './alarm-types.js';

/** Operator-facing alarm counters, registered on the firmware's registry. */
export function registerAlarmMetrics(registry: Registry, store: AlarmStore): void {
  const raised = new Counter({
    name: 'countyline_alarms_raised_total',
    help: 'Alarms raised (new records, not repeats), by type and severity',
    labelNames: ['type', 'severity'],
    registers: [registry],
  });
  const cleared = new Counter({ name: 'countyline_alarms_cleared_total', help: 'Alarms cleared, by type', labelNames: ['type'], registers: [registry] });
  new Gauge({
    name: 'countyline_alarms_active',
    help: 'Alarms active now, by severity',
    labelNames: ['severity'],
    registers: [registry],
    collect() {
      const active = store.active();
      for (const severity of SEVERITIES) this.set({ severity }, active.filter((a) => a.severity === severity).length);
    },
  });
  store.on('raised', (a) => raised.inc({ type: a.type, severity: a.severity }));
  store.on('cleared', (a) => cleared.inc({ type: a.type }));
}
