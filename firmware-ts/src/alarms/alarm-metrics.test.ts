import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { registerAlarmMetrics } from './alarm-metrics.js';
import { AlarmStore } from './alarm-store.js';

t.test('raises, clears and active alarms are counted; repeats are not new raises', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cl-alarms-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = new AlarmStore({ file: join(dir, 'alarms.json'), clock: new FakeClock(), logger: pino({ level: 'silent' }) });
  await store.load();
  t.teardown(() => store.close());
  const registry = new Registry();
  registerAlarmMetrics(registry, store);

  store.raise('span/0', 'span-red', 'critical', 'LOS');
  store.raise('span/0', 'span-red', 'critical', 'LOS');
  store.raise('fxo/1', 'fxo-unplugged', 'major', '');
  store.clear('fxo/1', 'fxo-unplugged');

  const text = await registry.metrics();
  t.match(text, /countyline_alarms_raised_total\{type="span-red",severity="critical"\} 1\n/);
  t.match(text, /countyline_alarms_raised_total\{type="fxo-unplugged",severity="major"\} 1\n/);
  t.match(text, /countyline_alarms_cleared_total\{type="fxo-unplugged"\} 1\n/);
  t.match(text, /countyline_alarms_active\{severity="critical"\} 1\n/);
  t.match(text, /countyline_alarms_active\{severity="major"\} 0\n/);
});
