import t from 'tap';
import { DEFAULT_EXCHANGE_CONFIG, parseExchangeConfig } from './exchange-config.js';

t.test('defaults: the bench agreement', async (t) => {
  t.same(parseExchangeConfig({}), {
    variant: 'itu',
    ni: 'national',
    pointCode: 2000,
    peerPointCode: 1000,
    link: 0,
    cics: [{ firstCic: 1, span: 0, timeslots: '1-15,17-31' }],
    control: 'point-code',
    selection: 'controlled-first',
    huntDirection: null,
    answerDelayMs: 300,
    holdSeconds: 60,
    callsPerMinute: 0,
    seed: 1,
    calledNumber: '12345',
    linkTest: { required: true, periodMs: 60_000, timeoutMs: 8_000, slc: 0 },
  });
  const a = parseExchangeConfig({});
  a.cics.push({ cic: 40, span: 1, timeslot: 1 });
  t.equal(DEFAULT_EXCHANGE_CONFIG.cics.length, 1, 'the defaults are not shared with a parsed config');
});

t.test('every field, point codes written out', async (t) => {
  const config = parseExchangeConfig({
    variant: 'china',
    ni: 'international',
    pointCode: '1-2-3',
    peerPointCode: 66051 + 1,
    link: 1,
    cics: [{ firstCic: 33, span: 1, timeslots: [1, 2, 3] }],
    control: 'odd',
    selection: 'opposite-order',
    huntDirection: 'low-to-high',
    answerDelayMs: 0,
    holdSeconds: 0.5,
    callsPerMinute: 12.5,
    seed: 99,
    calledNumber: '95598',
    linkTest: { required: true, periodMs: 30_000, slc: 3 },
  });
  t.same(config.linkTest, { required: true, periodMs: 30_000, timeoutMs: 8000, slc: 3 }, 'link test fields left out keep their defaults');
  t.match(config, { variant: 'china', ni: 'international', pointCode: 0x010203, peerPointCode: 0x010204, control: 'odd', huntDirection: 'low-to-high', holdSeconds: 0.5 });
  t.equal(parseExchangeConfig({ pointCode: '0-250-0' }).pointCode, 2000, 'ITU 3-8-3');
});

t.test('mistakes are named', async (t) => {
  const bad = (value: unknown, message: RegExp) => t.throws(() => parseExchangeConfig(value), { name: 'TypeError', message }, JSON.stringify(value));
  bad([], /an exchange config is a JSON object/);
  bad({ pc: 1 }, /unknown exchange field "pc"; accepted: variant, ni, pointCode/);
  bad({ variant: 'ansi' }, /variant must be one of itu, china/);
  bad({ ni: 'local' }, /ni must be one of international, international-spare, national, national-spare/);
  bad({ pointCode: 20000 }, /pointCode: point code 20000 is too large for itu: 14 bits/);
  bad({ pointCode: true }, /pointCode must be a number or a string/);
  bad({ control: 'higher' }, /control must be one of point-code, all, none, even, odd/);
  bad({ pointCode: 1000 }, /exchange own and peer point code are both 1000/);
  bad({ cics: [{ firstCic: 1, span: 0, timeslots: '0-3' }] }, /exchange circuit map cics\[0\]\.timeslots: ts0 carries the E1 frame alignment/);
  bad({ cics: 'all' }, /exchange circuit map cics must be a list/);
  bad({ linkTest: { required: 'yes' } }, /linkTest.required must be true or false/);
  bad({ linkTest: { t1: 4000 } }, /unknown exchange linkTest field "t1"; accepted: required, periodMs, timeoutMs, slc/);
  bad({ linkTest: { periodMs: 120_000 } }, /linkTest.periodMs must be a whole number from 100 to 90000/);
  bad({ linkTest: { timeoutMs: 13_000 } }, /linkTest.timeoutMs must be a whole number from 50 to 12000/);
  bad({ linkTest: { periodMs: 1000, timeoutMs: 1000 } }, /linkTest.timeoutMs \(1000\) must be shorter than linkTest.periodMs \(1000\)/);
  bad({ linkTest: { slc: 16 } }, /linkTest.slc must be a whole number from 0 to 15/);
  bad({ linkTest: true }, /exchange linkTest must be an object/);
  bad({ holdSeconds: 0 }, /holdSeconds must be a number from 0.1 to 86400/);
  bad({ callsPerMinute: -1 }, /callsPerMinute must be a number from 0 to 6000/);
  bad({ answerDelayMs: 1.5 }, /answerDelayMs must be a whole number/);
  bad({ calledNumber: '12a' }, /calledNumber must be 1 to 20 digits/);
  bad({ selection: 'random' }, /selection must be one of controlled-first, opposite-order/);
});
