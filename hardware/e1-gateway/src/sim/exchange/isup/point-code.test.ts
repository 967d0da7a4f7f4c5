import t from 'tap';
import { formatPointCode, parsePointCode } from './point-code.js';

t.test('point codes as numbers and as text', async (t) => {
  t.equal(parsePointCode(2000, 'itu'), 2000);
  t.equal(parsePointCode('0-250-0', 'itu'), 2000, '3-8-3: 0 << 11 | 250 << 3 | 0');
  t.equal(parsePointCode('2-100-5', 'itu'), (2 << 11) | (100 << 3) | 5);
  t.equal(parsePointCode('7-255-7', 'itu'), 16383);
  t.equal(parsePointCode('1-2-3', 'china'), 0x010203);
  t.equal(parsePointCode(0xffffff, 'china'), 0xffffff);
  t.equal(formatPointCode(2000, 'itu'), '0-250-0');
  t.equal(formatPointCode(0x0a141e, 'china'), '10-20-30');
  const bad = (v: number | string, variant: 'itu' | 'china', message: RegExp) => t.throws(() => parsePointCode(v, variant), { name: 'RangeError', message }, String(v));
  bad(20000, 'itu', /point code 20000 is too large for itu: 14 bits, at most 16383/);
  bad(-1, 'itu', /whole number from 0 to 16383/);
  bad(1.5, 'china', /whole number from 0 to 16777215/);
  bad('8-0-0', 'itu', /field 1 is 8, above 7 \(3-8-3 bits for itu\)/);
  bad('1-2', 'china', /not a number or 8-8-8 text/);
  bad('1-2-x', 'itu', /not a number or 3-8-3 text/);
});
