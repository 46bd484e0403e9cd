// Dictionary codes → plain Utf8 buffers by byte copies, without JS strings. Columns of a decoded
// segment usually repeat one code for long runs (process columns: one code per segment), so each run
// is written once and then doubled with copyWithin instead of one copy per row.

/** A dictionary's values as Arrow Utf8 buffers: value k is bytes[offsets[k] .. offsets[k + 1]). */
export interface Utf8Dictionary {
  readonly bytes: Uint8Array;
  readonly offsets: Int32Array;
}

const encoder = new TextEncoder();

/** The UTF-8 buffers of a dictionary of JS strings. */
export function encodeDictionary(dict: readonly string[]): Utf8Dictionary {
  const encoded = dict.map((s) => encoder.encode(s ?? ''));
  const offsets = new Int32Array(dict.length + 1);
  for (let k = 0; k < encoded.length; k++) offsets[k + 1] = offsets[k] + encoded[k].length;
  const bytes = new Uint8Array(offsets[dict.length]);
  for (let k = 0; k < encoded.length; k++) bytes.set(encoded[k], offsets[k]);
  return { bytes, offsets };
}

/** Below this many bytes a value is copied by a byte loop rather than a native `set`. */
const LOOP_MAX = 24;

/**
 * Plain Utf8 buffers for `length` codes into `dict`; rows for which `isNull(i)` is true are empty.
 * `codes` are read from index 0.
 */
export function gatherUtf8(dict: Utf8Dictionary, codes: ArrayLike<number>, length: number, isNull?: (i: number) => boolean): { valueOffsets: Int32Array; data: Uint8Array } {
  const dOff = dict.offsets;
  const dBytes = dict.bytes;
  const valueOffsets = new Int32Array(length + 1);
  let total = 0;
  for (let i = 0; i < length; i++) {
    if (isNull === undefined || !isNull(i)) total += dOff[codes[i] + 1] - dOff[codes[i]];
    valueOffsets[i + 1] = total;
  }
  const data = new Uint8Array(total);
  let i = 0;
  while (i < length) {
    const at = valueOffsets[i];
    const len = valueOffsets[i + 1] - at;
    if (len === 0) {
      i++;
      continue;
    }
    const code = codes[i];
    // the run of rows repeating this value (a null row has length 0 and ends it)
    let end = i + 1;
    while (end < length && codes[end] === code && valueOffsets[end + 1] - valueOffsets[end] === len) end++;
    const s = dOff[code];
    if (len <= LOOP_MAX) for (let k = 0; k < len; k++) data[at + k] = dBytes[s + k];
    else data.set(dBytes.subarray(s, s + len), at);
    const runEnd = valueOffsets[end];
    for (let filled = at + len; filled < runEnd; ) {
      const n = Math.min(filled - at, runEnd - filled);
      data.copyWithin(filled, at, at + n);
      filled += n;
    }
    i = end;
  }
  return { valueOffsets, data };
}
