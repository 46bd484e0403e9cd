// A Flight SQL server over a temp SQLite catalog + fs blob store, holding logs ingested through the
// real OTLP/HTTP path (buildIngestApp), and a grpc-js client bound to it.
import type { Authenticator } from '../../auth/types.js';
import { buildIngestApp } from '../../ingest/http.js';
import { startFlightSqlServer, type FlightSqlDeps, type FlightSqlServer } from '../../flightsql/server.js';
import { FlightSqlClient } from '../../flightsql/client.js';
import { encodeLogsRequest } from '../helpers/otlp-proto.js';
import { anonymousAuth, tempBackends, type Backends } from '../ingest/harness.js';

export const T0_MS = Date.UTC(2024, 0, 1);
const NS_PER_MS = 1_000_000n;

/** `n` log records one second apart from 2024-01-01T00:00:00Z, service `svc-<tag>`. */
export function logsBody(n: number, tag = 'a', startMs = T0_MS): Uint8Array {
  return encodeLogsRequest({
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${tag}` } }] },
      scopeLogs: [{
        scope: { name: 'test' },
        logRecords: Array.from({ length: n }, (_, i) => ({
          timeUnixNano: String(BigInt(startMs + i * 1000) * NS_PER_MS),
          severityNumber: i % 2 === 0 ? 9 : 17,
          severityText: i % 2 === 0 ? 'INFO' : 'ERROR',
          body: { stringValue: `message ${tag}-${i}` },
        })),
      }],
    }],
  });
}

export interface FlightFixture {
  backends: Backends;
  server: FlightSqlServer;
  address: string;
  client(headers?: Record<string, string>): FlightSqlClient;
  close(): Promise<void>;
}

/** Ingests `bodies` (OTLP logs protobuf) through the ingest app, then serves Flight SQL on loopback. */
export async function startFixture(opts: { auth?: Authenticator; bodies?: Uint8Array[]; deps?: Partial<FlightSqlDeps> } = {}): Promise<FlightFixture> {
  const backends = await tempBackends();
  const ingestAuth = await anonymousAuth();
  const app = await buildIngestApp({ catalog: backends.catalog, blobs: backends.blobs, auth: ingestAuth });
  for (const body of opts.bodies ?? [logsBody(10)]) {
    const res = await app.inject({ method: 'POST', url: '/v1/logs', headers: { 'content-type': 'application/x-protobuf' }, payload: Buffer.from(body) });
    if (res.statusCode !== 200) throw new Error(`ingest failed: ${res.statusCode} ${res.body}`);
  }
  await app.close();
  const server = await startFlightSqlServer('127.0.0.1:0', {
    catalog: backends.catalog, blobs: backends.blobs, auth: opts.auth ?? ingestAuth, serverVersion: '0.1.0-test', ...opts.deps,
  });
  const address = `127.0.0.1:${server.port}`;
  const clients: FlightSqlClient[] = [];
  return {
    backends,
    server,
    address,
    client(headers = {}) {
      const c = new FlightSqlClient(address, { headers });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await server.close();
      await backends.close();
    },
  };
}
