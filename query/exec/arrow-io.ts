// Arrow RecordBatch <-> ColumnBatch. Reading keeps dictionary codes and aliases aligned primitive
// buffers and plain Utf8 as byte views; writing packs validity bitmaps and hands Arrow the bytes.
import {
  DataType, Data, Dictionary, IntervalUnit, RecordBatch, Schema, Struct, Type, TimeUnit, makeData, makeVector, vectorFromArray,
  type Field, type Timestamp, type Vector,
} from 'apache-arrow';
import { valueAt, type Col, type ColumnBatch } from './column.js';
import { arrowBuffers, viewCol } from './utf8-view.js';
import { encodeDictionary, gatherUtf8, type Utf8Dictionary } from './utf8-gather.js';
import { arrowTypeOf, type PlanField, type ScalarType } from '../plan/types.js';
import { QueryError } from '../errors.js';
import { hasTimestampItems, isTimestampVector, timestampItems, timestampListData } from './list-arrow.js';

/** The engine type an Arrow type is read as; undefined when the engine cannot carry it. */
export function scalarTypeOfArrow(t: DataType): ScalarType | undefined {
  switch (t.typeId) {
    case Type.Null:
      return 'null';
    case Type.Bool:
      return 'bool';
    case Type.Int: {
      const { bitWidth, isSigned } = t as unknown as { bitWidth: number; isSigned: boolean };
      if (bitWidth < 32) return 'int32';
      if (bitWidth === 32) return isSigned ? 'int32' : 'uint32';
      return isSigned ? 'int64' : 'uint64';
    }
    case Type.Float:
      return 'float64';
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'utf8';
    case Type.Timestamp:
    case Type.Date:
      return 'timestamp';
    case Type.Interval:
    case Type.Duration:
      return 'interval';
    case Type.Dictionary:
      return scalarTypeOfArrow((t as unknown as { dictionary: DataType }).dictionary);
    case Type.List:
    case Type.FixedSizeList:
    case Type.Struct:
    case Type.Map:
      return 'list';
    default:
      return undefined;
  }
}

function validityOf(data: Data): Uint8Array | null {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) {
    return data.typeId === Type.Null ? new Uint8Array(data.length) : null;
  }
  const out = new Uint8Array(data.length);
  const bits = data.nullBitmap;
  const off = data.offset;
  for (let i = 0; i < data.length; i++) out[i] = (bits[(i + off) >> 3] >> ((i + off) & 7)) & 1;
  return out;
}

function bigintView(values: ArrayBufferView, offset: number, length: number, unsigned: boolean): BigInt64Array | BigUint64Array {
  const byteOffset = values.byteOffset + offset * 8;
  const Ctor = unsigned ? BigUint64Array : BigInt64Array;
  if (byteOffset % 8 === 0) return new Ctor(values.buffer as ArrayBuffer, byteOffset, length);
  return new Ctor((values.buffer as ArrayBuffer).slice(byteOffset, byteOffset + length * 8));
}

const NS_PER_UNIT: Record<number, bigint> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};

const decoder = new TextDecoder();

function readStrings(data: Data): string[] {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  const bytes = data.values as Uint8Array;
  const out = new Array<string>(data.length);
  for (let i = 0; i < data.length; i++) {
    const b = Number(offsets[data.offset + i]);
    const e = Number(offsets[data.offset + i + 1]);
    out[i] = e > b ? decoder.decode(bytes.subarray(b, e)) : '';
  }
  return out;
}

// Cached segments hand out the same dictionary vectors on every warm query: decode each once.
// Engine code treats a Col's dict as read-only, so one array can be shared.
const decodedDictionaries = new WeakMap<object, string[]>();

// The UTF-8 bytes behind a Col's dictionary: the Arrow dictionary it was read from when there is one,
// so writing the column back out gathers bytes instead of re-encoding strings.
const dictionaryBytes = new WeakMap<readonly string[], Utf8Dictionary>();

type DictionaryVector = { toArray(): unknown[]; data: readonly Data[] };

function dictionaryStrings(dictVec: DictionaryVector): string[] {
  let dict = decodedDictionaries.get(dictVec);
  if (dict === undefined) {
    dict = Array.from(dictVec.toArray() as ArrayLike<unknown>, (s) => (s ?? '') as string);
    decodedDictionaries.set(dictVec, dict);
    const d = dictVec.data.length === 1 ? dictVec.data[0] : undefined;
    if (d && d.typeId === Type.Utf8 && d.valueOffsets instanceof Int32Array && (d.nullCount === 0 || sameNullsAsEmpty(d))) {
      dictionaryBytes.set(dict, { bytes: d.values as Uint8Array, offsets: d.valueOffsets.subarray(0, d.length + 1) });
    }
  }
  return dict;
}

/** True when every null entry of a Utf8 dictionary spans no bytes (reads as ''). */
function sameNullsAsEmpty(d: Data): boolean {
  const o = d.valueOffsets as Int32Array;
  for (let k = 0; k < d.length; k++) if (!d.getValid(k) && o[k + 1] !== o[k]) return false;
  return true;
}

/** The UTF-8 bytes of a Col dictionary, encoded once per dictionary array. */
function utf8DictionaryOf(dict: readonly string[]): Utf8Dictionary {
  let bytes = dictionaryBytes.get(dict);
  if (bytes === undefined) {
    bytes = encodeDictionary(dict);
    dictionaryBytes.set(dict, bytes);
  }
  return bytes;
}

/** Reads one Arrow column (all its chunks are assumed to be this one Data). */
export function colFromArrow(data: Data, type: ScalarType): Col {
  const n = data.length;
  const valid = validityOf(data);
  const t = data.type;
  if (t.typeId === Type.Dictionary) {
    const dictVec = (data as Data & { dictionary?: DictionaryVector }).dictionary;
    const dict = dictVec ? dictionaryStrings(dictVec) : [];
    const src = data.values as ArrayLike<number>;
    // zero-copy like the primitive columns below: columns are never written in place
    const codes = src instanceof Int32Array ? src.subarray(data.offset, data.offset + n) : new Int32Array(n);
    if (!(src instanceof Int32Array)) for (let i = 0; i < n; i++) codes[i] = Number(src[data.offset + i]);
    return { type, length: n, values: codes, dict, valid };
  }
  switch (type) {
    case 'null':
      return { type, length: n, values: new Uint8Array(n), valid: new Uint8Array(n) };
    case 'bool': {
      const bits = data.values as Uint8Array;
      const v = new Uint8Array(n);
      for (let i = 0; i < n; i++) v[i] = (bits[(i + data.offset) >> 3] >> ((i + data.offset) & 7)) & 1;
      return { type, length: n, values: v, valid };
    }
    case 'int32':
    case 'uint32':
    case 'float64': {
      const src = data.values as unknown as ArrayLike<number> & { subarray(b: number, e: number): ArrayLike<number> };
      if ((type === 'int32' && src instanceof Int32Array) || (type === 'uint32' && src instanceof Uint32Array) || (type === 'float64' && src instanceof Float64Array)) {
        return { type, length: n, values: src.subarray(data.offset, data.offset + n) as Col['values'], valid };
      }
      const v = type === 'int32' ? new Int32Array(n) : type === 'uint32' ? new Uint32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = Number(src[data.offset + i]);
      return { type, length: n, values: v, valid };
    }
    case 'int64':
    case 'uint64':
      return { type, length: n, values: bigintView(data.values as ArrayBufferView, data.offset, n, type === 'uint64'), valid };
    case 'timestamp': {
      if (t.typeId === Type.Date) {
        const ms = makeVector(data);
        const v = new BigInt64Array(n);
        for (let i = 0; i < n; i++) v[i] = BigInt(Number(ms.get(i) ?? 0)) * 1_000_000n;
        return { type, length: n, values: v, valid };
      }
      const raw = bigintView(data.values as ArrayBufferView, data.offset, n, false) as BigInt64Array;
      const scale = NS_PER_UNIT[(t as Timestamp).unit];
      if (scale === 1n) return { type, length: n, values: raw, valid };
      const v = new BigInt64Array(n);
      for (let i = 0; i < n; i++) v[i] = raw[i] * scale;
      return { type, length: n, values: v, valid };
    }
    case 'utf8':
      // Int32 offsets (Utf8): a zero-copy view; LargeUtf8's 64-bit offsets are decoded up front.
      // Data#slice already narrows valueOffsets (data.offset then only applies to the bitmap).
      if (data.valueOffsets instanceof Int32Array) {
        return viewCol({ bytes: data.values as Uint8Array, offsets: data.valueOffsets.subarray(0, n + 1) }, n, valid);
      }
      return { type, length: n, values: readStrings(data), valid };
    case 'interval': {
      const v = new BigInt64Array(n);
      if (t.typeId === Type.Duration) {
        const raw = bigintView(data.values as ArrayBufferView, data.offset, n, false) as BigInt64Array;
        const scale = NS_PER_UNIT[(t as unknown as { unit: number }).unit];
        for (let i = 0; i < n; i++) v[i] = raw[i] * scale;
        return { type, length: n, values: v, valid };
      }
      if ((t as unknown as { unit: number }).unit !== IntervalUnit.MONTH_DAY_NANO) {
        throw new QueryError('INVALID_ARGUMENT', 'only MonthDayNano intervals can be read');
      }
      // 16 bytes per value: months (int32), days (int32), nanoseconds (int64); months have no fixed length
      const words = data.values as unknown as Int32Array;
      const nanos = bigintView(words, data.offset * 2, n * 2, false) as BigInt64Array;
      for (let i = 0; i < n; i++) {
        const months = words[(data.offset + i) * 4];
        if (months !== 0) throw new QueryError('INVALID_ARGUMENT', 'intervals with months are not supported');
        v[i] = BigInt(words[(data.offset + i) * 4 + 1]) * 86_400_000_000_000n + nanos[i * 2 + 1];
      }
      return { type, length: n, values: v, valid };
    }
    case 'list': {
      const vec = makeVector(data);
      const v = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        v[i] = listValue(vec.get(i));
      }
      return { type, length: n, values: v, valid };
    }
  }
}

type ListItemVector = Iterable<unknown> & { toArray(): ArrayLike<unknown>; nullCount: number; type: DataType; isValid(i: number): boolean; length: number };

/** One List value as a JS array; toArray() of a primitive child reads null items as 0, so iterate then. */
function listValue(x: unknown): unknown {
  if (!x || typeof x !== 'object' || typeof (x as Partial<ListItemVector>).toArray !== 'function') return x;
  const vec = x as ListItemVector;
  if (vec.nullCount > 0 && isTimestampVector(vec)) return timestampItems(vec);
  return vec.nullCount > 0 ? [...vec] : Array.from(vec.toArray());
}

export function batchFromArrow(rb: RecordBatch, fields: { name: string; type: ScalarType }[]): ColumnBatch {
  const cols = fields.map((f) => {
    const idx = rb.schema.fields.findIndex((x: Field) => x.name === f.name);
    if (idx < 0) throw new QueryError('INTERNAL', `scan returned no column ${f.name}`);
    return colFromArrow(rb.data.children[idx], f.type);
  });
  return { length: rb.numRows, cols };
}

function packBits(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(((bytes.length + 63) >> 6) << 3);
  for (let i = 0; i < bytes.length; i++) if (bytes[i]) out[i >> 3] |= 1 << (i & 7);
  return out;
}

const encoder = new TextEncoder();

function dataFromCol(c: Col, f: PlanField): Data {
  const type = arrowTypeOf(f);
  const length = c.length;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (c.valid) {
    for (let i = 0; i < length; i++) if (c.valid[i] === 0) nullCount++;
    if (nullCount > 0) nullBitmap = packBits(c.valid);
  }
  const base = { type, length, nullCount, nullBitmap } as const;
  switch (f.type) {
    case 'null':
    case 'utf8': {
      if (c.utf8 && f.type === 'utf8') return makeData({ ...base, type: type as never, ...arrowBuffers(c.utf8, length) }) as Data;
      if (c.dict && f.type === 'utf8') {
        const valid = nullCount > 0 ? c.valid! : undefined;
        const buffers = gatherUtf8(utf8DictionaryOf(c.dict), c.values as Int32Array, length, valid && ((i) => valid[i] === 0));
        return makeData({ ...base, type: type as never, ...buffers }) as Data;
      }
      const strs = f.type === 'null' ? new Array<string>(length).fill('') : c.dict ? c.dict : (c.values as string[]);
      const encoded = strs.map((s) => encoder.encode(s));
      const codes = c.dict ? (c.values as Int32Array) : undefined;
      const valueOffsets = new Int32Array(length + 1);
      let total = 0;
      for (let i = 0; i < length; i++) {
        if (nullCount === 0 || c.valid![i] === 1) total += encoded[codes ? codes[i] : i].length;
        valueOffsets[i + 1] = total;
      }
      const bytes = new Uint8Array(total);
      for (let i = 0; i < length; i++) {
        if (valueOffsets[i + 1] > valueOffsets[i]) bytes.set(encoded[codes ? codes[i] : i], valueOffsets[i]);
      }
      return makeData({ ...base, type: type as never, valueOffsets, data: bytes }) as Data;
    }
    case 'bool':
      return makeData({ ...base, type: type as never, data: packBits(c.values as Uint8Array) }) as Data;
    case 'interval': {
      const ns = c.values as BigInt64Array;
      const words = new Int32Array(length * 4);
      const pairs = new BigInt64Array(words.buffer);
      for (let i = 0; i < length; i++) pairs[i * 2 + 1] = ns[i];
      return makeData({ ...base, type: type as never, data: words }) as Data;
    }
    case 'list': {
      const vals = (c.values as unknown[]).map((v, i) => (c.valid && c.valid[i] === 0 ? null : v));
      if (hasTimestampItems(type)) return timestampListData(vals as (unknown[] | null)[], type);
      return vectorFromArray(vals, type).data[0];
    }
    default:
      return makeData({ ...base, type: type as never, data: c.values as never }) as Data;
  }
}

// A column's dictionary as Arrow, built once per dictionary array (segments share one across batches).
const dictionaryVectors = new WeakMap<string[], Vector>();

/** A utf8 column as Dictionary data: its own codes and dictionary, or (plain strings) the codes of
 * its distinct values in first-seen order. */
function dictionaryDataFromCol(c: Col, type: Dictionary): Data {
  let codes: Int32Array;
  let dict: string[];
  if (c.dict) {
    codes = c.values as Int32Array;
    dict = c.dict;
  } else {
    const index = new Map<string, number>();
    dict = [];
    codes = new Int32Array(c.length);
    for (let i = 0; i < c.length; i++) {
      const v = valueAt(c, i);
      if (v === null) continue;
      let code = index.get(v as string);
      if (code === undefined) index.set(v as string, (code = dict.push(v as string) - 1));
      codes[i] = code;
    }
  }
  let dictionary = dictionaryVectors.get(dict);
  if (!dictionary) {
    dictionary = makeVector(dataFromCol({ type: 'utf8', length: dict.length, values: dict, valid: null }, { id: 0, name: '', type: 'utf8', nullable: false }));
    if (c.dict) dictionaryVectors.set(dict, dictionary);
  }
  const plain = dataFromCol({ type: 'int32', length: c.length, values: codes.subarray(0, c.length), valid: c.valid }, { id: 0, name: '', type: 'int32', nullable: true });
  return makeData({ type, length: c.length, nullCount: plain.nullCount, nullBitmap: plain.nullBitmap, data: plain.values as Int32Array, dictionary });
}

export function batchToArrow(schema: Schema, fields: PlanField[], b: ColumnBatch): RecordBatch {
  const children = fields.map((f, i) => {
    const type = schema.fields[i].type;
    return DataType.isDictionary(type) ? dictionaryDataFromCol(b.cols[i], type) : dataFromCol(b.cols[i], f);
  });
  const data = makeData({ type: new Struct(schema.fields), length: b.length, nullCount: 0, children });
  return new RecordBatch(schema, data);
}
