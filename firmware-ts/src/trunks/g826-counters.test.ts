import t from 'tap';
import { G826Counters, type G826Settings, type SecondSample } from './g826-counters.js';

const T0 = Date.UTC(2026, 10, 22, 2, 0, 0); // 10:00 in China, on an interval boundary
const settings: G826Settings = {
  sesThreshold: 300,
  intervalMs: 900_000,
  historyIntervals: 96,
  intervalThresholds: { es: 20, ses: 5 },
  dayThresholds: { es: 100 },
  utcOffsetMs: 8 * 3_600_000,
};

function sec(i: number, crc4Errors = 0, extra: Partial<SecondSample> = {}): SecondSample {
  return { at: T0 + i * 1000, crc4Errors, eBits: 0, lineCodeViolations: 0, slips: 0, defect: false, inAlarm: false, ...extra };
}

/** Feeds `errors[i]` CRC-4 errors in second i, then enough clean seconds to book everything. */
function feed(errors: number[], settle = 12) {
  const g = new G826Counters(settings);
  const all = [...errors, ...Array(settle).fill(0)];
  all.forEach((e, i) => g.addSecond(sec(i, e)));
  return g;
}

t.test('8 seconds above the SES threshold: 8 ES, 8 SES, no UAS', async (t) => {
  const g = feed(Array(8).fill(400));
  t.match(g.current(), { es: 8, ses: 8, uas: 0, bbe: 0, seconds: 20 });
});

t.test('15 SES seconds in a row: 15 unavailable seconds, no SES, no ES', async (t) => {
  const g = feed(Array(15).fill(400));
  t.match(g.current(), { es: 0, ses: 0, uas: 15, bbe: 0 });
  t.ok(g.isAvailable);
});

t.test('unavailability begins at the first of 10 SES: exactly 10 and 9 are the edge', async (t) => {
  t.match(feed(Array(9).fill(300)).current(), { ses: 9, uas: 0 }, '9 SES stay available; 300 errors is SES');
  t.match(feed(Array(10).fill(300)).current(), { ses: 0, uas: 10 });
  t.match(feed(Array(9).fill(299)).current(), { ses: 0, es: 9, bbe: 9 * 299 }, '299 errors is ES and BBE, not SES');
});

t.test('unavailable time ends at the first of 10 non-SES seconds, which are counted back as available', async (t) => {
  // 12 SES, then 3 errored (non-SES) seconds, 1 SES, then clean.
  const g = feed([...Array(12).fill(500), 5, 5, 5, 500]);
  // The 3 errored seconds followed by 1 SES are still unavailable (fewer than 10 non-SES).
  t.match(g.current(), { uas: 16, es: 0, bbe: 0, ses: 0 });
  // Now 10 non-SES with errors after unavailability: they are available time with ES and BBE.
  const h = feed([...Array(12).fill(500), ...Array(10).fill(7)]);
  t.match(h.current(), { uas: 12, es: 10, bbe: 70, ses: 0 });
});

t.test('seconds are held while their fate is open', async (t) => {
  const g = new G826Counters(settings);
  for (let i = 0; i < 7; i++) g.addSecond(sec(i, 400));
  t.equal(g.pendingSeconds, 7);
  t.match(g.current(), { ses: 0, uas: 0, seconds: 0 });
  g.addSecond(sec(7, 0));
  t.equal(g.pendingSeconds, 0);
  t.match(g.current(), { ses: 7, es: 7, seconds: 8 });
});

t.test('a defect second is an SES whatever the CRC count', async (t) => {
  const g = new G826Counters(settings);
  [0, 1, 2].forEach((i) => g.addSecond(sec(i, 0, { defect: true })));
  g.addSecond(sec(3));
  t.match(g.current(), { es: 3, ses: 3 });
});

t.test('slips count only outside alarm; line code violations and E-bits always', async (t) => {
  const g = new G826Counters(settings);
  g.addSecond(sec(0, 0, { slips: 2, lineCodeViolations: 5, eBits: 3 }));
  g.addSecond(sec(1, 0, { slips: 4, inAlarm: true, lineCodeViolations: 1 }));
  t.match(g.current(), { slips: 2, lcv: 6, eBits: 3 });
});

t.test('15-minute intervals roll into a 96-interval history; a counted-back second lands in its own interval', async (t) => {
  const g = new G826Counters(settings);
  // 5 SES at the end of the first interval, then clean seconds in the next one.
  for (let i = 895; i < 900; i++) g.addSecond(sec(i, 400));
  for (let i = 900; i < 905; i++) g.addSecond(sec(i, 0));
  const [previous] = g.intervals();
  t.match(previous, { start: T0, ses: 5 }, 'booked into the interval they happened in');
  t.match(g.current(), { start: T0 + 900_000, ses: 0, seconds: 5 });
  for (let k = 2; k < 100; k++) g.addSecond(sec(k * 900));
  t.equal(g.intervals().length, 96, 'history is capped at 96 intervals (24 h)');
});

t.test('the day total starts at local midnight (UTC+8)', async (t) => {
  const g = new G826Counters(settings);
  const midnightChina = Date.UTC(2026, 10, 22, 16, 0, 0);
  g.addSecond({ ...sec(0, 1), at: midnightChina - 1000 });
  g.addSecond({ ...sec(0, 1), at: midnightChina });
  t.match(g.day(), { start: midnightChina, es: 1 });
  t.match(g.lastDay(), { start: midnightChina - 86_400_000, es: 1 });
});

t.test('threshold crossings are reported once per interval and per day', async (t) => {
  const g = new G826Counters(settings);
  const crossings = [];
  for (let i = 0; i < 30; i++) crossings.push(...g.addSecond(sec(i, 1)));
  t.match(crossings, [{ period: '15min', counter: 'es', value: 20, threshold: 20, start: T0 }]);
  t.equal(crossings.length, 1);
  const next = [];
  for (let i = 900; i < 930; i++) next.push(...g.addSecond(sec(i, 1)));
  t.equal(next.length, 1, 'crossed again in the next interval');
  const ses = [];
  for (let i = 1000; i < 1006; i++) ses.push(...g.addSecond(sec(i, 400)));
  ses.push(...g.addSecond(sec(1006, 0)));
  t.match(ses.filter((c) => c.counter === 'ses'), [{ value: 5, threshold: 5 }], 'crossing found when held seconds are booked');
});
