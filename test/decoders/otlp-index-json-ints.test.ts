// The OTLP/JSON index's allocation-free 64-bit integer path: exact times at every magnitude,
// range limits of signed and unsigned fields, and the slow forms (exponents, fractions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexOtlpJson } from '../../decoders/otlp/index-json.js';
import { MalformedPayloadError } from '../../decoders/types.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const logs = (records: string) => utf8(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[${records}]}]}]}`);
const range = (records: string) => {
  const [seg] = indexOtlpJson('logs', logs(records)).segments;
  return [seg.beginTime, seg.endTime];
};

test('random log times index to their exact min and max, as numbers or strings', () => {
  let x = 0x2545f4914f6cdd1dn;
  const times: bigint[] = [];
  const records: string[] = [];
  for (let i = 0; i < 500; i++) {
    x ^= x << 13n; x &= (1n << 64n) - 1n; x ^= x >> 7n; x ^= x << 17n; x &= (1n << 64n) - 1n;
    const t = (x >> BigInt(i % 64)) || 1n;
    if (t < 1n << 63n) times.push(t);
    records.push(i % 2 ? `{"timeUnixNano":${t}}` : `{"timeUnixNano":"${t}"}`);
  }
  const min = times.reduce((a, b) => (b < a ? b : a));
  const max = times.reduce((a, b) => (b > a ? b : a));
  assert.deepEqual(range(records.join(',')), [min, max]);
});

test('time bounds: 2^63 - 1 is usable, 2^63 and above fall back to the observed time', () => {
  assert.deepEqual(range('{"timeUnixNano":"9223372036854775807"}'), [9223372036854775807n, 9223372036854775807n]);
  assert.deepEqual(range('{"timeUnixNano":"9223372036854775808","observedTimeUnixNano":5}'), [5n, 5n]);
  assert.deepEqual(range('{"timeUnixNano":18446744073709551615,"observedTimeUnixNano":"1000000000"}'), [1000000000n, 1000000000n]);
  assert.deepEqual(range('{"timeUnixNano":"1700000000123456789"},{"timeUnixNano":1.7e18},{"timeUnixNano":"17000000001234567.89e2"}'),
    [1700000000000000000n, 1700000000123456789n]);
  assert.deepEqual(range('{"timeUnixNano":"-0","observedTimeUnixNano":"999999999"}'), [999999999n, 999999999n]);
});

test('out-of-range and non-integral 64-bit values are rejected', () => {
  const bad = [
    '{"timeUnixNano":"18446744073709551616"}', '{"timeUnixNano":-1}', '{"timeUnixNano":"1.5"}', '{"timeUnixNano":"01"}',
    '{"timeUnixNano":123456789012345678901}', '{"body":{"intValue":"-9223372036854775809"}}',
    '{"body":{"intValue":9223372036854775808}}', '{"flags":4294967296}', '{"flags":-1}', '{"droppedAttributesCount":"x"}',
  ];
  for (const r of bad) assert.throws(() => indexOtlpJson('logs', logs(r)), MalformedPayloadError, r);
  for (const r of ['{"body":{"intValue":"-9223372036854775808"}}', '{"body":{"intValue":9223372036854775807}}', '{"flags":4294967295}', '{"flags":"-0"}']) {
    assert.equal(indexOtlpJson('logs', logs(r)).segments.length, 1, r);
  }
});

test('span times and rejections use the same exact path', () => {
  const spans = (s: string) => utf8(`{"resourceSpans":[{"scopeSpans":[{"spans":[${s}]}]}]}`);
  const ids = '"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708"';
  const idx = indexOtlpJson('traces', spans(
    `{${ids},"startTimeUnixNano":"9007199254740993","endTimeUnixNano":"9223372036854775807"},` +
    `{${ids},"startTimeUnixNano":"9007199254740995","endTimeUnixNano":"9223372036854775808"}`,
  ));
  assert.equal(idx.segments[0].beginTime, 9007199254740993n);
  assert.equal(idx.segments[0].endTime, 9223372036854775807n);
  assert.equal(idx.rejected, 1);
});
