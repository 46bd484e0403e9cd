// Streaming memory of `SELECT * FROM log_entries` over a large lake. Loads CONTRAIL_BENCH_ROWS
// (default 10M × CONTRAIL_BENCH_SCALE) OTLP log records through the real ingest path (ingestOtlp into
// a SQLite catalog + fs blobs; requests drawn from a LogsPayloadPool), then, each in a fresh process:
//   - baseline: the engine alone drains the query (no Flight, no gRPC), default segment cache;
//   - Flight SQL: a server process serves the lake, a grpc-js FlightSqlClient process drains
//     GetFlightInfo + DoGet and decodes every batch; the server's peak RSS is the figure. Run with the
//     server's default segment cache, then with the cache off (what streaming itself holds).
// Prints rows, elapsed, rows/s and peak RSS next to the target (< 1 GiB), and RSS sampled over each
// stream (flat = memory does not grow with rows).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteCatalog } from '../lake/sqlite-catalog.js';
import { FsBlobStore } from '../lake/fs-blob-store.js';
import { ingestOtlp } from '../ingest/service.js';
import { createAuthenticator } from '../auth/index.js';
import type { Identity } from '../auth/types.js';
import { decodeSegment } from '../decoders/index.js';
import { planQuery } from '../query/engine.js';
import { lakeTableSource } from '../query/views/lake-source.js';
import { DEFAULT_SEGMENT_CACHE_BYTES, SegmentCache } from '../query/segment-cache.js';
import { startFlightSqlServer } from '../flightsql/server.js';
import { FlightSqlClient } from '../flightsql/client.js';
import { LogsPayloadPool } from './payload-pool.js';

const PER_REQUEST = 5000;
const SCALE = Number(process.env.CONTRAIL_BENCH_SCALE ?? '1');
const ROWS = Number(process.env.CONTRAIL_BENCH_ROWS ?? Math.max(PER_REQUEST, Math.round(10_000_000 * SCALE)));
const PROCESSES = 100;
const SQL = 'SELECT * FROM log_entries';
const TARGET_BYTES = 2 ** 30;
const RSS_SAMPLE_MS = 250;
const ANONYMOUS: Identity = { name: 'bench', kind: 'anonymous', scope: '' };

interface Drain {
  rows: number;
  ms: number;
  /** user + system CPU of the process, ms */
  cpuMs: number;
}

interface Memory {
  maxRssBytes: number;
  cpuMs: number;
  /** [ms since start, rss bytes] */
  samples: [number, number][];
}

async function openLake(dir: string): Promise<{ catalog: SqliteCatalog; blobs: FsBlobStore; close(): Promise<void> }> {
  const catalog = SqliteCatalog.open(join(dir, 'catalog.db'));
  await catalog.migrate();
  const blobs = new FsBlobStore(join(dir, 'blobs'));
  return { catalog, blobs, close: async () => { await catalog.close(); await blobs.close(); } };
}

/** Peak RSS so far, and RSS every RSS_SAMPLE_MS from now on. */
function sampleRss(): () => Memory {
  const t0 = performance.now();
  const samples: [number, number][] = [];
  const timer = setInterval(() => samples.push([performance.now() - t0, process.memoryUsage.rss()]), RSS_SAMPLE_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    const cpu = process.cpuUsage();
    return { maxRssBytes: process.resourceUsage().maxRSS * 1024, cpuMs: (cpu.user + cpu.system) / 1000, samples };
  };
}

// ---- child processes ----

async function engineChild(dir: string): Promise<void> {
  const lake = await openLake(dir);
  const stop = sampleRss();
  const t0 = performance.now();
  const tables = lakeTableSource({ catalog: lake.catalog, blobs: lake.blobs, decode: decodeSegment, cache: new SegmentCache(DEFAULT_SEGMENT_CACHE_BYTES) });
  let rows = 0;
  for await (const b of (await planQuery(SQL, { tables })).execute()) rows += b.numRows;
  const ms = performance.now() - t0;
  const mem = stop();
  await lake.close();
  process.stdout.write(JSON.stringify({ rows, ms, ...mem }) + '\n');
}

/** Serves the lake; prints {port}, then {maxRssBytes, samples} once a line arrives on stdin. */
async function serverChild(dir: string, cacheBytes: number): Promise<void> {
  const lake = await openLake(dir);
  const server = await startFlightSqlServer('127.0.0.1:0', { catalog: lake.catalog, blobs: lake.blobs, auth: await createAuthenticator({}), serverVersion: 'bench', segmentCacheBytes: cacheBytes });
  const stop = sampleRss();
  process.stdout.write(JSON.stringify({ port: server.port }) + '\n');
  await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
  const mem = stop();
  await server.close();
  await lake.close();
  process.stdout.write(JSON.stringify(mem) + '\n');
  process.exit(0);
}

async function clientChild(address: string): Promise<void> {
  const client = new FlightSqlClient(address);
  const t0 = performance.now();
  const info = await client.getFlightInfo('CommandStatementQuery', { query: SQL });
  const reader = await client.doGetReader(info.endpoint[0].ticket.ticket);
  let rows = 0;
  for await (const b of reader) rows += b.numRows;
  const ms = performance.now() - t0;
  client.close();
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ rows, ms, cpuMs: (cpu.user + cpu.system) / 1000 }) + '\n');
}

// ---- parent ----

function child(args: string[]): { lines: AsyncIterator<string>; stdin: NodeJS.WritableStream; exited: Promise<number> } {
  const p = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: p.stdout! })[Symbol.asyncIterator]();
  return { lines, stdin: p.stdin!, exited: new Promise((resolve) => p.on('close', (code) => resolve(code ?? 1))) };
}

async function nextJson<T>(c: ReturnType<typeof child>, what: string): Promise<T> {
  const r = await c.lines.next();
  if (r.done) throw new Error(`${what} exited without a result (exit code ${await c.exited})`);
  return JSON.parse(r.value) as T;
}

async function load(dir: string): Promise<void> {
  const lake = await openLake(dir);
  const deps = { catalog: lake.catalog, blobs: lake.blobs, auth: await createAuthenticator({}) };
  const t0 = performance.now();
  const pool = new LogsPayloadPool(PROCESSES, PER_REQUEST, PROCESSES);
  let bytes = 0;
  for (let done = 0; done < ROWS; done += PER_REQUEST) {
    const body = pool.next();
    bytes += body.byteLength;
    await ingestOtlp(deps, 'logs', 'proto', body, ANONYMOUS);
  }
  await lake.close();
  const rows = Math.ceil(ROWS / PER_REQUEST) * PER_REQUEST;
  console.log(`loaded ${rows.toLocaleString('en-US')} log records (${(bytes / 2 ** 20).toFixed(0)} MiB of OTLP) in ${((performance.now() - t0) / 1000).toFixed(1)} s (pool of ${PROCESSES} requests)`);
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const line = (label: string, d: Drain, rss: number, whose: string) =>
  console.log(`${label.padEnd(38)} ${d.rows.toLocaleString('en-US').padStart(11)} ${`${(d.ms / 1000).toFixed(1)} s`.padStart(9)} ${Math.round(d.rows / (d.ms / 1000)).toLocaleString('en-US').padStart(10)} ${mib(rss).padStart(9)} ${whose.padEnd(7)} ${rss < TARGET_BYTES ? 'ok' : 'MISS'}`);

/** RSS at each quarter of the stream (the last sample at or before it). */
function quarters(m: Memory, ms: number): string {
  return [0.25, 0.5, 0.75, 1]
    .map((q) => {
      const s = m.samples.filter(([t]) => t <= ms * q).at(-1);
      return s ? mib(s[1]) : '—';
    })
    .join(', ');
}

async function main(): Promise<void> {
  // CONTRAIL_BENCH_LAKE=<dir>: load into that directory once and keep it (for iterating on the read path)
  const kept = process.env.CONTRAIL_BENCH_LAKE;
  const dir = kept ?? (await mkdtemp(join(tmpdir(), 'contrail-bench-select-star-')));
  try {
    if (kept && (await stat(join(kept, 'catalog.db')).catch(() => undefined))) console.log(`reusing the lake in ${kept}`);
    else {
      if (kept) await mkdir(kept, { recursive: true });
      await load(dir);
    }
    console.log(`\n${SQL}: fresh processes, segment cache ${mib(DEFAULT_SEGMENT_CACHE_BYTES)} (server default) unless noted; target peak RSS < 1 GiB`);
    console.log(`${''.padEnd(38)} ${'rows'.padStart(11)} ${'elapsed'.padStart(9)} ${'rows/s'.padStart(10)} ${'peak RSS'.padStart(9)} process target`);

    const engine = child(['--engine', dir]);
    const e = await nextJson<Drain & Memory>(engine, 'engine');
    await engine.exited;
    line('engine alone (baseline, no Flight)', e, e.maxRssBytes, 'engine');

    const flight = async (label: string, cacheBytes: number): Promise<{ f: Drain; mem: Memory; streamMs: number }> => {
      const server = child(['--serve', dir, String(cacheBytes)]);
      const { port } = await nextJson<{ port: number }>(server, 'server');
      const startedAt = performance.now();
      const client = child(['--client', `127.0.0.1:${port}`]);
      const f = await nextJson<Drain>(client, 'client');
      await client.exited;
      const streamMs = performance.now() - startedAt;
      server.stdin.write('done\n');
      const mem = await nextJson<Memory>(server, 'server');
      await server.exited;
      line(label, f, mem.maxRssBytes, 'server');
      return { f, mem, streamMs };
    };
    const cached = await flight('Flight SQL DoGet → grpc-js client', DEFAULT_SEGMENT_CACHE_BYTES);
    const uncached = await flight('  same, server segment cache off', 0);
    console.log(`\nRSS by share of elapsed time (25%, 50%, 75%, 100%):`);
    console.log(`  engine:                  ${quarters(e, e.ms)}`);
    console.log(`  server:                  ${quarters(cached.mem, cached.streamMs)}`);
    console.log(`  server, cache off:       ${quarters(uncached.mem, uncached.streamMs)}`);
    console.log(`Flight / engine: ${(cached.f.ms / e.ms).toFixed(2)}× elapsed, ${(cached.mem.maxRssBytes / e.maxRssBytes).toFixed(2)}× peak RSS`);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(`CPU: engine ${s(e.cpuMs)}; Flight server ${s(cached.mem.cpuMs)} + client ${s(cached.f.cpuMs)} (2 shared cores: elapsed ≥ the busier process)`);
  } finally {
    if (!kept) await rm(dir, { recursive: true, force: true });
  }
}

const [mode, arg] = process.argv.slice(2);
if (mode === '--engine') await engineChild(arg);
else if (mode === '--serve') await serverChild(arg, Number(process.argv[4]));
else if (mode === '--client') await clientChild(arg);
else await main();
