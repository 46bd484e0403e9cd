// The streaming OTLP/JSON → protobuf transcoder against the tree-based reference: same bytes for
// every fixture, hand-written edge cases and random mutations (or both reject the input).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transcodeOtlpJsonSegment, transcodeOtlpJsonSegmentTree } from '../../decoders/otlp/decode-json-input.js';
import { encodeLogsJson, encodeMetricsJson, encodeTracesJson } from '../helpers/otlp-json.js';
import { LOGS, METRICS, TRACES } from './otlp-index-fixtures.js';
import { TRICKY_LOGS, TRICKY_TRACES, TRICKY_METRICS } from './otlp-decode-fixtures.js';
import { segmentsOf } from './otlp-decode-oracle.js';

type Signal = 'logs' | 'metrics' | 'traces';
const utf8 = (s: string) => new TextEncoder().encode(s);

/** Both transcoders give the same bytes, or both throw. */
function same(signal: Signal, seg: Uint8Array, what: string): boolean {
  let tree: Uint8Array | Error;
  let fast: Uint8Array | Error;
  try { tree = transcodeOtlpJsonSegmentTree(signal, seg); } catch (e) { tree = e as Error; }
  try { fast = transcodeOtlpJsonSegment(signal, seg); } catch (e) { fast = e as Error; }
  if (tree instanceof Error || fast instanceof Error) {
    assert.ok(tree instanceof Error && fast instanceof Error, `${what}: one transcoder threw: ${String(tree instanceof Error ? tree : fast)}`);
    return false;
  }
  assert.deepEqual(Buffer.from(fast), Buffer.from(tree), what);
  return true;
}

const FIXTURES: Array<[Signal, Uint8Array]> = [
  ['logs', encodeLogsJson(LOGS)], ['logs', encodeLogsJson(TRICKY_LOGS)],
  ['traces', encodeTracesJson(TRACES)], ['traces', encodeTracesJson(TRICKY_TRACES)],
  ['metrics', encodeMetricsJson(METRICS)], ['metrics', encodeMetricsJson(TRICKY_METRICS)],
];

test('streaming transcode equals the tree transcoder on every fixture segment', () => {
  for (const [signal, payload] of FIXTURES) {
    const segs = segmentsOf(signal, 'json', payload);
    assert.ok(segs.length > 0);
    for (const seg of segs) assert.ok(same(signal, seg, signal));
  }
});

test('streaming transcode equals the tree transcoder on edge cases', () => {
  const rec = (body: string) => `{"scopeLogs":[{"scope":{"name":"s"},"logRecords":[${body}]}]}`;
  const long = 'x'.repeat(20000);
  const logs = [
    rec('{"timeUnixNano":"18446744073709551615","observedTimeUnixNano":0,"severityNumber":-3,"flags":4294967295}'),
    rec('{"timeUnixNano":1e3,"time_unix_nano_x":1,"severity_number":"SEVERITY_NUMBER_FATAL4","body":{"intValue":"-1"}}'),
    rec('{"timeUnixNano":" 17 ","body":{"intValue":-9223372036854775808}}'),
    rec('{"body":{"intValue":"9223372036854775807"},"severityText":"caf\\u00e9 \\"q\\" \\n","eventName":"naïve ✓"}'),
    rec('{"body":{"doubleValue":"NaN"}},{"body":{"doubleValue":-0.0}},{"body":{"doubleValue":1.5e300}},{"body":{"doubleValue":"-Infinity"}}'),
    rec('{"traceId":"ABABABABABABABABABABABABABABABAB","spanId":"","body":{"bytesValue":"AQID_-8="}}'),
    rec('{"traceId":"\\u0041B","spanId":"0102030405060708"}'),
    rec(`{"body":{"stringValue":"${long}"},"attributes":[{"key":"k","value":{"arrayValue":{"values":[{"stringValue":"a"},null,{"kvlistValue":{"values":[{"key":"x","value":{"boolValue":true}}]}}]}}}]}`),
    rec('{"timeUnixNano":"1","timeUnixNano":"2"}'), // duplicate: the last wins (tree fallback)
    rec('{"timeUnixNano":"1","time_unix_nano":"2"}'),
    rec('{"timeUnixNano":"1","timeUnixNano":null}'),
    rec('{"timeUnixNano":null,"timeUnixNano":"3","body":null,"attributes":null}'),
    rec('{"unknown":{"deep":[1,{"a":[true,false,null,"\\ud83d"]}]},"body":{"stringValue":"ok"}}'),
    rec('{"timeUnixNano":1.5}'), rec('{"timeUnixNano":"18446744073709551616"}'), rec('{"timeUnixNano":-1}'),
    rec('{"severityNumber":"SEVERITY_NUMBER_NOPE"}'), rec('{"traceId":"abc"}'), rec('{"traceId":"zz"}'),
    rec('{"flags":4294967296}'), rec('{"body":{"boolValue":1}}'), rec('{"body":"x"}'), rec('{"attributes":{}}'),
    '{"scopeLogs":[', '[1]', '{"scopeLogs":[]} x', '{"schemaUrl":"u","scope_logs":[]}',
  ];
  for (const s of logs) same('logs', utf8(s), s.slice(0, 80));
  const spans = `{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","flags":257,
    "kind":"SPAN_KIND_SERVER","startTimeUnixNano":"1","endTimeUnixNano":"2","status":{"code":"STATUS_CODE_ERROR","message":"m"},
    "events":[{"timeUnixNano":"3","name":"e"}],"links":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708"}]}]}]}`;
  assert.ok(same('traces', utf8(spans), 'spans'));
  const metrics = `{"scopeMetrics":[{"metrics":[{"name":"h","exponentialHistogram":{"aggregationTemporality":1,"dataPoints":[
    {"timeUnixNano":"5","count":"3","scale":-4,"zeroCount":1,"positive":{"offset":-2,"bucketCounts":["1",2]},"negative":{"offset":3,"bucketCounts":[]},"zeroThreshold":"Infinity"}]}},
    {"name":"s","sum":{"isMonotonic":true,"aggregationTemporality":"AGGREGATION_TEMPORALITY_CUMULATIVE","dataPoints":[{"asInt":"-7","timeUnixNano":9}]}},
    {"name":"q","summary":{"dataPoints":[{"quantileValues":[{"quantile":0.5,"value":"1e2"}],"count":2,"sum":3}]}}]}]}`;
  assert.ok(same('metrics', utf8(metrics), 'metrics'));
});

test('streaming transcode equals the tree transcoder on random mutations', () => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const alphabet = utf8('{}[]",:0123456789-+.eE \\nulltruefalseaAfF_xyz\u00e9');
  for (const [signal, payload] of FIXTURES) {
    for (const seg of segmentsOf(signal, 'json', payload)) {
      for (let i = 0; i < 150; i++) {
        const m = Uint8Array.from(seg);
        for (let k = 1 + rand(3); k > 0; k--) m[rand(m.length)] = alphabet[rand(alphabet.length)];
        same(signal, m, `${signal} mutation ${i}`);
      }
    }
  }
});

test('streaming transcode writes random 64-bit integers exactly, as numbers and strings', () => {
  let x = 0x9e3779b97f4a7c15n;
  const next = () => {
    x ^= x << 13n; x &= (1n << 64n) - 1n; x ^= x >> 7n; x ^= x << 17n; x &= (1n << 64n) - 1n;
    return x;
  };
  const records: string[] = [];
  for (let i = 0; i < 400; i++) {
    const u = next() >> BigInt(i % 64); // all magnitudes
    const s = BigInt.asIntN(64, next()) >> BigInt(i % 64);
    records.push(i % 2 ? `{"timeUnixNano":${u},"body":{"intValue":"${s}"}}` : `{"timeUnixNano":"${u}","body":{"intValue":${s}}}`);
  }
  const seg = utf8(`{"scopeLogs":[{"logRecords":[${records.join(',')}]}]}`);
  assert.ok(same('logs', seg, 'random integers'));
});
