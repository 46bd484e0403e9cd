// Plain Utf8 columns kept as Arrow's UTF-8 bytes + Int32 offsets (a view over the source Data), so
// scans, filters, takes and the output never build JS strings. `values` decodes lazily, once per
// column, for the operators that really work on strings.
import { Buffer } from 'node:buffer';
import type { Col } from './column.js';

export interface Utf8View {
  /** UTF-8 bytes; row i is bytes[offsets[i], offsets[i + 1]). */
  readonly bytes: Uint8Array;
  /** length + 1 absolute offsets into bytes (need not start at 0). */
  readonly offsets: Int32Array;
}

/** A utf8 column over a view; `values` (string[]) is decoded on first access and kept. */
export function viewCol(view: Utf8View, length: number, valid: Uint8Array | null): Col {
  let strings: string[] | undefined;
  return {
    type: 'utf8',
    length,
    valid,
    utf8: view,
    get values(): string[] {
      return (strings ??= decodeView(view, length));
    },
  };
}

// Buffer#toString(utf8, b, e) decodes a range without the subarray TextDecoder needs per row.
export function decodeView(view: Utf8View, n: number): string[] {
  const { bytes, offsets } = view;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const b = offsets[i];
    const e = offsets[i + 1];
    out[i] = e > b ? buf.toString('utf8', b, e) : '';
  }
  return out;
}

export function sliceView(view: Utf8View, begin: number, end: number): Utf8View {
  return { bytes: view.bytes, offsets: view.offsets.subarray(begin, end + 1) };
}

/** Bytes spanned by the view's rows (for memory accounting). */
export function viewByteLength(view: Utf8View): number {
  const o = view.offsets;
  return o[o.length - 1] - o[0] + o.byteLength;
}

// Below this a byte loop beats creating a subarray for Uint8Array#set.
const SET_MIN = 48;

function copyRange(src: Uint8Array, b: number, e: number, dst: Uint8Array, at: number): void {
  if (e - b >= SET_MIN) dst.set(src.subarray(b, e), at);
  else for (let k = b; k < e; k++) dst[at++] = src[k];
}

/** Rows `indices` as a new compact view: offsets first, then one pass of byte copies in which
 * runs of consecutive rows are copied as one contiguous range. */
export function gatherView(view: Utf8View, indices: ArrayLike<number>): Utf8View {
  const { bytes, offsets } = view;
  const n = indices.length;
  const outOffsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const j = indices[i];
    total += offsets[j + 1] - offsets[j];
    outOffsets[i + 1] = total;
  }
  const out = new Uint8Array(total);
  let i = 0;
  while (i < n) {
    const first = indices[i];
    let last = first;
    let k = i + 1;
    while (k < n && indices[k] === last + 1) {
      last++;
      k++;
    }
    copyRange(bytes, offsets[first], offsets[last + 1], out, outOffsets[i]);
    i = k;
  }
  return { bytes: out, offsets: outOffsets };
}

/** Views of several columns laid end to end as one compact view. */
export function concatViews(parts: { view: Utf8View; length: number }[]): Utf8View {
  let n = 0;
  let total = 0;
  for (const p of parts) {
    n += p.length;
    total += p.view.offsets[p.length] - p.view.offsets[0];
  }
  const bytes = new Uint8Array(total);
  const offsets = new Int32Array(n + 1);
  let row = 0;
  let at = 0;
  for (const { view, length } of parts) {
    const base = view.offsets[0];
    const end = view.offsets[length];
    copyRange(view.bytes, base, end, bytes, at);
    for (let i = 1; i <= length; i++) offsets[row + i] = view.offsets[i] - base + at;
    row += length;
    at += end - base;
  }
  return { bytes, offsets };
}

/** Arrow Utf8 buffers for the first n rows: offsets rebased to 0 (aliased when they already are)
 * and the spanned bytes aliased, so writing the output copies nothing per row. */
export function arrowBuffers(view: Utf8View, n: number): { valueOffsets: Int32Array; data: Uint8Array } {
  const o = view.offsets;
  const base = o[0];
  const data = view.bytes.subarray(base, o[n]);
  if (base === 0) return { valueOffsets: o.length === n + 1 ? o : o.subarray(0, n + 1), data };
  const valueOffsets = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) valueOffsets[i] = o[i] - base;
  return { valueOffsets, data };
}
