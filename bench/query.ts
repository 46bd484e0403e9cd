// Dashboard queries over a lake loaded through the real ingest path (ingestOtlp into a SQLite
// catalog + fs blobs): each query cold (empty segment cache) and warm (median of the rounds), against DuckDB
// running the equivalent SQL over the same rows (loaded from the engine's decoded batches), plus a
// streaming SELECT * of every log row in a child process for its peak RSS.
// CONTRAIL_BENCH_SCALE (default 1) scales 1M logs / 1M measures / 200k spans over 100 processes;
// CONTRAIL_BENCH_WARM_RUNS (default 9) sets the warm rounds whose medians are compared (the target);
// best/best compares the fastest rounds, a steadier figure on a shared machine.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { RecordBatch, Vector } from 'apache-arrow';
import { SqliteCatalog } from '../lake/sqlite-catalog.js';
import { FsBlobStore } from '../lake/fs-blob-store.js';
import { ingestOtlp, type IngestDeps } from '../ingest/service.js';
import { createAuthenticator } from '../auth/index.js';
import type { Identity } from '../auth/types.js';
import { decodeSegment } from '../decoders/index.js';
import { planQuery } from '../query/engine.js';
import { lakeTableSource } from '../query/views/lake-source.js';
import type { LakeAccess } from '../query/views/segment-view.js';
import { SegmentCache } from '../query/segment-cache.js';
import { makeLogsRequest } from './otlp-payloads.js';
import { makeMetricsRequest, makeTracesRequest } from './query-payloads.js';

const SCALE = Number(process.env.CONTRAIL_BENCH_SCALE ?? '1');
const LOGS = Math.max(1000, Math.round(1_000_000 * SCALE));
const MEASURES = Math.max(1000, Math.round(1_000_000 * SCALE));
const SPANS = Math.max(1000, Math.round(200_000 * SCALE));
const PROCESSES = 100;
const PER_REQUEST = 5000;
const WARM_RUNS = Math.max(1, Number(process.env.CONTRAIL_BENCH_WARM_RUNS ?? '9'));
const ANONYMOUS: Identity = { name: 'bench', kind: 'anonymous', scope: '' };

interface BenchQuery {
  name: string;
  sql: string;
  duckdb: string;
  rowsScanned: number;
}

const QUERIES: BenchQuery[] = [
  {
    name: 'log tail (filters, LIMIT 100)',
    sql: "select time, exe, level, msg from log_entries where level <= 3 and exe = 'shop/checkout-7' order by time desc limit 100",
    duckdb: "select time, exe, level, msg from logs where level <= 3 and exe = 'shop/checkout-7' order by time desc limit 100",
    rowsScanned: LOGS,
  },
  {
    name: 'errors per minute (date_bin)',
    sql: "select date_bin(interval '1 minute', time) as minute, count(*) from log_entries where level <= 2 group by minute order by minute",
    duckdb: "select time_bucket(interval '1 minute', time) as minute, count(*) from logs where level <= 2 group by minute order by minute",
    rowsScanned: LOGS,
  },
  {
    name: 'log rows per process',
    sql: 'select exe, count(*) as n from log_entries group by exe order by n desc, exe',
    duckdb: 'select exe, count(*) as n from logs group by exe order by n desc, exe',
    rowsScanned: LOGS,
  },
  {
    name: 'cpu.usage avg/max per minute',
    sql: "select date_bin(interval '1 minute', time) as minute, avg(value), max(value) from measures where name = 'cpu.usage' group by minute order by minute",
    duckdb: "select time_bucket(interval '1 minute', time) as minute, avg(value), max(value) from measures where name = 'cpu.usage' group by minute order by minute",
    rowsScanned: MEASURES,
  },
  {
    name: 'slowest span names (max, p99)',
    sql: 'select name, max(duration) as d, approx_percentile_cont(duration, 0.99) as p99 from otel_spans group by name order by d desc limit 10',
    duckdb: 'select name, max(duration) as d, quantile_cont(duration, 0.99) as p99 from spans group by name order by d desc limit 10',
    rowsScanned: SPANS,
  },
  {
    name: 'measures ⋈ processes (avg per exe)',
    sql: "select p.exe, avg(m.value) as v from measures m join processes p on m.process_id = p.process_id where m.name = 'cpu.usage' group by p.exe order by v desc, p.exe limit 10",
    duckdb: "select p.exe, avg(m.value) as v from measures m join processes p on m.process_id = p.process_id where m.name = 'cpu.usage' group by p.exe order by v desc, p.exe limit 10",
    rowsScanned: MEASURES,
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function openLake(dir: string, cache?: SegmentCache): Promise<LakeAccess & { close(): Promise<void> }> {
  const catalog = SqliteCatalog.open(join(dir, 'catalog.db'));
  await catalog.migrate();
  const blobs = new FsBlobStore(join(dir, 'blobs'));
  return { catalog, blobs, decode: decodeSegment, cache, close: async () => { await catalog.close(); await blobs.close(); } };
}

async function load(deps: IngestDeps): Promise<void> {
  const signals: Array<[string, number, (n: number, o: { seed: number; resourceIndex: number }) => Uint8Array, 'logs' | 'metrics' | 'traces']> = [
    ['log records', LOGS, makeLogsRequest, 'logs'],
    ['measures', MEASURES, makeMetricsRequest, 'metrics'],
    ['spans', SPANS, makeTracesRequest, 'traces'],
  ];
  for (const [label, total, make, signal] of signals) {
    const t0 = performance.now();
    let bytes = 0;
    for (let k = 0, left = total; left > 0; k++) {
      const n = Math.min(PER_REQUEST, left);
      left -= n;
      const body = make(n, { seed: k + 1, resourceIndex: k % PROCESSES });
      bytes += body.byteLength;
      await ingestOtlp(deps, signal, 'proto', body, ANONYMOUS);
    }
    const s = (performance.now() - t0) / 1000;
    console.log(`loaded ${total.toLocaleString('en-US')} ${label} (${(bytes / 2 ** 20).toFixed(1)} MiB) in ${s.toFixed(1)} s (generation + ingest)`);
  }
}

async function runEngine(lake: LakeAccess, sql: string): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  const q = await planQuery(sql, { tables: lakeTableSource(lake, { onWarning: (m) => console.warn(m) }) });
  let rows = 0;
  for await (const b of q.execute()) rows += b.numRows;
  return { ms: performance.now() - t0, rows };
}

async function runDuck(con: DuckDBConnection, sql: string): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  const reader = await con.runAndReadAll(sql);
  return { ms: performance.now() - t0, rows: reader.currentRowCount };
}

// ---- DuckDB baseline: the same rows, taken from the engine's decoded batches ----

const micros = (v: unknown): bigint => (typeof v === 'bigint' ? v / 1000n : BigInt(Math.round(Number(v) * 1000)));

async function copyToDuck(lake: LakeAccess, con: DuckDBConnection, table: string, sql: string, columns: Array<[string, string]>): Promise<number> {
  await con.run(`create table ${table}_raw (${columns.map(([n, t]) => `${n} ${t === 'TIMESTAMP' ? 'BIGINT' : t}`).join(', ')})`);
  const appender = await con.createAppender(`${table}_raw`);
  const q = await planQuery(sql, { tables: lakeTableSource(lake) });
  let rows = 0;
  for await (const b of q.execute()) {
    const cols = columns.map(([n]) => (b as RecordBatch).getChild(n) as Vector);
    for (let i = 0; i < b.numRows; i++) {
      columns.forEach(([, type], j) => {
        const v = cols[j].get(i);
        if (type === 'TIMESTAMP') appender.appendBigInt(micros(v));
        else if (type === 'VARCHAR') appender.appendVarchar(String(v));
        else if (type === 'INTEGER') appender.appendInteger(Number(v));
        else if (type === 'BIGINT') appender.appendBigInt(BigInt(v as bigint));
        else appender.appendDouble(Number(v));
      });
      appender.endRow();
    }
    rows += b.numRows;
  }
  appender.closeSync();
  const select = columns.map(([n, t]) => (t === 'TIMESTAMP' ? `make_timestamp(${n}) as ${n}` : n)).join(', ');
  await con.run(`create table ${table} as select ${select} from ${table}_raw; drop table ${table}_raw`);
  return rows;
}

// ---- SELECT * in a fresh process, for its peak RSS ----

async function selectStarChild(dir: string): Promise<void> {
  const lake = await openLake(dir);
  const r = await runEngine(lake, 'select * from log_entries');
  await lake.close();
  process.stdout.write(JSON.stringify({ ...r, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
}

function selectStar(dir: string): { ms: number; rows: number; maxRssBytes: number } {
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1], '--select-star', dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`SELECT * child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!);
}

// ---- main ----

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const pad = (s: string, n: number) => s.padEnd(n);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'contrail-bench-query-'));
  try {
    console.log(`query benchmark, scale ${SCALE}: ${LOGS} logs, ${MEASURES} measures, ${SPANS} spans over ${PROCESSES} processes`);
    const cache = new SegmentCache();
    const lake = await openLake(dir, cache);
    await load({ catalog: lake.catalog, blobs: lake.blobs, auth: await createAuthenticator({}) });

    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const plain: LakeAccess = { ...lake, cache: undefined };
    const t0 = performance.now();
    await copyToDuck(plain, duck, 'logs', 'select time, process_id, exe, level, msg from log_entries',
      [['time', 'TIMESTAMP'], ['process_id', 'VARCHAR'], ['exe', 'VARCHAR'], ['level', 'INTEGER'], ['msg', 'VARCHAR']]);
    await copyToDuck(plain, duck, 'measures', 'select time, process_id, exe, name, value from measures',
      [['time', 'TIMESTAMP'], ['process_id', 'VARCHAR'], ['exe', 'VARCHAR'], ['name', 'VARCHAR'], ['value', 'DOUBLE']]);
    await copyToDuck(plain, duck, 'spans', 'select start_time, process_id, exe, name, duration from otel_spans',
      [['start_time', 'TIMESTAMP'], ['process_id', 'VARCHAR'], ['exe', 'VARCHAR'], ['name', 'VARCHAR'], ['duration', 'BIGINT']]);
    await copyToDuck(plain, duck, 'processes', 'select process_id, exe from processes', [['process_id', 'VARCHAR'], ['exe', 'VARCHAR']]);
    console.log(`DuckDB baseline loaded from the engine's batches in ${fmt(performance.now() - t0)}\n`);

    const header = `${pad('query', 38)} ${pad('rows', 6)} ${pad('cold', 9)} ${pad('warm', 9)} ${pad('DuckDB', 9)} ${pad('warm/DuckDB', 12)} ${pad('best/best', 10)} targets`;
    console.log(header);
    console.log('-'.repeat(header.length + 30));
    for (const q of QUERIES) {
      let cold: { ms: number; rows: number };
      try {
        cache.clear();
        cold = await runEngine(lake, q.sql);
      } catch (e) {
        console.log(`${pad(q.name, 38)} skipped: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      await runDuck(duck, q.duckdb);
      // rounds alternate the engine and DuckDB, so load from other processes weighs on both alike
      const warm: number[] = [];
      const duckTimes: number[] = [];
      let duckRows = 0;
      for (let i = 0; i < WARM_RUNS; i++) {
        warm.push((await runEngine(lake, q.sql)).ms);
        const r = await runDuck(duck, q.duckdb);
        duckTimes.push(r.ms);
        duckRows = r.rows;
      }
      const w = median(warm);
      const d = median(duckTimes);
      // the fastest rounds: what each side does when the machine left it alone
      const best = Math.min(...warm) / Math.min(...duckTimes);
      const coldTarget = (cold.ms * 1_000_000) / q.rowsScanned <= 1000 ? 'ok' : 'MISS';
      const warmTarget = w <= 2 * d ? 'ok' : 'MISS';
      const rowsNote = cold.rows === duckRows ? String(cold.rows) : `${cold.rows}≠${duckRows}`;
      console.log(
        `${pad(q.name, 38)} ${pad(rowsNote, 6)} ${pad(fmt(cold.ms), 9)} ${pad(fmt(w), 9)} ${pad(fmt(d), 9)} ${pad(`${(w / d).toFixed(1)}×`, 12)} ${pad(`${best.toFixed(1)}×`, 10)} ` +
          `warm ≤ 2× DuckDB: ${warmTarget}; cold ≤ 1 s per 1M rows: ${coldTarget}`,
      );
    }
    const stats = cache.stats();
    console.log(`\nsegment cache after the warm runs: ${stats.entries} entries, ${(stats.bytes / 2 ** 20).toFixed(1)} MiB (bound ${(cache.maxBytes / 2 ** 20).toFixed(0)} MiB), ${stats.evictions} evictions`);
    duck.closeSync();
    await lake.close();

    const star = selectStar(dir);
    const gib = star.maxRssBytes / 2 ** 30;
    console.log(`SELECT * FROM log_entries (fresh process, no cache): ${star.rows} rows in ${fmt(star.ms)}, peak RSS ${(star.maxRssBytes / 2 ** 20).toFixed(0)} MiB — target < 1 GiB: ${gib < 1 ? 'ok' : 'MISS'}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--select-star') await selectStarChild(process.argv[3]);
else await main();
