// A small telemetry lake for the lake-* query tests, loaded through the real HTTP ingest app into a
// temp SqliteCatalog + FsBlobStore: OTLP logs/metrics/traces (protobuf and JSON) and native
// log/metrics/cpu blocks, plus one corrupt native block and one whose process is never registered.
import assert from 'node:assert/strict';
import { decodeSegment } from '../../decoders/index.js';
import type { LakeAccess } from '../../query/views/segment-view.js';
import type { SegmentCache } from '../../query/segment-cache.js';
import { encodeLogsRequest, encodeMetricsRequest, encodeTracesRequest } from '../helpers/otlp-proto.js';
import { encodeLogsJson, encodeMetricsJson, encodeTracesJson } from '../helpers/otlp-json.js';
import { encodeBlock, encodeProcessInfo, encodeStreamInfo, lz4Frame, type TransitTypeInput } from '../helpers/native-encoder.js';
import {
  DependencyWriter, SDK_CPU_DEPS, SDK_CPU_OBJECTS, SDK_LOG_DEPS, SDK_LOG_OBJECTS, SDK_METRICS_DEPS, SDK_METRICS_OBJECTS,
  TransitBufferWriter, logStringInteropV3, pod,
} from '../helpers/native-events.js';
import { JSON_CT, PROTO, post, startHttpIngest, type HttpIngest } from '../ingest/harness.js';

const MS = 1_000_000n;
const S = 1_000_000_000n;
/** 2024-01-01T00:00:00Z */
export const T = BigInt(Date.UTC(2024, 0, 1)) * MS;
export const iso = (ns: bigint) => new Date(Number(ns / MS)).toISOString();

export const NATIVE_PROCESS = '6f1c2a34-0d5e-4b7a-9c1d-2e3f4a5b6c7d';
export const NATIVE_LOG_STREAM = '7a2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d';
export const NATIVE_METRICS_STREAM = '8b3c4d5e-6f7a-4b2c-9d0e-1f2a3b4c5d6e';
export const NATIVE_CPU_STREAM = '9c4d5e6f-7a8b-4c3d-8e1f-2a3b4c5d6e7f';
export const ORPHAN_PROCESS = 'a0d5e6f7-8b9c-4d4e-9f2a-3b4c5d6e7f80';
export const ORPHAN_STREAM = 'b1e6f7a8-9c0d-4e5f-8a3b-4c5d6e7f8091';
export const CORRUPT_BLOCK = 'c2f7a8b9-0d1e-4f6a-9b4c-5d6e7f809102';

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const resource = (service: string) => ({ attributes: [str('service.name', service), str('host.name', `${service}-host`)] });
const ts = (ns: bigint) => ns.toString();

/** svc-a: 6 records every 20 s from T (ERROR when i % 3 == 0, else INFO), route /r0 or /r1;
 * svc-b: 4 WARN records every 10 s from T+2min. */
function logsProto(): Uint8Array {
  const rec = (t: bigint, sev: number, text: string, body: string, route?: string) => ({
    timeUnixNano: ts(t), severityNumber: sev, severityText: text, body: { stringValue: body },
    attributes: route ? [str('http.route', route)] : [],
  });
  return encodeLogsRequest({
    resourceLogs: [
      {
        resource: resource('svc-a'),
        scopeLogs: [{ scope: { name: 'web' }, logRecords: Array.from({ length: 6 }, (_, i) => (
          i % 3 === 0 ? rec(T + BigInt(i) * 20n * S, 17, 'ERROR', `a-${i}`, `/r${i % 2}`) : rec(T + BigInt(i) * 20n * S, 9, 'INFO', `a-${i}`, `/r${i % 2}`)
        )) }],
      },
      {
        resource: resource('svc-b'),
        scopeLogs: [{ scope: { name: 'worker' }, logRecords: Array.from({ length: 4 }, (_, i) => rec(T + 120n * S + BigInt(i) * 10n * S, 13, 'WARN', `b-${i}`)) }],
      },
    ],
  });
}

/** svc-a, 2 INFO records at T+10min and T+10min+1s: a separate block for pruning. */
function lateLogsProto(): Uint8Array {
  return encodeLogsRequest({
    resourceLogs: [{
      resource: resource('svc-a'),
      scopeLogs: [{ scope: { name: 'web' }, logRecords: [0n, 1n].map((i) => ({ timeUnixNano: ts(T + 600n * S + i * S), severityNumber: 9, body: { stringValue: `late-${i}` } })) }],
    }],
  });
}

/** svc-c (JSON): 3 INFO records at T+5min + i s. */
function logsJson(): Uint8Array {
  return encodeLogsJson({
    resourceLogs: [{
      resource: resource('svc-c'),
      scopeLogs: [{ scope: { name: 'json' }, logRecords: [0n, 1n, 2n].map((i) => ({ timeUnixNano: ts(T + 300n * S + i * S), severityNumber: 9, body: { stringValue: `json-${i}` } })) }],
    }],
  });
}

const gauge = (name: string, points: [bigint, number][]) => ({ name, unit: '%', gauge: { dataPoints: points.map(([t, v]) => ({ timeUnixNano: ts(t), asDouble: v })) } });

/** svc-a cpu.usage 1, 2, 3, 4 at T + 0/30/60/90 s and mem.used 100 at T. */
function metricsProto(): Uint8Array {
  return encodeMetricsRequest({
    resourceMetrics: [{
      resource: resource('svc-a'),
      scopeMetrics: [{ scope: { name: 'host' }, metrics: [
        gauge('cpu.usage', [[T, 1], [T + 30n * S, 2], [T + 60n * S, 3], [T + 90n * S, 4]]),
        gauge('mem.used', [[T, 100]]),
      ] }],
    }],
  });
}

/** svc-b (JSON) cpu.usage 10 at T and 20 at T+60s. */
function metricsJson(): Uint8Array {
  return encodeMetricsJson({
    resourceMetrics: [{ resource: resource('svc-b'), scopeMetrics: [{ scope: { name: 'host' }, metrics: [gauge('cpu.usage', [[T, 10], [T + 60n * S, 20]])] }] }],
  });
}

const id = (n: number, len: number) => Uint8Array.from({ length: len }, (_, k) => (n * 17 + k + 1) & 0xff);
const span = (n: number, name: string, start: bigint, durationMs: bigint) => ({
  traceId: id(1, 16), spanId: id(n, 8), name, kind: 2, startTimeUnixNano: ts(start), endTimeUnixNano: ts(start + durationMs * MS),
});

/** svc-a spans: GET /a 5 ms and 10 ms, db.query 50 ms, render 1 ms. */
function tracesProto(): Uint8Array {
  return encodeTracesRequest({
    resourceSpans: [{
      resource: resource('svc-a'),
      scopeSpans: [{ scope: { name: 'http' }, spans: [
        span(1, 'GET /a', T, 5n), span(2, 'GET /a', T + S, 10n), span(3, 'db.query', T + 2n * S, 50n), span(4, 'render', T + 3n * S, 1n),
      ] }],
    }],
  });
}

/** svc-b (JSON): GET /b 100 ms. */
function tracesJson(): Uint8Array {
  return encodeTracesJson({ resourceSpans: [{ resource: resource('svc-b'), scopeSpans: [{ scope: { name: 'http' }, spans: [span(5, 'GET /b', T + 4n * S, 100n)] }] }] });
}

// ---- native ----

function streamInfo(streamId: string, processId: string, deps: TransitTypeInput[], objs: TransitTypeInput[], tags: string[], properties: Record<string, string> = {}) {
  return encodeStreamInfo({ process_id: processId, stream_id: streamId, dependencies_metadata: deps, objects_metadata: objs, tags, properties });
}

function block(blockId: string, streamId: string, processId: string, from: bigint, to: bigint, deps: Uint8Array, objects: Uint8Array, nb: number, raw = false): Uint8Array {
  return encodeBlock({
    block_id: blockId, stream_id: streamId, process_id: processId,
    begin_time: iso(T + from), begin_ticks: from, end_time: iso(T + to), end_ticks: to,
    object_offset: 0, nb_objects: nb, dependencies: deps, objects,
  }, { rawPayloadFields: raw });
}

/** Native log block: 'native hello' (info) at T+1s, 'native oops' (error) at T+2s, 'native bye' (info) at T+3s. */
function nativeLogObjects(): { deps: Uint8Array; objs: Uint8Array } {
  const deps = new DependencyWriter(SDK_LOG_DEPS).string(1, 'native.target').finish();
  const w = new TransitBufferWriter(SDK_LOG_OBJECTS);
  for (const [t, level, msg] of [[1n, 4, 'native hello'], [2n, 2, 'native oops'], [3n, 4, 'native bye']] as const) {
    w.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, t * S, level, 1, msg));
  }
  return { deps, objs: w.finish() };
}

/** Native metrics block: native.temp 20.5 at T+1s and 21.5 at T+2s. */
function nativeMetricObjects(): { deps: Uint8Array; objs: Uint8Array } {
  const deps = new DependencyWriter(SDK_METRICS_DEPS)
    .string(1, 'native.temp').string(2, 'C').string(3, 'sensors').string(4, 'main.rs')
    .record('MetricMetadataDependency', { id: 50, name: 1, unit: 2, target: 3, file: 4, line: 7, lod: 1 })
    .finish();
  const w = new TransitBufferWriter(SDK_METRICS_OBJECTS)
    .entry('FloatMetricEvent', pod(SDK_METRICS_OBJECTS, 'FloatMetricEvent', { desc: 50, value: 20.5, time: S }))
    .entry('FloatMetricEvent', pod(SDK_METRICS_OBJECTS, 'FloatMetricEvent', { desc: 50, value: 21.5, time: 2n * S }));
  return { deps, objs: w.finish() };
}

/** Native cpu block: thread span work [1s, 3s] containing inner [1.5s, 2s]; async span 7 'work' [1s, 2.5s]. */
function nativeCpuObjects(): { deps: Uint8Array; objs: Uint8Array } {
  const O = SDK_CPU_OBJECTS;
  const deps = new DependencyWriter(SDK_CPU_DEPS)
    .string(1, 'work').string(2, 'app').string(3, 'main.ts').string(4, 'inner')
    .record('SpanRecord', { id: 100, name: 1, target: 2, module_path: 2, file: 3, line: 10, lod: 1 })
    .record('SpanRecord', { id: 101, name: 4, target: 2, module_path: 2, file: 3, line: 20, lod: 1 })
    .finish();
  const thread = (type: string, desc: number, t: bigint) => pod(O, type, { thread_span_desc: desc, time: t });
  const async = (type: string, t: bigint) => pod(O, type, { span_desc: 100, span_id: 7, parent_span_id: 0, time: t, depth: 0 });
  const w = new TransitBufferWriter(O)
    .entry('BeginThreadSpanEvent', thread('BeginThreadSpanEvent', 100, S))
    .entry('BeginAsyncSpanEvent', async('BeginAsyncSpanEvent', S))
    .entry('BeginThreadSpanEvent', thread('BeginThreadSpanEvent', 101, 1500n * MS))
    .entry('EndThreadSpanEvent', thread('EndThreadSpanEvent', 101, 2n * S))
    .entry('EndAsyncSpanEvent', async('EndAsyncSpanEvent', 2500n * MS))
    .entry('EndThreadSpanEvent', thread('EndThreadSpanEvent', 100, 3n * S));
  return { deps, objs: w.finish() };
}

export interface TestLake {
  ingest: HttpIngest;
  /** A LakeAccess over the ingested lake; `cache` as given. */
  lake(cache?: SegmentCache): LakeAccess;
  close(): Promise<void>;
}

export async function loadTestLake(): Promise<TestLake> {
  const ingest = await startHttpIngest();
  const otlp = (signal: string) => `${ingest.url}/v1/${signal}`;
  const native = (route: string) => `${ingest.url}/ingestion/${route}`;
  const send = async (url: string, body: Uint8Array, headers: Record<string, string> = {}) => {
    const res = await post(url, body, headers);
    assert.equal(res.status, 200, `${url}: ${res.body.toString()}`);
  };
  await send(otlp('logs'), logsProto(), PROTO);
  await send(otlp('logs'), lateLogsProto(), PROTO);
  await send(otlp('logs'), logsJson(), JSON_CT);
  await send(otlp('metrics'), metricsProto(), PROTO);
  await send(otlp('metrics'), metricsJson(), JSON_CT);
  await send(otlp('traces'), tracesProto(), PROTO);
  await send(otlp('traces'), tracesJson(), JSON_CT);

  await send(native('insert_process'), encodeProcessInfo({
    process_id: NATIVE_PROCESS, exe: 'native-app', computer: 'native-host', tsc_frequency: 1_000_000_000, start_time: iso(T), start_ticks: 0,
    properties: { region: 'eu' },
  }));
  await send(native('insert_stream'), streamInfo(NATIVE_LOG_STREAM, NATIVE_PROCESS, SDK_LOG_DEPS, SDK_LOG_OBJECTS, ['log']));
  await send(native('insert_stream'), streamInfo(NATIVE_METRICS_STREAM, NATIVE_PROCESS, SDK_METRICS_DEPS, SDK_METRICS_OBJECTS, ['metrics']));
  await send(native('insert_stream'), streamInfo(NATIVE_CPU_STREAM, NATIVE_PROCESS, SDK_CPU_DEPS, SDK_CPU_OBJECTS, ['cpu'], { 'thread-id': '7', 'thread-name': 'main' }));
  const logs = nativeLogObjects();
  await send(native('insert_block'), block('d3a8b9c0-1e2f-4a7b-8c5d-6e7f80910213', NATIVE_LOG_STREAM, NATIVE_PROCESS, 0n, 4n * S, logs.deps, logs.objs, 3));
  const metrics = nativeMetricObjects();
  await send(native('insert_block'), block('e4b9c0d1-2f3a-4b8c-9d6e-7f8091021324', NATIVE_METRICS_STREAM, NATIVE_PROCESS, 0n, 4n * S, metrics.deps, metrics.objs, 2));
  const cpu = nativeCpuObjects();
  await send(native('insert_block'), block('f5c0d1e2-3a4b-4c9d-8e7f-809102132435', NATIVE_CPU_STREAM, NATIVE_PROCESS, 0n, 4n * S, cpu.deps, cpu.objs, 6));

  // A log block at T+30min whose objects frame is not valid LZ4 past its magic.
  const badObjects = Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0xff, 0xff, 0xff, 0xff, 0x00);
  await send(native('insert_block'), block(CORRUPT_BLOCK, NATIVE_LOG_STREAM, NATIVE_PROCESS, 1800n * S, 1801n * S, lz4Frame(logs.deps), badObjects, 3, true));
  // A log stream whose process never registers: its block at T+40min is unreadable.
  await send(native('insert_stream'), streamInfo(ORPHAN_STREAM, ORPHAN_PROCESS, SDK_LOG_DEPS, SDK_LOG_OBJECTS, ['log']));
  await send(native('insert_block'), block('a3b4c5d6-e7f8-4091-8a2b-3c4d5e6f7081', ORPHAN_STREAM, ORPHAN_PROCESS, 2400n * S, 2401n * S, logs.deps, logs.objs, 3));

  return {
    ingest,
    lake: (cache) => ({ catalog: ingest.catalog, blobs: ingest.blobs, decode: decodeSegment, cache }),
    close: () => ingest.close(),
  };
}
