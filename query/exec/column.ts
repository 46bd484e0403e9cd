// The engine's in-memory column: typed arrays per ScalarType, a byte-per-row validity mask, and
// dictionary codes kept as codes for repeated strings, plain strings as UTF-8 byte views. Operators pass ColumnBatches; Arrow data is
// read at the scan and written at the output (zero-copy for aligned primitive buffers).
import type { ScalarType } from '../plan/types.js';
import { gatherTyped } from './take-typed.js';
import { concatViews, gatherView, sliceView, viewByteLength, viewCol, type Utf8View } from './utf8-view.js';

export type NumericArray = Int32Array | Uint32Array | Float64Array | BigInt64Array | BigUint64Array;

export interface Col {
  readonly type: ScalarType;
  readonly length: number;
  /** bool/null: Uint8Array 0|1; int32: Int32Array; uint32: Uint32Array; float64: Float64Array;
   * int64/timestamp/interval(ns): BigInt64Array; uint64: BigUint64Array;
   * utf8: string[] (or Int32Array codes when `dict` is set); list: unknown[]. */
  readonly values: NumericArray | Uint8Array | string[] | unknown[];
  /** utf8 only: the dictionary the codes in `values` point into. */
  readonly dict?: string[];
  /** utf8 only: the column's UTF-8 bytes + offsets; `values` then decodes lazily (see utf8-view). */
  readonly utf8?: Utf8View;
  /** 1 = valid; null = every row valid. */
  readonly valid: Uint8Array | null;
}

export interface ColumnBatch {
  readonly length: number;
  readonly cols: Col[];
}

export function isValid(c: Col, i: number): boolean {
  return c.valid === null || c.valid[i] === 1;
}

/** The JS value at row i (strings resolved through the dictionary), null when invalid. */
export function valueAt(c: Col, i: number): unknown {
  if (c.valid !== null && c.valid[i] === 0) return null;
  if (c.dict) return c.dict[(c.values as Int32Array)[i]];
  if (c.type === 'bool') return (c.values as Uint8Array)[i] === 1;
  if (c.type === 'null') return null;
  return (c.values as ArrayLike<unknown>)[i];
}

export function allocValues(type: ScalarType, n: number): Col['values'] {
  switch (type) {
    case 'null':
    case 'bool':
      return new Uint8Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int64':
    case 'timestamp':
    case 'interval':
      return new BigInt64Array(n);
    case 'uint64':
      return new BigUint64Array(n);
    case 'utf8':
      return new Array<string>(n).fill('');
    case 'list':
      return new Array<unknown>(n).fill(null);
  }
}

/** A column of n copies of one value (strings become a one-entry dictionary). */
export function constantCol(type: ScalarType, value: unknown, n: number): Col {
  if (value === null || value === undefined || type === 'null') {
    return { type, length: n, values: type === 'utf8' ? new Int32Array(n) : allocValues(type, n), dict: type === 'utf8' ? [''] : undefined, valid: new Uint8Array(n) };
  }
  if (type === 'utf8') return { type, length: n, values: new Int32Array(n), dict: [value as string], valid: null };
  const values = allocValues(type, n);
  if (type === 'bool') (values as Uint8Array).fill(value ? 1 : 0);
  else if (type === 'list') (values as unknown[]).fill(value);
  else (values as { fill(v: unknown): unknown }).fill(value);
  return { type, length: n, values, valid: null };
}

let zeroBytes = new ArrayBuffer(0);

/** An all-NULL stand-in of n rows for a column no consumer reads: views over one shared zeroed
 * buffer (columns are never written in place), so it costs no per-row allocation. */
export function unusedCol(type: ScalarType, n: number): Col {
  if (type === 'list') return constantCol(type, null, n);
  if (zeroBytes.byteLength < n * 8) zeroBytes = new ArrayBuffer(Math.max(n * 8, 1 << 16));
  const valid = new Uint8Array(zeroBytes, 0, n);
  switch (type) {
    case 'utf8':
      return { type, length: n, values: new Int32Array(zeroBytes, 0, n), dict: [''], valid };
    case 'null':
    case 'bool':
      return { type, length: n, values: new Uint8Array(zeroBytes, 0, n), valid };
    case 'int32':
      return { type, length: n, values: new Int32Array(zeroBytes, 0, n), valid };
    case 'uint32':
      return { type, length: n, values: new Uint32Array(zeroBytes, 0, n), valid };
    case 'float64':
      return { type, length: n, values: new Float64Array(zeroBytes, 0, n), valid };
    case 'int64':
    case 'timestamp':
    case 'interval':
      return { type, length: n, values: new BigInt64Array(zeroBytes, 0, n), valid };
    case 'uint64':
      return { type, length: n, values: new BigUint64Array(zeroBytes, 0, n), valid };
  }
}

/** Builds a column from JS values (slow path for functions that work per value). */
export function colFromValues(type: ScalarType, vals: ArrayLike<unknown>): Col {
  const n = vals.length;
  const values = allocValues(type, n);
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = vals[i];
    if (v === null || v === undefined) {
      if (valid === null) valid = new Uint8Array(n).fill(1);
      valid[i] = 0;
      continue;
    }
    if (type === 'bool') (values as Uint8Array)[i] = v ? 1 : 0;
    else (values as unknown[])[i] = v;
  }
  if (type === 'null') valid = new Uint8Array(n);
  return { type, length: n, values, valid };
}

/** Plain string values (dictionary codes resolved); entries at null rows are ''. */
export function stringsOf(c: Col): string[] {
  if (!c.dict) return c.values as string[];
  const codes = c.values as Int32Array;
  const out = new Array<string>(c.length);
  for (let i = 0; i < c.length; i++) out[i] = c.dict[codes[i]] ?? ''; // null rows may hold any code
  return out;
}

/** Row indices as one array kind, so the gather loops stay monomorphic (row indices are never
 * negative, so an Int32Array is reinterpreted in place). */
function asRowIndices(rows: ArrayLike<number>): Uint32Array {
  if (rows instanceof Uint32Array) return rows;
  if (rows instanceof Int32Array) return new Uint32Array(rows.buffer, rows.byteOffset, rows.length);
  return Uint32Array.from(rows);
}

/** Rows `rows` of c, in that order. */
export function take(c: Col, rows: ArrayLike<number>): Col {
  const indices = asRowIndices(rows);
  const n = indices.length;
  let valid: Uint8Array | null = null;
  if (c.valid !== null) {
    valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) valid[i] = c.valid[indices[i]];
  }
  if (c.dict) return { type: c.type, length: n, values: gatherTyped(c.values, indices) as Int32Array, dict: c.dict, valid };
  // a gather that repeats rows (a join's build side) decodes the source once and shares the strings
  if (c.utf8 && n <= c.length) return viewCol(gatherView(c.utf8, indices), n, valid);
  const typed = gatherTyped(c.values, indices);
  if (typed) return { type: c.type, length: n, values: typed, valid };
  const src = c.values as ArrayLike<unknown>;
  const values = allocValues(c.type, n) as unknown[];
  for (let i = 0; i < n; i++) values[i] = src[indices[i]];
  return { type: c.type, length: n, values: values as Col['values'], valid };
}

/** c with another validity mask (keeps a byte view a view). */
export function withValid(c: Col, valid: Uint8Array | null): Col {
  if (c.utf8) return viewCol(c.utf8, c.length, valid);
  return { type: c.type, length: c.length, values: c.values, dict: c.dict, valid };
}

export function sliceCol(c: Col, begin: number, end: number): Col {
  if (c.utf8) return viewCol(sliceView(c.utf8, begin, end), end - begin, c.valid ? c.valid.slice(begin, end) : null);
  const values = (c.values as { slice(b: number, e: number): Col['values'] }).slice(begin, end);
  return { type: c.type, length: end - begin, values, dict: c.dict, valid: c.valid ? c.valid.slice(begin, end) : null };
}

export function sliceBatch(b: ColumnBatch, begin: number, end: number): ColumnBatch {
  return { length: end - begin, cols: b.cols.map((c) => sliceCol(c, begin, end)) };
}

/** One column from several of the same type; dictionaries are kept only when all parts share one. */
export function concatCols(type: ScalarType, parts: Col[]): Col {
  if (parts.length === 1) return parts[0];
  const n = parts.reduce((s, p) => s + p.length, 0);
  const anyNull = parts.some((p) => p.valid !== null);
  const valid = anyNull ? new Uint8Array(n) : null;
  const sharedDict = parts.length > 0 && parts[0].dict !== undefined && parts.every((p) => p.dict === parts[0].dict);
  const views = parts.length > 0 && parts.every((p) => p.utf8 !== undefined);
  let values: Col['values'];
  if (sharedDict) values = new Int32Array(n);
  else if (views) values = new Int32Array(0); // views are concatenated as bytes below
  else values = allocValues(type, n);
  let at = 0;
  for (const p of parts) {
    if (valid) {
      if (p.valid) valid.set(p.valid, at);
      else valid.fill(1, at, at + p.length);
    }
    if (views) { /* bytes are concatenated below */ }
    else if (sharedDict) (values as Int32Array).set(p.values as Int32Array, at);
    else if (type === 'utf8' || type === 'list') {
      const src = type === 'utf8' ? stringsOf(p) : (p.values as unknown[]);
      const dst = values as unknown[];
      for (let i = 0; i < p.length; i++) dst[at + i] = src[i];
    } else (values as { set(a: ArrayLike<unknown>, o: number): void }).set(p.values as ArrayLike<unknown>, at);
    at += p.length;
  }
  if (views) return viewCol(concatViews(parts.map((p) => ({ view: p.utf8!, length: p.length }))), n, valid);
  return { type, length: n, values, dict: sharedDict ? parts[0].dict : undefined, valid };
}

export function concatBatches(types: ScalarType[], batches: ColumnBatch[]): ColumnBatch {
  const length = batches.reduce((s, b) => s + b.length, 0);
  return { length, cols: types.map((t, j) => concatCols(t, batches.map((b) => b.cols[j]))) };
}

/** Approximate bytes held by a batch, for the per-query memory budget. */
export function batchBytes(b: ColumnBatch): number {
  let bytes = 0;
  for (const c of b.cols) {
    if (c.utf8) {
      bytes += viewByteLength(c.utf8) + (c.valid ? c.length : 0);
      continue;
    }
    const v = c.values as { byteLength?: number };
    if (v.byteLength !== undefined) bytes += v.byteLength;
    else if (c.type === 'utf8') for (const s of c.values as string[]) bytes += 16 + s.length * 2;
    else bytes += c.length * 64;
    if (c.valid) bytes += c.length;
  }
  return bytes;
}
