import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeOtlpMeasures, decodeOtlpHistograms, exponentialToExplicit } from '../../decoders/otlp/decode-metrics.js';
import { measuresSchema, histogramsSchema } from '../../decoders/otlp/schemas.js';
import { encodeMetricsRequest, decodeResourceMetrics } from '../helpers/otlp-proto.js';
import { METRICS } from './otlp-index-fixtures.js';
import { TRICKY_METRICS } from './otlp-decode-fixtures.js';
import { CTX, expectedMeasureRows, expectedHistogramRows, batchesToRows, segmentsOf } from './otlp-decode-oracle.js';

const s = (key: string, v: string) => ({ key, value: { stringValue: v } });


function check(request: object): [number, number] {
  let measures = 0;
  let histograms = 0;
  for (const seg of segmentsOf('metrics', 'proto', encodeMetricsRequest(request))) {
    const obj = decodeResourceMetrics(seg);
    const em = expectedMeasureRows(obj, CTX);
    const eh = expectedHistogramRows(obj, CTX);
    assert.deepEqual(batchesToRows(decodeOtlpMeasures(seg, CTX, null)), em);
    assert.deepEqual(batchesToRows(decodeOtlpHistograms(seg, CTX, null)), eh);
    measures += em.length;
    histograms += eh.length;
  }
  return [measures, histograms];
}

test('measures and histograms equal protobufjs + §7/§8 for every metric kind (index fixtures)', () => {
  const [m, h] = check(METRICS);
  assert.ok(m > 0 && h > 0);
});

test('gauge/sum values, summary rows, histogram and exponential points follow §7/§8', () => {
  // gauge 4 rows (NaN is a value; no value = rejected; flagged = skipped), sum 1, summary 2 points → 2+1+1+5 and 2 rows
  // histograms: 3 explicit points; 4 exponential (the one with an infinite bound is rejected)
  assert.deepEqual(check(TRICKY_METRICS), [4 + 1 + 9 + 2, 3 + 4]);
});

test('the spec example: scale 0, zero_count 1, positive offset 0 counts [2,3]', () => {
  assert.deepEqual(exponentialToExplicit(0, 0, 1n, 0, [], 0, [2n, 3n]), { bounds: [0, 1, 2, 4], counts: [1n, 0n, 2n, 3n, 0n] });
  const seg = segmentsOf('metrics', 'proto', encodeMetricsRequest(TRICKY_METRICS))[0];
  const [row] = batchesToRows(decodeOtlpHistograms(seg, CTX, ['kind', 'bucket_bounds', 'bucket_counts', 'scale', 'zero_count'], { timeRange: { begin: 40n, end: 40n } }));
  assert.deepEqual(row, { kind: 'exponential_histogram', bucket_bounds: [0, 1, 2, 4], bucket_counts: [1n, 0n, 2n, 3n, 0n], scale: 0, zero_count: 1n });
});

test('negative buckets come first, in ascending value order', () => {
  // scale 0, negative offset 0 counts [4, 5]: buckets [-1,-2) and [-2,-4) → bounds -4, -2, -1, then zero.
  assert.deepEqual(exponentialToExplicit(0, 0, 0n, 0, [4n, 5n], 0, []), { bounds: [-4, -2, -1, 0], counts: [0n, 5n, 4n, 0n, 0n] });
  // A zero threshold reaching into the positive buckets merges them into the zero bucket.
  assert.deepEqual(exponentialToExplicit(0, 2, 1n, 0, [], 0, [2n, 3n]), { bounds: [2, 4], counts: [3n, 3n, 0n] });
});

test('histogram schema: nullable exactly as §8.1, lists of non-null items', () => {
  const seg = segmentsOf('metrics', 'proto', encodeMetricsRequest(TRICKY_METRICS))[0];
  const [batch] = decodeOtlpHistograms(seg, CTX, null);
  assert.deepEqual(batch.schema.fields.map(String), histogramsSchema.fields.map(String));
  assert.deepEqual(batch.schema.fields.filter((f) => f.nullable).map((f) => f.name), ['start_time', 'sum', 'min', 'max', 'scale', 'zero_count']);
  assert.equal(String(histogramsSchema.fields.find((f) => f.name === 'bucket_counts')!.type), 'List<Int64>');
  const [m] = decodeOtlpMeasures(seg, CTX, null);
  assert.deepEqual(m.schema.fields.map(String), measuresSchema.fields.map(String));
});

test('summary rows split across batches when a point yields more rows than batchRows', () => {
  const seg = segmentsOf('metrics', 'proto', encodeMetricsRequest(TRICKY_METRICS))[0];
  const all = batchesToRows(decodeOtlpMeasures(seg, CTX, ['name', 'value']));
  const batches = [...decodeOtlpMeasures(seg, CTX, ['name', 'value'], { batchRows: 3 })];
  assert.ok(batches.every((b) => b.numRows <= 3));
  assert.deepEqual(batchesToRows(batches), all);
});
