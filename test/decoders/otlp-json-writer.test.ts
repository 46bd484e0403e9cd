// The byte-level §5.1 writers (JsonObjectWriter with its templates and fast paths, the log body
// writer) against the reference formatter of any-value.ts on random AnyValues, encoded by hand so
// the payloads can hold what protobufjs never writes: invalid UTF-8, repeated oneof members,
// non-canonical varints, string-table references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonObjectWriter } from '../../decoders/otlp/decode-json-object.js';
import { equalWords } from '../../decoders/otlp/byte-words.js';
import { readKeyValue, anyValueToJson, jsonObject } from '../../decoders/otlp/any-value.js';
import { WireReader, decodeUtf8 } from '../../decoders/protowire.js';
import { Utf8Column } from '../../decoders/columns.js';
import { decodeOtlpLogs } from '../../decoders/otlp/decode-logs.js';
import { decodeOtlpSpans } from '../../decoders/otlp/decode-spans.js';
import { CTX, batchesToRows } from './otlp-decode-oracle.js';
import { seededRandom as rng } from '../helpers/random.js';

// Minimal protobuf writer: messages are byte arrays.
const varint = (v: bigint): number[] => {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
};
const tag = (field: number, wt: number): number[] => varint(BigInt((field << 3) | wt));
const len = (field: number, body: number[]): number[] => [...tag(field, 2), ...varint(BigInt(body.length)), ...body];
const fixed64 = (field: number, v: bigint): number[] => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return [...tag(field, 1), ...b];
};
const f64 = (field: number, x: number): number[] => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, true);
  return [...tag(field, 1), ...b];
};
const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const utf8Bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

// String material: plain ASCII, every escape class, non-ASCII, and invalid UTF-8 sequences.
const PIECES: number[][] = [
  utf8('a'), utf8('Zq'), utf8('/api/v1'), utf8(' '), utf8('"'), utf8('\\'), utf8('\n'), utf8('\t'), [0x00], [0x1f], [0x7f],
  utf8('é'), utf8('😀'), utf8('\u2028'), utf8('\uffff'), [0xff], [0x80], [0xc0, 0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
];

function randomText(rand: () => number, plain: boolean): number[] {
  const n = rand() < 0.1 ? 130 + Math.floor(rand() * 40) : Math.floor(rand() * 24);
  const out: number[] = [];
  while (out.length < n) {
    // Mostly ASCII letters, so four-byte words without escapes are common too.
    if (plain || rand() < 0.8) out.push(0x61 + Math.floor(rand() * 26));
    else out.push(...PIECES[Math.floor(rand() * PIECES.length)]);
  }
  return out;
}

const INTS = [
  0n, 1n, -1n, 9n, 10n, 99n, 100n, 12345n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n, 2n ** 48n, 2n ** 49n - 1n, 2n ** 49n,
  2n ** 53n - 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), -(2n ** 31n),
];
const DOUBLES = [NaN, Infinity, -Infinity, 0, -0, 1, 3, 0.1, 1e21, 1e-7, 5e-324, -2.5, 1.7976931348623157e308, 123456.789];

/** A random AnyValue message (nesting limited by `depth`). */
function randomAnyValue(rand: () => number, depth: number): number[] {
  const r = rand();
  if (r < 0.3) return len(1, randomText(rand, rand() < 0.5));
  if (r < 0.45) return [...tag(3, 0), ...varint(rand() < 0.7 ? INTS[Math.floor(rand() * INTS.length)] : BigInt(Math.floor(rand() * 1e6)))];
  if (r < 0.55) return f64(4, rand() < 0.7 ? DOUBLES[Math.floor(rand() * DOUBLES.length)] : (rand() - 0.5) * 1e6);
  if (r < 0.62) return [...tag(2, 0), ...(rand() < 0.3 ? [0x80, 0x01] : varint(BigInt(Math.floor(rand() * 3))))];
  if (r < 0.68) return len(7, Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 256)));
  if (r < 0.71) return [];
  if (r < 0.73) return [...tag(8, 0), 5]; // string-table reference: unset
  if (r < 0.76) return [...len(1, utf8('replaced')), ...tag(3, 0), ...varint(7n)]; // last member wins
  if (depth >= 3) return len(1, utf8('leaf'));
  if (r < 0.88) {
    const items = Array.from({ length: Math.floor(rand() * 4) }, () => len(1, randomAnyValue(rand, depth + 1)));
    return len(5, items.flat());
  }
  const kvs = Array.from({ length: Math.floor(rand() * 4) }, () => len(1, randomKeyValue(rand, randomKey(rand), depth + 1)));
  return len(6, kvs.flat());
}

function randomKey(rand: () => number): number[] {
  return rand() < 0.85 ? utf8(['http.route', 'a', 'b', 'service.name', 'z', 'otel.x', 'é', '😀', 'k'][Math.floor(rand() * 9)]) : randomText(rand, false);
}

function randomKeyValue(rand: () => number, key: number[], depth: number): number[] {
  const noValue = rand() < 0.05;
  const value = noValue ? [] : len(2, randomAnyValue(rand, depth));
  return rand() < 0.1 ? [...value, ...len(1, key)] : [...len(1, key), ...value];
}

type Extra = { kind: 'json' | 'string' | 'hex'; key: string; bytes: Uint8Array };

test('JsonObjectWriter writes what the reference formatter writes, record after record (templates, fast paths, fallbacks)', () => {
  const rand = rng(20251125);
  // Records share key sequences for a while, as consecutive records of one instrumentation do.
  const payload: number[] = [];
  const records: Array<{ kvs: Array<[number, number]>; extras: Extra[] }> = [];
  const constants = [new TextEncoder().encode('"scope-a"'), new TextEncoder().encode('null'), new TextEncoder().encode('[1,2]')];
  let keys: number[][] = [];
  for (let rec = 0; rec < 3000; rec++) {
    if (rec % 7 === 0 || rand() < 0.05) keys = Array.from({ length: Math.floor(rand() * 6) }, () => randomKey(rand));
    const kvs: Array<[number, number]> = [];
    for (const key of keys) {
      const kv = randomKeyValue(rand, key, 0);
      kvs.push([payload.length, payload.length + kv.length]);
      payload.push(...kv);
    }
    const extras: Extra[] = [];
    if (rand() < 0.6) extras.push({ kind: 'json', key: 'otel.scope.name', bytes: constants[rec % 3 === 0 ? 0 : Math.floor(rand() * 3)] });
    if (rand() < 0.3) extras.push({ kind: 'string', key: rand() < 0.5 ? 'a' : 'otel.severity_text', bytes: Uint8Array.from(randomText(rand, false)) });
    if (rand() < 0.3) extras.push({ kind: 'hex', key: 'otel.span_id', bytes: Uint8Array.from({ length: Math.floor(rand() * 10) }, () => Math.floor(rand() * 256)) });
    records.push({ kvs, extras });
  }
  const buf = Uint8Array.from(payload);
  const r = new WireReader(buf);
  const writer = new JsonObjectWriter(r);
  const col = new Utf8Column(false, 64);
  const expected: string[] = [];
  for (const { kvs, extras } of records) {
    writer.reset();
    const entries: Array<[string, string]> = [];
    for (const [s, e] of kvs) {
      writer.addKeyValue(s, e);
      r.pos = s;
      const [k, v] = readKeyValue(r, e, 4);
      entries.push([k, anyValueToJson(v)]);
    }
    for (const x of extras) {
      const key = new TextEncoder().encode(x.key);
      if (x.kind === 'json') {
        writer.addJson(key, x.bytes);
        entries.push([x.key, decodeUtf8(x.bytes, 0, x.bytes.length)]);
      } else if (x.kind === 'string') {
        writer.addJsonString(key, x.bytes, 0, x.bytes.length);
        entries.push([x.key, JSON.stringify(decodeUtf8(x.bytes, 0, x.bytes.length))]);
      } else {
        writer.addJsonHex(key, x.bytes, 0, x.bytes.length);
        entries.push([x.key, JSON.stringify(Buffer.from(x.bytes).toString('hex'))]);
      }
    }
    writer.writeTo(col);
    col.endValue();
    expected.push(jsonObject(entries));
  }
  const data = col.finish();
  const text = (i: number) => new TextDecoder().decode(data.values.subarray(data.valueOffsets[i], data.valueOffsets[i + 1]));
  for (let i = 0; i < expected.length; i++) assert.equal(text(i), expected[i], `record ${i}`);
});

test('log bodies keep their text exactly, invalid UTF-8 replaced per value, with valid and invalid rows mixed in a batch', () => {
  const rand = rng(7);
  const bodies: number[][] = [];
  for (let i = 0; i < 400; i++) bodies.push(randomText(rand, rand() < 0.5));
  // A valid batch whose concatenation is valid but splits characters across rows is still checked per row.
  bodies.push([0xf0, 0x9f], [0x98, 0x80], utf8('ok'));
  const records = bodies.map((b, i) => len(2, [...fixed64(1, 1_700_000_000_000_000_000n + BigInt(i)), ...len(5, len(1, b))]));
  const segment = Uint8Array.from(len(2, records.flat()));
  for (const batchRows of [7, 1000]) {
    const rows = batchesToRows(decodeOtlpLogs(segment, CTX, ['msg'], { batchRows }));
    assert.deepEqual(rows.map((x) => x.msg), bodies.map((b) => decodeUtf8(Uint8Array.from(b), 0, b.length)));
  }
});

test('span event times are exact integers over the whole unsigned range, values from 2^63 written as 0', () => {
  const times = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n];
  const events = times.map((t) => len(11, [...fixed64(1, t), ...len(2, utf8('e'))])).flat();
  const span = [
    ...len(1, new Array(16).fill(1)), ...len(2, new Array(8).fill(2)), ...fixed64(7, 10n), ...fixed64(8, 20n), ...events,
  ];
  const segment = Uint8Array.from(len(2, len(2, span)));
  const [row] = batchesToRows(decodeOtlpSpans(segment, CTX, ['events']));
  const expected = times.map((t) => `{"attributes":{},"name":"e","time":${t >= 2n ** 63n ? 0n : t}}`);
  assert.equal(row.events, `[${expected.join(',')}]`);
});

test('span names repeat through the dictionary; invalid UTF-8 names are replaced, equal repaired names share a value', () => {
  const names = [utf8('GET /'), [0x61, 0xff], utf8('GET /'), [0x61, 0xff], utf8('a\ufffd')];
  const spans = names.map((n, i) => len(2, [
    ...len(1, new Array(16).fill(1)), ...len(2, new Array(8).fill(i + 1)), ...len(5, n), ...fixed64(7, 10n), ...fixed64(8, 20n),
  ]));
  const segment = Uint8Array.from(len(2, spans.flat()));
  const rows = batchesToRows(decodeOtlpSpans(segment, CTX, ['name']));
  assert.deepEqual(rows.map((x) => x.name), ['GET /', 'a\ufffd', 'GET /', 'a\ufffd', 'a\ufffd']);
});

test('JsonObjectWriter: records alternating between more key sets than it keeps templates for', () => {
  // optional attributes present or not, and an invalid UTF-8 key (written repaired)
  const keySets = [['b', 'a'], ['b', 'a', 'cache.hit'], ['b', 'a', 'user.id'], ['b', 'a', 'cache.hit', 'user.id'], ['z'], ['k\xff']];
  const keyBytes = (k: string) => (k === 'k\xff' ? [0x6b, 0xff] : utf8(k));
  const payload: number[] = [];
  const records: Array<Array<[number, number]>> = [];
  const expected: string[] = [];
  for (let rec = 0; rec < 200; rec++) {
    const keys = keySets[(rec * 7 + (rec >> 3)) % keySets.length];
    const kvs: Array<[number, number]> = [];
    const entries: Array<[string, string]> = [];
    for (const key of keys) {
      const value = `v${rec}-${key.length}`;
      const kv = [...len(1, keyBytes(key)), ...len(2, len(1, utf8(value)))];
      kvs.push([payload.length, payload.length + kv.length]);
      payload.push(...kv);
      entries.push([key === 'k\xff' ? 'k\ufffd' : key, JSON.stringify(value)]);
    }
    records.push(kvs);
    expected.push(jsonObject(entries));
  }
  const r = new WireReader(Uint8Array.from(payload));
  const writer = new JsonObjectWriter(r);
  const col = new Utf8Column(false, 64);
  for (const kvs of records) {
    writer.reset();
    for (const [s, e] of kvs) writer.addKeyValue(s, e);
    writer.writeTo(col);
    col.endValue();
  }
  const data = col.finish();
  const text = (i: number) => new TextDecoder().decode(data.values.subarray(data.valueOffsets[i], data.valueOffsets[i + 1]));
  for (let i = 0; i < expected.length; i++) assert.equal(text(i), expected[i], `record ${i}`);
});

test('JsonObjectWriter: a valueless attribute is null even where the previous record had a constant extra of that key', () => {
  const a = (value: string) => [...len(1, utf8('a')), ...len(2, len(1, utf8(value)))];
  const payload = [...a('x'), ...a('y'), ...len(1, utf8('k'))];
  const r = new WireReader(Uint8Array.from(payload));
  const writer = new JsonObjectWriter(r);
  const col = new Utf8Column(false, 64);
  const key = new TextEncoder().encode('k');
  writer.reset();
  writer.addKeyValue(0, 8);
  writer.addJson(key, new TextEncoder().encode('"c"'));
  writer.writeTo(col);
  col.endValue();
  writer.reset();
  writer.addKeyValue(8, 16);
  writer.addKeyValue(16, payload.length);
  writer.writeTo(col);
  col.endValue();
  const data = col.finish();
  const text = (i: number) => new TextDecoder().decode(data.values.subarray(data.valueOffsets[i], data.valueOffsets[i + 1]));
  assert.deepEqual([text(0), text(1)], ['{"a":"x","k":"c"}', '{"a":"y","k":null}']);
});

test('JsonObjectWriter: template text is copied byte-exact whatever its length and bytes, including 8-byte runs that read as NaN doubles', () => {
  // Keys of 1 … 20 bytes put fragments of every length mod 8 around a string value; a constant JSON
  // extra (bytes passed through as given) places 0xf8 0xff at a fragment's bytes 6 and 7: read as a
  // double, that 8-byte run is a NaN, whose bits a double copy need not keep.
  const nanJson = Uint8Array.from([0x22, 0xf8, 0xff, 0x22]);
  for (let keyLength = 1; keyLength <= 20; keyLength++) {
    const key = 'k'.repeat(keyLength);
    const payload: number[] = [];
    const ranges: Array<[number, number]> = [];
    for (let rec = 0; rec < 3; rec++) {
      const kv = [...len(1, utf8(key)), ...len(2, len(1, utf8(`v${rec}`)))];
      ranges.push([payload.length, payload.length + kv.length]);
      payload.push(...kv);
    }
    const r = new WireReader(Uint8Array.from(payload));
    const writer = new JsonObjectWriter(r);
    const col = new Utf8Column(false, 64);
    for (const [s, e] of ranges) {
      writer.reset();
      writer.addJson(utf8Bytes('A'), nanJson);
      writer.addKeyValue(s, e);
      writer.writeTo(col);
      col.endValue();
    }
    const data = col.finish();
    for (let rec = 0; rec < 3; rec++) {
      const got = [...data.values.subarray(data.valueOffsets[rec], data.valueOffsets[rec + 1])];
      const want = [...utf8('{"A":'), ...nanJson, ...utf8(`,"${key}":"v${rec}"}`)];
      assert.deepEqual(got, want, `key of ${keyLength} bytes, record ${rec}`);
    }
  }
});

test('JsonObjectWriter: string values ending at or just before the end of the payload, with escapes or non-ASCII in any position', () => {
  const chars = ['a', '"', '\\', '\x1f', '\u00e9', '\u{1f600}'];
  for (let length = 0; length <= 9; length++) {
    for (const c of chars) {
      for (let at = 0; at < Math.max(1, length); at++) {
        const value = length === 0 ? '' : 'x'.repeat(at) + c + 'y'.repeat(length - at - 1);
        for (let pad = 0; pad <= 4; pad++) {
          const kv = [...len(1, utf8('k')), ...len(2, len(1, utf8(value)))];
          const r = new WireReader(Uint8Array.from([...kv, ...new Array<number>(pad).fill(0x61)]));
          const writer = new JsonObjectWriter(r);
          const col = new Utf8Column(false, 64);
          writer.reset();
          writer.addKeyValue(0, kv.length);
          writer.writeTo(col);
          col.endValue();
          const data = col.finish();
          const got = new TextDecoder().decode(data.values.subarray(data.valueOffsets[0], data.valueOffsets[1]));
          assert.equal(got, jsonObject([['k', JSON.stringify(value)]]), `${JSON.stringify(value)}, ${pad} bytes after`);
        }
      }
    }
  }
});

test('equalWords: ranges of every length up to 13 bytes are equal exactly when no byte differs', () => {
  const src = new Uint8Array(64).map((_, i) => 0x41 + (i % 16));
  const sv = new DataView(src.buffer);
  for (let n = 0; n <= 13; n++) {
    assert.equal(equalWords(sv, src, 0, 16, n), true, `length ${n}`);
    for (let at = 0; at < n; at++) {
      src[16 + at] ^= 0x20;
      assert.equal(equalWords(sv, src, 0, 16, n), false, `length ${n}, byte ${at} differs`);
      src[16 + at] ^= 0x20;
    }
  }
});
