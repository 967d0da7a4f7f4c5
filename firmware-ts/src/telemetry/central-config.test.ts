import t from 'tap';
import { ConfigError, parseConfig } from '../config/load-config.js';

const base = { card: { path: '/dev/ttyS1' }, dataDir: 'data', control: { socket: 'control.sock' } };
const parse = (central: unknown) => parseConfig({ ...base, central }, '/etc/countyline/config.json');
const problems = (central: unknown) => {
  try {
    parse(central);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

t.test('no central section: no telemetry', async (t) => {
  t.equal(parseConfig(base, '/etc/countyline/config.json').central, undefined);
});

t.test('the defaults, and caFile taken from the config file folder', async (t) => {
  const c = parse({ url: 'mqtts://central.example:8883', boxId: 'box-7', password: 'pw', caFile: 'ca.pem' });
  t.same(c.central, { url: 'mqtts://central.example:8883', boxId: 'box-7', password: 'pw', caFile: '/etc/countyline/ca.pem', outboxMaxBytes: 64 * 1024 * 1024, trunksIntervalMs: 60_000, liveMinGapMs: 2000 });
});

t.test('a wrong url scheme, a box id that could not be a topic level, a missing password are refused', async (t) => {
  t.match(problems({ url: 'http://central:80', boxId: 'box-7', password: 'pw' }), [/central\.url/]);
  t.match(problems({ url: 'mqtt://central:1883', boxId: 'box/7', password: 'pw' }), [/central\.boxId/]);
  t.match(problems({ url: 'mqtt://central:1883', boxId: 'box-7' }), [/central\.password/]);
  t.match(problems({ url: 'mqtt://central:1883', boxId: 'box-7', password: 'pw', outboxMaxBytes: 10 }), [/central\.outboxMaxBytes/]);
});
