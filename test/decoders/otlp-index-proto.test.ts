import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexOtlpProto } from '../../decoders/otlp/index-proto.js';
import { indexOtlp } from '../../decoders/otlp/index.js';
import {
  encodeLogsRequest, encodeMetricsRequest, encodeTracesRequest, decodeLogsRequest, decodeMetricsRequest,
  decodeTracesRequest, decodeResourceLogs, decodeResourceMetrics, decodeResourceSpans,
} from '../helpers/otlp-proto.js';
import { LOGS, METRICS, TRACES, METRICS_REJECTED, msg, concat, wrapLogRecord } from './otlp-index-fixtures.js';

test('a logs request gives one segment per resource with records, with exact resource attributes', () => {
  const payload = encodeLogsRequest(LOGS);
  const index = indexOtlpProto('logs', payload);
  assert.equal(index.signal, 'logs');
  assert.equal(index.rejected, 0);
  assert.equal(index.rejectMessage, undefined);
  assert.equal(index.segments.length, 2);
  const [a, b] = index.segments;
  assert.deepEqual(a.resourceAttributes, [
    ['service.name', 'checkout'],
    ['process.pid', '-9223372036854775808'],
    ['ratio', '0.1'],
    ['big', '1e+21'],
    ['flag', 'true'],
    ['raw', '/wBB'],
    ['list', '[1,"x",null]'],
    ['map', '{"a":false,"b":2}'],
    ['empty', ''],
  ]);
  assert.equal(a.nbObjects, 5);
  assert.equal(a.beginTime, 500n, 'observed time stands in for a zero time; times ≥ 2^63 count as 0');
  assert.equal(a.endTime, 2000n);
  assert.deepEqual(b.resourceAttributes, []);
  assert.equal(b.nbObjects, 1);
  assert.equal(b.beginTime, null);
  assert.equal(b.endTime, null);
});

test('segment offsets slice out exactly the embedded Resource* message of each segment', () => {
  const cases = [
    { payload: encodeLogsRequest(LOGS), signal: 'logs', all: decodeLogsRequest, one: decodeResourceLogs, key: 'resourceLogs', keep: [0, 2] },
    { payload: encodeMetricsRequest(METRICS), signal: 'metrics', all: decodeMetricsRequest, one: decodeResourceMetrics, key: 'resourceMetrics', keep: [0] },
    { payload: encodeTracesRequest(TRACES), signal: 'traces', all: decodeTracesRequest, one: decodeResourceSpans, key: 'resourceSpans', keep: [0] },
  ] as const;
  for (const c of cases) {
    const index = indexOtlpProto(c.signal, c.payload);
    const resources = c.all(c.payload)[c.key] as unknown[];
    assert.equal(index.segments.length, c.keep.length);
    index.segments.forEach((seg, i) => {
      const slice = c.payload.subarray(seg.byteOffset, seg.byteOffset + seg.byteLength);
      assert.deepEqual(c.one(slice), resources[c.keep[i]]);
    });
  }
});

test('metrics count points of every type and report each rejection reason', () => {
  const index = indexOtlpProto('metrics', encodeMetricsRequest(METRICS));
  assert.equal(index.segments.length, 1, 'a resource whose metrics have no points gives no segment');
  const [seg] = index.segments;
  assert.deepEqual(seg.resourceAttributes, [['service.name', 'meter']]);
  assert.equal(seg.nbObjects, 4 + 1 + 5 + 3 + 2);
  assert.equal(seg.beginTime, 10n);
  assert.equal(seg.endTime, 60n);
  assert.equal(index.rejected, METRICS_REJECTED);
  assert.equal(
    index.rejectMessage,
    '8 data points rejected: time_unix_nano is 0 (2); no value (1); bucket_counts length mismatch (1); ' +
      'explicit_bounds not strictly increasing (1); scale outside [-10, 20] (1); bucket bound not finite (1); count >= 2^63 (1)',
  );
  assert.ok(index.rejectMessage!.length <= 256);
});

test('a single rejection reason reads like the spec example', () => {
  const payload = encodeMetricsRequest({
    resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: { dataPoints: [{ asDouble: 1 }, { asDouble: 2 }, { asInt: '1' }] } }] }] }],
  });
  const index = indexOtlpProto('metrics', payload);
  assert.equal(index.rejected, 3);
  assert.equal(index.rejectMessage, '3 data points rejected: time_unix_nano is 0');
  assert.equal(index.segments[0].beginTime, null);
});

test('traces take min non-zero start and max non-zero end, and reject bad ids and zero times', () => {
  const index = indexOtlpProto('traces', encodeTracesRequest(TRACES));
  const [seg] = index.segments;
  assert.equal(seg.nbObjects, 5);
  assert.equal(seg.beginTime, 50n);
  assert.equal(seg.endTime, 300n);
  assert.equal(index.rejected, 4);
  assert.equal(
    index.rejectMessage,
    '4 spans rejected: trace_id must be 16 bytes (1); span_id must be 8 bytes (1); start_time_unix_nano is 0 (1); end_time_unix_nano is 0 (1)',
  );
});

test('an empty request and a request of empty resources give no segments', () => {
  for (const signal of ['logs', 'metrics', 'traces'] as const) {
    assert.deepEqual(indexOtlpProto(signal, new Uint8Array(0)), { signal, segments: [], rejected: 0 });
  }
  const payload = encodeLogsRequest({ resourceLogs: [{}, { scopeLogs: [{}] }] });
  assert.deepEqual(indexOtlpProto('logs', payload).segments, []);
});

test('unknown fields of every wire type are skipped and the last value of a repeated scalar wins', () => {
  // LogRecord: unknown varint (field 20), fixed64 (21), bytes (22), fixed32 (23); time_unix_nano twice.
  const record = Uint8Array.from([
    0xa0, 0x01, 0x96, 0x01, // field 20 varint 150
    0xa9, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, // field 21 fixed64
    0xb2, 0x01, 2, 0xff, 0xfe, // field 22 bytes (invalid UTF-8 is fine)
    0xbd, 0x01, 1, 2, 3, 4, // field 23 fixed32
    0x09, 5, 0, 0, 0, 0, 0, 0, 0, // time = 5
    0x09, 7, 0, 0, 0, 0, 0, 0, 0, // time = 7 (wins)
  ]);
  const payload = wrapLogRecord(record);
  const index = indexOtlpProto('logs', payload);
  assert.equal(index.segments[0].beginTime, 7n);
  assert.equal(index.segments[0].endTime, 7n);
});

test('histogram bucket counts and bounds are accepted packed and unpacked', () => {
  // HistogramDataPoint: time=1, unpacked bucket_counts ×2 (field 6, I64), unpacked bounds ×1 (field 7, I64).
  const point = Uint8Array.from([
    0x19, 1, 0, 0, 0, 0, 0, 0, 0,
    0x31, 1, 0, 0, 0, 0, 0, 0, 0,
    0x31, 2, 0, 0, 0, 0, 0, 0, 0,
    0x39, ...new Uint8Array(new Float64Array([1.5]).buffer),
  ]);
  const histogram = msg(1, point);
  const metric = msg(9, histogram);
  const payload = msg(1, msg(2, msg(2, metric)));
  const index = indexOtlpProto('metrics', payload);
  assert.equal(index.rejected, 0);
  assert.equal(index.segments[0].nbObjects, 1);
  // Packed with a wrong count is rejected (3 counts for 1 bound).
  const packed = Uint8Array.from([0x19, 1, 0, 0, 0, 0, 0, 0, 0, 0x32, 24, ...new Uint8Array(24), 0x3a, 8, ...new Uint8Array(8)]);
  const bad = indexOtlpProto('metrics', msg(1, msg(2, msg(2, msg(9, msg(1, packed))))));
  assert.equal(bad.rejected, 1);
});

test('when a metric switches its data kind, only the last kind counts', () => {
  const gauge = msg(1, Uint8Array.from([0x19, 1, 0, 0, 0, 0, 0, 0, 0, 0x21, 0, 0, 0, 0, 0, 0, 0, 0]));
  const sum = msg(1, Uint8Array.from([0x19, 9, 0, 0, 0, 0, 0, 0, 0])); // no value → rejected
  const metric = concat(msg(5, gauge), msg(5, gauge), msg(7, sum));
  const index = indexOtlpProto('metrics', msg(1, msg(2, msg(2, metric))));
  assert.equal(index.segments[0].nbObjects, 1);
  assert.equal(index.segments[0].beginTime, 9n);
  assert.equal(index.rejected, 1);
});

test('indexOtlp dispatches on the encoding', () => {
  const payload = encodeTracesRequest(TRACES);
  assert.deepEqual(indexOtlp('traces', 'proto', payload), indexOtlpProto('traces', payload));
});
