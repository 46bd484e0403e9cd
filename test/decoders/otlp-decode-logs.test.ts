import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from 'apache-arrow';
import { decodeOtlpLogs } from '../../decoders/otlp/decode-logs.js';
import { logEntriesSchema } from '../../decoders/otlp/schemas.js';
import { encodeLogsRequest, decodeResourceLogs } from '../helpers/otlp-proto.js';
import { LOGS } from './otlp-index-fixtures.js';
import { TRICKY_LOGS } from './otlp-decode-fixtures.js';
import { CTX, expectedLogRows, batchesToRows, segmentsOf } from './otlp-decode-oracle.js';

const s = (key: string, v: string) => ({ key, value: { stringValue: v } });


function check(request: object): void {
  const payload = encodeLogsRequest(request);
  for (const seg of segmentsOf('logs', 'proto', payload)) {
    const expected = expectedLogRows(decodeResourceLogs(seg), CTX);
    const actual = batchesToRows(decodeOtlpLogs(seg, CTX, null));
    assert.deepEqual(actual, expected);
  }
}

test('every log_entries column equals protobufjs + the §6 mapping (index fixtures)', () => check(LOGS));

test('properties, msg and levels follow §5.1/§6 for tricky values', () => check(TRICKY_LOGS));

test('log_entries batches have the view schema: names, order, types, nullability', () => {
  const seg = segmentsOf('logs', 'proto', encodeLogsRequest(TRICKY_LOGS))[0];
  const [batch] = decodeOtlpLogs(seg, CTX, null);
  assert.deepEqual(batch.schema.fields.map((f) => f.name), [
    'process_id', 'stream_id', 'block_id', 'insert_time', 'exe', 'username', 'computer', 'time', 'target', 'level', 'msg',
    'properties', 'process_properties',
  ]);
  assert.equal(String(batch.schema.fields[3].type), 'Timestamp<NANOSECOND, UTC>');
  assert.equal(String(batch.schema.fields[7].type), 'Timestamp<NANOSECOND, UTC>');
  assert.ok(DataType.isDictionary(batch.schema.fields[8].type), 'target is dictionary-encoded');
  assert.equal(String(batch.schema.fields[9].type), 'Int32');
  assert.equal(String(batch.schema.fields[10].type), 'Utf8');
  assert.ok(batch.schema.fields.every((f) => !f.nullable));
  assert.deepEqual(batch.schema.fields.map(String), logEntriesSchema.fields.map(String));
});

test('a projection yields exactly the requested columns, in the requested order', () => {
  const seg = segmentsOf('logs', 'proto', encodeLogsRequest(TRICKY_LOGS))[0];
  const batches = [...decodeOtlpLogs(seg, CTX, ['msg', 'time'])];
  assert.deepEqual(batches[0].schema.fields.map((f) => f.name), ['msg', 'time']);
  const all = batchesToRows(decodeOtlpLogs(seg, CTX, null));
  assert.deepEqual(batchesToRows(batches), all.map((r) => ({ msg: r.msg, time: r.time })));
  const [empty] = decodeOtlpLogs(seg, CTX, []);
  assert.equal(empty.numCols, 0);
  assert.equal(empty.numRows, all.length, 'count(*) still sees every row');
  assert.throws(() => [...decodeOtlpLogs(seg, CTX, ['nope'])], /no column "nope"/);
});

test('batches never exceed batchRows and together hold every row in payload order', () => {
  const records = Array.from({ length: 25 }, (_, i) => ({ timeUnixNano: String(1000 + i), body: { stringValue: `m${i}` } }));
  const seg = segmentsOf('logs', 'proto', encodeLogsRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: records.slice(0, 10) }, { logRecords: records.slice(10) }] }] }))[0];
  const batches = [...decodeOtlpLogs(seg, CTX, ['msg', 'time', 'target'], { batchRows: 7 })];
  assert.deepEqual(batches.map((b) => b.numRows), [7, 7, 7, 4]);
  assert.deepEqual(batchesToRows(batches).map((r) => r.msg), records.map((r) => r.body.stringValue));
});

test('timestamps beyond 2^53 keep every nanosecond', () => {
  const seg = segmentsOf('logs', 'proto', encodeLogsRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: [
    { timeUnixNano: '9223372036854775807' }, { timeUnixNano: '1700000000000000001' }, { timeUnixNano: '9007199254740993' },
  ] }] }] }))[0];
  assert.deepEqual(batchesToRows(decodeOtlpLogs(seg, CTX, ['time'])).map((r) => r.time), [
    9223372036854775807n, 1700000000000000001n, 9007199254740993n,
  ]);
});

test('the time-range hint may drop rows outside the range, never rows inside it', () => {
  const records = [10n, 20n, 30n, 40n].map((t) => ({ timeUnixNano: String(t) }));
  const seg = segmentsOf('logs', 'proto', encodeLogsRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] }))[0];
  const times = batchesToRows(decodeOtlpLogs(seg, CTX, ['time'], { timeRange: { begin: 20n, end: 30n } })).map((r) => r.time);
  assert.ok(times.includes(20n) && times.includes(30n));
  assert.ok(times.every((t) => (t as bigint) >= 20n && (t as bigint) <= 30n));
});

test('invalid UTF-8 in a body or key becomes U+FFFD', () => {
  // LogRecord{ body: AnyValue{string: "a\xffb"}, attributes: [KeyValue{key:"k\xc3", value:{string:"v"}}] }
  const body = [0x2a, 0x05, 0x0a, 0x03, 0x61, 0xff, 0x62];
  const attr = [0x32, 0x09, 0x0a, 0x02, 0x6b, 0xc3, 0x12, 0x03, 0x0a, 0x01, 0x76];
  const record = [...body, ...attr];
  const scopeLogs = [0x12, record.length, ...record];
  const seg = Uint8Array.from([0x12, scopeLogs.length, ...scopeLogs]);
  const [row] = batchesToRows(decodeOtlpLogs(seg, CTX, ['msg', 'properties']));
  assert.deepEqual(row, { msg: 'a\ufffdb', properties: '{"k\ufffd":"v"}' });
});

test('a process missing from the catalog gives empty process columns and {}', () => {
  const seg = segmentsOf('logs', 'proto', encodeLogsRequest(LOGS))[0];
  const [row] = batchesToRows(decodeOtlpLogs(seg, { ...CTX, process: undefined }, ['exe', 'username', 'computer', 'process_properties']));
  assert.deepEqual(row, { exe: '', username: '', computer: '', process_properties: '{}' });
});

test('a LogRecord decodes the same whatever the field order and varint widths (non-minimal tags and lengths, unknown fields)', () => {
  // Minimal protobuf writer; `wide` writes tags, lengths and varints with one redundant byte.
  const varint = (v: number, wide: boolean): number[] => {
    const out: number[] = [];
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    return wide ? [...out, v | 0x80, 0] : [...out, v];
  };
  const bytes = (s: string) => [...new TextEncoder().encode(s)];
  const len = (f: number, body: number[], wide: boolean) => [...varint((f << 3) | 2, wide), ...varint(body.length, wide), ...body];
  const fixed = (f: number, wt: number, n: number, v: number, wide: boolean) => [...varint((f << 3) | wt, wide), v, ...new Array(n - 1).fill(0x18)];
  const fields = (wide: boolean): number[][] => [
    fixed(1, 1, 8, 7, wide),
    fixed(11, 1, 8, 9, wide),
    [...varint(2 << 3, wide), ...varint(13, wide)],
    len(3, bytes('WARN'), wide),
    len(5, len(1, bytes('x'.repeat(200)), wide), wide),
    len(6, [...len(1, bytes('http.route'), wide), ...len(2, len(1, bytes('/a'), wide), wide)], wide),
    len(6, [...len(1, bytes('n'), wide), ...len(2, [...varint(3 << 3, wide), ...varint(300, wide)], wide)], wide),
    fixed(8, 5, 4, 1, wide),
    len(9, new Array(16).fill(0xab), wide),
    len(10, new Array(8).fill(0xcd), wide),
    len(12, bytes('ev'), wide),
  ];
  const unknown = [...varint(13 << 3, true), ...varint(5, true), ...len(14, bytes('?'), true)];
  const segment = (record: number[]) => Uint8Array.from(len(2, [...len(1, len(1, bytes('scope'), false), false), ...len(2, record, false)], false));
  const canonical = segment(fields(false).flat());
  const odd = segment([...fields(true).reverse().flat(), ...unknown]);
  const rows = batchesToRows(decodeOtlpLogs(canonical, CTX, null));
  assert.deepEqual(rows, expectedLogRows(decodeResourceLogs(canonical), CTX));
  assert.deepEqual(batchesToRows(decodeOtlpLogs(odd, CTX, null)), rows);
  assert.match(String(rows[0].properties), /"http.route":"\/a","n":300,.*"otel.severity_text":"WARN"/);
});
