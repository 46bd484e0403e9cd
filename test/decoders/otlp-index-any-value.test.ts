import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  anyValueToJson, anyValueToString, compareUtf8, jsonDouble, jsonObject, readAnyValue, type AnyValue,
} from '../../decoders/otlp/any-value.js';
import { rejectMessage } from '../../decoders/otlp/index-common.js';
import { WireReader } from '../../decoders/protowire.js';
import { otlpRoot } from '../helpers/otlp-proto.js';

const AnyValueType = otlpRoot.lookupType('opentelemetry.proto.common.v1.AnyValue');
const read = (obj: object): AnyValue => {
  const bytes = AnyValueType.encode(AnyValueType.fromObject(obj)).finish();
  return readAnyValue(new WireReader(bytes), bytes.length, 1);
};

test('attribute values stringify per §4.1', () => {
  assert.equal(anyValueToString(read({ stringValue: 'x y' })), 'x y');
  assert.equal(anyValueToString(read({ intValue: '-9223372036854775808' })), '-9223372036854775808');
  assert.equal(anyValueToString(read({ intValue: '18446744073709551615' })), '-1');
  assert.equal(anyValueToString(read({ boolValue: false })), 'false');
  assert.equal(anyValueToString(read({ doubleValue: 1e-7 })), '1e-7');
  assert.equal(anyValueToString(read({ doubleValue: -Infinity })), '-Infinity');
  assert.equal(anyValueToString(read({ bytesValue: Uint8Array.from([1, 2]) })), 'AQI=');
  assert.equal(anyValueToString(read({})), '');
  assert.equal(anyValueToString(read({ stringValueStrindex: 3 })), '');
});

test('JSON text sorts keys by UTF-8 bytes, keeps the later duplicate and renders specials as strings', () => {
  const v = read({
    kvlistValue: {
      values: [
        { key: '\u{1F600}', value: { doubleValue: NaN } },
        { key: '\uFF5E', value: { doubleValue: 3 } },
        { key: 'b', value: { intValue: '9007199254740993' } },
        { key: 'a', value: { arrayValue: { values: [{ doubleValue: Infinity }, {}, { bytesValue: Uint8Array.from([255]) }] } } },
        { key: 'b', value: { stringValue: 'later "wins"' } },
      ],
    },
  });
  assert.equal(anyValueToJson(v), '{"a":["Infinity",null,"/w=="],"b":"later \\"wins\\"","～":3,"😀":"NaN"}');
});

test('UTF-8 order differs from UTF-16 order above U+FFFF', () => {
  assert.ok('\u{1F600}' < '\uFF5E', 'JS default order');
  assert.ok(compareUtf8('\u{1F600}', '\uFF5E') > 0);
  assert.ok(compareUtf8('a', 'ab') < 0);
  assert.equal(compareUtf8('same', 'same'), 0);
  assert.equal(jsonObject([['z', '1'], ['é', '2'], ['a', '3']]), '{"a":3,"z":1,"é":2}');
});

test('doubles render as the shortest round-trip number', () => {
  assert.equal(jsonDouble(2), '2');
  assert.equal(jsonDouble(0.1 + 0.2), '0.30000000000000004');
  assert.equal(jsonDouble(-0), '0');
  assert.equal(jsonDouble(NaN), '"NaN"');
});

test('reject messages never exceed 256 characters', () => {
  const counts = new Array(11).fill(123456789);
  const msg = rejectMessage('traces', counts)!;
  assert.equal(msg.length, 256);
  assert.match(msg, /^1358024679 spans rejected: /);
  assert.equal(rejectMessage('logs', new Array(11).fill(0)), undefined);
  assert.equal(rejectMessage('traces', [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]), '1 span rejected: trace_id must be 16 bytes');
});
