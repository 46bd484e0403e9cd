// CAST of 64-bit integers to DOUBLE rounds every value exactly like Number(), wherever the values
// beyond 2^52 sit in the batch (first, in the middle, last, or nowhere).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int64, Uint64 } from 'apache-arrow';
import { runQuery } from '../../query/engine.js';
import { MemoryTable } from '../../query/memory-table.js';
import { tableSourceOf } from '../../query/views/information-schema.js';

const BIG = [2n ** 53n + 1n, -(2n ** 60n) - 3n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 52n, -(2n ** 52n) - 1n];
const SMALL = [0n, 1n, -1n, 123_456_789_012n, -(2n ** 52n) + 1n, 2n ** 52n - 1n, 4_503_599_627_370_495n];

async function castToDouble(values: bigint[], unsigned: boolean): Promise<number[]> {
  const t = MemoryTable.fromColumns([{ name: 'v', type: unsigned ? new Uint64() : new Int64(), values }]);
  const { batches } = await runQuery('select cast(v as double) as d from t', { tables: tableSourceOf({ t }) });
  return batches.flatMap((b) => Array.from(b.getChild('d')!.toArray() as Float64Array));
}

test('CAST(bigint AS double) equals Number(value) with large values anywhere in the batch', async () => {
  const layouts = [[...SMALL, ...BIG], [...BIG, ...SMALL], [...SMALL.slice(0, 3), ...BIG, ...SMALL.slice(3)], SMALL];
  for (const values of layouts) assert.deepEqual(await castToDouble(values, false), values.map(Number));
});

test('CAST(unsigned bigint AS double) equals Number(value), including values of 2^63 and above', async () => {
  const big = [2n ** 64n - 1n, 2n ** 63n, 2n ** 53n + 1n];
  const small = [0n, 1n, 2n ** 52n - 1n, 987_654_321n];
  for (const values of [[...small, ...big], [...big, ...small], small]) assert.deepEqual(await castToDouble(values, true), values.map(Number));
});
