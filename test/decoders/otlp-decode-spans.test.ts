import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from 'apache-arrow';
import { decodeOtlpSpans } from '../../decoders/otlp/decode-spans.js';
import { otelSpansSchema } from '../../decoders/otlp/schemas.js';
import { encodeTracesRequest, decodeResourceSpans } from '../helpers/otlp-proto.js';
import { TRACES } from './otlp-index-fixtures.js';
import { TRICKY_TRACES } from './otlp-decode-fixtures.js';
import { CTX, expectedSpanRows, batchesToRows, segmentsOf } from './otlp-decode-oracle.js';

const id = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const s = (key: string, v: string) => ({ key, value: { stringValue: v } });


function check(request: object): number {
  let n = 0;
  for (const seg of segmentsOf('traces', 'proto', encodeTracesRequest(request))) {
    const expected = expectedSpanRows(decodeResourceSpans(seg), CTX);
    assert.deepEqual(batchesToRows(decodeOtlpSpans(seg, CTX, null)), expected);
    n += expected.length;
  }
  return n;
}

test('every otel_spans column equals protobufjs + the §9 mapping (index fixtures)', () => {
  assert.ok(check(TRACES) > 0);
});

test('ids, parent nulls, kinds, statuses, durations, events and links follow §9; rejected spans are skipped', () => {
  assert.equal(check(TRICKY_TRACES), 4);
});

test('negative durations and nanoseconds beyond 2^53 are exact', () => {
  const seg = segmentsOf('traces', 'proto', encodeTracesRequest(TRICKY_TRACES))[0];
  const rows = batchesToRows(decodeOtlpSpans(seg, CTX, ['start_time', 'duration']));
  assert.deepEqual(rows[0], { start_time: 1700000000000000001n, duration: 500000002n });
  assert.deepEqual(rows[1], { start_time: 20n, duration: -10n });
  assert.deepEqual(rows[3], { start_time: 9223372036854775807n, duration: 1n - 9223372036854775807n });
});

test('otel_spans batches carry the view schema; nullable exactly where §9 says', () => {
  const seg = segmentsOf('traces', 'proto', encodeTracesRequest(TRICKY_TRACES))[0];
  const [batch] = decodeOtlpSpans(seg, CTX, null);
  assert.deepEqual(batch.schema.fields.map(String), otelSpansSchema.fields.map(String));
  assert.deepEqual(batch.schema.fields.filter((f) => f.nullable).map((f) => f.name), ['parent_span_id', 'status_message']);
  const t = (n: string) => batch.schema.fields.find((f) => f.name === n)!.type;
  assert.equal(String(t('duration')), 'Int64');
  assert.ok(DataType.isDictionary(t('kind')) && DataType.isDictionary(t('name')));
  assert.equal(String(t('trace_id')), 'Utf8');
});

test('only projected columns are built; batches respect batchRows', () => {
  const spans = Array.from({ length: 10 }, (_, i) => ({ traceId: id(16, 1), spanId: id(8, i + 1), startTimeUnixNano: '1', endTimeUnixNano: String(2 + i), name: `s${i % 3}` }));
  const seg = segmentsOf('traces', 'proto', encodeTracesRequest({ resourceSpans: [{ scopeSpans: [{ spans }] }] }))[0];
  const batches = [...decodeOtlpSpans(seg, CTX, ['name', 'span_id'], { batchRows: 4 })];
  assert.deepEqual(batches.map((b) => b.numRows), [4, 4, 2]);
  assert.deepEqual(batches[0].schema.fields.map((f) => f.name), ['name', 'span_id']);
  assert.deepEqual(batchesToRows(batches).map((r) => r.name), spans.map((x) => x.name));
});

test('the time hint keeps every span overlapping the range', () => {
  const spans = [[1, 5], [4, 8], [9, 12], [13, 20]].map(([a, b], i) => ({ traceId: id(16, 1), spanId: id(8, i + 1), startTimeUnixNano: String(a), endTimeUnixNano: String(b) }));
  const seg = segmentsOf('traces', 'proto', encodeTracesRequest({ resourceSpans: [{ scopeSpans: [{ spans }] }] }))[0];
  const rows = batchesToRows(decodeOtlpSpans(seg, CTX, ['start_time'], { timeRange: { begin: 5n, end: 9n } }));
  assert.deepEqual(rows.map((r) => r.start_time), [1n, 4n, 9n]);
});

test('trace ids repeated by consecutive spans stay exact across rejected spans, other traces and batch boundaries', () => {
  const trace = (b: number) => Uint8Array.from({ length: 16 }, (_, k) => (b * 37 + k * 11) & 0xff);
  const hex = (a: Uint8Array) => Buffer.from(a).toString('hex');
  // Trace of each span; a negative one marks a rejected span (span id of the wrong length).
  const plan = [1, 1, -2, 2, 1, 1, 1, -1, 1, 3, 3, 3, 1];
  const spans = plan.map((t, i) => ({
    traceId: trace(Math.abs(t)), spanId: id(t < 0 ? 7 : 8, i + 1), startTimeUnixNano: '1', endTimeUnixNano: '2',
    parentSpanId: i % 3 === 0 ? undefined : id(8, i % 3 === 1 ? 0 : i),
  }));
  const seg = segmentsOf('traces', 'proto', encodeTracesRequest({ resourceSpans: [{ scopeSpans: [{ spans }] }] }))[0];
  const expected = expectedSpanRows(decodeResourceSpans(seg), CTX);
  assert.deepEqual(expected.map((r) => r.trace_id), plan.filter((t) => t > 0).map((t) => hex(trace(t))));
  for (const batchRows of [1, 2, 3, 5, 100]) {
    const batches = [...decodeOtlpSpans(seg, CTX, null, { batchRows })];
    assert.deepEqual(batchesToRows(batches), expected, `batchRows ${batchRows}`);
  }
});

test('spans with long fields (multi-byte lengths), flags and unknown fields decode like protobufjs reads them', () => {
  const long = 'n'.repeat(300);
  const spans = [0, 1, 2].map((i) => ({
    traceId: id(16, 7), spanId: id(8, i + 1), startTimeUnixNano: '5', endTimeUnixNano: '9', name: i === 1 ? long : `s${i}`,
    traceState: i === 2 ? 'k=' + 'v'.repeat(200) : '', flags: 0x301, kind: 3, droppedAttributesCount: 2,
    attributes: [s('big', 'x'.repeat(150)), s('k', 'v')],
    events: i === 0 ? [{ timeUnixNano: '7', name: 'e', attributes: [s('a', 'y'.repeat(140))] }] : [],
  }));
  assert.equal(check({ resourceSpans: [{ scopeSpans: [{ spans }] }] }), 3);
});

test('a Span field of the wrong wire type, or a length past the span, is a corrupt segment naming the field', () => {
  const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)]);
  const ld = (field: number, bytes: number[]): number[] => [(field << 3) | 2, ...varint(bytes.length), ...bytes];
  const segment = (span: number[]) => Uint8Array.from(ld(2, ld(2, span)));
  const good = [...ld(1, [...id(16, 1)]), ...ld(2, [...id(8, 2)]), 0x39, 1, 0, 0, 0, 0, 0, 0, 0, 0x41, 2, 0, 0, 0, 0, 0, 0, 0];
  assert.equal(batchesToRows(decodeOtlpSpans(segment(good), CTX, ['span_id'])).length, 1);
  const bad: Array<[number[], RegExp]> = [
    [[...good, ...ld(6, [1])], /field 6 of Span has wire type 2/],
    [[...good, 0x08, 1], /field 1 of Span has wire type 0/],
    [[...good, 0x38, 1], /field 7 of Span has wire type 0/],
    [[...good, 0x2a, 5, 0x61], /length 5 runs past/],
    [[...good, 0x2a, 0x80], /truncated varint/],
    [[...good, 0x39, 1, 2], /truncated fixed64/],
  ];
  for (const [span, message] of bad) assert.throws(() => [...decodeOtlpSpans(segment(span), CTX, null)], message);
});
