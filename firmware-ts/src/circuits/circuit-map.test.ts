import t from 'tap';
import { CircuitMap, CircuitMapError, type CircuitMapConfig } from './circuit-map.js';

const link = [{ span: 0, timeslot: 16 }];

t.test('a range entry gives consecutive CICs to the timeslots in the order written', async (t) => {
  const map = CircuitMap.fromConfig({ cics: [{ firstCic: 1, span: 0, timeslots: '1-15,17-31' }] }, link);
  t.equal(map.size, 30);
  t.same(map.byCic(1), { cic: 1, span: 0, timeslot: 1, index: 0 });
  t.same(map.byCic(15), { cic: 15, span: 0, timeslot: 15, index: 14 });
  t.same(map.byCic(16), { cic: 16, span: 0, timeslot: 17, index: 15 }, 'ts16 skipped, the CICs do not skip');
  t.same(map.byCic(30), { cic: 30, span: 0, timeslot: 31, index: 29 });
  t.equal(map.byCic(31), undefined);
  t.equal(map.byCic(0), undefined);
  t.equal(map.byTimeslot(0, 17)?.cic, 16);
  t.equal(map.byTimeslot(0, 16), undefined);
  t.equal(map.byTimeslot(1, 1), undefined);

  const reversed = CircuitMap.fromConfig({ cics: [{ firstCic: 100, span: 2, timeslots: '17-31, 1-15' }] }, link);
  t.equal(reversed.byCic(100)?.timeslot, 17, 'written order decides, not timeslot order');
  t.equal(reversed.byCic(115)?.timeslot, 1);
  t.equal(reversed.byTimeslot(2, 31)?.cic, 114);
});

t.test('single entries, timeslot lists and several spans mix; circuits come out in CIC order', async (t) => {
  const map = CircuitMap.fromConfig(
    {
      cics: [
        { firstCic: 40, span: 1, timeslots: [3, 1, 2] },
        { cic: 7, span: 0, timeslot: 5 },
        { firstCic: 4095, span: 3, timeslots: '9' },
      ],
    },
    link,
  );
  t.same(
    map.circuits.map((c) => [c.cic, c.span, c.timeslot, c.index]),
    [
      [7, 0, 5, 0],
      [40, 1, 3, 1],
      [41, 1, 1, 2],
      [42, 1, 2, 3],
      [4095, 3, 9, 4],
    ],
  );
  t.same(
    map.onSpan(1).map((c) => c.cic),
    [40, 41, 42],
  );
  t.same(map.onSpan(5), []);
  t.equal(map.byCic(4095)?.timeslot, 9, 'the top 12-bit CIC is allowed');
  t.equal(map.byCic(4096), undefined);
  t.equal(map.byCic(-1), undefined);
  t.equal(map.byCic(1.5), undefined);
});

t.test('ts16 is a bearer wherever it carries no signalling', async (t) => {
  const config: CircuitMapConfig = { cics: [{ firstCic: 0, span: 1, timeslots: '1-31' }] };
  const map = CircuitMap.fromConfig(config, link);
  t.equal(map.size, 31);
  t.equal(map.byTimeslot(1, 16)?.cic, 15);
  t.throws(() => CircuitMap.fromConfig(config, [{ span: 1, timeslot: 16 }]), { name: 'CircuitMapError', entry: 'cics[0]', message: /span 1 ts16 carries signalling/ });
  t.throws(() => CircuitMap.fromConfig({ cics: [{ cic: 5, span: 0, timeslot: 16 }] }, link), {
    entry: 'cics[0]',
    message: 'circuit map cics[0]: CIC 5 (span 0 ts16): span 0 ts16 carries signalling, so it cannot be a bearer',
  });
  t.throws(() => CircuitMap.fromConfig({ cics: [{ cic: 5, span: 2, timeslot: 1 }] }, [{ span: 2, timeslot: 1 }]), { message: /span 2 ts1 carries signalling/ }, 'a link on another timeslot');
});

t.test('each invalid entry is refused with an error that names it', async (t) => {
  const bad: [string, CircuitMapConfig, string, RegExp][] = [
    ['ts0', { cics: [{ firstCic: 1, span: 0, timeslots: '1-5' }, { firstCic: 10, span: 0, timeslots: '0-3' }] }, 'cics[1]', /CIC 10 \(span 0 ts0\): ts0 carries frame alignment and is never a bearer/],
    ['ts0 single', { cics: [{ cic: 3, span: 1, timeslot: 0 }] }, 'cics[0]', /ts0/],
    ['ts32 in a range', { cics: [{ firstCic: 1, span: 0, timeslots: '30-32' }] }, 'cics[0]', /timeslot 32 .* timeslot must be 1\.\.31/],
    ['ts40 single', { cics: [{ cic: 3, span: 1, timeslot: 40 }] }, 'cics[0]', /timeslot must be 1\.\.31/],
    ['duplicate CIC', { cics: [{ firstCic: 1, span: 0, timeslots: '1-15' }, { firstCic: 15, span: 1, timeslots: '1-2' }] }, 'cics[1]', /CIC 15 is already mapped by cics\[0\]/],
    ['duplicate timeslot', { cics: [{ firstCic: 1, span: 0, timeslots: '1-15' }, { cic: 99, span: 0, timeslot: 7 }] }, 'cics[1]', /span 0 ts7 already carries CIC 7 \(cics\[0\]\)/],
    ['timeslot twice in one entry', { cics: [{ firstCic: 1, span: 0, timeslots: '1-5,5' }] }, 'cics[0]', /span 0 ts5 already carries CIC 5 \(cics\[0\]\)/],
    ['CIC 4096', { cics: [{ cic: 4096, span: 0, timeslot: 1 }] }, 'cics[0]', /CIC must be 0\.\.4095/],
    ['range past 4095', { cics: [{ firstCic: 4094, span: 0, timeslots: '1-3' }] }, 'cics[0]', /CIC 4096 .*CIC must be 0\.\.4095/],
    ['negative CIC', { cics: [{ cic: -1, span: 0, timeslot: 1 }] }, 'cics[0]', /cic must be a whole number >= 0, got -1/],
    ['fractional span', { cics: [{ cic: 1, span: 0.5, timeslot: 1 }] }, 'cics[0]', /span must be a whole number/],
    ['unreadable range', { cics: [{ firstCic: 1, span: 0, timeslots: '1-x' }] }, 'cics[0]', /cannot read timeslots "1-x"/],
    ['backwards range', { cics: [{ firstCic: 1, span: 0, timeslots: '15-1' }] }, 'cics[0]', /"15-1" runs backwards/],
    ['empty list', { cics: [{ firstCic: 1, span: 0, timeslots: [] }] }, 'cics[0]', /timeslots is empty/],
    ['neither shape', { cics: [{ span: 0 } as never] }, 'cics[0]', /either firstCic .* or cic/],
    ['no entries', { cics: [] }, 'cics', /no circuits/],
    ['no list', {} as never, 'cics', /must be a list/],
  ];
  for (const [what, config, entry, message] of bad) {
    t.throws(() => CircuitMap.fromConfig(config, link), { name: 'CircuitMapError', entry, message }, what);
  }
  const err = (() => {
    try {
      CircuitMap.fromConfig({ cics: [{ cic: 1, span: 0, timeslot: 0 }] });
    } catch (e) {
      return e;
    }
  })();
  t.ok(err instanceof CircuitMapError);
});
