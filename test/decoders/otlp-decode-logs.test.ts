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
