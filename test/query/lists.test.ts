// List values end to end: the Arrow types of List results (pass-through view columns and array_agg),
// their items surviving the engine ⇄ Arrow conversion, and histogram_quantile over a many-batch group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Field, Float64, Int64, List, TimestampNanosecond, Utf8 } from 'apache-arrow';
import { runQuery } from '../../query/engine.js';
import { MemoryTable } from '../../query/memory-table.js';
import { tableSourceOf } from '../../query/views/information-schema.js';
import { QueryError } from '../../query/errors.js';
import { testContext } from './fixtures.js';

const typesOf = (s: { fields: { name: string; type: unknown }[] }) => s.fields.map((f) => [f.name, String(f.type)]);

test('view List columns pass through with their Arrow types and items', async () => {
  const { schema, batches } = await runQuery("select bucket_bounds, bucket_counts from histograms where name = 'neg'", testContext());
  assert.deepEqual(typesOf(schema), [['bucket_bounds', 'List<Float64>'], ['bucket_counts', 'List<Int64>']]);
  const rb = batches.find((b) => b.numRows > 0)!;
  assert.deepEqual(Array.from(rb.getChildAt(0)!.get(0)!.toArray()), [-2, -1]);
  assert.deepEqual(Array.from(rb.getChildAt(1)!.get(0)!.toArray()), [3n, 1n, 0n]);
});

test('array_agg returns a List of its argument type, null items kept', async () => {
  const { schema, batches } = await runQuery('select array_agg(f order by a) as fs, array_agg(s) as ss, array_agg(b) as bs from nums', testContext());
  assert.deepEqual(typesOf(schema), [['fs', 'List<Float64>'], ['ss', 'List<Utf8>'], ['bs', 'List<Int64>']]);
  const row = batches.find((b) => b.numRows > 0)!;
  assert.deepEqual([...row.getChildAt(0)!.get(0)!], [1000, 0.5, 1.5, null, 2.5, -0.25, 3.5]);
  assert.deepEqual([...row.getChildAt(1)!.get(0)!], ['a', 'b', 'b', null, 'c', 'a', 'A']);
});

test('aggregate histogram_quantile sums counts across batches and rejects differing bounds', async () => {
  const rows = 1000;
  const table = MemoryTable.fromColumns([
    { name: 'name', type: new Utf8(), values: Array.from({ length: rows }, (_, i) => (i % 2 ? 'a' : 'b')) },
    { name: 'time', type: new TimestampNanosecond('UTC'), values: Array.from({ length: rows }, (_, i) => Date.UTC(2024, 0, 1) + i) },
    { name: 'bucket_bounds', type: new List(new Field('item', new Float64(), false)), values: Array.from({ length: rows }, () => [10, 20]) },
    { name: 'bucket_counts', type: new List(new Field('item', new Int64(), false)), values: Array.from({ length: rows }, () => [1n, 2n, 1n]) },
  ], { batchRows: 7, timeColumn: 'time' });
  const ctx = { tables: tableSourceOf({ histograms: table }) };
  const { batches } = await runQuery('select name, histogram_quantile(0.5, bucket_bounds, bucket_counts) as p50 from histograms group by name order by name', ctx);
  // 500 rows × [1, 2, 1] = [500, 1000, 500]; rank 1000 lands in (10, 20] at 500/1000 → 15
  assert.deepEqual(batches.flatMap((b) => b.toArray().map((r) => [r.name, r.p50])), [['a', 15], ['b', 15]]);

  const mixed = MemoryTable.fromColumns([
    { name: 'bucket_bounds', type: new List(new Field('item', new Float64(), false)), values: [[1, 2], [1, 3]] },
    { name: 'bucket_counts', type: new List(new Field('item', new Int64(), false)), values: [[1n, 1n, 0n], [1n, 1n, 0n]] },
  ]);
  await assert.rejects(
    runQuery('select histogram_quantile(0.5, bucket_bounds, bucket_counts), count(*) from h', { tables: tableSourceOf({ h: mixed }) }),
    (e: unknown) => e instanceof QueryError && /bucket bounds differ/.test(e.message),
  );
});
