// List<Timestamp(ns)> values to and from Arrow. Arrow JS builds and reads Timestamp items through JS
// numbers of milliseconds, which drops nanoseconds; these read and write the raw 64-bit words.
import { makeData, Type, type Data, type DataType, type List } from 'apache-arrow';

/** Whether a List type's items are Timestamps (the engine holds them as bigint ns). */
export function hasTimestampItems(type: DataType): boolean {
  return type.typeId === Type.List && (type as List).children[0]?.type.typeId === Type.Timestamp;
}

/** Arrow data of a List<Timestamp(ns)> column from JS arrays of bigint ns (null = NULL list / item). */
export function timestampListData(values: (unknown[] | null)[], type: DataType): Data {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const listValid = new Uint8Array((n + 7) >> 3);
  let listNulls = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) listNulls++;
    else {
      listValid[i >> 3] |= 1 << (i & 7);
      total += v.length;
    }
    offsets[i + 1] = total;
  }
  const items = new BigInt64Array(total);
  const itemValid = new Uint8Array((total + 7) >> 3);
  let itemNulls = 0;
  let k = 0;
  for (const v of values) {
    for (const x of v ?? []) {
      if (x === null || x === undefined) itemNulls++;
      else {
        items[k] = BigInt(x as bigint);
        itemValid[k >> 3] |= 1 << (k & 7);
      }
      k++;
    }
  }
  const itemType = (type as List).children[0].type;
  const child = makeData({ type: itemType, length: total, nullCount: itemNulls, nullBitmap: itemNulls ? itemValid : undefined, data: items as never });
  return makeData({ type: type as List, length: n, nullCount: listNulls, nullBitmap: listNulls ? listValid : undefined, valueOffsets: offsets, child }) as Data;
}

/** Whether one List value's item vector holds Timestamps. */
export function isTimestampVector(vec: { type: DataType }): boolean {
  return vec.type.typeId === Type.Timestamp;
}

/** The items of one List<Timestamp> value as bigint ns (null items kept). */
export function timestampItems(vec: { toArray(): ArrayLike<unknown>; isValid(i: number): boolean; length: number }): unknown[] {
  const raw = vec.toArray();
  return Array.from({ length: vec.length }, (_, j) => (vec.isValid(j) ? raw[j] : null));
}
