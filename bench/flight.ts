// Flight SQL DoGet throughput against the gRPC ceiling. Loads ≥ 2M log rows in-process through the
// real ingest path (ingestOtlp into a SQLite catalog + fs blobs), serves them with the Flight SQL
// server, warms its shared segment cache with one DoGet, then a client in a child process drains
// DoGet of `SELECT * FROM log_entries` three times (MB/s of Arrow IPC bytes, median). In the same
// run a bare grpc-js server streams Buffers of the same total size and message size to the same kind
// of client process. Prints both rates and their ratio against the target.
// CONTRAIL_BENCH_SCALE (default 1) scales the 2M rows.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type * as grpc from '@grpc/grpc-js';
import { SqliteCatalog } from '../lake/sqlite-catalog.js';
import { FsBlobStore } from '../lake/fs-blob-store.js';
import { ingestOtlp, type IngestDeps } from '../ingest/service.js';
import { createAuthenticator } from '../auth/index.js';
import type { Identity } from '../auth/types.js';
import { startFlightSqlServer } from '../flightsql/server.js';
import { FlightSqlClient } from '../flightsql/client.js';
import { makeLogsRequest } from './otlp-payloads.js';
import { startBareServer } from './flight-bare.js';
import type { DrainRun } from './flight-client.js';

const SCALE = Number(process.env.CONTRAIL_BENCH_SCALE ?? '1');
const ROWS = Math.max(10_000, Math.round(2_000_000 * SCALE));
const PER_REQUEST = 5000;
const PROCESSES = 100;
const RUNS = 3;
const TARGET_RATIO = 0.7;
const SQL = 'SELECT * FROM log_entries';
// Large enough to hold every decoded segment, so measured DoGets never decode (cache is warm).
const SEGMENT_CACHE_BYTES = 8 * 1024 ** 3;
const ANONYMOUS: Identity = { name: 'bench', kind: 'anonymous', scope: '' };

const TS = import.meta.url.endsWith('.ts');
const CLIENT = fileURLToPath(new URL(`./flight-client.${TS ? 'ts' : 'js'}`, import.meta.url));

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mbps = (r: DrainRun): number => r.bytes / 1e6 / r.seconds;
const mib = (b: number): string => (b / 2 ** 20).toFixed(1);

async function load(deps: IngestDeps): Promise<void> {
  const t0 = performance.now();
  for (let i = 0, done = 0; done < ROWS; i++) {
    const n = Math.min(PER_REQUEST, ROWS - done);
    await ingestOtlp(deps, 'logs', 'proto', makeLogsRequest(n, { seed: i + 1, resourceIndex: i % PROCESSES }), ANONYMOUS);
    done += n;
  }
  console.log(`loaded ${ROWS.toLocaleString('en-US')} log rows in ${((performance.now() - t0) / 1000).toFixed(1)} s (generation + ingest)`);
}

/** Runs flight-client.ts/js in a child process (async: the servers live on this event loop). */
function runClient(args: string[]): Promise<DrainRun[]> {
  const argv = TS ? ['--import', 'tsx', CLIENT, ...args] : [CLIENT, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as DrainRun[]) : reject(new Error(`client exited ${code}`))));
  });
}

/** The warm-up DoGet, in-process: fills the segment cache and gives the stream's size. */
async function warmUp(address: string): Promise<DrainRun> {
  const client = new FlightSqlClient(address);
  const info = await client.getFlightInfo('CommandStatementQuery', { query: SQL });
  const t0 = performance.now();
  const call = client.raw.DoGet({ ticket: info.endpoint[0].ticket.ticket }, client.metadata()) as grpc.ClientReadableStream<{ data_header: Buffer; data_body: Buffer }>;
  let bytes = 0;
  let messages = 0;
  for await (const m of call) {
    bytes += m.data_header.length + m.data_body.length;
    messages++;
  }
  client.close();
  return { bytes, messages, seconds: (performance.now() - t0) / 1000 };
}

function report(label: string, runs: DrainRun[]): number {
  const rate = median(runs.map(mbps));
  console.log(`${label.padEnd(34)} ${rate.toFixed(1).padStart(8)} MB/s  (runs: ${runs.map((r) => mbps(r).toFixed(1)).join(', ')}; ${mib(runs[0].bytes)} MiB in ${runs[0].messages} messages)`);
  return rate;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'contrail-bench-flight-'));
  const catalog = SqliteCatalog.open(join(dir, 'catalog.db'));
  await catalog.migrate();
  const blobs = new FsBlobStore(join(dir, 'blobs'));
  const auth = await createAuthenticator({});
  try {
    await load({ catalog, blobs, auth });
    const flight = await startFlightSqlServer('127.0.0.1:0', { catalog, blobs, auth, serverVersion: 'bench', segmentCacheBytes: SEGMENT_CACHE_BYTES });
    const bare = await startBareServer();
    try {
      const warm = await warmUp(`127.0.0.1:${flight.port}`);
      console.log(`warm-up DoGet: ${mib(warm.bytes)} MiB in ${warm.messages} messages, ${warm.seconds.toFixed(1)} s (cold cache)`);
      const flightRuns = await runClient(['flight', `127.0.0.1:${flight.port}`, String(RUNS), SQL]);
      const messageBytes = Math.round(flightRuns[0].bytes / flightRuns[0].messages);
      const bareRuns = await runClient(['bare', `127.0.0.1:${bare.port}`, String(RUNS), String(messageBytes), String(flightRuns[0].bytes)]);
      console.log(`DoGet ${SQL}: ${ROWS.toLocaleString('en-US')} rows, median of ${RUNS}, client in a child process; both clients receive raw message bytes (identity deserializer)`);
      const f = report('Flight SQL DoGet (Arrow IPC bytes)', flightRuns);
      const b = report(`bare grpc-js stream (${mib(messageBytes)} MiB msgs)`, bareRuns);
      const ratio = f / b;
      console.log(`ratio ${(ratio * 100).toFixed(1)}% of bare gRPC (target ≥ ${TARGET_RATIO * 100}%): ${ratio >= TARGET_RATIO ? 'PASS' : 'BELOW TARGET'}`);
    } finally {
      await bare.close();
      await flight.close();
    }
  } finally {
    await catalog.close();
    await blobs.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
