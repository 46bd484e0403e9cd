// date_bin with one stride and origin for the whole batch, without BigInt per row. Timestamps are
// ns (> 2^53), so each row works on its offset from a base bin, which fits a double exactly when
// the rows are within ~52 days of each other; rows further away fall back to BigInt.
import { wordsOf } from '../exec/numeric-cast.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;
const MAX_EXACT = 2 ** 52;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** The one value of a 64-bit column when every row holds it (validity aside), else undefined. */
export function uniformValue(v: BigInt64Array, n: number): bigint | undefined {
  if (n === 0) return undefined;
  const w = wordsOf(v);
  const lo = w[0];
  const hi = w[1];
  for (let i = 1; i < n; i++) if (w[2 * i] !== lo || w[2 * i + 1] !== hi) return undefined;
  return v[0];
}

/** Bins of `ts` for a stride 0 < s ≤ 2^52 and origin o; undefined when not applicable. */
export function dateBinUniform(ts: BigInt64Array, n: number, s: bigint, o: bigint): BigInt64Array | undefined {
  if (!LITTLE_ENDIAN || s <= 0n || s > BigInt(MAX_EXACT) || n === 0) return undefined;
  const base = floorDiv(ts[0] - o, s) * s + o;
  const baseWords = wordsOf(BigInt64Array.of(base));
  const bhi = baseWords[1];
  const blo = baseWords[0] >>> 0;
  const sn = Number(s);
  const tw = wordsOf(ts);
  const out = new BigInt64Array(n);
  const ow = wordsOf(out);
  for (let i = 0; i < n; i++) {
    const dhi = tw[2 * i + 1] - bhi;
    if (dhi <= -0x80000 || dhi >= 0x80000) {
      out[i] = floorDiv(ts[i] - o, s) * s + o; // far from the base: exact BigInt path
      continue;
    }
    const d = dhi * TWO_32 + (tw[2 * i] >>> 0) - blo; // |d| < 2^51, exact
    let k = Math.floor(d / sn);
    const r = d - k * sn;
    if (r < 0) k--;
    else if (r >= sn) k++;
    const low = blo + k * sn; // |low| < 2^53, exact
    const carry = Math.floor(low / TWO_32);
    ow[2 * i] = low - carry * TWO_32;
    ow[2 * i + 1] = bhi + carry;
  }
  return out;
}
