// Multi-key GROUP BY over string columns: 1/2/3 plain string keys and one dictionary key, over the same
// shuffled rows (no runs), next to DuckDB on the same rows in the same run. Medians of the rounds.
// Also count-only and exact-percentile aggregates over the dictionary key (the per-row accumulator cost).
// CONTRAIL_BENCH_ROWS (default 500000), CONTRAIL_BENCH_WARM_RUNS (default 9).
import { performance } from 'node:perf_hooks';
import { Dictionary, Float64, Int32, Utf8 } from 'apache-arrow';
import { DuckDBInstance } from '@duckdb/node-api';
import { MemoryTable } from '../query/memory-table.js';
import { tableSourceOf } from '../query/views/information-schema.js';
import { planQuery } from '../query/engine.js';

const ROWS = Math.max(1000, Number(process.env.CONTRAIL_BENCH_ROWS ?? '500000'));
const RUNS = Math.max(1, Number(process.env.CONTRAIL_BENCH_WARM_RUNS ?? '9'));

let seed = 42;
const rand = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
};
const hosts = Array.from({ length: 40 }, (_, i) => `host-${i}.example.internal`);
const services = Array.from({ length: 25 }, (_, i) => `service/${['api', 'db', 'worker', 'web', 'cron'][i % 5]}-${i}`);
const regions = Array.from({ length: 8 }, (_, i) => `region-${i}`);
const a: string[] = [];
const b: string[] = [];
const c: string[] = [];
const v: number[] = [];
for (let i = 0; i < ROWS; i++) {
  a.push(hosts[rand(hosts.length)]);
  b.push(services[rand(services.length)]);
  c.push(regions[rand(regions.length)]);
  v.push(rand(10_000) / 10);
}
const table = MemoryTable.fromColumns([
  { name: 'a', type: new Utf8(), values: a },
  { name: 'b', type: new Utf8(), values: b },
  { name: 'c', type: new Utf8(), values: c },
  { name: 'ad', type: new Dictionary(new Utf8(), new Int32()), values: a },
  { name: 'v', type: new Float64(), values: v },
], { batchRows: 8192 });
const ctx = { tables: tableSourceOf({ t: table }) };

const QUERIES: [string, string][] = [
  ['1 dictionary key', 'select ad, count(*), sum(v) from t group by ad'],
  ['dict key, count', 'select ad, count(*) as n from t group by ad order by n desc, ad'],
  ['dict key, p99', 'select ad, max(v), quantile_cont(v, 0.99) from t group by ad'],
  ['dict key, avg/min', 'select ad, avg(v), min(v), count(v) from t group by ad'],
  ['1 string key', 'select a, count(*), sum(v) from t group by a'],
  ['2 string keys', 'select a, b, count(*), sum(v) from t group by a, b'],
  ['3 string keys', 'select a, b, c, count(*), sum(v) from t group by a, b, c'],
];

async function engine(sql: string): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  const q = await planQuery(sql, ctx);
  let rows = 0;
  for await (const batch of q.execute()) rows += batch.numRows;
  return { ms: performance.now() - t0, rows };
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];

const duck = await (await DuckDBInstance.create(':memory:')).connect();
await duck.run('create table t (a VARCHAR, b VARCHAR, c VARCHAR, ad VARCHAR, v DOUBLE)');
const app = await duck.createAppender('t');
for (let i = 0; i < ROWS; i++) {
  app.appendVarchar(a[i]);
  app.appendVarchar(b[i]);
  app.appendVarchar(c[i]);
  app.appendVarchar(a[i]);
  app.appendDouble(v[i]);
  app.endRow();
}
app.closeSync();

console.log(`multi-key GROUP BY, ${ROWS} shuffled rows, median of ${RUNS} warm rounds`);
console.log(`${'query'.padEnd(18)} ${'groups'.padEnd(7)} ${'engine'.padEnd(9)} ${'µs/row'.padEnd(7)} ${'DuckDB'.padEnd(9)} ratio   vs 1 dict key`);
let dictMs = 0;
for (const [name, sql] of QUERIES) {
  await engine(sql);
  const ours: number[] = [];
  const theirs: number[] = [];
  let groups = 0;
  for (let r = 0; r < RUNS; r++) {
    const e = await engine(sql);
    ours.push(e.ms);
    groups = e.rows;
    const t0 = performance.now();
    await duck.runAndReadAll(sql);
    theirs.push(performance.now() - t0);
  }
  const m = median(ours);
  const d = median(theirs);
  if (dictMs === 0) dictMs = m;
  console.log(`${name.padEnd(18)} ${String(groups).padEnd(7)} ${`${m.toFixed(1)} ms`.padEnd(9)} ${((m * 1000) / ROWS).toFixed(3).padEnd(7)} ${`${d.toFixed(1)} ms`.padEnd(9)} ${`${(m / d).toFixed(1)}×`.padEnd(7)} ${(m / dictMs).toFixed(1)}×`);
}
duck.closeSync();
