import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSegmentSync, CorruptSegmentError } from '../../decoders/index.js';
import { MalformedPayloadError } from '../../decoders/types.js';
import type { BlobFormat, SegmentView } from '../../lake/types.js';
import { encodeLogsRequest, encodeMetricsRequest, encodeTracesRequest } from '../helpers/otlp-proto.js';
import { encodeLogsJson, encodeMetricsJson, encodeTracesJson } from '../helpers/otlp-json.js';
import { LOGS, METRICS, TRACES } from './otlp-index-fixtures.js';
import { TRICKY_LOGS, TRICKY_TRACES, TRICKY_METRICS } from './otlp-decode-fixtures.js';
import { CTX, segmentsOf } from './otlp-decode-oracle.js';
import { seededRandom as rng } from '../helpers/random.js';

function mutate(src: Uint8Array, rand: () => number): Uint8Array {
  const b = Uint8Array.from(src);
  const at = Math.floor(rand() * b.length);
  switch (Math.floor(rand() * 6)) {
    case 0: // flip bits
      b[at] ^= 1 << Math.floor(rand() * 8);
      return b;
    case 1: // a byte that extends varints or looks like a large length
      b[at] = [0xff, 0x80, 0x00, 0x7f][Math.floor(rand() * 4)];
      return b;
    case 2: // truncate
      return b.subarray(0, at);
    case 3: { // insert random bytes
      const n = 1 + Math.floor(rand() * 4);
      const ins = Array.from({ length: n }, () => Math.floor(rand() * 256));
      return Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
    }
    case 4: { // duplicate a range
      const len = Math.floor(rand() * 16);
      return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at, at + len), ...b.subarray(at)]);
    }
    default: { // several random bytes
      for (let i = 0; i < 3; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      return b;
    }
  }
}

const SOURCES: Array<[BlobFormat, SegmentView[], Uint8Array[]]> = [];
for (const req of [LOGS, TRICKY_LOGS]) {
  SOURCES.push(['otlp-logs-proto', ['log_entries'], segmentsOf('logs', 'proto', encodeLogsRequest(req))]);
  SOURCES.push(['otlp-logs-json', ['log_entries'], segmentsOf('logs', 'json', encodeLogsJson(req))]);
}
for (const req of [TRACES, TRICKY_TRACES]) {
  SOURCES.push(['otlp-traces-proto', ['otel_spans'], segmentsOf('traces', 'proto', encodeTracesRequest(req))]);
  SOURCES.push(['otlp-traces-json', ['otel_spans'], segmentsOf('traces', 'json', encodeTracesJson(req))]);
}
for (const req of [METRICS, TRICKY_METRICS]) {
  SOURCES.push(['otlp-metrics-proto', ['measures', 'histograms'], segmentsOf('metrics', 'proto', encodeMetricsRequest(req))]);
  SOURCES.push(['otlp-metrics-json', ['measures', 'histograms'], segmentsOf('metrics', 'json', encodeMetricsJson(req))]);
}

test('mutated real segments decode or fail with a clear segment error — never crash or hang', () => {
  const rand = rng(20240611);
  const started = Date.now();
  let cases = 0;
  let failures = 0;
  for (let round = 0; round < 300; round++) {
    for (const [format, views, segments] of SOURCES) {
      for (const seg of segments) {
        const bad = mutate(seg, rand);
        for (const view of views) {
          cases++;
          try {
            let rows = 0;
            for (const batch of decodeSegmentSync(format, view, bad, CTX, null, { batchRows: 5 })) {
              assert.ok(batch.numRows <= 5);
              rows += batch.numRows;
            }
            assert.ok(rows <= bad.length, 'more rows than bytes');
          } catch (e) {
            if (!(e instanceof CorruptSegmentError || e instanceof MalformedPayloadError)) {
              throw new Error(`${format}/${view} case ${cases}: ${String(e)}\nbytes ${Buffer.from(bad).toString('hex')}`);
            }
            if (e instanceof CorruptSegmentError) assert.equal(e.blockId, CTX.blockId);
            failures++;
          }
        }
      }
    }
  }
  assert.ok(cases >= 5000, `only ${cases} cases`);
  assert.ok(failures > 0 && failures < cases, 'mutations both broke and survived');
  assert.ok(Date.now() - started < 20_000, 'fuzzing took too long');
});
