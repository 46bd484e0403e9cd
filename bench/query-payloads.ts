// Deterministic OTLP metrics and traces requests for the query benchmark (logs come from
// otlp-payloads.ts): one resource per request, the same resource attributes as the logs.
import { encodeMetricsRequest, encodeTracesRequest } from '../test/helpers/otlp-proto.js';
import { prng, resourceAttributes } from './otlp-payloads.js';

export const METRIC_NAMES = ['cpu.usage', 'mem.used', 'disk.io', 'net.rx', 'net.tx', 'requests', 'latency', 'queue.depth', 'gc.pause', 'threads'];
export const SPAN_NAMES = Array.from({ length: 20 }, (_, i) => (i < 10 ? `GET /api/route-${i}` : `db.query-${i - 10}`));
const BASE = 1_750_000_000_000_000_000n;

/** `points` gauge data points spread over METRIC_NAMES, 10 ms apart per name, starting at seed s. */
export function makeMetricsRequest(points: number, opts: { seed: number; resourceIndex: number }): Uint8Array {
  const rand = prng(opts.seed);
  const t0 = BASE + BigInt(opts.seed) * 1_000_000_000n;
  const perName = Math.ceil(points / METRIC_NAMES.length);
  let left = points;
  const metrics = METRIC_NAMES.map((name) => {
    const n = Math.min(perName, left);
    left -= n;
    const dataPoints = Array.from({ length: n }, (_, i) => ({
      timeUnixNano: (t0 + BigInt(i) * 10_000_000n).toString(),
      asDouble: Math.round(rand() * 10_000) / 100,
      attributes: [{ key: 'cpu', value: { intValue: String(i % 4) } }],
    }));
    return { name, unit: '1', gauge: { dataPoints } };
  }).filter((m) => m.gauge.dataPoints.length > 0);
  return encodeMetricsRequest({
    resourceMetrics: [{ resource: { attributes: resourceAttributes(opts.resourceIndex) }, scopeMetrics: [{ scope: { name: 'host-metrics' }, metrics }] }],
  });
}

/** `count` spans with SPAN_NAMES, durations 0.1 ms – 2 s (skewed short), starting at seed s. */
export function makeTracesRequest(count: number, opts: { seed: number; resourceIndex: number }): Uint8Array {
  const rand = prng(opts.seed);
  const t0 = BASE + BigInt(opts.seed) * 1_000_000_000n;
  const id = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
  const spans = Array.from({ length: count }, (_, i) => {
    const start = t0 + BigInt(i) * 1_000_000n;
    const duration = BigInt(Math.floor(100_000 + rand() ** 4 * 2_000_000_000));
    return {
      traceId: id(16), spanId: id(8), name: SPAN_NAMES[Math.floor(rand() * SPAN_NAMES.length)], kind: 2,
      startTimeUnixNano: start.toString(), endTimeUnixNano: (start + duration).toString(),
      attributes: [{ key: 'http.status_code', value: { intValue: String(200 + Math.floor(rand() * 4) * 100) } }],
      status: { code: rand() < 0.05 ? 2 : 1 },
    };
  });
  return encodeTracesRequest({
    resourceSpans: [{ resource: { attributes: resourceAttributes(opts.resourceIndex) }, scopeSpans: [{ scope: { name: 'http' }, spans }] }],
  });
}
