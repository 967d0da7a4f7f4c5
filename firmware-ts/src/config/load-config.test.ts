import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig, parseConfig } from './load-config.js';

const minimal = { card: { path: '/dev/ttyS1' }, dataDir: '/var/lib/countyline', control: { socket: '/run/countyline.sock' } };

t.test('a minimal config gets every default', async (t) => {
  const config = parseConfig(minimal);
  t.equal(config.card.baudRate, 115200);
  t.same(config.card.spans, [{ crc4: true, clock: 'line' }]);
  t.same(config.card.links, [{ span: 0, timeslot: 16, mode: 'mtp2' }], 'SS7 on ts16 of span 0 by default');
  t.equal(config.log.level, 'info');
});

t.test('unknown and misspelt keys are refused, each named', async (t) => {
  const err = t.throws(() => parseConfig({ ...minimal, card: { path: '/dev/x', baudrate: 9600 }, extra: 1 }, 'box.json')) as ConfigError;
  t.type(err, ConfigError);
  t.match(err.problems, ['extra: unknown key', 'card.baudrate: unknown key']);
  t.match(err.message, /^box\.json: /);
});

t.test('missing keys and wrong types say where', async (t) => {
  const err = t.throws(() => parseConfig({ card: { path: 7 } })) as ConfigError;
  t.ok(err.problems.includes('dataDir: missing'));
  t.ok(err.problems.includes('control: missing'));
  t.ok(err.problems.some((p) => p.startsWith('card.path: ') && p.includes('string')));
  t.equal(err.problems.filter((p) => p.startsWith('dataDir')).length, 1, 'a missing key is reported once');
});

t.test('a signalling link on ts0 or twice on one timeslot is refused', async (t) => {
  t.throws(() => parseConfig({ ...minimal, card: { path: '/x', links: [{ span: 0, timeslot: 0 }] } }), /card\.links\.0\.timeslot/);
  t.throws(
    () => parseConfig({ ...minimal, card: { path: '/x', links: [{ span: 0, timeslot: 16 }, { span: 0, timeslot: 16 }] } }),
    /span 0 timeslot 16 is listed twice/,
  );
});

t.test('files: relative paths are taken from the config folder; bad files are clear errors', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cl-config-'));
  t.teardown(() => import('node:fs/promises').then((fs) => fs.rm(dir, { recursive: true, force: true })));
  const path = join(dir, 'box.json');
  await writeFile(path, JSON.stringify({ card: { path: '/dev/ttyS1' }, dataDir: 'data', control: { socket: 'cl.sock' } }));
  const config = await loadConfig(path);
  t.equal(config.dataDir, join(dir, 'data'));
  t.equal(config.control.socket, join(dir, 'cl.sock'));

  await t.rejects(loadConfig(join(dir, 'nope.json')), /no such file; pass --config/);
  await writeFile(path, '{"card": ');
  await t.rejects(loadConfig(path), /not valid JSON/);
});

t.test('ISUP timers outside the ranges of Q.764 Annex A are refused, each with its range', async (t) => {
  const isup = (timers: Record<string, number>) => ({ ...minimal, isup: { ownPointCode: 1, peerPointCode: 2, timers } });
  const err = t.throws(() => parseConfig(isup({ repeatMs: 1000, alertMs: 3_600_000, t7Ms: 10_000, t9Ms: 600_000, t6Ms: 5000, t8Ms: 20_000, t35Ms: 10_000 }))) as ConfigError;
  t.same(err.problems, [
    'isup.timers.repeatMs: 1000 ms is outside 15000-60000 ms, the range Q.764 Annex A gives T1, T12, T14, T16, T18, T20 and T22',
    'isup.timers.alertMs: 3600000 ms is outside 300000-900000 ms, the range Q.764 Annex A gives T5, T13, T15, T17, T19, T21 and T23',
    'isup.timers.t7Ms: 10000 ms is outside 20000-30000 ms, the range Q.764 Annex A gives T7',
    'isup.timers.t9Ms: 600000 ms is outside 90000-180000 ms, the range Q.764 Annex A gives T9',
    'isup.timers.t6Ms: 5000 ms is outside 10000-120000 ms, the range Q.764 Annex A gives T6',
    'isup.timers.t8Ms: 20000 ms is outside 10000-15000 ms, the range Q.764 Annex A gives T8',
    'isup.timers.t35Ms: 10000 ms is outside 15000-20000 ms, the range Q.764 Annex A gives T35',
  ]);
  const ok = parseConfig(isup({ repeatMs: 60_000, alertMs: 300_000 }));
  t.same(ok.isup?.timers, { repeatMs: 60_000, alertMs: 300_000, t7Ms: 30_000, t9Ms: 180_000, t6Ms: 120_000, t8Ms: 15_000, t35Ms: 15_000 }, 'values inside the ranges are taken, the rest defaulted');
});

t.test('testCalls.maxBlockedPerPass: default 2; a negative number is refused', async (t) => {
  t.equal(parseConfig(minimal).testCalls.maxBlockedPerPass, 2);
  t.equal(parseConfig({ ...minimal, testCalls: { maxBlockedPerPass: 0 } }).testCalls.maxBlockedPerPass, 0, '0: test calls never block a circuit');
  t.throws(() => parseConfig({ ...minimal, testCalls: { maxBlockedPerPass: -1 } }), /testCalls\.maxBlockedPerPass/);
});

t.test('a key older configs have names what took its place', async (t) => {
  const err = t.throws(() => parseConfig({ ...minimal, isup: { ownPointCode: 1, peerPointCode: 2, answerAfterMs: 200 } })) as ConfigError;
  t.match(err.problems, [/^isup\.answerAfterMs: unknown key \(removed: agents answer calls now; .*calls\.noAgent/]);
});

t.test('sip.featureCodes: *21, *22, *23 by default; digits, * and # only; the three must differ', async (t) => {
  t.same(parseConfig(minimal).sip.featureCodes, { login: '*21', logout: '*22', break: '*23' });
  t.same(parseConfig({ ...minimal, sip: { featureCodes: { break: '#9' } } }).sip.featureCodes, { login: '*21', logout: '*22', break: '#9' });
  t.throws(() => parseConfig({ ...minimal, sip: { featureCodes: { login: '*2a' } } }), /sip\.featureCodes\.login: /);
  t.throws(() => parseConfig({ ...minimal, sip: { featureCodes: { login: '' } } }), /sip\.featureCodes\.login: /);
  t.throws(() => parseConfig({ ...minimal, sip: { featureCodes: { logout: '12345678901234567' } } }), /sip\.featureCodes\.logout: /);
  const err = t.throws(() => parseConfig({ ...minimal, sip: { featureCodes: { break: '*21' } } })) as ConfigError;
  t.same(err.problems, ['sip.featureCodes: login and break are both *21; give each its own number']);
});
