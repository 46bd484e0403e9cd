import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexOtlpProto } from '../../decoders/otlp/index-proto.js';
import { indexOtlpJson } from '../../decoders/otlp/index-json.js';
import { MalformedPayloadError, type OtlpSignal } from '../../decoders/types.js';
import { encodeLogsRequest, encodeMetricsRequest, encodeTracesRequest } from '../helpers/otlp-proto.js';
import { encodeLogsJson, encodeMetricsJson, encodeTracesJson } from '../helpers/otlp-json.js';
import { LOGS, METRICS, TRACES, msg, concat, wrapLogRecord } from './otlp-index-fixtures.js';

const SAMPLES: Array<[OtlpSignal, Uint8Array, Uint8Array]> = [
  ['logs', encodeLogsRequest(LOGS), encodeLogsJson(LOGS)],
  ['metrics', encodeMetricsRequest(METRICS), encodeMetricsJson(METRICS)],
  ['traces', encodeTracesRequest(TRACES), encodeTracesJson(TRACES)],
];

/** Runs the indexer; returns 'ok' or 'malformed', and fails the test on any other exception. */
function outcome(run: () => unknown, what: string): 'ok' | 'malformed' {
  try {
    run();
    return 'ok';
  } catch (e) {
    if (e instanceof MalformedPayloadError) return 'malformed';
    assert.fail(`${what}: ${(e as Error)?.stack ?? e}`);
  }
}

function expectMalformed(signal: OtlpSignal, payload: Uint8Array, pattern: RegExp, offset?: number): void {
  assert.throws(() => indexOtlpProto(signal, payload), (e: unknown) => {
    assert.ok(e instanceof MalformedPayloadError, String(e));
    assert.match(e.message, pattern);
    if (offset !== undefined) assert.equal(e.offset, offset);
    return true;
  });
}

test('protobuf truncated at any byte is refused or indexed, never another failure', () => {
  for (const [signal, payload] of SAMPLES) {
    let malformed = 0;
    for (let n = 0; n < payload.length; n++) {
      if (outcome(() => indexOtlpProto(signal, payload.subarray(0, n)), `${signal} cut at ${n}`) === 'malformed') malformed++;
    }
    assert.ok(malformed > payload.length / 2, `${signal}: most prefixes are malformed`);
  }
});

test('protobuf with any single bit flipped is refused or indexed, never another failure', () => {
  for (const [signal, payload] of SAMPLES) {
    for (let i = 0; i < payload.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const copy = payload.slice();
        copy[i] ^= 1 << bit;
        outcome(() => indexOtlpProto(signal, copy), `${signal} flip ${i}.${bit}`);
      }
    }
  }
});

test('JSON truncated at any byte or with a byte replaced is refused or indexed, never another failure', () => {
  for (const [signal, , json] of SAMPLES) {
    for (let n = 0; n < json.length; n++) {
      assert.equal(outcome(() => indexOtlpJson(signal, json.subarray(0, n)), `${signal} cut at ${n}`), 'malformed');
    }
    const replacements = [0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x30, 0x5c, 0x20, 0x6e, 0x80, 0x00];
    for (let i = 0; i < json.length; i++) {
      for (const r of replacements) {
        const copy = json.slice();
        copy[i] = r;
        outcome(() => indexOtlpJson(signal, copy), `${signal} byte ${i} := ${r}`);
      }
    }
  }
});

test('a length running past the end of the payload is refused at the length prefix', () => {
  expectMalformed('logs', Uint8Array.from([0x0a, 0x05, 0x12, 0x00]), /runs past/, 1);
  // Past the enclosing message although inside the payload.
  expectMalformed('logs', Uint8Array.from([0x0a, 0x02, 0x12, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00]), /runs past/, 3);
});

test('a known field with the wrong wire type is refused', () => {
  // LogRecord.time_unix_nano (field 1) sent as a varint.
  expectMalformed('logs', wrapLogRecord(Uint8Array.from([0x08, 0x01])), /field 1 of LogRecord has wire type 0/);
  // KeyValue.value sent as fixed32 inside a resource attribute.
  expectMalformed('logs', msg(1, msg(1, msg(1, Uint8Array.from([0x15, 0, 0, 0, 0])))), /field 2 of KeyValue/);
  // Span.trace_id as a varint.
  expectMalformed('traces', msg(1, msg(2, msg(2, Uint8Array.from([0x08, 0x01])))), /field 1 of Span/);
  // Request field 1 as a varint.
  expectMalformed('metrics', Uint8Array.from([0x08, 0x01]), /field 1 of Export request/, 0);
});

test('group and reserved wire types are refused even on unknown fields', () => {
  for (const wt of [3, 4, 6, 7]) {
    expectMalformed('logs', Uint8Array.from([(15 << 3) | wt, 0]), /unsupported wire type/);
    expectMalformed('logs', wrapLogRecord(Uint8Array.from([(14 << 3) | wt])), /unsupported wire type/);
  }
});

test('a varint longer than 10 bytes is refused', () => {
  const long = Uint8Array.from([0x10, ...new Array(10).fill(0xff), 0x01]);
  expectMalformed('logs', wrapLogRecord(long), /varint longer than 10 bytes/);
  assert.doesNotThrow(() => indexOtlpProto('logs', wrapLogRecord(Uint8Array.from([0x10, ...new Array(9).fill(0xff), 0x01]))));
});

test('field number 0 is refused', () => {
  expectMalformed('logs', Uint8Array.from([0x02, 0x00]), /invalid field tag/);
});

test('structure inside attributes, bodies, events, exemplars and buckets is validated', () => {
  const badAnyValue = Uint8Array.from([0x29, 1, 2, 3]); // field 5 ArrayValue as fixed64
  expectMalformed('logs', wrapLogRecord(msg(5, badAnyValue)), /AnyValue/);
  expectMalformed('logs', wrapLogRecord(msg(6, msg(2, msg(6, msg(1, Uint8Array.from([0x12, 0x01])))))), /runs past|truncated/);
  const span = (inner: Uint8Array) => msg(1, msg(2, msg(2, inner)));
  expectMalformed('traces', span(msg(11, Uint8Array.from([0x08, 0x01]))), /Span.Event/);
  expectMalformed('traces', span(msg(13, msg(4, Uint8Array.from([0x0b])))), /wire type 3/);
  const point = (kind: number, inner: Uint8Array) => msg(1, msg(2, msg(2, msg(kind, msg(1, inner)))));
  expectMalformed('metrics', point(5, msg(5, Uint8Array.from([0x11, 1]))), /truncated fixed64/);
  expectMalformed('metrics', point(10, msg(8, Uint8Array.from([0x12, 0x02, 0x80, 0x80]))), /truncated varint/);
  expectMalformed('metrics', point(9, Uint8Array.from([0x32, 0x03, 1, 2, 3])), /multiple of 8/);
});

test('protobuf nesting deeper than 64 messages is refused; 63 is accepted', () => {
  // Request (1) > ResourceLogs (2) > ScopeLogs (3) > LogRecord (4) > body AnyValue (5); each
  // ArrayValue wrapper adds two levels (ArrayValue, AnyValue).
  const body = (wraps: number) => {
    let v: Uint8Array = Uint8Array.from([0x0a, 0x01, 0x78]);
    for (let i = 0; i < wraps; i++) v = msg(5, msg(1, v));
    return wrapLogRecord(msg(5, v));
  };
  assert.equal(indexOtlpProto('logs', body(29)).segments[0].nbObjects, 1);
  expectMalformed('logs', body(30), /nesting deeper than 64/);
  // Resource attributes go through the value reader, with the same limit.
  let v: Uint8Array = Uint8Array.from([0x0a, 0x01, 0x78]);
  for (let i = 0; i < 40; i++) v = msg(6, msg(1, concat(Uint8Array.from([0x0a, 0x01, 0x6b]), msg(2, v))));
  expectMalformed('logs', msg(1, msg(1, msg(1, msg(2, v)))), /nesting deeper than 64/);
});

test('invalid UTF-8 in strings is not an error', () => {
  const attr = concat(Uint8Array.from([0x0a, 0x02, 0xc3, 0x28]), msg(2, Uint8Array.from([0x0a, 0x02, 0xff, 0xfe])));
  const payload = concat(msg(1, concat(msg(1, msg(1, attr)), msg(2, msg(2, msg(3, Uint8Array.from([0xff])))))));
  const [seg] = indexOtlpProto('logs', payload).segments;
  assert.deepEqual(seg.resourceAttributes, [['\ufffd(', '\ufffd\ufffd']]);
});
