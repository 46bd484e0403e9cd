// Ingest throughput: OTLP/HTTP protobuf log requests (1,000 realistic records each, all distinct)
// from concurrent keep-alive clients over loopback, against
//   - `contrail serve` on its embedded defaults (SQLite catalog + fs blobs in a temp dir), and
//   - a bare fastify server that only reads and discards the body (the HTTP ceiling),
// both measured in this run, rounds interleaved; plus the in-process index scanner's records/s.
// Each server runs in its own child process, the clients in a worker thread.
//
// Usage: npm run bench:ingest   (or: node --import tsx bench/ingest.ts)
// Env: BENCH_ROUNDS (3), BENCH_SECONDS (4), BENCH_CONCURRENCY (8).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { makeLogsRequest } from './otlp-payloads.js';
import { indexOtlp } from '../decoders/otlp/index.js';
import { openCatalog } from '../lake/open.js';
import type { LoadWorkerData, RunRequest, RunResult } from './ingest-load.js';

const RECORDS_PER_REQUEST = 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_MS = Number(process.env.BENCH_SECONDS ?? 4) * 1000;
const WARMUP_MS = 1500;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const POOL_SIZE = 48;
const TARGET_RATIO = 0.6;
const TARGET_SCANNER = 3_000_000;

const TS = import.meta.url.endsWith('.ts');
const HERE = fileURLToPath(new URL('.', import.meta.url));
const nodeArgs = (rel: string): string[] => {
  const file = join(HERE, '..', `${rel}${TS ? '.ts' : '.js'}`);
  return TS ? ['--import', 'tsx', file] : [file];
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Child {
  proc: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Spawns a server and resolves its base URL from the first `listening on http://…` line. */
function startChild(args: string[], pattern: RegExp): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = pattern.exec(out);
      if (m) {
        proc.stdout!.removeAllListeners('data');
        proc.stdout!.resume();
        resolve({
          proc,
          url: m[1],
          stop: () =>
            new Promise<void>((done) => {
              if (proc.exitCode !== null) return done();
              proc.once('exit', () => done());
              proc.kill('SIGTERM');
              setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
            }),
        });
      }
    });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}\n${out}\n${err}`)));
  });
}

function startLoadWorker(): Promise<{ worker: Worker; payloadBytes: number; run(r: Omit<RunRequest, 'type'>): Promise<RunResult> }> {
  const file = join(HERE, TS ? 'ingest-load.ts' : 'ingest-load.js');
  const data: LoadWorkerData = { poolSize: POOL_SIZE, recordsPerRequest: RECORDS_PER_REQUEST };
  // Under tsx (development) the worker registers tsx itself: Node 20 workers ignore `--import`.
  const worker = TS
    ? new Worker(
        `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(file).href)}); })`,
        { eval: true, workerData: data },
      )
    : new Worker(file, { workerData: data });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { type: string; payloadBytes: number }) => {
      resolve({
        worker,
        payloadBytes: m.payloadBytes,
        run: (r) =>
          new Promise<RunResult>((done) => {
            worker.once('message', (res: RunResult) => done(res));
            worker.postMessage({ type: 'run', ...r } satisfies RunRequest);
          }),
      });
    });
  });
}

function scannerRate(): number {
  const payloads = Array.from({ length: 20 }, (_, i) => makeLogsRequest(RECORDS_PER_REQUEST, { seed: 10_000 + i, resourceIndex: i }));
  for (const p of payloads) indexOtlp('logs', 'proto', p);
  const rates: number[] = [];
  for (let rep = 0; rep < 9; rep++) {
    const t0 = process.hrtime.bigint();
    for (const p of payloads) indexOtlp('logs', 'proto', p);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push((payloads.length * RECORDS_PER_REQUEST) / secs);
  }
  return median(rates);
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'contrail-bench-'));
  const children: Child[] = [];
  let load: Awaited<ReturnType<typeof startLoadWorker>> | undefined;
  try {
    process.stdout.write(`building ${POOL_SIZE} distinct request payloads and starting servers…\n`);
    load = await startLoadWorker();
    const payloadBytes = load.payloadBytes;
    const bare = await startChild(nodeArgs('bench/bare-server'), /listening on (http:\/\/\S+)/);
    children.push(bare);
    const contrail = await startChild(
      [...nodeArgs('cli/main'), 'serve', '--data-dir', dataDir, '--http-addr', '127.0.0.1:0', '--otlp-grpc-addr', '127.0.0.1:0', '--log-level', 'silent'],
      /OTLP\/HTTP \+ native ingest listening on (http:\/\/\S+)/,
    );
    children.push(contrail);
    const targets = [
      { name: 'bare fastify (HTTP ceiling)', url: `${bare.url}/v1/logs`, rates: [] as number[], acked: 0, failed: 0 },
      { name: 'contrail serve (SQLite + fs)', url: `${contrail.url}/v1/logs`, rates: [] as number[], acked: 0, failed: 0 },
    ];

    for (const t of targets) {
      const warm = await load.run({ url: t.url, durationMs: WARMUP_MS, concurrency: CONCURRENCY });
      if (t === targets[1]) t.acked += warm.acknowledged;
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const t of round % 2 ? targets : [...targets].reverse()) {
        const r = await load.run({ url: t.url, durationMs: ROUND_MS, concurrency: CONCURRENCY });
        const rate = (r.acknowledged * RECORDS_PER_REQUEST) / (r.elapsedMs / 1000);
        t.rates.push(rate);
        t.failed += r.failed;
        if (t === targets[1]) t.acked += r.acknowledged;
        const bad = r.failed > 0 ? `  non-200: ${JSON.stringify(r.statuses)}` : '';
        process.stdout.write(`  round ${round}  ${t.name.padEnd(30)} ${fmt(rate).padStart(12)} records/s${bad}\n`);
      }
    }
    await load.worker.terminate();
    load = undefined;
    await contrail.stop();
    await bare.stop();

    // Every acknowledged Contrail request is one stored block (no dedup, nothing lost).
    const catalog = await openCatalog(undefined, { dataDir });
    const stored = (await catalog.listBlocks()).length;
    await catalog.close();

    const scanner = scannerRate();
    const [ceiling, ingest] = targets.map((t) => median(t.rates));
    const ratio = ingest / ceiling;
    const line = (a: string, b: string, c: string) => `${a.padEnd(34)}${b.padStart(16)}   ${c}`;
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    process.stdout.write(
      [
        `OTLP/HTTP protobuf logs, ${RECORDS_PER_REQUEST} records/request, ${CONCURRENCY} keep-alive connections, ` +
          `${ROUNDS} rounds × ${ROUND_MS / 1000} s (median), node ${process.version}, ${cpus().length} CPUs`,
        line('', 'records/s', 'target'),
        line(targets[0].name, fmt(ceiling), ''),
        line(targets[1].name, fmt(ingest), ''),
        line('ingest / ceiling', `${(ratio * 100).toFixed(1)} %`, `≥ ${TARGET_RATIO * 100} %  ${verdict(ratio >= TARGET_RATIO)}`),
        line('index scanner (in-process)', fmt(scanner), `≥ ${fmt(TARGET_SCANNER)}  ${verdict(scanner >= TARGET_SCANNER)}`),
        '',
        `payload ${fmt(payloadBytes)} bytes/request; contrail: ${fmt(targets[1].acked)} requests acknowledged (warm-up included), ${fmt(stored)} blocks stored, ` +
          `${targets[1].failed} non-200 / failed`,
        '',
      ].join('\n'),
    );
  } finally {
    if (load) await load.worker.terminate();
    for (const c of children) await c.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
