// Load generator of bench/ingest.ts, run as a worker thread so the clients never share an event loop
// with a server. Builds a pool of realistic OTLP log requests once, then on each `run` message POSTs
// them from `concurrency` keep-alive connections for `durationMs` and reports what was acknowledged.
//
// Every request is distinct (see payload-pool.ts): nothing dedups on the content-addressed block id.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { postProtobuf } from '../test/helpers/protobuf-post.js';
import { LogsPayloadPool } from './payload-pool.js';

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
const pool = new LogsPayloadPool(poolSize, recordsPerRequest, 16);

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
      const body = pool.next();
      try {
        const status = await postProtobuf(url, agent, body);
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
parentPort!.postMessage({ type: 'ready', payloadBytes: pool.payloads[0].length });
