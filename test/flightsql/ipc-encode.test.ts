// The zero-copy body encoder and typed-array dictionary hydration: frames decode (with arrow-js's
// reader) to exactly the source values, for sliced batches with nulls, bools, lists and dictionaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Bool, Dictionary, Field, Int32, List, Message, MessageHeader, RecordBatch, RecordBatchReader, Schema, Struct, Utf8, makeData, vectorFromArray,
} from 'apache-arrow';
import { FrameSerializer, batchFrameParts, batchFrames, encapsulate, hydrateBatch, hydratedSchema, schemaHeader } from '../../flightsql/ipc.js';

/** data_header and data_body of one FlightData frame (both length-delimited fields). */
function fields(frame: Buffer): { header: Buffer; body: Buffer } {
  const out: { header: Buffer; body: Buffer } = { header: Buffer.alloc(0), body: Buffer.alloc(0) };
  const varint = (at: number): [number, number] => {
    let v = 0;
    for (let scale = 1; ; scale *= 128) {
      const b = frame[at++];
      v += (b & 0x7f) * scale;
      if (b < 0x80) return [v, at];
    }
  };
  for (let at = 0; at < frame.length; ) {
    const [tag, a] = varint(at);
    const [len, start] = varint(a);
    if (tag >> 3 === 2) out.header = frame.subarray(start, start + len);
    if (tag >> 3 === 1000) out.body = frame.subarray(start, start + len);
    at = start + len;
  }
  return out;
}

function decode(schema: Schema, frames: Buffer[]): unknown[][] {
  const parts = [encapsulate(schemaHeader(schema))];
  for (const f of frames) {
    const { header, body } = fields(f);
    parts.push(encapsulate(header), body);
  }
  const rows: unknown[][] = [];
  for (const b of RecordBatchReader.from(Buffer.concat(parts)).readAll()) {
    for (const r of b) rows.push(schema.fields.map((f) => {
      const v = r[f.name];
      return v && typeof v === 'object' && 'toArray' in v ? Array.from((v as { toArray(): ArrayLike<unknown> }).toArray()) : v;
    }));
  }
  return rows;
}

const N = 1000;
const str = (i: number) => (i % 7 === 0 ? null : `s${i}-${'é'.repeat(i % 5)}`);

function sourceBatch(): RecordBatch {
  const dictType = new Dictionary(new Utf8(), new Int32(), 0);
  const schema = new Schema([
    new Field('s', new Utf8(), true),
    new Field('n', new Int32(), true),
    new Field('b', new Bool(), true),
    new Field('l', new List(new Field('item', new Int32(), true)), true),
    new Field('d', dictType, true),
  ]);
  const children = [
    vectorFromArray(Array.from({ length: N }, (_, i) => str(i)), new Utf8()).data[0],
    vectorFromArray(Array.from({ length: N }, (_, i) => (i % 5 === 0 ? null : i)), new Int32()).data[0],
    vectorFromArray(Array.from({ length: N }, (_, i) => (i % 11 === 0 ? null : i % 3 === 0)), new Bool()).data[0],
    vectorFromArray(Array.from({ length: N }, (_, i) => (i % 13 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => i + k))), schema.fields[3].type).data[0],
    vectorFromArray(Array.from({ length: N }, (_, i) => (i % 9 === 0 ? null : `v${i % 17}`)), dictType).data[0],
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: N, nullCount: 0, children }));
}

const expected = (from: number, to: number): unknown[][] =>
  Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    return [str(i), i % 5 === 0 ? null : i, i % 11 === 0 ? null : i % 3 === 0, i % 13 === 0 ? null : Array.from({ length: i % 4 }, (_, j) => i + j), i % 9 === 0 ? null : `v${i % 17}`];
  });

test('hydrated, sliced batches (odd offsets, nulls, bools, lists) encode to exactly their values', () => {
  const batch = sourceBatch();
  const schema = hydratedSchema(batch.schema);
  assert.equal(schema.fields[4].type.toString(), 'Utf8');
  for (const [from, to] of [[0, N], [3, 517], [517, N], [8, 9], [5, 5]]) {
    const slice = hydrateBatch(batch.slice(from, to), schema);
    assert.deepEqual(decode(schema, [...batchFrames(slice)]), expected(from, to), `rows ${from}..${to}`);
  }
});

test('a batch split into several frames keeps every row, each frame under the limit', () => {
  const batch = sourceBatch();
  const schema = hydratedSchema(batch.schema);
  const frames = [...batchFrames(hydrateBatch(batch.slice(1, N), schema), 8 * 1024)];
  assert.ok(frames.length > 2);
  assert.ok(frames.every((f) => f.length <= 8 * 1024));
  assert.deepEqual(decode(schema, frames), expected(1, N));
});

test('frames serialized into one reused buffer (as DoGet sends them) decode to the same rows', () => {
  const batch = sourceBatch();
  const schema = hydratedSchema(batch.schema);
  const serializer = new FrameSerializer();
  // each frame is copied before the next is serialized, as grpc-js does
  const frames = [...batchFrameParts(hydrateBatch(batch.slice(1, N), schema), 8 * 1024)].map((p) => Buffer.from(serializer.serialize(p)));
  assert.ok(frames.length > 2);
  assert.deepEqual(frames, [...batchFrames(hydrateBatch(batch.slice(1, N), schema), 8 * 1024)]);
  assert.deepEqual(decode(schema, frames), expected(1, N));
});

test('each frame body starts 8-byte aligned after the 5-byte gRPC prefix (readers can use it in place)', () => {
  const batch = sourceBatch();
  const schema = hydratedSchema(batch.schema);
  for (const frame of batchFrames(hydrateBatch(batch.slice(3, 517), schema), 8 * 1024)) {
    const { body } = fields(frame);
    assert.ok(body.length > 0);
    assert.equal((5 + body.byteOffset - frame.byteOffset) % 8, 0);
  }
});

test('preserved dictionaries: a full, non-delta DictionaryBatch under the schema id precedes every record batch frame', () => {
  const batch = sourceBatch();
  const frames = [...batchFrames(batch.slice(1, N), 8 * 1024)];
  const kinds = frames.map((fr) => Message.decode(fields(fr).header));
  const recordBatches = kinds.filter((m) => m.headerType === MessageHeader.RecordBatch).length;
  assert.ok(recordBatches > 1, 'split into several batches');
  kinds.forEach((m, i) => {
    if (m.headerType !== MessageHeader.RecordBatch) return;
    const prev = kinds[i - 1];
    assert.equal(prev?.headerType, MessageHeader.DictionaryBatch, `frame ${i} follows its dictionary`);
    const dict = prev.header() as { id: number; isDelta: boolean };
    assert.equal(dict.isDelta, false);
    assert.equal(dict.id, (batch.schema.fields[4].type as Dictionary).id);
  });
  assert.deepEqual(decode(batch.schema, frames), expected(1, N));
});
