// Byte-range compare and hex through 32-/16-bit DataView accesses. TurboFan inlines DataView loads
// and stores (unaligned ones included), so moving four bytes costs about what one byte costs in a
// Uint8Array loop, and there is no per-call setup as with `Uint8Array.set` on a fresh subarray.

/** src[a..a+n) equals src[c..c+n) for ranges of the same array (seen through `sv`). From 4 bytes
 * on, words only: the last word is the range's last four bytes, overlapping the one before. */
export function equalWords(sv: DataView, src: Uint8Array, a: number, c: number, n: number): boolean {
  if (n < 4) {
    for (let k = 0; k < n; k++) if (src[a + k] !== src[c + k]) return false;
    return true;
  }
  for (let k = 0; k + 4 < n; k += 4) if (sv.getInt32(a + k, true) !== sv.getInt32(c + k, true)) return false;
  return sv.getInt32(a + n - 4, true) === sv.getInt32(c + n - 4, true);
}

/** a[as..as+len) equals b[bs..bs+len), byte by byte (any two arrays). */
export function equalBytes(a: Uint8Array, as: number, b: Uint8Array, bs: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (a[as + k] !== b[bs + k]) return false;
  return true;
}

const DIGITS = '0123456789abcdef';
/** Each byte value's two lowercase hex digits as one little-endian 16-bit word. */
const HEX_PAIR = Uint16Array.from({ length: 256 }, (_, c) => DIGITS.charCodeAt(c >> 4) | (DIGITS.charCodeAt(c & 15) << 8));

/** Lowercase hex of src[s..e) at b[o] (b seen through `dv`); returns the position after it. */
export function putHexWords(dv: DataView, o: number, src: Uint8Array, s: number, e: number): number {
  let k = s;
  for (; k + 2 <= e; k += 2) {
    dv.setInt32(o, HEX_PAIR[src[k]] | (HEX_PAIR[src[k + 1]] << 16), true);
    o += 4;
  }
  if (k < e) {
    dv.setUint16(o, HEX_PAIR[src[k]], true);
    o += 2;
  }
  return o;
}
