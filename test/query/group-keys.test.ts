// GROUP BY over several keys forms exactly the groups of the distinct key tuples: NULL is its own key
// value, strings that differ only around separators stay apart, dictionary and plain encodings of the
// same string meet in one group, and per-group aggregates match values computed row by row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dictionary, Float64, Int32, Int64, Utf8 } from 'apache-arrow';
import { runQuery } from '../../query/engine.js';
import { MemoryTable } from '../../query/memory-table.js';
import { tableSourceOf } from '../../query/views/information-schema.js';
import { renderRows } from './render.js';

const sorted = (rows: string[][]) => rows.map((r) => JSON.stringify(r)).sort();

async function rowsOf(t: MemoryTable, sql: string): Promise<string[][]> {
  return renderRows((await runQuery(sql, { tables: tableSourceOf({ t }) })).batches);
}

/** Expected `key..., count(*)` rows: the distinct tuples of `keys` counted in JS. */
function countTuples(keys: (string | number | null)[][]): string[] {
  const counts = new Map<string, number>();
  for (const k of keys) {
    const text = JSON.stringify(k.map((v) => (v === null ? 'NULL' : v === '' ? '(empty)' : String(v))));
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => JSON.stringify([...JSON.parse(k), String(n)])).sort();
}

let seed = 7;
const rand = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
};

test('several keys with NULLs in each: NULL is one more key value, per key column', async () => {
  const n = 500;
  const s = Array.from({ length: n }, () => (rand(5) === 0 ? null : `s${rand(4)}`));
  const d = Array.from({ length: n }, () => (rand(6) === 0 ? null : `d${rand(3)}`));
  const i = Array.from({ length: n }, () => (rand(4) === 0 ? null : rand(3)));
  const t = MemoryTable.fromColumns([
    { name: 's', type: new Utf8(), values: s },
    { name: 'd', type: new Dictionary(new Utf8(), new Int32()), values: d },
    { name: 'i', type: new Int32(), values: i },
  ], { batchRows: 7 });
  assert.deepEqual(sorted(await rowsOf(t, 'select s, d, i, count(*) from t group by s, d, i')), countTuples(s.map((x, r) => [x, d[r], i[r]])));
  assert.deepEqual(sorted(await rowsOf(t, 'select d, s, count(*) from t group by d, s')), countTuples(d.map((x, r) => [x, s[r]])));
});

test('string keys that differ only around separators or control characters form separate groups', async () => {
  const pairs: [string | null, string | null][] = [
    ['a:1', 'b'], ['a', '1:b'], ['a:', '1b'], ['s1:a', ''], ['', 's1:a'], ['\u0001', 'x'], [null, 'x'],
    ['', null], [null, null], ['', ''], ['a|b', 'c'], ['a', 'b|c'], ['a', '1:b'], [null, null], ['é', 'x'], ['e\u0301', 'x'],
  ];
  for (const encoding of [new Utf8(), new Dictionary(new Utf8(), new Int32())]) {
    const t = MemoryTable.fromColumns([
      { name: 'a', type: encoding, values: pairs.map((p) => p[0]) },
      { name: 'b', type: new Utf8(), values: pairs.map((p) => p[1]) },
    ], { batchRows: 3 });
    assert.deepEqual(sorted(await rowsOf(t, 'select a, b, count(*) from t group by a, b')), countTuples(pairs));
  }
});

test('a GROUP BY over no rows yields no groups; a global aggregate still yields one row', async () => {
  const t = MemoryTable.fromColumns([
    { name: 'a', type: new Utf8(), values: [] },
    { name: 'b', type: new Int64(), values: [] },
    { name: 'x', type: new Float64(), values: [] },
  ]);
  assert.deepEqual(await rowsOf(t, 'select a, b, count(*), sum(x), approx_percentile_cont(x, 0.5) from t group by a, b'), []);
  assert.deepEqual(await rowsOf(t, 'select count(*), sum(b), sum(x), avg(x), min(x), approx_percentile_cont(x, 0.5) from t'), [['0', 'NULL', 'NULL', 'NULL', 'NULL', 'NULL']]);
});

test('more groups than rows in a batch: every group is formed once and all come out', async () => {
  const n = 20_000;
  const a = Array.from({ length: n }, (_, r) => `k${r % 2500}`);
  const b = Array.from({ length: n }, (_, r) => r % 3);
  const t = MemoryTable.fromColumns([
    { name: 'a', type: new Utf8(), values: a },
    { name: 'b', type: new Int32(), values: b },
  ], { batchRows: 1000 });
  const rows = await rowsOf(t, 'select a, b, count(*) from t group by a, b');
  assert.equal(rows.length, 2500 * 3);
  assert.deepEqual(sorted(rows), countTuples(a.map((x, r) => [x, b[r]])));
});

test('keys with more distinct values than a packed number of their codes could hold still group exactly', async () => {
  // 210,000 values per key: the product of the three key cardinalities exceeds 2^53
  const n = 210_000;
  const x: number[] = [];
  const y: number[] = [];
  const z: string[] = [];
  for (let r = 0; r < 2 * n; r++) {
    const k = r < n ? r : (r * 7919) % n; // each key value twice, the second time in another order
    x.push(k);
    y.push((k * 31) % n);
    z.push(`z${k}`);
  }
  const t = MemoryTable.fromColumns([
    { name: 'x', type: new Int32(), values: x },
    { name: 'y', type: new Int32(), values: y },
    { name: 'z', type: new Utf8(), values: z },
  ], { batchRows: 8192 });
  const rows = await rowsOf(t, 'select count(*), min(n), max(n) from (select x, y, z, count(*) as n from t group by x, y, z)');
  assert.deepEqual(rows, [[String(n), '2', '2']]);
});

test('one key read as dictionary codes in some rows and plain strings in others meets in one group', async () => {
  const values = ['api', 'db', null, 'api', 'web', 'db', 'api', null];
  const t = MemoryTable.fromColumns([
    { name: 'd', type: new Dictionary(new Utf8(), new Int32()), values },
    { name: 's', type: new Utf8(), values },
  ], { batchRows: 3 });
  const rows = await rowsOf(t, 'select k, count(*) from (select d as k from t union all select s as k from t) group by k');
  assert.deepEqual(sorted(rows), countTuples([...values, ...values].map((v) => [v])));
});

test('per-group count, sum, avg, min, max and percentile match values computed row by row', async () => {
  const n = 3000;
  const g = Array.from({ length: n }, () => `g${rand(40)}`);
  const x = Array.from({ length: n }, () => (rand(7) === 0 ? null : (rand(2000) - 1000) / 8));
  // integers beyond 2^53 whose sums a double would round
  const big = Array.from({ length: n }, () => (rand(9) === 0 ? null : (1n << 55n) + BigInt(rand(1000))));
  g.push('only-null');
  x.push(null);
  big.push(null);
  const t = MemoryTable.fromColumns([
    { name: 'g', type: new Utf8(), values: g },
    { name: 'x', type: new Float64(), values: x },
    { name: 'big', type: new Int64(), values: big },
  ], { batchRows: 256 });
  const rows = await rowsOf(t, 'select g, count(*), count(x), sum(big), avg(x), min(x), max(x), approx_percentile_cont(x, 0.9) from t group by g');
  const expected: string[] = [];
  for (const key of new Set(g)) {
    const rowsOfKey = g.flatMap((k, r) => (k === key ? [r] : []));
    const xs = rowsOfKey.map((r) => x[r]).filter((v): v is number => v !== null);
    const bigs = rowsOfKey.map((r) => big[r]).filter((v): v is bigint => v !== null);
    const num = (v: number | null) => (v === null ? 'NULL' : String(v));
    let p90: number | null = null;
    if (xs.length > 0) {
      const s = [...xs].sort((a, b) => a - b);
      const rank = 0.9 * (s.length - 1);
      const lo = Math.floor(rank);
      p90 = s[lo] + (s[Math.ceil(rank)] - s[lo]) * (rank - lo);
    }
    expected.push(JSON.stringify([
      key, String(rowsOfKey.length), String(xs.length), bigs.length ? String(bigs.reduce((a, b) => a + b, 0n)) : 'NULL',
      num(xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null), num(xs.length ? Math.min(...xs) : null), num(xs.length ? Math.max(...xs) : null), num(p90),
    ]));
  }
  assert.deepEqual(sorted(rows), expected.sort());
});

test('a per-group percentile orders NaN after every number, only in the groups that hold one', async () => {
  const t = MemoryTable.fromColumns([
    { name: 'g', type: new Utf8(), values: ['a', 'b', 'a', 'b', 'a', 'c'] },
    { name: 'x', type: new Float64(), values: [1, 5, NaN, 4, 3, null] },
  ], { batchRows: 4 });
  const rows = await rowsOf(t, 'select g, approx_percentile_cont(x, 0.5), approx_percentile_cont(x, 1) from t group by g');
  assert.deepEqual(sorted(rows), sorted([['a', '3', 'NaN'], ['b', '4.5', '5'], ['c', 'NULL', 'NULL']]));
});
