// Deterministic, realistic OTLP payloads for benchmarks: a request from one service instance with
// ~10 resource attributes and log records like an HTTP server's (80-char body, 4-6 attributes of
// mixed types, trace/span ids, severity).
import { encodeLogsRequest } from '../test/helpers/otlp-proto.js';
import type { DecodeContext } from '../decoders/context.js';

/** The decode context of the decode benchmarks' segments (no process row). */
export const BENCH_DECODE_CONTEXT: DecodeContext = {
  blockId: '9ba3201e-8395-8c92-8027-50a35cb4e634',
  processId: '92267645-021b-5d0f-960b-c74719552658',
  streamId: '0f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0',
  insertTime: 1_700_000_100_000_000_000n,
  process: undefined,
};

/** Small seeded PRNG (mulberry32) so every run builds the same bytes. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['request', 'completed', 'user', 'session', 'cache', 'miss', 'upstream', 'timeout', 'retry',
  'payload', 'accepted', 'order', 'invoice', 'latency', 'checkout', 'inventory', 'warehouse', 'queue'];
const ROUTES = ['/api/orders', '/api/users/:id', '/health', '/api/cart', '/api/search', '/api/checkout'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const SEVERITIES: Array<[number, string]> = [[9, 'INFO'], [9, 'INFO'], [9, 'INFO'], [5, 'DEBUG'], [13, 'WARN'], [17, 'ERROR']];

function bytes(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

function sentence(rand: () => number, length: number): string {
  let s = '';
  while (s.length < length) s += (s ? ' ' : '') + WORDS[Math.floor(rand() * WORDS.length)];
  return s.slice(0, length);
}

export function resourceAttributes(resourceIndex: number): Array<{ key: string; value: object }> {
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  return [
    str('service.name', `checkout-${resourceIndex}`),
    str('service.namespace', 'shop'),
    str('service.version', '1.4.2'),
    str('service.instance.id', `instance-${resourceIndex}`),
    str('host.name', `host-${resourceIndex % 7}.example.internal`),
    str('host.arch', 'amd64'),
    str('os.type', 'linux'),
    { key: 'process.pid', value: { intValue: String(1000 + resourceIndex) } },
    str('telemetry.sdk.name', 'opentelemetry'),
    str('telemetry.sdk.language', 'nodejs'),
    str('telemetry.sdk.version', '2.0.1'),
  ];
}

/** An ExportLogsServiceRequest (protobuf) with `records` log records under one resource. */
export function makeLogsRequest(records: number, opts: { seed?: number; resourceIndex?: number } = {}): Uint8Array {
  const rand = prng(opts.seed ?? 1);
  const t0 = 1_750_000_000_000_000_000n + BigInt(opts.seed ?? 1) * 1_000_000_000n;
  const logRecords = [];
  for (let i = 0; i < records; i++) {
    const [severityNumber, severityText] = SEVERITIES[Math.floor(rand() * SEVERITIES.length)];
    const attributes: object[] = [
      { key: 'http.method', value: { stringValue: METHODS[Math.floor(rand() * METHODS.length)] } },
      { key: 'http.route', value: { stringValue: ROUTES[Math.floor(rand() * ROUTES.length)] } },
      { key: 'http.status_code', value: { intValue: String(200 + Math.floor(rand() * 4) * 100) } },
      { key: 'duration_ms', value: { doubleValue: Math.round(rand() * 100000) / 100 } },
    ];
    if (rand() < 0.5) attributes.push({ key: 'cache.hit', value: { boolValue: rand() < 0.5 } });
    if (rand() < 0.5) attributes.push({ key: 'user.id', value: { stringValue: `u-${Math.floor(rand() * 1e6)}` } });
    const t = t0 + BigInt(i) * 1_000_000n + BigInt(Math.floor(rand() * 1000));
    logRecords.push({
      timeUnixNano: t.toString(),
      observedTimeUnixNano: (t + 150_000n).toString(),
      severityNumber,
      severityText,
      body: { stringValue: sentence(rand, 80) },
      attributes,
      flags: 1,
      traceId: bytes(rand, 16),
      spanId: bytes(rand, 8),
    });
  }
  return encodeLogsRequest({
    resourceLogs: [{
      resource: { attributes: resourceAttributes(opts.resourceIndex ?? 0) },
      scopeLogs: [{ scope: { name: '@shop/checkout', version: '1.4.2' }, logRecords }],
      schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
    }],
  });
}
