// array_agg over timestamps returns List<Timestamp(ns)> whose items keep their nanoseconds through
// Arrow (Arrow JS alone would build and read the items as milliseconds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQuery } from '../../query/engine.js';
import { colFromArrow } from '../../query/exec/arrow-io.js';
import { valueAt } from '../../query/exec/column.js';
import { testContext } from './fixtures.js';

async function lists(sql: string): Promise<unknown[]> {
  const { batches } = await runQuery(sql, testContext());
  return batches.flatMap((rb) => {
    const c = colFromArrow(rb.data.children[0], 'list');
    return Array.from({ length: rb.numRows }, (_, i) => valueAt(c, i));
  });
}

test('array_agg of timestamps keeps nanoseconds, with and without NULL items', async () => {
  const t = 1704067400000000000n; // the level-5 row of logs, 2024-01-01T00:03:20Z
  assert.deepEqual(await lists("select array_agg(time + interval '1 nanosecond') from logs where level = 5"), [[t + 1n]]);
  assert.deepEqual(
    await lists("select array_agg(case when level = 5 then time + interval '7 nanoseconds' end order by time) from logs where process_id = 'p3'"),
    [[t + 7n, null]],
  );
});

test('array_agg of timestamps over no rows is NULL', async () => {
  assert.deepEqual(await lists('select array_agg(time) from empty'), [null]);
});
