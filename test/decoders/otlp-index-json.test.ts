import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexOtlpJson } from '../../decoders/otlp/index-json.js';
import { indexOtlpProto } from '../../decoders/otlp/index-proto.js';
import { indexOtlp } from '../../decoders/otlp/index.js';
import { MalformedPayloadError, type OtlpIndex } from '../../decoders/types.js';
import { encodeLogsRequest, encodeMetricsRequest, encodeTracesRequest } from '../helpers/otlp-proto.js';
import { encodeLogsJson, encodeMetricsJson, encodeTracesJson } from '../helpers/otlp-json.js';
import { LOGS, METRICS, TRACES } from './otlp-index-fixtures.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const withoutRanges = (i: OtlpIndex) => ({ ...i, segments: i.segments.map(({ byteOffset, byteLength, ...rest }) => rest) });

test('JSON requests index exactly like their protobuf equivalents', () => {
  const cases = [
    ['logs', encodeLogsRequest(LOGS), encodeLogsJson(LOGS)],
    ['metrics', encodeMetricsRequest(METRICS), encodeMetricsJson(METRICS)],
    ['traces', encodeTracesRequest(TRACES), encodeTracesJson(TRACES)],
  ] as const;
  for (const [signal, proto, json] of cases) {
    const p = indexOtlpProto(signal, proto);
    const j = indexOtlpJson(signal, json);
    assert.ok(p.segments.length > 0);
    assert.deepEqual(withoutRanges(j), withoutRanges(p), signal);
    assert.deepEqual(indexOtlp(signal, 'json', json), j);
  }
});

test('JSON segment ranges run from the resource element’s { to its matching }', () => {
  const json = encodeLogsJson(LOGS);
  const parsed = JSON.parse(new TextDecoder().decode(json));
  const index = indexOtlpJson('logs', json);
  const keep = [0, 2];
  index.segments.forEach((seg, i) => {
    const slice = new TextDecoder().decode(json.subarray(seg.byteOffset, seg.byteOffset + seg.byteLength));
    assert.equal(slice[0], '{');
    assert.equal(slice.at(-1), '}');
    assert.deepEqual(JSON.parse(slice), parsed.resourceLogs[keep[i]]);
  });
});

test('snake_case keys, enum names, numbers for 64-bit values, whitespace and unknown keys are accepted', () => {
  const json = `{
    "resource_spans": [ {
      "resource": {"attributes": [{"key": "service.name", "value": {"string_value": "svc"}, "extra": [1, {"x": null}]}]},
      "scope_spans": [{"spans": [
        {"trace_id": "ABCDEFABCDEFABCDEFABCDEFABCDEFAB", "span_id": "0123456789abcdef", "parent_span_id": "",
         "kind": "SPAN_KIND_SERVER", "start_time_unix_nano": 1700000000000000001, "end_time_unix_nano": "1700000000000000002",
         "status": {"code": "STATUS_CODE_ERROR", "message": "x"}, "unknownField": {"deep": [true, false, 1.5e3]}}
      ]}]
    } ],
    "somethingElse": "ignored"
  }`;
  const index = indexOtlpJson('traces', utf8(json));
  assert.equal(index.rejected, 0);
  assert.equal(index.segments[0].beginTime, 1700000000000000001n, 'a long JSON number is kept exactly');
  assert.equal(index.segments[0].endTime, 1700000000000000002n);
  assert.deepEqual(index.segments[0].resourceAttributes, [['service.name', 'svc']]);
});

test('huge JSON integers in attribute values keep every digit', () => {
  const json = `{"resourceLogs":[{"resource":{"attributes":[
    {"key":"a","value":{"intValue":9223372036854775807}},
    {"key":"b","value":{"intValue":"-9223372036854775808"}},
    {"key":"c","value":{"intValue":1.5e3}},
    {"key":"d","value":{"doubleValue":"-Infinity"}},
    {"key":"e","value":{"bytesValue":"_-8"}}
  ]},"scopeLogs":[{"logRecords":[{"timeUnixNano":18446744073709551615,"observedTimeUnixNano":"3"}]}]}]}`;
  const [seg] = indexOtlpJson('logs', utf8(json)).segments;
  assert.deepEqual(seg.resourceAttributes, [
    ['a', '9223372036854775807'], ['b', '-9223372036854775808'], ['c', '1500'], ['d', '-Infinity'], ['e', '/+8='],
  ]);
  assert.equal(seg.beginTime, 3n, 'a time ≥ 2^63 counts as 0, so the observed time is used');
});

test('null means absent and the last duplicate key wins', () => {
  const json = `{"resourceLogs":[{"resource":null,"scopeLogs":[
      {"logRecords":[{"timeUnixNano":"5"},{"timeUnixNano":"6"}],"logRecords":[{"timeUnixNano":"9","timeUnixNano":"8","body":null}]},
      {"logRecords":null,"scope":null}
    ]}],
    "resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"8","traceId":null,"spanId":""}]}]}]}`;
  const index = indexOtlpJson('logs', utf8(json));
  assert.equal(index.segments.length, 1);
  assert.equal(index.segments[0].nbObjects, 1);
  assert.equal(index.segments[0].beginTime, 8n);
});

test('an empty JSON request gives no segments', () => {
  assert.deepEqual(indexOtlpJson('logs', utf8('{}')), { signal: 'logs', segments: [], rejected: 0 });
  assert.deepEqual(indexOtlpJson('metrics', utf8(' {"resourceMetrics":[]} ')).segments, []);
});

test('JSON that breaks OTLP value rules is refused with a byte offset', () => {
  const bad: Array<[string, string]> = [
    ['bad hex', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}'],
    ['odd-length hex', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"abc"}]}]}]}'],
    ['unknown enum name', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_BOGUS"}]}]}]}'],
    ['non-integral int64', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1.5"}]}]}]}'],
    ['non-integral number', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":15e-1}]}]}]}'],
    ['negative unsigned', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":-1}]}]}]}'],
    ['int64 overflow', '{"resourceLogs":[{"resource":{"attributes":[{"key":"a","value":{"intValue":9223372036854775808}}]}}]}'],
    ['string where a number belongs', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"high"}]}]}]}'],
    ['number where a string belongs', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityText":3}]}]}]}'],
    ['invalid base64', '{"resourceLogs":[{"resource":{"attributes":[{"key":"a","value":{"bytesValue":"a"}}]}}]}'],
    ['array element null', '{"resourceLogs":[null]}'],
    ['trailing data', '{} {}'],
    ['trailing comma', '{"resourceLogs":[],}'],
    ['bad escape', '{"x":"\\q"}'],
    ['raw control character', '{"x":"a\u0001"}'],
    ['leading zero', '{"x":01}'],
    ['not an object', '[]'],
    ['empty body', ''],
  ];
  for (const [what, json] of bad) {
    const signal = json.includes('Spans') ? 'traces' : 'logs';
    assert.throws(() => indexOtlpJson(signal, utf8(json)), (e: unknown) =>
      e instanceof MalformedPayloadError && typeof e.offset === 'number' && e.offset >= 0 && e.offset <= json.length, what);
  }
});

test('JSON nesting deeper than 64 is refused, 64 is accepted', () => {
  const nested = (depth: number) => `{"x":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
  assert.doesNotThrow(() => indexOtlpJson('logs', utf8(nested(64))));
  assert.throws(() => indexOtlpJson('logs', utf8(nested(65))), /nesting deeper than 64/);
  let body = '{"stringValue":"leaf"}';
  for (let i = 0; i < 30; i++) body = `{"arrayValue":{"values":[${body}]}}`;
  const json = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${body}}]}]}]}`;
  assert.throws(() => indexOtlpJson('logs', utf8(json)), MalformedPayloadError);
});

test('escaped keys and strings are decoded before matching', () => {
  const json = '{"resource\\u004cogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"4\\u0032"}]}],' +
    '"resource":{"attributes":[{"key":"k\\n\\"","value":{"stringValue":"\\ud83d\\ude00 \\/"}}]}}]}';
  const [seg] = indexOtlpJson('logs', utf8(json)).segments;
  assert.equal(seg.beginTime, 42n);
  assert.deepEqual(seg.resourceAttributes, [['k\n"', '😀 /']]);
});
