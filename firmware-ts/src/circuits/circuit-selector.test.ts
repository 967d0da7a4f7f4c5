import t from 'tap';
import { ControlledFirstSelector, derivedHuntDirection, OppositeOrderSelector } from './circuit-selector.js';
import { IdleBitmap } from './idle-bitmap.js';
import { ReleaseOrderHeap } from './release-order-heap.js';

t.test('bitmap finds the lowest and highest member across word and summary boundaries', async (t) => {
  const b = new IdleBitmap(4096);
  t.equal(b.first(), -1);
  t.equal(b.last(), -1);
  for (const i of [31, 32, 1023, 1024, 4095, 0]) b.add(i);
  t.equal(b.size, 6);
  const lows: number[] = [];
  while (b.size > 0) {
    const i = b.first();
    lows.push(i);
    b.remove(i);
  }
  t.same(lows, [0, 31, 32, 1023, 1024, 4095]);
  for (const i of [0, 31, 32, 1023, 1024, 4095]) b.add(i);
  const highs: number[] = [];
  while (b.size > 0) {
    const i = b.last();
    highs.push(i);
    b.remove(i);
  }
  t.same(highs, [4095, 1024, 1023, 32, 31, 0]);
  t.throws(() => b.remove(5), /not in the idle bitmap/);
  b.add(5);
  t.throws(() => b.add(5), /already/);
});

t.test('heap gives release order, ties to the lower index, and survives removal from the middle', async (t) => {
  const fifo = new ReleaseOrderHeap(10, 'oldest-first');
  const lifo = new ReleaseOrderHeap(10, 'newest-first');
  const times = [50, 10, 30, 10, 70, 20, 60, 40, 30, 0];
  times.forEach((at, i) => {
    fifo.add(i, at);
    lifo.add(i, at);
  });
  fifo.remove(7);
  lifo.remove(7);
  fifo.remove(9);
  lifo.remove(4);
  const drain = (h: ReleaseOrderHeap) => {
    const out: number[] = [];
    while (h.size > 0) {
      out.push(h.peek());
      h.remove(h.peek());
    }
    return out;
  };
  t.same(drain(fifo), [1, 3, 5, 2, 8, 0, 6, 4], 'oldest first; 1 and 3 tie at 10, 2 and 8 at 30');
  t.same(drain(lifo), [6, 0, 2, 8, 5, 1, 3, 9], 'newest first; ties still to the lower index');
  t.equal(fifo.peek(), -1);
});

t.test('controlled-first takes our circuits first, then theirs', async (t) => {
  const s = new ControlledFirstSelector([true, false, true, false]);
  s.add(1, 5);
  s.add(3, 9);
  t.equal(s.peek(), 3, 'only theirs: most recently released');
  s.add(2, 7);
  s.add(0, 8);
  t.equal(s.peek(), 2, 'ours present: longest released');
  t.equal(s.size, 4);
  s.remove(2);
  s.remove(0);
  t.equal(s.peek(), 3);
});

t.test('opposite order and its derived direction', async (t) => {
  t.equal(derivedHuntDirection(2000, 1000), 'high-to-low');
  t.equal(derivedHuntDirection(1000, 2000), 'low-to-high');
  t.throws(() => derivedHuntDirection(7, 7), { name: 'RangeError', message: /configure the hunting direction/ });
  const down = new OppositeOrderSelector(40, 'high-to-low');
  const up = new OppositeOrderSelector(40, 'low-to-high');
  for (const i of [3, 17, 39]) {
    down.add(i, 0);
    up.add(i, 0);
  }
  t.equal(down.peek(), 39);
  t.equal(up.peek(), 3);
});
