// Decoder throughput: OTLP segments → Arrow batches, against protobufjs decoding the same bytes in
// the same run. Records per second (wall clock and CPU time, medians of 5 rounds) for a typical
// projection and for all columns, the ratios to protobufjs, peak RSS. CONTRAIL_BENCH_SCALE (default 1)
// scales the record counts. Each signal runs twice: large segments, then SDK-sized ones (512 records).
// CPU time includes V8's parallel GC helper threads; `node --single-threaded-gc` gives one-core figures.
import { performance } from 'node:perf_hooks';
import type protobuf from 'protobufjs';
import type { RecordBatch } from 'apache-arrow';
import { decodeOtlpLogs } from '../decoders/otlp/decode-logs.js';
import { decodeOtlpSpans } from '../decoders/otlp/decode-spans.js';
import { decodeOtlpMeasures } from '../decoders/otlp/decode-metrics.js';
import type { DecodeContext } from '../decoders/context.js';
import { BENCH_DECODE_CONTEXT } from './otlp-payloads.js';
import { ResourceLogs, ResourceSpans, ResourceMetrics } from '../test/helpers/otlp-proto.js';

const SCALE = Number(process.env.CONTRAIL_BENCH_SCALE ?? '1');
const CTX = BENCH_DECODE_CONTEXT;

const T0 = 1_700_000_000_000_000_000n;
const kv = (key: string, v: string | number) =>
  typeof v === 'number' ? { key, value: { intValue: String(v) } } : { key, value: { stringValue: v } };
const bytesOf = (i: number, n: number) => Uint8Array.from({ length: n }, (_, k) => (i * 31 + k * 7) & 0xff);
const ROUTES = ['/api/orders', '/api/cart', '/api/users/:id', '/health', '/api/checkout'];

function logsSegment(n: number, first = 0): Uint8Array {
  const logRecords = Array.from({ length: n }, (_, k) => first + k).map((i) => ({
    timeUnixNano: String(T0 + BigInt(i) * 1_000_123n),
    observedTimeUnixNano: String(T0 + BigInt(i) * 1_000_123n + 500n),
    severityNumber: [9, 9, 9, 5, 13, 17][i % 6],
    severityText: ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'][i % 6],
    body: { stringValue: `request ${i} handled for ${ROUTES[i % 5]} in ${(i % 997) / 10} ms by worker ${i % 16}` },
    attributes: [kv('http.route', ROUTES[i % 5]), kv('http.status_code', 200 + (i % 3)), kv('user.id', `u-${i % 1000}`), kv('thread.id', i % 16)],
    traceId: bytesOf(i, 16),
    spanId: bytesOf(i, 8),
    flags: 1,
  }));
  return ResourceLogs.encode(ResourceLogs.fromObject({
    resource: { attributes: [kv('service.name', 'checkout'), kv('host.name', 'host-1')] },
    scopeLogs: [{ scope: { name: 'com.example.checkout', version: '1.4.2' }, logRecords }],
  })).finish();
}

function spansSegment(n: number, first = 0): Uint8Array {
  const spans = Array.from({ length: n }, (_, k) => first + k).map((i) => ({
    traceId: bytesOf(Math.floor(i / 8), 16),
    spanId: bytesOf(i, 8),
    parentSpanId: i % 8 === 0 ? undefined : bytesOf(i - 1, 8),
    name: ['GET /api/orders', 'SELECT orders', 'redis GET', 'POST /api/checkout'][i % 4],
    kind: [2, 3, 3, 2][i % 4],
    startTimeUnixNano: String(T0 + BigInt(i) * 10_000n),
    endTimeUnixNano: String(T0 + BigInt(i) * 10_000n + BigInt(1000 + (i % 5000))),
    attributes: [kv('http.route', ROUTES[i % 5]), kv('http.status_code', 200), kv('net.peer.name', 'db-1'), kv('db.system', 'postgresql'), kv('thread.id', i % 16)],
    events: i % 10 === 0 ? [{ timeUnixNano: String(T0 + BigInt(i) * 10_000n + 10n), name: 'retry', attributes: [kv('attempt', 1)] }] : [],
    status: { code: i % 50 === 0 ? 2 : 0, message: i % 50 === 0 ? 'timeout' : '' },
  }));
  return ResourceSpans.encode(ResourceSpans.fromObject({
    resource: { attributes: [kv('service.name', 'checkout')] },
    scopeSpans: [{ scope: { name: 'io.opentelemetry.http', version: '2.0' }, spans }],
  })).finish();
}

function metricsSegment(points: number, first = 0): Uint8Array {
  const perMetric = 100;
  const metrics = Array.from({ length: Math.ceil(points / perMetric) }, (_, m) => {
    const dataPoints = Array.from({ length: Math.min(perMetric, points - m * perMetric) }, (_, k) => first + k).map((i) => ({
      timeUnixNano: String(T0 + BigInt(i) * 10_000_000_000n),
      startTimeUnixNano: String(T0),
      attributes: [kv('host', `h${i % 4}`), kv('cpu', i % 8)],
      ...(m % 2 === 0 ? { asDouble: i * 0.5 } : { asInt: String(i * 1000) }),
    }));
    return m % 2 === 0
      ? { name: `system.cpu.utilization.${m}`, unit: '1', gauge: { dataPoints } }
      : { name: `http.server.requests.${m}`, unit: '{request}', sum: { dataPoints, aggregationTemporality: 2, isMonotonic: true } };
  });
  return ResourceMetrics.encode(ResourceMetrics.fromObject({
    resource: { attributes: [kv('service.name', 'checkout')] },
    scopeMetrics: [{ scope: { name: 'meter' }, metrics }],
  })).finish();
}

type Decode = (seg: Uint8Array, ctx: DecodeContext, projection: readonly string[] | null) => Iterable<RecordBatch>;

const ROUNDS = 5;

interface Rate {
  /** Records per wall-clock second. */
  wall: number;
  /** Records per second of process CPU time: steadier than wall time on a shared machine, though it
   * also counts GC helper threads (protobufjs keeps them busier than the decoders do). */
  cpu: number;
}

/** Rates of `fn`, which decodes and returns how many records it did. */
function rate(fn: () => number): Rate {
  const t = performance.now();
  const c = process.cpuUsage();
  const rows = fn();
  const used = process.cpuUsage(c);
  return { wall: rows / ((performance.now() - t) / 1000), cpu: rows / ((used.user + used.system) / 1e6) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The records are split into ROUNDS rounds; each round times protobufjs, then the typical projection,
 * then all columns, each warmed up once beforehand. Figures are medians over the rounds; ratios are
 * medians of the per-round ratios (same round, same machine state). `segments` are decoded in turn
 * (`repeat` decodes in all), each holding `perSegment` records. */
function run(label: string, segments: Uint8Array[], perSegment: number, repeat: number, decode: Decode, typical: string[], type: protobuf.Type): void {
  const perRound = Math.max(1, Math.round(repeat / ROUNDS));
  let expectRows = -1;
  const ours = (projection: string[] | null) => () => {
    let rows = 0;
    for (let r = 0; r < perRound; r++) for (const b of decode(segments[r % segments.length], CTX, projection)) rows += b.numRows;
    if (expectRows >= 0 && rows !== expectRows) throw new Error(`decoded ${rows} records, expected ${expectRows}`);
    return rows;
  };
  const baseline = () => {
    for (let r = 0; r < perRound; r++) type.decode(segments[r % segments.length]);
    return perSegment * perRound;
  };
  baseline();
  ours(typical)();
  ours(null)();
  expectRows = perSegment * perRound;
  const pb: Rate[] = [];
  const typ: Rate[] = [];
  const all: Rate[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    pb.push(rate(baseline));
    typ.push(rate(ours(typical)));
    all.push(rate(ours(null)));
  }
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(12);
  const line = (xs: Rate[]) => {
    const wall = `${fmt(median(xs.map((x) => x.wall)))} records/s`;
    const cpu = `${fmt(median(xs.map((x) => x.cpu)))} per CPU-s`;
    if (xs === pb) return `${wall}  ${cpu}`;
    // Per-round ratios (same round, same machine state), then their median.
    const ratio = (k: keyof Rate) => median(xs.map((x, i) => x[k] / pb[i][k])).toFixed(1).padStart(5);
    return `${wall} ${ratio('wall')}×  ${cpu} ${ratio('cpu')}×`;
  };
  const total = perSegment * perRound * ROUNDS;
  const bytes = (n: number) => n.toLocaleString('en-US');
  const what = segments.length === 1
    ? `segment of ${bytes(segments[0].length)} bytes`
    : `${segments.length} distinct segments of ${perSegment} records, ~${bytes(Math.round(segments.reduce((n, x) => n + x.length, 0) / segments.length))} bytes each, in turn`;
  console.log(`\n${label}: ${total.toLocaleString('en-US')} records (${ROUNDS} rounds × ${perRound} × ${what}), medians; × = ratio to protobufjs`);
  console.log(`  protobufjs full decode   ${line(pb)}`);
  console.log(`  contrail typical (${typical.join(',')})`);
  console.log(`                           ${line(typ)}`);
  console.log(`  contrail all columns     ${line(all)}`);
}

/** OpenTelemetry SDKs export in batches of at most 512 records (BatchLogRecordProcessor and
 * BatchSpanProcessor maxExportBatchSize), and ingest stores each request as it came: the segments the
 * decoders mostly see. The same record totals as the large-segment runs, spread over a ring of
 * distinct segments (different content and buffers, as successive requests would be). */
const SDK_BATCH = 512;
const SDK_RING = 16;
/** Metrics are exported per collection, not in 512-record batches: their small-segment line only
 * shows the decoder's per-segment cost at that size. */
function sdkSegments(make: (n: number, first: number) => Uint8Array): Uint8Array[] {
  return Array.from({ length: SDK_RING }, (_, k) => make(SDK_BATCH, k * SDK_BATCH));
}

const logsPer = 10_000;
const logsRepeat = Math.max(1, Math.round(100 * SCALE));
const logsTypical = ['time', 'level', 'target', 'msg'];
run('logs', [logsSegment(logsPer)], logsPer, logsRepeat, decodeOtlpLogs, logsTypical, ResourceLogs);
run(`logs, SDK-sized segments (${SDK_BATCH} records)`, sdkSegments(logsSegment), SDK_BATCH, Math.round((logsRepeat * logsPer) / SDK_BATCH),
  decodeOtlpLogs, logsTypical, ResourceLogs);
const spansPer = 5_000;
const spansRepeat = Math.max(1, Math.round(40 * SCALE));
const spansTypical = ['trace_id', 'span_id', 'start_time', 'duration', 'name', 'kind'];
run('spans', [spansSegment(spansPer)], spansPer, spansRepeat, decodeOtlpSpans, spansTypical, ResourceSpans);
run(`spans, SDK-sized segments (${SDK_BATCH} spans)`, sdkSegments(spansSegment), SDK_BATCH, Math.round((spansRepeat * spansPer) / SDK_BATCH),
  decodeOtlpSpans, spansTypical, ResourceSpans);
const pointsPer = 10_000;
const pointsRepeat = Math.max(1, Math.round(100 * SCALE));
const metricsTypical = ['time', 'name', 'value'];
run('metrics (gauge + sum points)', [metricsSegment(pointsPer)], pointsPer, pointsRepeat, decodeOtlpMeasures, metricsTypical, ResourceMetrics);
run(`metrics, small segments (${SDK_BATCH} points)`, sdkSegments(metricsSegment), SDK_BATCH, Math.round((pointsRepeat * pointsPer) / SDK_BATCH),
  decodeOtlpMeasures, metricsTypical, ResourceMetrics);
console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
