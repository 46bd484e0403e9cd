// The real OpenTelemetry JS exporters (OTLP/HTTP protobuf, OTLP/HTTP JSON, OTLP/gRPC) send logs,
// metrics of every kind and spans to a running `contrail serve`; the catalog and blob store then
// hold exactly what the SDK sent, attributed to the right process and stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ValueType, context, trace } from '@opentelemetry/api';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, BatchLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  AggregationType,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as LogsJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter as MetricsProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as MetricsJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricsGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter as TracesProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as TracesJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TracesGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { startServer, removeDir, type ServerHandle } from './helpers/server.js';
import { openLake, assertLakeConsistent, segmentBytes, type OpenedLake } from './helpers/lake.js';
import { decodeResourceLogs, decodeResourceMetrics, decodeResourceSpans } from '../helpers/otlp-proto.js';
import type { BlobFormat, BlockRow, SegmentRef } from '../../lake/types.js';

type Transport = 'proto' | 'json' | 'grpc';
const TRANSPORTS: Transport[] = ['proto', 'json', 'grpc'];
const FORMAT_ENCODING: Record<Transport, 'proto' | 'json'> = { proto: 'proto', json: 'json', grpc: 'proto' };
const SUCCESS = 0; // ExportResultCode.SUCCESS

/** What one exporter handed to the wire, counted at the exporter boundary. */
interface Sent {
  records: number;
  exports: number;
  failures: string[];
}

function countingExport<T>(exporter: { export(items: T, cb: (r: { code: number; error?: Error }) => void): void }, count: (items: T) => number): Sent {
  const sent: Sent = { records: 0, exports: 0, failures: [] };
  const original = exporter.export.bind(exporter);
  exporter.export = (items: T, cb: (r: { code: number; error?: Error }) => void) => {
    const n = count(items);
    original(items, (r) => {
      if (r.code === SUCCESS) {
        sent.records += n;
        if (n > 0) sent.exports += 1;
      } else sent.failures.push(String(r.error?.message ?? r.code));
      cb(r);
    });
  };
  return sent;
}

let server: ServerHandle;
let lake: OpenedLake;
const sent = new Map<string, Sent>(); // key: `${signal}/${transport}` → what was exported

function serviceName(signal: string, t: Transport): string {
  return `e2e-${signal}-${t}`;
}

function resourceFor(signal: string, t: Transport) {
  // As an application would: the SDK's default resource (telemetry.sdk.*) plus its own attributes.
  return defaultResource().merge(resourceFromAttributes({
    'service.name': serviceName(signal, t),
    // One sender with a namespace: exe must then be "<namespace>/<name>".
    ...(signal === 'traces' && t === 'grpc' ? { 'service.namespace': 'shop' } : {}),
    'service.instance.id': `instance-${signal}-${t}`,
    'host.name': 'e2e-host',
    'deployment.environment.name': 'test',
  }));
}

function endpoints(t: Transport, signal: 'logs' | 'metrics' | 'traces') {
  return t === 'grpc' ? { url: `http://${server.grpcAddr}` } : { url: `${server.httpUrl}/v1/${signal}` };
}

async function sendLogs(t: Transport): Promise<void> {
  const exporter: LogRecordExporter =
    t === 'proto' ? new LogsProto(endpoints(t, 'logs')) : t === 'json' ? new LogsJson(endpoints(t, 'logs')) : new LogsGrpc(endpoints(t, 'logs'));
  sent.set(`logs/${t}`, countingExport(exporter, (records: unknown[]) => records.length));
  const provider = new LoggerProvider({
    resource: resourceFor('logs', t),
    processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 60_000, maxExportBatchSize: 512 })],
  });
  const logger = provider.getLogger('e2e-logger', '1.2.3');
  for (let i = 0; i < 7; i++) {
    logger.emit({
      severityNumber: i % 2 ? SeverityNumber.WARN : SeverityNumber.INFO,
      severityText: i % 2 ? 'WARN' : 'INFO',
      body: `log line ${i} via ${t}`,
      attributes: { 'http.route': '/checkout', attempt: i },
    });
  }
  await provider.forceFlush();
  await provider.shutdown();
}

function countDataPoints(rm: ResourceMetrics): number {
  let n = 0;
  for (const sm of rm.scopeMetrics) for (const m of sm.metrics) n += m.dataPoints.length;
  return n;
}

async function sendMetrics(t: Transport): Promise<void> {
  const exporter: PushMetricExporter =
    t === 'proto' ? new MetricsProto(endpoints(t, 'metrics')) : t === 'json' ? new MetricsJson(endpoints(t, 'metrics')) : new MetricsGrpc(endpoints(t, 'metrics'));
  sent.set(`metrics/${t}`, countingExport(exporter, countDataPoints));
  const provider = new MeterProvider({
    resource: resourceFor('metrics', t),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })],
    views: [{ instrumentName: 'request.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('e2e-meter', '0.1.0');
  const counter = meter.createCounter('requests', { unit: '{request}' });
  const upDown = meter.createUpDownCounter('queue.depth');
  const gauge = meter.createGauge('temperature', { unit: 'Cel' });
  const observable = meter.createObservableGauge('memory.used', { unit: 'By', valueType: ValueType.INT });
  observable.addCallback((r) => r.observe(123_456, { pool: 'heap' }));
  const histogram = meter.createHistogram('request.duration', { unit: 'ms' });
  const expHistogram = meter.createHistogram('request.size', { unit: 'By' });
  for (let i = 1; i <= 10; i++) {
    counter.add(i, { route: '/a' });
    counter.add(1, { route: '/b' });
    upDown.add(i % 3 === 0 ? -1 : 2);
    gauge.record(20 + i / 10, { room: 'lab' });
    histogram.record(i * 7.5, { route: '/a' });
    expHistogram.record(i * 1024);
  }
  // shutdown() collects and exports once (a forceFlush before it would export a second copy).
  await provider.shutdown();
}

async function sendTraces(t: Transport): Promise<void> {
  const exporter: SpanExporter =
    t === 'proto' ? new TracesProto(endpoints(t, 'traces')) : t === 'json' ? new TracesJson(endpoints(t, 'traces')) : new TracesGrpc(endpoints(t, 'traces'));
  sent.set(`traces/${t}`, countingExport(exporter, (spans: unknown[]) => spans.length));
  const provider = new BasicTracerProvider({
    resource: resourceFor('traces', t),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 })],
  });
  const tracer = provider.getTracer('e2e-tracer', '2.0.0');
  for (let i = 0; i < 3; i++) {
    const parent = tracer.startSpan(`GET /items/${i}`, { attributes: { 'http.request.method': 'GET' } });
    parent.addEvent('cache.miss', { key: `item-${i}` });
    const ctx = trace.setSpan(context.active(), parent);
    const child = tracer.startSpan('SELECT items', { attributes: { 'db.system.name': 'postgresql' } }, ctx);
    child.end();
    parent.end();
  }
  await provider.forceFlush();
  await provider.shutdown();
}

before(async () => {
  server = await startServer();
});

after(async () => {
  await lake?.close().catch(() => {});
  if (server) {
    await server.stop();
    await removeDir(server.dataDir);
  }
});

test('the OpenTelemetry JS exporters (proto, JSON, gRPC) deliver logs, metrics and spans without errors', async () => {
  await Promise.all(TRANSPORTS.flatMap((t) => [sendLogs(t), sendMetrics(t), sendTraces(t)]));
  for (const [key, s] of sent) {
    assert.deepEqual(s.failures, [], `${key} export failures`);
    assert.ok(s.records > 0, `${key} sent nothing`);
  }
  // Every instrument kind produced points: 2 counter series, up-down, gauge, observable gauge,
  // histogram, exponential histogram = 7 per export.
  for (const t of TRANSPORTS) assert.equal(sent.get(`metrics/${t}`)!.records, 7, `metric points sent over ${t}`);
  // Read the lake while the server is still running (SQLite in WAL mode allows a concurrent reader).
  lake = await openLake(undefined, undefined, { dataDir: server.dataDir });
});

interface ProcessView {
  blocks: BlockRow[];
  segments: SegmentRef[];
}

async function storedFor(signal: 'logs' | 'metrics' | 'traces', t: Transport): Promise<ProcessView & { processId: string }> {
  const processes = await lake.catalog.listProcesses();
  const name = serviceName(signal, t);
  const matching = processes.filter((p) => p.properties['otel.resource.service.name'] === name);
  assert.equal(matching.length, 1, `one process registered for ${name}`);
  const p = matching[0];
  const { segments } = await assertLakeConsistent(lake);
  const own = segments.filter((s) => s.process_id === p.process_id);
  const blockIds = new Set(own.map((s) => s.block_id));
  const blocks = (await lake.catalog.listBlocks()).filter((b) => blockIds.has(b.block_id));
  return { processId: p.process_id, blocks, segments: own };
}

const SIGNAL_TAG = { logs: 'log', metrics: 'metrics', traces: 'trace' } as const;

for (const signal of ['logs', 'metrics', 'traces'] as const) {
  test(`${signal}: blocks, segments, process and stream rows match what each exporter sent`, async () => {
    assert.ok(lake, 'the export test ran first');
    for (const t of TRANSPORTS) {
      const what = `${signal} over ${t}`;
      const { processId, blocks, segments } = await storedFor(signal, t);
      const expected = sent.get(`${signal}/${t}`)!;

      const format: BlobFormat = `otlp-${signal}-${FORMAT_ENCODING[t]}`;
      assert.ok(blocks.length >= 1, `${what}: stored blocks`);
      assert.equal(blocks.length, expected.exports, `${what}: one block per export request`);
      for (const b of blocks) assert.equal(b.format, format, `${what}: block format`);
      assert.equal(
        segments.reduce((n, s) => n + s.nb_objects, 0),
        expected.records,
        `${what}: nb_objects equals the records the exporter sent`,
      );
      for (const b of blocks) {
        assert.ok(b.begin_time <= b.end_time, `${what}: block time range`);
        assert.ok(b.begin_time > 1_600_000_000_000_000_000n, `${what}: block begin_time is a Unix-ns timestamp`);
      }

      // The segment's byte range is exactly one Resource* message naming this service.
      for (const s of segments) {
        const blob = await lake.blobs.get(blocks.find((b) => b.block_id === s.block_id)!.blob_key);
        const bytes = segmentBytes(blob, s);
        const attrs = resourceAttributesOf(signal, FORMAT_ENCODING[t], bytes);
        assert.equal(attrs['service.name'], serviceName(signal, t), `${what}: segment bytes hold the resource`);
      }

      const proc = await lake.catalog.getProcess(processId);
      assert.ok(proc);
      const expectedExe = signal === 'traces' && t === 'grpc' ? `shop/${serviceName(signal, t)}` : serviceName(signal, t);
      assert.equal(proc.exe, expectedExe, `${what}: exe from service.namespace/service.name`);
      assert.equal(proc.computer, 'e2e-host', `${what}: computer from host.name`);
      assert.equal(proc.properties['otel.resource.service.name'], serviceName(signal, t));
      assert.equal(proc.properties['otel.resource.deployment.environment.name'], 'test');
      assert.equal(proc.properties['otel.resource.telemetry.sdk.language'], 'nodejs', `${what}: SDK resource attributes kept`);

      const streamIds = new Set(segments.map((s) => s.stream_id));
      assert.equal(streamIds.size, 1, `${what}: one stream per (process, signal)`);
      const stream = await lake.catalog.getStream([...streamIds][0]);
      assert.ok(stream);
      assert.equal(stream.process_id, processId);
      assert.deepEqual(stream.tags, [SIGNAL_TAG[signal]], `${what}: stream tags`);
      assert.equal(stream.format, `otlp/v1/${signal}`);
    }
  });
}

test('metrics: every instrument kind arrived (sum, up-down sum, gauges, histogram, exponential histogram)', async () => {
  assert.ok(lake, 'the export test ran first');
  const { blocks, segments } = await storedFor('metrics', 'proto');
  const kinds = new Set<string>();
  for (const s of segments) {
    const blob = await lake.blobs.get(blocks.find((b) => b.block_id === s.block_id)!.blob_key);
    const rm = decodeResourceMetrics(segmentBytes(blob, s)) as { scopeMetrics?: Array<{ metrics?: Array<Record<string, unknown>> }> };
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        for (const k of ['sum', 'gauge', 'histogram', 'exponentialHistogram']) if (m[k]) kinds.add(`${m.name}:${k}`);
      }
    }
  }
  assert.deepEqual(
    [...kinds].sort(),
    ['memory.used:gauge', 'queue.depth:sum', 'request.duration:histogram', 'request.size:exponentialHistogram', 'requests:sum', 'temperature:gauge'],
  );
});

type Attrs = Record<string, string>;

function attrsFromKeyValues(kvs: Array<{ key: string; value?: Record<string, unknown> }> | undefined): Attrs {
  const out: Attrs = {};
  for (const kv of kvs ?? []) {
    const v = kv.value ?? {};
    out[kv.key] = String(v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue ?? '');
  }
  return out;
}

function resourceAttributesOf(signal: 'logs' | 'metrics' | 'traces', encoding: 'proto' | 'json', bytes: Uint8Array): Attrs {
  let msg: { resource?: { attributes?: Array<{ key: string; value?: Record<string, unknown> }> } };
  if (encoding === 'json') {
    msg = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } else {
    const decode = signal === 'logs' ? decodeResourceLogs : signal === 'metrics' ? decodeResourceMetrics : decodeResourceSpans;
    msg = decode(bytes) as typeof msg;
  }
  return attrsFromKeyValues(msg.resource?.attributes);
}
