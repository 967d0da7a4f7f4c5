import t from 'tap';
import { KeyedQueue } from './keyed-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

t.test("one key's tasks run in order, one at a time; another key does not wait", async (t) => {
  const queue = new KeyedQueue();
  const order: string[] = [];
  const gate = deferred();
  const a1 = queue.run('a', async () => {
    order.push('a1 start');
    await gate.promise;
    order.push('a1 end');
  });
  const a2 = queue.run('a', async () => {
    order.push('a2');
  });
  await queue.run('b', async () => {
    order.push('b1');
  });
  t.same(order, ['a1 start', 'b1'], "b ran while a1 was still busy, a2 waited for a1");
  gate.resolve();
  await Promise.all([a1, a2]);
  t.same(order, ['a1 start', 'b1', 'a1 end', 'a2']);
  await queue.idle();
  t.equal(queue.busyKeys(), 0, 'idle keys are forgotten');
});

t.test('a failing task does not stop the next one of its key', async (t) => {
  const queue = new KeyedQueue();
  const failed = queue.run('a', async () => {
    throw new Error('store down');
  });
  const next = queue.run('a', async () => 'ran');
  await t.rejects(failed, /store down/);
  t.equal(await next, 'ran');
});
