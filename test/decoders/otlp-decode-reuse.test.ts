// Decoders reuse JSON writers (and their key templates), scope extras and constant columns across
// segments. Whatever order decodes run in, stop in or fail in, each segment's batches must be exactly
// what a lone decode of it gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordBatch, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { decodeOtlpLogs } from '../../decoders/otlp/decode-logs.js';
import { decodeOtlpSpans } from '../../decoders/otlp/decode-spans.js';
import { decodeOtlpMeasures, decodeOtlpHistograms } from '../../decoders/otlp/decode-metrics.js';
import { CorruptSegmentError } from '../../decoders/context.js';
import {
  encodeLogsRequest, encodeTracesRequest, encodeMetricsRequest, decodeResourceLogs, decodeResourceSpans,
} from '../helpers/otlp-proto.js';
import { LOGS, METRICS, TRACES } from './otlp-index-fixtures.js';
import { TRICKY_LOGS, TRICKY_TRACES, TRICKY_METRICS } from './otlp-decode-fixtures.js';
import { CTX, batchesToRows, expectedLogRows, expectedSpanRows, segmentsOf, type Row } from './otlp-decode-oracle.js';

type Decode = (seg: Uint8Array, ctx: typeof CTX, projection: readonly string[] | null, opts?: { batchRows?: number }) => Generator<RecordBatch, void, undefined>;

const s = (key: string, v: string) => ({ key, value: { stringValue: v } });
const id = (n: number, fill: number) => new Uint8Array(n).fill(fill);

const CASES: Array<[string, Decode, Uint8Array[]]> = [
  ['logs', decodeOtlpLogs, [...segmentsOf('logs', 'proto', encodeLogsRequest(LOGS)), ...segmentsOf('logs', 'proto', encodeLogsRequest(TRICKY_LOGS))]],
  ['spans', decodeOtlpSpans, [...segmentsOf('traces', 'proto', encodeTracesRequest(TRACES)), ...segmentsOf('traces', 'proto', encodeTracesRequest(TRICKY_TRACES))]],
  ['measures', decodeOtlpMeasures, [...segmentsOf('metrics', 'proto', encodeMetricsRequest(METRICS)), ...segmentsOf('metrics', 'proto', encodeMetricsRequest(TRICKY_METRICS))]],
  ['histograms', decodeOtlpHistograms, [...segmentsOf('metrics', 'proto', encodeMetricsRequest(METRICS)), ...segmentsOf('metrics', 'proto', encodeMetricsRequest(TRICKY_METRICS))]],
];

/** Rows of each segment decoded alone, one after another, in one-row batches. */
function sequential(decode: Decode, segments: Uint8Array[]): Row[][] {
  return segments.map((seg) => batchesToRows(decode(seg, CTX, null, { batchRows: 1 })));
}

test('decodes alive at the same time (generators stepped in turn) give each segment its own exact rows', () => {
  for (const [name, decode, segments] of CASES) {
    const expected = sequential(decode, segments);
    const live = segments.map((seg) => ({ it: decode(seg, CTX, null, { batchRows: 1 }), batches: [] as RecordBatch[], done: false }));
    for (let pending = live.length; pending > 0; ) {
      for (const g of live) {
        if (g.done) continue;
        const step = g.it.next();
        if (step.done) {
          g.done = true;
          pending--;
        } else g.batches.push(step.value);
      }
    }
    assert.deepEqual(live.map((g) => batchesToRows(g.batches)), expected, name);
  }
});

test('a decode stopped early or failed on corrupt bytes leaves later decodes exact', () => {
  for (const [name, decode, segments] of CASES) {
    const expected = sequential(decode, segments);
    for (const seg of segments) {
      // Stopped after its first batch (return() at a yield)…
      const it = decode(seg, CTX, null, { batchRows: 1 });
      it.next();
      it.return();
      // … or failing part-way: a segment cut inside its last record.
      assert.throws(() => [...decode(seg.subarray(0, seg.length - 3), CTX, null, { batchRows: 1 })], CorruptSegmentError, name);
    }
    assert.deepEqual(sequential(decode, segments), expected, name);
  }
});

/** A ResourceSpans segment whose span attribute keys are `keys` (all segments built from key lists
 * of equal lengths have equal byte lengths). */
function spansWithKeys(keys: string[]): Uint8Array {
  const spans = Array.from({ length: 3 }, (_, i) => ({
    traceId: id(16, 1), spanId: id(8, i + 1), startTimeUnixNano: '10', endTimeUnixNano: '20', name: 'op',
    attributes: keys.map((k) => s(k, `v${i}`)),
    events: [{ timeUnixNano: '15', name: 'e', attributes: keys.map((k) => s(k, 'x')) }],
  }));
  return segmentsOf('traces', 'proto', encodeTracesRequest({ resourceSpans: [{ scopeSpans: [{ scope: { name: 'sc' }, spans }] }] }))[0];
}

function logsWithKeys(keys: string[]): Uint8Array {
  const logRecords = Array.from({ length: 3 }, (_, i) => ({ timeUnixNano: '10', body: { stringValue: 'm' }, attributes: keys.map((k) => s(k, `v${i}`)) }));
  return segmentsOf('logs', 'proto', encodeLogsRequest({ resourceLogs: [{ scopeLogs: [{ scope: { name: 'sc' }, logRecords }] }] }))[0];
}

test('key templates built from one segment never put its keys into the next one (same buffer, new bytes)', () => {
  const keySets = [['alpha', 'beta'], ['gamma', 'zeta'], ['alpha', 'betb'], ['alphb', 'beta'], ['zzzzz', 'aaaa']];
  for (const [name, make, decode, oracle] of [
    ['spans', spansWithKeys, decodeOtlpSpans, (seg: Uint8Array) => expectedSpanRows(decodeResourceSpans(seg), CTX)],
    ['logs', logsWithKeys, decodeOtlpLogs, (seg: Uint8Array) => expectedLogRows(decodeResourceLogs(seg), CTX)],
  ] as const) {
    const segments = keySets.map((k) => make(k));
    assert.ok(segments.every((seg) => seg.length === segments[0].length), 'segments of equal length');
    // One buffer rewritten in place for each segment, as a reused receive buffer would be.
    const shared = new Uint8Array(segments[0].length);
    for (const seg of segments) {
      shared.set(seg);
      assert.deepEqual(batchesToRows((decode as Decode)(shared, CTX, null)), oracle(seg), name);
    }
    // A fresh buffer each time, the previous ones overwritten after their decode.
    for (const seg of segments) {
      const own = seg.slice();
      assert.deepEqual(batchesToRows((decode as Decode)(own, CTX, null)), oracle(seg), name);
      own.fill(0x61);
    }
  }
});

test('decoded batches behave as Arrow record batches: IPC round trip, slice, dictionaries', () => {
  const seg = spansWithKeys(['alpha', 'beta']);
  const batches = [...decodeOtlpSpans(seg, CTX, null, { batchRows: 2 })];
  assert.deepEqual(batches.map((b) => b.numRows), [2, 1]);
  const expected = batchesToRows(batches);
  assert.ok(batches.every((b) => b instanceof RecordBatch && b.schema === batches[0].schema));
  // One batch per table: tables of several batches with different dictionaries do not round-trip
  // through apache-arrow's IPC writer, whoever made the batches.
  const [whole] = decodeOtlpSpans(seg, CTX, null);
  assert.deepEqual(batchesToRows(tableFromIPC(tableToIPC(new Table([whole]))).batches), expected);
  assert.deepEqual(batchesToRows([batches[0].slice(1)]), expected.slice(1, batches[0].numRows));
  assert.ok(batches[0].dictionaries.size > 0);
});
