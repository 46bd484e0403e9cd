// Arrow IPC for Flight: schema bytes (encapsulated message), and record batches encoded straight into
// FlightData protobuf frames (data_header = flatbuffer Message, data_body = 8-byte padded buffers),
// split by rows so that no frame exceeds the clients' 4 MiB receive limit. No compression ever.
import {
  Data, DataType, Dictionary, Field, RecordBatch, Schema, Struct, Type, Utf8, Vector, makeData, vectorFromArray,
} from 'apache-arrow';
import { Message, RecordBatch as RecordBatchHeader, DictionaryBatch as DictionaryBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { VectorAssembler } from 'apache-arrow/visitor/vectorassembler';
import { bodyOf } from './ipc-body.js';
import { hydrateStrings } from './hydrate.js';

/** Frames stay below this (header + body + protobuf framing), under grpc-go / tonic's 4 MiB default. */
export const MAX_FLIGHT_DATA_BYTES = 4 * 1024 * 1024 - 64 * 1024;

const pad8 = (n: number) => (n + 7) & ~7;

/** The flatbuffer `Message` of a schema (FlightData.data_header of the first DoGet frame). */
export function schemaHeader(schema: Schema): Uint8Array {
  return Message.encode(Message.from(schema));
}

/** One encapsulated IPC message: 0xFFFFFFFF, padded metadata length, flatbuffer, padding. */
export function encapsulate(flatbuffer: Uint8Array): Buffer {
  const len = pad8(flatbuffer.byteLength + 8) - 8;
  const out = Buffer.alloc(8 + len);
  out.writeInt32LE(-1, 0);
  out.writeInt32LE(len, 4);
  out.set(flatbuffer, 8);
  return out;
}

/** IPC schema bytes for FlightInfo.schema, SchemaResult, dataset_schema and table_schema. */
export function schemaBytes(schema: Schema): Buffer {
  return encapsulate(schemaHeader(schema));
}

/** Parses IPC schema bytes (an encapsulated Schema message, optionally followed by more). */
export function schemaFromBytes(bytes: Uint8Array): Schema {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  if (view.readInt32LE(0) === -1) at = 4;
  const len = view.readInt32LE(at);
  const msg = Message.decode(view.subarray(at + 4, at + 4 + len));
  const schema = msg.header() as Schema | null;
  if (!msg.isSchema() || !schema) throw new Error('not an IPC schema message');
  return schema;
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(buf: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[at++] = n;
  return at;
}

/** A FlightData message not serialized yet: the flatbuffer header and the body buffers. */
export interface FrameParts {
  header: Uint8Array;
  buffers: readonly ArrayBufferView[];
}

interface FrameLayout {
  size: number;
  /** data_header's length: the flatbuffer, then zeros to align data_body (see frameLayout) */
  headerLength: number;
  bodyLength: number;
}

// grpc-js receives a message into a buffer of its own that starts with gRPC's 5-byte length prefix;
// with the body 8-byte aligned there, readers that need aligned buffers (arrow-js copies unaligned
// bodies) use it in place. Trailing zeros after a flatbuffer are ignored, as in IPC's padded
// encapsulated messages.
const GRPC_PREFIX = 5;

function frameLayout(header: Uint8Array, bodyBuffers: readonly ArrayBufferView[]): FrameLayout {
  let bodyLength = 0;
  for (const b of bodyBuffers) bodyLength += pad8(b.byteLength);
  let headerLength = header.byteLength;
  if (bodyLength === 0) return { size: 1 + varintLength(headerLength) + headerLength, headerLength, bodyLength };
  const bodyAt = (h: number) => 1 + varintLength(h) + h + 2 + varintLength(bodyLength);
  while ((GRPC_PREFIX + bodyAt(headerLength)) % 8 !== 0) headerLength++;
  return { size: bodyAt(headerLength) + bodyLength, headerLength, bodyLength };
}

function writeFrame(out: Buffer, header: Uint8Array, bodyBuffers: readonly ArrayBufferView[], { headerLength, bodyLength }: FrameLayout): void {
  let at = 0;
  out[at++] = 0x12; // field 2, length-delimited
  at = writeVarint(out, at, headerLength);
  out.set(header, at);
  out.fill(0, at + header.byteLength, at + headerLength);
  at += headerLength;
  if (bodyLength > 0) {
    out[at++] = 0xc2; // field 1000, length-delimited: varint 8002
    out[at++] = 0x3e;
    at = writeVarint(out, at, bodyLength);
    for (const buf of bodyBuffers) {
      const b = buf instanceof Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength); // typed arrays of any width
      out.set(b, at);
      const end = at + pad8(b.byteLength);
      out.fill(0, at + b.byteLength, end);
      at = end;
    }
  }
}

/** A serialized `FlightData{data_header = 2, data_body = 1000}`, body buffers each padded to 8 and
 * the body 8-byte aligned after a gRPC message prefix. */
export function encodeFlightData(header: Uint8Array, bodyBuffers: readonly ArrayBufferView[] = []): Buffer {
  const layout = frameLayout(header, bodyBuffers);
  const out = Buffer.allocUnsafe(layout.size);
  writeFrame(out, header, bodyBuffers, layout);
  return out;
}

/**
 * Serializes frames into one reused buffer, for a serializer whose caller copies the bytes before
 * asking for the next frame (grpc-js copies each response into its length-prefixed message at once):
 * a DoGet stream then allocates one frame's worth of bytes fewer per frame.
 */
export class FrameSerializer {
  private scratch = Buffer.alloc(0);

  /** The frame's bytes, valid until the next call. */
  serialize(parts: FrameParts): Buffer {
    const layout = frameLayout(parts.header, parts.buffers);
    const { size } = layout;
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafe(Math.max(size, Math.min(2 * this.scratch.length, MAX_FLIGHT_DATA_BYTES)));
    const out = this.scratch.subarray(0, size);
    writeFrame(out, parts.header, parts.buffers, layout);
    return out;
  }
}

interface Assembled {
  byteLength: number;
  nodes: unknown[];
  bufferRegions: unknown[];
  buffers: ArrayBufferView[];
  variadicBufferCounts?: number[];
}

function assemble(v: RecordBatch | Vector): Assembled {
  return VectorAssembler.assemble(v as RecordBatch) as unknown as Assembled;
}

/** The batch's body: zero-copy for the common types, arrow-js's assembler otherwise. */
function assembleBatch(batch: RecordBatch): Assembled {
  const body = bodyOf(batch.data.children);
  if (!body) return assemble(batch);
  return { byteLength: body.byteLength, nodes: body.nodes, bufferRegions: body.regions, buffers: body.buffers };
}

function recordBatchFrame(batch: RecordBatch, a: Assembled): FrameParts {
  const header = new RecordBatchHeader(batch.numRows, a.nodes as never, a.bufferRegions as never, null, a.variadicBufferCounts);
  return { header: Message.encode(Message.from(header, a.byteLength)), buffers: a.buffers };
}

function dictionaryFrames(batch: RecordBatch): FrameParts[] {
  const frames: FrameParts[] = [];
  batch.schema.fields.forEach((f, i) => {
    if (!DataType.isDictionary(f.type)) return;
    const data = batch.data.children[i] as Data<Dictionary>;
    const dict = data.dictionary;
    if (!dict) return;
    // a full (non-delta) dictionary in one chunk per batch: arrow-rs 49 rejects deltas
    const vec = dict.data.length === 1 ? dict : vectorFromArray(dict.toArray() as unknown[], f.type.dictionary);
    const a = assemble(vec);
    const rb = new RecordBatchHeader(vec.length, a.nodes as never, a.bufferRegions as never, null, a.variadicBufferCounts);
    const header = new DictionaryBatchHeader(rb, f.type.id, false);
    frames.push({ header: Message.encode(Message.from(header, a.byteLength)), buffers: a.buffers });
  });
  return frames;
}

/** The FlightData messages of one batch, unserialized: its dictionaries (if any) then the batch,
 * split by rows as needed so that each stays under `maxBytes`. They reference the batch's buffers. */
export function* batchFrameParts(batch: RecordBatch, maxBytes = MAX_FLIGHT_DATA_BYTES): Generator<FrameParts> {
  const a = assembleBatch(batch);
  if (a.byteLength + 1024 <= maxBytes || batch.numRows <= 1) {
    yield* dictionaryFrames(batch);
    yield recordBatchFrame(batch, a);
    return;
  }
  const parts = Math.min(batch.numRows, Math.ceil((a.byteLength * 1.1) / maxBytes) + 1);
  // whole bytes of validity/bool bitmaps per slice: no bit shifting when encoding the parts
  const rowsPer = Math.ceil(batch.numRows / parts / 8) * 8;
  for (let at = 0; at < batch.numRows; at += rowsPer) {
    yield* batchFrameParts(batch.slice(at, Math.min(batch.numRows, at + rowsPer)), maxBytes);
  }
}

/** FlightData frames for one batch: its dictionaries (if any) then the batch, split by rows as needed. */
export function* batchFrames(batch: RecordBatch, maxBytes = MAX_FLIGHT_DATA_BYTES): Generator<Buffer> {
  for (const p of batchFrameParts(batch, maxBytes)) yield encodeFlightData(p.header, p.buffers);
}

/** The schema with every dictionary column replaced by its value type. */
export function hydratedSchema(schema: Schema): Schema {
  if (!schema.fields.some((f) => DataType.isDictionary(f.type))) return schema;
  return new Schema(
    schema.fields.map((f) => (DataType.isDictionary(f.type) ? new Field(f.name, f.type.dictionary, f.nullable, f.metadata) : f)),
    schema.metadata,
  );
}

/** The batch with dictionary columns decoded to plain values (schema = hydratedSchema). */
export function hydrateBatch(batch: RecordBatch, schema: Schema): RecordBatch {
  if (schema === batch.schema || !batch.schema.fields.some((f) => DataType.isDictionary(f.type))) return batch;
  const children = batch.schema.fields.map((f, i) => {
    if (!DataType.isDictionary(f.type)) return batch.data.children[i];
    const fast = hydrateStrings(batch.data.children[i] as Data<Dictionary>);
    if (fast) return fast;
    const col = batch.getChildAt(i)!;
    const valueType = f.type.dictionary;
    return vectorFromArray(col.toArray() as unknown[], valueType.typeId === Type.Utf8 ? new Utf8() : valueType).data[0];
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children }));
}
