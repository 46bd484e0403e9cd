// A Flight SQL server over temp backends holding logs, metrics and spans ingested through the real
// OTLP/HTTP path: the data the examples (Grafana dashboard, Node client) query.
import { buildIngestApp } from '../../ingest/http.js';
import { startFlightSqlServer, type FlightSqlServer } from '../../flightsql/server.js';
import { FlightSqlClient } from '../../flightsql/client.js';
import { encodeMetricsRequest, encodeTracesRequest } from '../helpers/otlp-proto.js';
import { anonymousAuth, tempBackends, type Backends } from '../ingest/harness.js';
import { logsBody } from '../flightsql/fixture.js';

const NS_PER_MS = 1_000_000n;
const ns = (ms: number) => String(BigInt(ms) * NS_PER_MS);
const resource = (name: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: name } }, { key: 'host.name', value: { stringValue: 'web-1' } }] });

/** A gauge `cpu.usage` and a sum `http.requests`, `n` points one second apart from `startMs`. */
export function metricsBody(n: number, startMs: number): Uint8Array {
  const points = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => ({ timeUnixNano: ns(startMs + i * 1000), asDouble: f(i) }));
  return encodeMetricsRequest({
    resourceMetrics: [{
      resource: resource('checkout'),
      scopeMetrics: [{
        scope: { name: 'example' },
        metrics: [
          { name: 'cpu.usage', unit: '1', gauge: { dataPoints: points((i) => (i % 10) / 10) } },
          { name: 'http.requests', unit: '{request}', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: points((i) => i) } },
        ],
      }],
    }],
  });
}

/** `n` spans of three names, span i lasting (i + 1) ms, one second apart from `startMs`. */
export function tracesBody(n: number, startMs: number): Uint8Array {
  const names = ['GET /orders', 'SELECT orders', 'render'];
  return encodeTracesRequest({
    resourceSpans: [{
      resource: resource('checkout'),
      scopeSpans: [{
        scope: { name: 'example' },
        spans: Array.from({ length: n }, (_, i) => ({
          traceId: Buffer.from(`${String(i).padStart(2, '0')}`.repeat(8)).subarray(0, 16),
          spanId: Buffer.from(`s${String(i).padStart(7, '0')}`).subarray(0, 8),
          name: names[i % names.length],
          kind: 2,
          startTimeUnixNano: ns(startMs + i * 1000),
          endTimeUnixNano: ns(startMs + i * 1000 + i + 1),
          status: { code: i % 7 === 0 ? 2 : 1 },
        })),
      }],
    }],
  });
}

export interface ExampleFixture {
  address: string;
  port: number;
  server: FlightSqlServer;
  backends: Backends;
  client(headers?: Record<string, string>): FlightSqlClient;
  close(): Promise<void>;
}

/** Ingests `n` logs (alternating INFO / ERROR), metrics and spans from `startMs`, then serves Flight SQL. */
export async function startExampleFixture(startMs: number, n = 60): Promise<ExampleFixture> {
  const backends = await tempBackends();
  const auth = await anonymousAuth();
  const app = await buildIngestApp({ catalog: backends.catalog, blobs: backends.blobs, auth });
  const bodies: [string, Uint8Array][] = [
    ['/v1/logs', logsBody(n, 'ex', startMs)],
    ['/v1/metrics', metricsBody(n, startMs)],
    ['/v1/traces', tracesBody(n, startMs)],
  ];
  for (const [url, body] of bodies) {
    const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-protobuf' }, payload: Buffer.from(body) });
    if (res.statusCode !== 200) throw new Error(`ingest ${url} failed: ${res.statusCode} ${res.body}`);
  }
  await app.close();
  const server = await startFlightSqlServer('127.0.0.1:0', { catalog: backends.catalog, blobs: backends.blobs, auth, serverVersion: '0.1.0-test' });
  const address = `127.0.0.1:${server.port}`;
  const clients: FlightSqlClient[] = [];
  return {
    address,
    port: server.port,
    server,
    backends,
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
