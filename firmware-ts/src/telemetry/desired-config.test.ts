import t from 'tap';
import { parseConfig } from '../config/load-config.js';
import { judgeDesiredConfig } from './desired-config.js';

const running = parseConfig({ card: { path: '/dev/ttyS1' }, dataDir: '/var/lib/countyline', control: { socket: '/run/countyline.sock' } }, '/etc/countyline/config.json');
const desired = (config: unknown, revision = 4) => Buffer.from(JSON.stringify({ v: 1, ts: 1, revision, config }));

t.test('a config that fails the checks is refused with the reasons', async (t) => {
  t.same(judgeDesiredConfig(running, desired({ calls: { ringTimeoutMs: 10 } })), { revision: 4, applied: false, errors: ['calls.ringTimeoutMs: expected integer to be greater or equal to 1000 (got 10)'] });
  const r = judgeDesiredConfig(running, desired({ calls: { ringTimeoutMs: 10 }, nosuch: 1 }))!;
  t.equal(r.applied, false);
  t.match(r.errors.join('\n'), /calls\.ringTimeoutMs/);
  t.match(r.errors.join('\n'), /nosuch/);
});

t.test('a valid change is reported not applied: the settings stay, they are changed in the config file; the sections named', async (t) => {
  const r = judgeDesiredConfig(running, desired({ calls: { ringTimeoutMs: 30_000 } }))!;
  t.equal(r.applied, false);
  t.equal(r.errors.length, 1);
  t.match(r.errors[0], /does not apply a desired config yet/);
  t.match(r.errors[0], /settings stay as they are/);
  t.match(r.errors[0], /changes them in the box's config file/);
  t.match(r.errors[0], /\(changed: calls\)$/);
  t.notMatch(r.errors[0], /restart it to apply/, 'no promise that a restart applies it');
});

t.test('a config that changes nothing is applied', async (t) => {
  t.same(judgeDesiredConfig(running, desired({ calls: { ringTimeoutMs: 20_000 } })), { revision: 4, applied: true, errors: [] });
});

t.test('a message without a revision cannot be answered; a bad header is refused', async (t) => {
  t.equal(judgeDesiredConfig(running, Buffer.from('{')), null);
  t.equal(judgeDesiredConfig(running, Buffer.from('{"v":1}')), null);
  t.match(judgeDesiredConfig(running, Buffer.from('{"v":2,"ts":1,"revision":3,"config":{}}')), { revision: 3, applied: false, errors: [/\/v/] });
});
