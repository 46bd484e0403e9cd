import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { GroupCommitter } from '../../lake/group-commit.js';

test('calls arriving while a commit runs are committed together, each resolving after its own commit', async () => {
  const committed = new Set<number>();
  const batches: number[][] = [];
  const g = new GroupCommitter<number>(async (items) => {
    batches.push(items);
    await sleep(5);
    for (const i of items) committed.add(i);
  });
  const calls = Array.from({ length: 50 }, (_, i) =>
    g.submit(i).then(() => assert.ok(committed.has(i), `item ${i} resolved before its commit`)),
  );
  await sleep(1); // the first group is now committing; these join the next one
  calls.push(...Array.from({ length: 50 }, (_, i) => g.submit(50 + i).then(() => assert.ok(committed.has(50 + i)))));
  await Promise.all(calls);
  assert.equal(committed.size, 100);
  assert.equal(batches.length, 2);
  assert.deepEqual(batches.flat(), Array.from({ length: 100 }, (_, i) => i));
});

test('a failing item fails only its caller: the group is retried one item at a time', async () => {
  const committed: number[] = [];
  const g = new GroupCommitter<number>(async (items) => {
    if (items.includes(3)) throw new Error('bad item 3');
    committed.push(...items);
  });
  const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => g.submit(i)));
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  assert.match(String((results[3] as PromiseRejectedResult).reason), /bad item 3/);
  assert.deepEqual(committed, [0, 1, 2, 4, 5]);
});

test('no more than maxInFlight groups run at once, and maxBatch bounds a group', async () => {
  let running = 0;
  let peak = 0;
  const sizes: number[] = [];
  const g = new GroupCommitter<number>(
    async (items) => {
      sizes.push(items.length);
      peak = Math.max(peak, ++running);
      await sleep(2);
      running--;
    },
    { maxBatch: 4, maxInFlight: 2 },
  );
  await Promise.all(Array.from({ length: 20 }, (_, i) => g.submit(i)));
  assert.equal(peak, 2);
  assert.ok(sizes.every((n) => n <= 4));
  assert.equal(sizes.reduce((a, b) => a + b, 0), 20);
});

test('drain waits for every submitted item', async () => {
  let done = 0;
  const g = new GroupCommitter<number>(async (items) => {
    await sleep(3);
    done += items.length;
  });
  for (let i = 0; i < 5; i++) void g.submit(i);
  await g.drain();
  assert.equal(done, 5);
  assert.equal(g.pending, 0);
  await g.drain(); // idle: resolves at once
});

test('with a window, calls from separate event-loop turns within it share one commit; a full group goes at once', async () => {
  const batches: number[][] = [];
  const g = new GroupCommitter<number>(async (items) => void batches.push(items), { windowMs: 30, maxBatch: 4 });
  const first = [g.submit(0)];
  await new Promise((r) => setImmediate(r));
  first.push(g.submit(1));
  await Promise.all(first);
  assert.deepEqual(batches, [[0, 1]]);
  const t0 = performance.now();
  await Promise.all([2, 3, 4, 5].map((i) => g.submit(i)));
  assert.ok(performance.now() - t0 < 25, 'a full group does not wait for its window');
  assert.deepEqual(batches, [[0, 1], [2, 3, 4, 5]]);
});
