import t from 'tap';
import { SimSpan } from './sim-span.js';

function seconds(span: SimSpan, n: number) {
  return Array.from({ length: n }, () => span.countSecond());
}

t.test('counters follow the configured rates, second by second', async (t) => {
  const span = new SimSpan(1);
  span.setErrorRates({ crc4PerSecond: 12, eBitsPerSecond: 3, lineCodeViolationsPerSecond: 0.5 });
  const out = seconds(span, 4);
  t.same(
    out.map((c) => c.second),
    [0, 1, 2, 3],
  );
  t.ok(out.every((c) => c.span === 1 && c.crc4Errors === 12 && c.eBits === 3));
  t.same(
    out.map((c) => c.lineCodeViolations),
    [0, 1, 0, 1],
    'half a violation per second shows as one every other second',
  );
});

t.test('slips per minute add up to the rate in every minute, spread out', async (t) => {
  const span = new SimSpan(0);
  span.setErrorRates({ slipsPerMinute: 7 });
  for (let minute = 0; minute < 3; minute++) {
    const slips = seconds(span, 60).map((c) => c.slips);
    t.equal(
      slips.reduce((a, b) => a + b, 0),
      7,
      `minute ${minute}`,
    );
    t.ok(
      slips.every((s) => s <= 1),
      'never bunched into one second',
    );
  }
  span.setErrorRates({ slipsPerMinute: 600 });
  t.same(
    seconds(span, 60).map((c) => c.slips),
    Array(60).fill(10),
  );
});

t.test('out of frame, CRC-4 errors and E-bits read 0; line code violations still count', async (t) => {
  const span = new SimSpan(0);
  span.setErrorRates({ crc4PerSecond: 5, eBitsPerSecond: 2, lineCodeViolationsPerSecond: 9 });
  for (const defect of ['los', 'lof', 'ais'] as const) {
    span.setDefects({ [defect]: true });
    const c = span.countSecond();
    t.equal(c.crc4Errors, 0, defect);
    t.equal(c.eBits, 0, defect);
    t.equal(c.lineCodeViolations, 9, defect);
    span.setDefects({ [defect]: false });
  }
  t.equal(span.countSecond().crc4Errors, 5, 'back in frame, counting again');
  span.configure({ crc4: false });
  t.equal(span.countSecond().crc4Errors, 0, 'CRC-4 off: nothing to count');
});

t.test('u16 counters cap at 65535, slips at 255', async (t) => {
  const span = new SimSpan(0);
  span.setErrorRates({ crc4PerSecond: 100_000, lineCodeViolationsPerSecond: 1e9, slipsPerMinute: 60 * 1000 });
  const c = span.countSecond();
  t.equal(c.crc4Errors, 65535);
  t.equal(c.lineCodeViolations, 65535);
  t.equal(c.slips, 255);
});

t.test('defect updates are partial and report whether anything changed', async (t) => {
  const span = new SimSpan(0);
  t.equal(span.setDefects({ los: true }), true);
  t.equal(span.setDefects({ los: true }), false);
  t.equal(span.setDefects({ rai: true }), true);
  t.same(span.status().defects, { los: true, lof: false, lmfa: false, ais: false, rai: true, ts16mfl: false });
  t.equal(span.signallingBlocked, true);
  span.setDefects({ los: false, lmfa: true });
  t.equal(span.outOfFrame, false);
  t.equal(span.signallingBlocked, true, 'LMFA stops signalling but not framing');
});

t.test('card reset restores host config and restarts counting, keeps line conditions', async (t) => {
  const span = new SimSpan(0);
  span.setDefects({ ais: true });
  span.setErrorRates({ crc4PerSecond: 1 });
  span.configure({ crc4: false, clock: 'internal', sendingRai: true });
  seconds(span, 5);
  span.resetCard();
  t.same(span.status(), { type: 'spanStatus', span: 0, defects: { los: false, lof: false, lmfa: false, ais: true, rai: false, ts16mfl: false }, crc4: true, clock: 'line', sendingRai: false });
  t.equal(span.countSecond().second, 0);
  t.equal(span.errors.crc4PerSecond, 1);
});

t.test('negative or non-finite rates are refused', async (t) => {
  const span = new SimSpan(0);
  t.throws(() => span.setErrorRates({ crc4PerSecond: -1 }), RangeError);
  t.throws(() => span.setErrorRates({ slipsPerMinute: Infinity }), RangeError);
  t.throws(() => span.setErrorRates({ crc4PerSecond: 4, eBitsPerSecond: -2 }), RangeError);
  t.equal(span.errors.crc4PerSecond, 0, 'a refused update changes nothing');
});

t.test('an error burst lasts exactly its seconds; a later setting ends it cleanly', async (t) => {
  const span = new SimSpan(0);
  span.setErrorRates({ crc4PerSecond: 400 }, 3);
  const counts = Array.from({ length: 5 }, () => span.countSecond().crc4Errors);
  t.same(counts, [400, 400, 400, 0, 0]);

  span.setErrorRates({ crc4PerSecond: 400 }, 3);
  span.countSecond();
  span.setErrorRates({ slipsPerMinute: 2 });
  t.equal(span.errors.crc4PerSecond, 0, 'the burst ended when another rate was set');
  t.equal(span.errors.slipsPerMinute, 2);
  t.throws(() => span.setErrorRates({ crc4PerSecond: 1 }, 0), /seconds 0/);
});

t.test('the counters carry every defect seen during the second, even a brief one', async (t) => {
  const span = new SimSpan(0);
  span.setDefects({ los: true });
  span.setDefects({ los: false });
  t.match(span.countSecond().defects, { los: true, ais: false }, 'LOS came and went within the second');
  t.match(span.countSecond().defects, { los: false }, 'the next second is clean');
  span.setDefects({ ais: true });
  t.match(span.countSecond().defects, { ais: true });
  t.match(span.countSecond().defects, { ais: true }, 'a lasting defect shows every second');
});
