// Test encoder for native transit buffers, written from native-format.md §6–§8 and §12: descriptor
// builders (the SDK's descriptors and upstream-style ones with other offsets), a POD encoder that
// writes members at the offsets a descriptor records, the dynamic layouts of §7/§8, and buffer
// framing (u8 type index, u32 size for dynamic types).
import type { TransitMemberInput, TransitTypeInput } from './native-encoder.js';
import { encodeCbor } from './native-encoder.js';

export type Int = number | bigint;

export function member(name: string, type_name: string, offset: number, size: number, is_reference = false): TransitMemberInput {
  return { name, type_name, offset, size, is_reference };
}
export function udt(name: string, size: number, members: TransitMemberInput[] = [], is_reference = false): TransitTypeInput {
  return { name, size, members, is_reference };
}
export const ref = (name: string, offset: number, type = 'u64'): TransitMemberInput => member(name, type, offset, 8, true);

/** Raw CBOR bytes of a descriptor array, as the catalog stores them. */
export function descriptorBytes(types: TransitTypeInput[]): Uint8Array {
  return encodeCbor(types);
}

// ---- §12: the Contrail SDK's descriptors ----

const STATIC_STRING_REF = udt('StaticStringRef', 16, [ref('id', 0)], true);
const DYN = (name: string) => udt(name, 0);

export const SDK_LOG_OBJECTS = [DYN('LogStringInteropEventV3'), DYN('TaggedLogInteropEvent'), STATIC_STRING_REF];
const PROPERTY_SDK = udt('Property', 32, [member('name', 'StaticStringRef', 0, 16), member('value', 'StaticStringRef', 16, 16)]);
export const SDK_LOG_DEPS = [DYN('StaticStringDependency'), DYN('PropertySetDependency'), PROPERTY_SDK, STATIC_STRING_REF];

export const SDK_METRICS_OBJECTS = [
  udt('FloatMetricEvent', 24, [ref('desc', 0), member('value', 'f64', 8, 8), member('time', 'i64', 16, 8)]),
  udt('IntegerMetricEvent', 24, [ref('desc', 0), member('value', 'u64', 8, 8), member('time', 'i64', 16, 8)]),
  udt('TaggedFloatMetricEvent', 32, [ref('desc', 0), ref('properties', 8), member('value', 'f64', 16, 8), member('time', 'i64', 24, 8)]),
  udt('TaggedIntegerMetricEvent', 32, [ref('desc', 0), ref('properties', 8), member('value', 'u64', 16, 8), member('time', 'i64', 24, 8)]),
];
const METRIC_METADATA_SDK = udt('MetricMetadataDependency', 48, [
  member('id', 'u64', 0, 8), ref('name', 8), ref('unit', 16), ref('target', 24), ref('file', 32),
  member('line', 'u32', 40, 4), member('lod', 'u32', 44, 4),
]);
export const SDK_METRICS_DEPS = [DYN('StaticStringDependency'), METRIC_METADATA_SDK, DYN('PropertySetDependency'), PROPERTY_SDK, STATIC_STRING_REF];

export const SDK_CPU_OBJECTS = [
  udt('BeginThreadSpanEvent', 16, [ref('thread_span_desc', 0), member('time', 'i64', 8, 8)]),
  udt('EndThreadSpanEvent', 16, [ref('thread_span_desc', 0), member('time', 'i64', 8, 8)]),
  udt('BeginAsyncSpanEvent', 40, [
    ref('span_desc', 0), member('span_id', 'u64', 8, 8), member('parent_span_id', 'u64', 16, 8), member('time', 'i64', 24, 8), member('depth', 'u32', 32, 4),
  ]),
  udt('EndAsyncSpanEvent', 40, [
    ref('span_desc', 0), member('span_id', 'u64', 8, 8), member('parent_span_id', 'u64', 16, 8), member('time', 'i64', 24, 8), member('depth', 'u32', 32, 4),
  ]),
];
const SPAN_RECORD_SDK = udt('SpanRecord', 48, [
  member('id', 'u64', 0, 8), ref('name', 8), ref('target', 16), ref('module_path', 24), ref('file', 32),
  member('line', 'u32', 40, 4), member('lod', 'u32', 44, 4),
]);
export const SDK_CPU_DEPS = [DYN('StaticStringDependency'), SPAN_RECORD_SDK];

// ---- upstream-style descriptors: Rust layouts (rustc reorders fields), StaticString deps,
// StringId, legacy/interop log events, named spans ----

const STRING_ID = udt('StringId', 16, [ref('id', 0), member('len', 'u32', 8, 4)], true);
export const UPSTREAM_LOG_OBJECTS = [
  udt('LogStaticStrEvent', 16, [member('time', 'i64', 0, 8), ref('desc', 8)]),
  DYN('LogStringEvent'),
  DYN('LogStringEventV2'),
  udt('LogStaticStrInteropEvent', 48, [
    member('target', 'StringId', 0, 16), member('msg', 'StringId', 16, 16), member('time', 'i64', 32, 8), member('level', 'u32', 40, 4),
  ]),
  DYN('LogStringInteropEventV2'),
  DYN('LogStringInteropEventV3'),
  DYN('TaggedLogInteropEvent'),
  DYN('TaggedLogString'),
  STRING_ID,
  // Unreal-style StaticStringRef: the id member is not at offset 0.
  udt('StaticStringRef', 24, [member('len', 'u32', 0, 4), member('codec', 'u8', 4, 1), ref('id', 8)], true),
];
const PROPERTY_UPSTREAM = udt('Property', 48, [member('value', 'StaticStringRef', 0, 24), member('name', 'StaticStringRef', 24, 24)]);
export const UPSTREAM_LOG_DEPS = [
  DYN('StaticString'),
  DYN('StaticStringDependency'),
  udt('LogMetadataRecord', 56, [
    member('level', 'u32', 0, 4), member('line', 'u32', 4, 4), ref('fmt_str', 8), ref('target', 16), ref('module_path', 24), ref('file', 32),
    member('id', 'u64', 48, 8),
  ]),
  DYN('PropertySetDependency'),
  PROPERTY_UPSTREAM,
  udt('StaticStringRef', 24, [member('len', 'u32', 0, 4), member('codec', 'u8', 4, 1), ref('id', 8)], true),
];

export const UPSTREAM_METRICS_OBJECTS = [
  udt('IntegerMetricEvent', 24, [member('time', 'i64', 0, 8), member('value', 'u64', 8, 8), ref('desc', 16)]),
  udt('FloatMetricEvent', 24, [member('value', 'f64', 0, 8), ref('desc', 8), member('time', 'i64', 16, 8)]),
  udt('TaggedFloatMetricEvent', 32, [ref('properties', 0), member('time', 'i64', 8, 8), ref('desc', 16), member('value', 'f64', 24, 8)]),
  udt('TaggedIntegerMetricEvent', 32, [member('value', 'u64', 0, 8), ref('properties', 8), member('time', 'i64', 16, 8), ref('desc', 24)]),
];
export const UPSTREAM_METRICS_DEPS = [
  DYN('StaticString'),
  udt('MetricMetadataDependency', 56, [
    member('lod', 'u32', 0, 4), member('line', 'u32', 4, 4), ref('name', 8), ref('unit', 16), ref('target', 24), ref('file', 32), member('id', 'u64', 40, 8),
  ]),
  DYN('PropertySetDependency'),
  PROPERTY_UPSTREAM,
  udt('StaticStringRef', 24, [member('len', 'u32', 0, 4), member('codec', 'u8', 4, 1), ref('id', 8)], true),
];

const ASYNC_MEMBERS = (first: TransitMemberInput[]) => [
  ...first, member('span_id', 'u64', 16, 8), member('parent_span_id', 'u64', 24, 8), member('time', 'i64', 32, 8), member('depth', 'u32', 40, 4),
];
export const UPSTREAM_CPU_OBJECTS = [
  udt('BeginThreadSpanEvent', 16, [member('time', 'i64', 0, 8), ref('thread_span_desc', 8)]),
  udt('EndThreadSpanEvent', 16, [member('time', 'i64', 0, 8), ref('thread_span_desc', 8)]),
  udt('BeginThreadNamedSpanEvent', 32, [ref('thread_span_location', 0), member('name', 'StringId', 8, 16), member('time', 'i64', 24, 8)]),
  udt('EndThreadNamedSpanEvent', 32, [ref('thread_span_location', 0), member('name', 'StringId', 8, 16), member('time', 'i64', 24, 8)]),
  udt('BeginAsyncSpanEvent', 48, ASYNC_MEMBERS([ref('span_desc', 0)])),
  udt('EndAsyncSpanEvent', 48, ASYNC_MEMBERS([ref('span_desc', 0)])),
  udt('BeginAsyncNamedSpanEvent', 64, [
    ref('span_location', 0), member('name', 'StringId', 8, 16), member('span_id', 'u64', 24, 8), member('parent_span_id', 'u64', 32, 8),
    member('time', 'i64', 40, 8), member('depth', 'u32', 48, 4),
  ]),
  udt('EndAsyncNamedSpanEvent', 64, [
    ref('span_location', 0), member('name', 'StringId', 8, 16), member('span_id', 'u64', 24, 8), member('parent_span_id', 'u64', 32, 8),
    member('time', 'i64', 40, 8), member('depth', 'u32', 48, 4),
  ]),
  STRING_ID,
];
export const UPSTREAM_CPU_DEPS = [
  DYN('StaticString'),
  udt('SpanRecord', 48, [
    member('line', 'u32', 0, 4), member('lod', 'u32', 4, 4), ref('name', 8), ref('target', 16), ref('module_path', 24), ref('file', 32), member('id', 'u64', 40, 8),
  ]),
  udt('SpanLocationRecord', 48, [
    ref('target', 0), ref('module_path', 8), ref('file', 16), member('id', 'u64', 24, 8), member('line', 'u32', 32, 4), member('lod', 'u32', 36, 4),
  ]),
];

// ---- byte writing ----

/** Little-endian byte writer. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  u8(v: number): this {
    this.reserve(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }
  u32(v: number): this {
    this.reserve(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }
  u64(v: Int): this {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt.asUintN(64, BigInt(v)), true);
    this.length += 8;
    return this;
  }
  i64(v: Int): this {
    return this.u64(v);
  }
  f64(v: number): this {
    this.reserve(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  zeros(n: number): this {
    this.reserve(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }
  /** DynString: u8 codec, u32 byte length, bytes (codec 2 UTF-8, 1 UTF-16LE, 0 ANSI as Latin-1 bytes). */
  dynString(text: string | Uint8Array, codec = 2): this {
    const b = typeof text !== 'string' ? text : codec === 1 ? utf16le(text) : codec === 0 ? latin1(text) : new TextEncoder().encode(text);
    return this.u8(codec).u32(b.length).bytes(b);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    out[i * 2] = text.charCodeAt(i) & 0xff;
    out[i * 2 + 1] = text.charCodeAt(i) >> 8;
  }
  return out;
}
function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

export type PodValue = Int | boolean | { nested: Record<string, PodValue> };

/**
 * A POD object of `typeName` laid out by its descriptor: every member at its recorded offset.
 * Reference members and `is_reference` nested types (StringId, StaticStringRef) take the u64 id.
 */
export function pod(types: TransitTypeInput[], typeName: string, values: Record<string, PodValue>): Uint8Array {
  const t = types.find((x) => x.name === typeName);
  if (!t) throw new Error(`no descriptor ${typeName}`);
  const out = new Uint8Array(t.size);
  writePod(types, t, values, out, 0);
  return out;
}

function writePod(types: TransitTypeInput[], t: TransitTypeInput, values: Record<string, PodValue>, out: Uint8Array, base: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (const m of t.members) {
    const v = values[m.name];
    if (v === undefined) continue;
    const at = base + m.offset;
    if (m.is_reference) {
      view.setBigUint64(at, BigInt.asUintN(64, BigInt(v as Int)), true);
      continue;
    }
    switch (m.type_name) {
      case 'u8': case 'uint8': case 'i8': case 'int8': case 'bool':
        view.setUint8(at, typeof v === 'boolean' ? Number(v) : Number(v) & 0xff);
        break;
      case 'u16': case 'uint16': case 'i16': case 'int16':
        view.setUint16(at, Number(v) & 0xffff, true);
        break;
      case 'u32': case 'uint32': case 'i32': case 'int32':
        view.setUint32(at, Number(v) >>> 0, true);
        break;
      case 'u64': case 'uint64': case 'i64': case 'int64': case 'usize':
        view.setBigUint64(at, BigInt.asUintN(64, BigInt(v as Int)), true);
        break;
      case 'f64':
        view.setFloat64(at, Number(v), true);
        break;
      case 'f32':
        view.setFloat32(at, Number(v), true);
        break;
      default: {
        const nested = types.find((x) => x.name === m.type_name);
        if (!nested) throw new Error(`no descriptor ${m.type_name}`);
        if (nested.is_reference) writePod(types, nested, { id: v }, out, at);
        else writePod(types, nested, (v as { nested: Record<string, PodValue> }).nested, out, at);
      }
    }
  }
}

/** Size (bytes) of a descriptor by name. */
export function sizeOf(types: TransitTypeInput[], name: string): number {
  const t = types.find((x) => x.name === name);
  if (!t) throw new Error(`no descriptor ${name}`);
  return t.size;
}

/** A transit buffer: entries framed with their type index (first descriptor of the name). */
export class TransitBufferWriter {
  private readonly w = new ByteWriter();
  count = 0;
  constructor(readonly types: TransitTypeInput[]) {}
  entry(typeName: string, object: Uint8Array): this {
    const index = this.types.findIndex((x) => x.name === typeName);
    if (index < 0) throw new Error(`no descriptor ${typeName}`);
    this.w.u8(index);
    if (this.types[index].size === 0) this.w.u32(object.length);
    else if (object.length !== this.types[index].size) throw new Error(`${typeName} must be ${this.types[index].size} bytes`);
    this.w.bytes(object);
    this.count++;
    return this;
  }
  /** A raw entry (type index and bytes as given), for malformed buffers. */
  raw(bytes: Uint8Array): this {
    this.w.bytes(bytes);
    return this;
  }
  finish(): Uint8Array {
    return this.w.finish();
  }
}

/** Dependency buffer builder (§7). */
export class DependencyWriter extends TransitBufferWriter {
  /** `StaticStringDependency` (codec 2 by default) or, with `legacy`, `StaticString`. */
  string(id: Int, text: string | Uint8Array, codec = 2): this {
    return this.entry('StaticStringDependency', new ByteWriter().u64(id).dynString(text, codec).finish());
  }
  staticString(id: Int, text: string): this {
    return this.entry('StaticString', new ByteWriter().u64(id).bytes(new TextEncoder().encode(text)).finish());
  }
  /** `PropertySetDependency` whose properties name string ids. */
  propertySet(id: Int, props: Array<[nameId: Int, valueId: Int]>): this {
    const w = new ByteWriter().u64(id).u32(props.length);
    for (const [n, v] of props) w.bytes(pod(this.types, 'Property', { name: n, value: v }));
    return this.entry('PropertySetDependency', w.finish());
  }
  record(typeName: string, values: Record<string, PodValue>): this {
    return this.entry(typeName, pod(this.types, typeName, values));
  }
}

// ---- dynamic log objects (§8.1) ----

export function logStringInteropV3(types: TransitTypeInput[], time: Int, level: number, targetId: Int, msg: string | Uint8Array, codec = 2): Uint8Array {
  return new ByteWriter().i64(time).u8(level).bytes(pod(types, 'StaticStringRef', { id: targetId })).dynString(msg, codec).finish();
}
export function taggedLogInterop(types: TransitTypeInput[], time: Int, level: number, targetId: Int, propsId: Int, msg: string, codec = 2): Uint8Array {
  return new ByteWriter().i64(time).u8(level).bytes(pod(types, 'StaticStringRef', { id: targetId })).u64(propsId).dynString(msg, codec).finish();
}
export function logStringInteropV2(types: TransitTypeInput[], time: Int, level: number, targetId: Int, msg: string): Uint8Array {
  return new ByteWriter().i64(time).u32(level).bytes(pod(types, 'StringId', { id: targetId })).bytes(new TextEncoder().encode(msg)).finish();
}
export function logStringEvent(descId: Int, time: Int, msg: string): Uint8Array {
  return new ByteWriter().u64(descId).i64(time).bytes(new TextEncoder().encode(msg)).finish();
}
export function logStringEventV2(descId: Int, time: Int, msg: string, codec = 2): Uint8Array {
  return new ByteWriter().u64(descId).i64(time).dynString(msg, codec).finish();
}
export function taggedLogString(descId: Int, propsId: Int, time: Int, msg: string, codec = 2): Uint8Array {
  return new ByteWriter().u64(descId).u64(propsId).i64(time).dynString(msg, codec).finish();
}

// ---- catalog rows for decoder tests ----

import type { ProcessRow, StreamRow } from '../../lake/types.js';

export const PROCESS_ID = '0b9a3c1e-6c1f-4f0e-9a7e-1f2d3c4b5a69';
export const STREAM_ID = '5d0e8a52-8f3b-4c7a-b1d2-2e9f0a1b3c4d';
export const BLOCK_ID = 'c2a4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f';
/** 2026-08-21T16:53:43.123456789Z */
export const START_TIME = 1787331223123456789n;

export function processRow(over: Partial<ProcessRow> = {}): ProcessRow {
  return {
    process_id: PROCESS_ID, exe: 'app', username: 'alice', realname: 'Alice', computer: 'host1', distro: 'Linux', cpu_brand: 'cpu',
    tsc_frequency: 1_000_000_000n, start_time: START_TIME, start_ticks: 1_000_000n, parent_process_id: null, insert_time: 0n,
    properties: { region: 'eu' }, ...over,
  };
}

export function streamRow(deps: TransitTypeInput[], objs: TransitTypeInput[], over: Partial<StreamRow> = {}): StreamRow {
  return {
    stream_id: STREAM_ID, process_id: PROCESS_ID, tags: [], properties: {}, format: 'micromegas-transit',
    dependencies_metadata: descriptorBytes(deps), objects_metadata: descriptorBytes(objs), insert_time: 0n, ...over,
  };
}

// ---- reading batches back ----

import { DataType, type RecordBatch } from 'apache-arrow';

/** Rows as plain objects; timestamps as exact bigint ns (Arrow's toJSON would give float ms). */
export function batchRowObjects(batches: Iterable<RecordBatch>): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const b of batches) {
    const cols = b.schema.fields.map((f, j) => [f.name, b.getChildAt(j)!, DataType.isTimestamp(f.type)] as const);
    for (let i = 0; i < b.numRows; i++) {
      const row: Record<string, unknown> = {};
      for (const [name, col, isTs] of cols) row[name] = isTs ? (col.data[0].values as BigInt64Array)[i] : col.get(i);
      out.push(row);
    }
  }
  return out;
}
