import t from 'tap';
import { RtpSequence } from './rtp-sequence.js';

const run = (...sequences: number[]) => {
  const s = new RtpSequence();
  for (const n of sequences) s.update(n);
  return s;
};

t.test('in order: nothing lost', async (t) => {
  t.equal(run(10, 11, 12, 13).lost, 0);
});

t.test('a gap of two counts two lost', async (t) => {
  t.equal(run(10, 11, 14, 15).lost, 2);
});

t.test('the sequence number wraps from 65535 to 0 without loss', async (t) => {
  t.equal(run(65534, 65535, 0, 1).lost, 0);
  t.equal(run(65534, 1).lost, 2, '65535 and 0 missing across the wrap');
});

t.test('a late packet fills its gap; a duplicate is counted apart', async (t) => {
  const s = run(10, 12, 11, 12);
  t.equal(s.lost, 0);
  t.equal(s.duplicates, 1);
});

t.test('a restart of the numbering keeps the loss of the run before it and adds none for the jump', async (t) => {
  t.equal(run(100, 102, 40_000, 40_001).lost, 1);
});
