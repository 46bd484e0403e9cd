import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tableToIPC, Table, type RecordBatch } from 'apache-arrow';
import { decodeSegment, decodeSegmentSync, CorruptSegmentError } from '../../decoders/index.js';
import type { BlobFormat, SegmentView } from '../../lake/types.js';
import { encodeLogsRequest, encodeMetricsRequest, encodeTracesRequest } from '../helpers/otlp-proto.js';
import { encodeLogsJson, encodeMetricsJson, encodeTracesJson } from '../helpers/otlp-json.js';
import { LOGS, METRICS, TRACES } from './otlp-index-fixtures.js';
import { TRICKY_LOGS, TRICKY_TRACES, TRICKY_METRICS } from './otlp-decode-fixtures.js';
import { CTX, batchesToRows, segmentsOf } from './otlp-decode-oracle.js';

const CASES: Array<[string, 'logs' | 'metrics' | 'traces', SegmentView, object, (o: object) => Uint8Array, (o: object) => Uint8Array]> = [
  ['logs', 'logs', 'log_entries', LOGS, encodeLogsRequest, encodeLogsJson],
  ['tricky logs', 'logs', 'log_entries', TRICKY_LOGS, encodeLogsRequest, encodeLogsJson],
  ['traces', 'traces', 'otel_spans', TRACES, encodeTracesRequest, encodeTracesJson],
  ['tricky traces', 'traces', 'otel_spans', TRICKY_TRACES, encodeTracesRequest, encodeTracesJson],
  ['measures', 'metrics', 'measures', METRICS, encodeMetricsRequest, encodeMetricsJson],
  ['tricky measures', 'metrics', 'measures', TRICKY_METRICS, encodeMetricsRequest, encodeMetricsJson],
  ['histograms', 'metrics', 'histograms', METRICS, encodeMetricsRequest, encodeMetricsJson],
  ['tricky histograms', 'metrics', 'histograms', TRICKY_METRICS, encodeMetricsRequest, encodeMetricsJson],
];

/** Batches as IPC bytes: equal bytes = identical schemas, buffers and dictionaries. */
const ipc = (batches: Iterable<RecordBatch>) => Buffer.from(tableToIPC(new Table([...batches])));

for (const [label, signal, view, request, toProto, toJson] of CASES) {
  test(`JSON and protobuf encodings of the same ${label} decode to identical batches`, () => {
    const proto = segmentsOf(signal, 'proto', toProto(request));
    const json = segmentsOf(signal, 'json', toJson(request));
    assert.equal(json.length, proto.length);
    let rows = 0;
    for (let i = 0; i < proto.length; i++) {
      const a = [...decodeSegmentSync(`otlp-${signal}-proto` as BlobFormat, view, proto[i], CTX, null)];
      const b = [...decodeSegmentSync(`otlp-${signal}-json` as BlobFormat, view, json[i], CTX, null)];
      assert.deepEqual(batchesToRows(b), batchesToRows(a));
      if (a.length) assert.ok(ipc(a).equals(ipc(b)), 'IPC bytes differ');
      rows += batchesToRows(a).length;
    }
    assert.ok(rows > 0);
  });
}

test('JSON integers beyond 2^53 are exact, as strings or bare numbers; enum names and snake_case keys work', () => {
  const seg = new TextEncoder().encode(
    '{"scope_logs":[{"scope":{"name":"s"},"logRecords":[' +
      '{"timeUnixNano":1700000000000000001,"severityNumber":"SEVERITY_NUMBER_WARN","body":{"intValue":-9223372036854775808},"unknown":{"x":[1,2]}},' +
      '{"time_unix_nano":"9007199254740993","body":{"doubleValue":"NaN"},"traceId":"ABABABABABABABABABABABABABABABAB","span_id":""}]}]}',
  );
  const rows = batchesToRows(decodeSegmentSync('otlp-logs-json', 'log_entries', seg, CTX, ['time', 'level', 'msg', 'properties']));
  assert.deepEqual(rows, [
    { time: 1700000000000000001n, level: 3, msg: '-9223372036854775808', properties: '{"otel.scope.name":"s"}' },
    { time: 9007199254740993n, level: 4, msg: 'NaN', properties: '{"otel.scope.name":"s","otel.trace_id":"abababababababababababababababab"}' },
  ]);
});

test('malformed JSON segments fail with CorruptSegmentError naming the block', () => {
  for (const text of ['{"scopeLogs":[', '{"scopeLogs":[{"logRecords":[{"timeUnixNano":1.5}]}]}', '{"scopeLogs":[{"logRecords":[{"traceId":"xyz"}]}]}']) {
    assert.throws(
      () => [...decodeSegmentSync('otlp-logs-json', 'log_entries', new TextEncoder().encode(text), CTX, null)],
      (e: unknown) => e instanceof CorruptSegmentError && e.blockId === CTX.blockId && e.message.includes(CTX.blockId),
    );
  }
});

test('decodeSegment is an async iterable over the same batches', async () => {
  const seg = segmentsOf('logs', 'proto', encodeLogsRequest(LOGS))[0];
  const got: RecordBatch[] = [];
  for await (const b of decodeSegment('otlp-logs-proto', 'log_entries', seg, CTX, ['msg'])) got.push(b);
  assert.deepEqual(batchesToRows(got), batchesToRows(decodeSegmentSync('otlp-logs-proto', 'log_entries', seg, CTX, ['msg'])));
  assert.throws(() => decodeSegmentSync('otlp-logs-proto', 'otel_spans', seg, CTX, null), /no decoder/);
});
