import { seededRandom } from '@countyline/e1-gateway';
import t from 'tap';
import { WaitingLine } from './waiting-line.js';

t.test('the line keeps rank order, then arrival order, through random joins and departures', async (t) => {
  const random = seededRandom(42);
  const line = new WaitingLine<{ rank: number; seq: number }>();
  const model: { rank: number; seq: number }[] = [];
  let seq = 0;
  let missed = 0;
  let removedTwice = 0;
  for (let step = 0; step < 5_000; step++) {
    if (model.length === 0 || random() < 0.55) {
      const item = { rank: Math.floor(random() * 3), seq: seq++ };
      line.add(item);
      model.push(item);
    } else {
      const item = model.splice(Math.floor(random() * model.length), 1)[0]!;
      if (!line.remove(item)) missed++;
      if (line.remove(item)) removedTwice++;
    }
  }
  t.equal(missed, 0, 'every item in the line is found and removed');
  t.equal(removedTwice, 0, 'a second removal finds nothing');
  // The same items, sorted the obvious way.
  model.sort((a, b) => b.rank - a.rank || a.seq - b.seq);
  t.equal(line.length, model.length);
  t.same([...line], model);
  t.same(model.map((item) => line.indexOf(item)), model.map((_, i) => i), 'indexOf finds each at its place');
  t.equal(line.indexOf({ rank: 1, seq: -1 }), -1, 'an item never added is not found');
});
