import t from 'tap';
import { OfficeHours } from '../queue/office-hours.js';
import { ConfigError, parseConfig } from './load-config.js';

// queue.hours in the config file: a bad schedule is a config error at start, every entry named.

const minimal = { card: { path: '/dev/ttyS1' }, dataDir: '/var/lib/countyline', control: { socket: '/run/countyline.sock' } };

t.test('no queue.hours: none in the config, and the office is always open', async (t) => {
  const config = parseConfig(minimal);
  t.equal(config.queue.hours, undefined);
  t.ok(OfficeHours.fromConfig(config.queue.hours, config.trunks.utcOffsetHours).isOpen(Date.parse('2026-10-01T03:00:00+08:00')));
});

t.test('a good schedule is taken, dates defaulted to none', async (t) => {
  const config = parseConfig({ ...minimal, queue: { hours: { mon: ['08:30-12:00', '14:00-17:30'], sat: [], openDates: { '2026-09-27': 'mon' } } } });
  t.same(config.queue.hours, { mon: ['08:30-12:00', '14:00-17:30'], sat: [], closedDates: [], openDates: { '2026-09-27': 'mon' } });
});

t.test('bad times, ranges and dates are config errors naming each entry', async (t) => {
  const err = t.throws(() =>
    parseConfig({ ...minimal, queue: { hours: { mon: ['08:30-12:00', '11:00-13:00'], tue: ['25:00-26:00'], closedDates: ['2026-13-01'] } } }, 'box.json'),
  ) as ConfigError;
  t.type(err, ConfigError);
  t.same(err.problems, [
    'queue.hours.mon.1: "11:00-13:00" overlaps "08:30-12:00"; the ranges of a day must not overlap',
    'queue.hours.tue.0: "25:00-26:00" is not a time range; write HH:MM-HH:MM from 00:00 to 24:00, e.g. "08:30-12:00"',
    'queue.hours.closedDates.0: "2026-13-01" is not a date; write YYYY-MM-DD, e.g. "2026-10-01"',
  ]);
  t.match(err.message, /^box\.json: queue\.hours\.mon\.1: /);
});

t.test('a misspelt weekday or a wrong shape is a schema error', async (t) => {
  t.throws(() => parseConfig({ ...minimal, queue: { hours: { monday: ['08:30-12:00'] } } }), /queue\.hours\.monday: unknown key/);
  t.throws(() => parseConfig({ ...minimal, queue: { hours: { mon: '08:30-12:00' } } }), /queue\.hours\.mon: expected array/);
  t.throws(() => parseConfig({ ...minimal, queue: { hours: { openDates: { '2026-09-27': 'monday' } } } }), /queue\.hours\.openDates\.2026-09-27: expected a weekday \("mon"\)/);
});
