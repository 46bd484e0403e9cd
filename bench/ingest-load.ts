// Load generator of bench/ingest.ts, run as a worker thread so the clients never share an event loop
// with a server. Builds a pool of realistic OTLP log requests once, then on each `run` message POSTs
// them from `concurrency` keep-alive connections for `durationMs` and reports what was acknowledged.
//
// Every request is distinct (nothing dedups on the content-addressed block id): a pool payload plus
// a trailing unknown top-level protobuf field (number 1000, 8 bytes) carrying a unique counter.
// OTLP receivers must skip unknown fields, so the request stays a valid ExportLogsServiceRequest.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { makeLogsRequest } from './otlp-payloads.js';

export interface LoadWorkerData {
  poolSize: number;
  recordsPerRequest: number;
}

export interface RunRequest {
  type: 'run';
  url: string;
  durationMs: number;
  concurrency: number;
}

export interface RunResult {
  type: 'result';
  acknowledged: number;
  failed: number;
  statuses: Record<string, number>;
  elapsedMs: number;
  bytesSent: number;
}

const { poolSize, recordsPerRequest } = workerData as LoadWorkerData;
const pool = Array.from({ length: poolSize }, (_, i) =>
  Buffer.from(makeLogsRequest(recordsPerRequest, { seed: i + 1, resourceIndex: i % 16 })),
);
const nonce = randomBytes(4);
let counter = 0;

/** Field 1000, wire type 2 → tag varint 0xC2 0x3E; length 12: 4-byte run nonce + 8-byte counter. */
function nextRequestBody(): Buffer {
  const base = pool[counter % pool.length];
  const suffix = Buffer.alloc(2 + 1 + 12);
  suffix[0] = 0xc2;
  suffix[1] = 0x3e;
  suffix[2] = 12;
  nonce.copy(suffix, 3);
  suffix.writeBigUInt64BE(BigInt(counter++), 7);
  return Buffer.concat([base, suffix]);
}

function post(url: URL, agent: http.Agent, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(r: RunRequest): Promise<RunResult> {
  const url = new URL(r.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: r.concurrency });
  const statuses: Record<string, number> = {};
  let acknowledged = 0;
  let failed = 0;
  let bytesSent = 0;
  const start = performance.now();
  const deadline = start + r.durationMs;
  const client = async () => {
    while (performance.now() < deadline) {
      const body = nextRequestBody();
      try {
        const status = await post(url, agent, body);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 200) {
          acknowledged++;
          bytesSent += body.length;
        } else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: r.concurrency }, client));
  const elapsedMs = performance.now() - start;
  agent.destroy();
  return { type: 'result', acknowledged, failed, statuses, elapsedMs, bytesSent };
}

parentPort!.on('message', (msg: RunRequest) => {
  void run(msg).then((result) => parentPort!.postMessage(result));
});
parentPort!.postMessage({ type: 'ready', payloadBytes: pool[0].length });
