import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Test } from 'tap';
import type { Config } from '../src/config/config-schema.js';
import { SipService } from '../src/sip/sip-service.js';
import { SipPhone } from './sip-phone.js';

export const SIP_DEFAULTS: Config['sip'] = {
  port: 0,
  bind: '127.0.0.1',
  address: '127.0.0.1',
  realm: 'box.test',
  minExpiresS: 60,
  maxExpiresS: 3600,
  digestAlgorithms: ['SHA-256', 'MD5'],
  nonceTtlMs: 300_000,
  keepAliveMs: 30_000,
  keepAliveFailures: 2,
  loginFailuresPerMinute: 3,
  featureCodes: { login: '*21', logout: '*22', break: '*23' },
};

export const AGENTS: Config['agents'] = [
  { user: 'alice', password: 'wonderland', name: 'Alice', wrapUpMs: 0 },
  { user: 'bob', password: 'builder-42', name: '王伟', wrapUpMs: 0 },
];

/** A SipService on 127.0.0.1 port 0 with a fake clock, and a phone (more with `phone()`). */
export async function sipRig(t: Test, sip: Partial<Config['sip']> = {}) {
  const clock = new FakeClock(Date.UTC(2025, 0, 6, 9, 0, 0));
  const service = new SipService({ config: { sip: { ...SIP_DEFAULTS, ...sip }, agents: AGENTS }, logger: pino({ level: 'silent' }), clock });
  const registry = new Registry();
  service.registerMetrics(registry);
  await service.start();
  const phones: SipPhone[] = [];
  const phone = async () => {
    const p = await SipPhone.open();
    phones.push(p);
    return p;
  };
  t.teardown(async () => {
    await service.stop();
    for (const p of phones) await p.close();
  });
  /** The value of one metric line, e.g. `countyline_sip_login_failed_total{reason="wrong-password"}`. */
  const metric = async (series: string) => {
    const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };
  return { clock, service, port: service.port, phone: await phone(), newPhone: phone, metric, registry };
}
