import t from 'tap';
import { CircuitMap } from './circuit-map.js';

t.test('runs and single circuits, looked up both ways', async (t) => {
  const map = CircuitMap.fromEntries([
    { firstCic: 1, span: 0, timeslots: '1-15,17-31' },
    { cic: 100, span: 1, timeslot: 16 },
    { firstCic: 40, span: 1, timeslots: [3, 1, 2] },
  ]);
  t.equal(map.size, 34);
  t.same(map.byCic(15), { cic: 15, span: 0, timeslot: 15 });
  t.same(map.byCic(16), { cic: 16, span: 0, timeslot: 17 }, 'ts16 skipped: CIC 16 is ts17');
  t.same(map.byCic(30), { cic: 30, span: 0, timeslot: 31 });
  t.same(map.byTimeslot(1, 3), { cic: 40, span: 1, timeslot: 3 }, 'a list keeps its order');
  t.equal(map.byTimeslot(0, 16), undefined);
  t.same(map.circuits.map((c) => c.cic).slice(-4), [40, 41, 42, 100], 'by CIC');
  t.same(map.contiguousRuns(32), [
    { firstCic: 1, count: 30 },
    { firstCic: 40, count: 3 },
    { firstCic: 100, count: 1 },
  ]);
  t.same(
    map.contiguousRuns(8).map((r) => r.count),
    [8, 8, 8, 6, 3, 1],
    'runs capped at the largest group message',
  );
});

t.test('mistakes name the entry', async (t) => {
  const bad = (entries: unknown, message: RegExp) => t.throws(() => CircuitMap.fromEntries(entries), { name: 'TypeError', message }, JSON.stringify(entries));
  bad('all', /cics must be a list of at least one/);
  bad([], /cics must be a list of at least one/);
  bad([null], /cics\[0\]: must be \{firstCic, span, timeslots\}/);
  bad([{ firstCic: 1, span: 0, timeslots: '0-3' }], /cics\[0\]\.timeslots: ts0 carries the E1 frame alignment/);
  bad([{ cic: 1, span: 0, timeslot: 32 }], /cics\[0\]\.timeslot must be a whole number from 1 to 31, got 32/);
  bad([{ firstCic: 1, span: 0, timeslots: '5-3' }], /range 5-3 runs backwards/);
  bad([{ firstCic: 1, span: 0, timeslots: '1-3,x' }], /"x" is not a timeslot or a range/);
  bad([{ firstCic: 1, span: 0, timeslots: [] }], /the list is empty/);
  bad([{ firstCic: 4094, span: 0, timeslots: '1-3' }], /3 circuits from CIC 4094 go past CIC 4095/);
  bad([{ cic: 1, span: 0, timeslot: 1, extra: true }], /cics\[0\]: has fields cic,extra,span,timeslot/);
  bad([{ firstCic: 1, span: 0, timeslots: '1-3' }, { cic: 2, span: 1, timeslot: 1 }], /cics\[1\]: CIC 2 is already in cics\[0\]/);
  bad([{ firstCic: 1, span: 0, timeslots: '1-3' }, { cic: 9, span: 0, timeslot: 3 }], /cics\[1\]: span 0 ts3 is already a circuit of cics\[0\]/);
  bad([{ cic: 1, span: 256, timeslot: 1 }], /cics\[0\]\.span must be a whole number from 0 to 255/);
});
