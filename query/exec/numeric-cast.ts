// Casts between numeric representations without per-row castValue calls or BigInt values: 64-bit
// integers are read and written as two Int32 words (little-endian), which is exact.
import type { Col } from './column.js';
import type { ScalarType } from '../plan/types.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;

/** The (lo, hi) Int32 words of a 64-bit array. */
export function wordsOf(v: BigInt64Array | BigUint64Array): Int32Array {
  return new Int32Array(v.buffer, v.byteOffset, v.length * 2);
}

const isInt64Like = (t: ScalarType) => t === 'int64' || t === 'timestamp' || t === 'interval';

/** Zeroes invalid rows like the per-row cast (which skips them), so results are identical. */
function done(c: Col, to: ScalarType, out: Float64Array | BigInt64Array): Col {
  const valid = c.valid;
  if (valid !== null) {
    const zero = out instanceof Float64Array ? 0 : 0n;
    for (let i = 0; i < c.length; i++) if (valid[i] === 0) out[i] = zero as never;
  }
  return { type: to, length: c.length, values: out, valid };
}

/** The cast of c to `to` when a fast exact path exists (never throws), else undefined. */
export function fastNumericCast(c: Col, to: ScalarType): Col | undefined {
  if (!LITTLE_ENDIAN || c.dict) return undefined;
  const n = c.length;
  const from = c.type;
  if ((from === 'int32' || from === 'uint32') && to === 'float64') {
    const src = c.values as Int32Array | Uint32Array;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = src[i];
    return done(c, to, out);
  }
  if ((from === 'int32' || from === 'uint32') && isInt64Like(to)) {
    const out = new BigInt64Array(n);
    const w = wordsOf(out);
    if (from === 'int32') {
      const src = c.values as Int32Array;
      for (let i = 0; i < n; i++) {
        const x = src[i];
        w[2 * i] = x;
        w[2 * i + 1] = x >> 31; // sign extension
      }
    } else {
      const src = c.values as Uint32Array;
      for (let i = 0; i < n; i++) w[2 * i] = src[i] | 0;
    }
    return done(c, to, out);
  }
  if ((isInt64Like(from) || from === 'uint64') && to === 'float64') {
    const src = c.values as BigInt64Array | BigUint64Array;
    const w = wordsOf(src);
    const signed = from !== 'uint64';
    const out = new Float64Array(n);
    const low = signed ? -0x100000 : 0;
    // exact in a double when |value| < 2^52; otherwise let Number() round correctly. The first
    // loop has no BigInt in it (V8 optimizes it far better) and stops at the first large value.
    let i = 0;
    for (; i < n; i++) {
      const hi = w[2 * i + 1];
      if (hi < low || hi >= 0x100000) break;
      out[i] = hi * TWO_32 + (w[2 * i] >>> 0);
    }
    for (; i < n; i++) {
      const hi = w[2 * i + 1];
      if (hi >= low && hi < 0x100000) out[i] = hi * TWO_32 + (w[2 * i] >>> 0);
      else out[i] = Number(src[i]);
    }
    return done(c, to, out);
  }
  return undefined;
}

// out[i] for a row comparing as less / equal / greater
const OUTCOMES: Record<string, [number, number, number]> = {
  '<': [1, 0, 0], '<=': [1, 1, 0], '=': [0, 1, 0], '<>': [1, 0, 1], '>': [0, 0, 1], '>=': [0, 1, 1],
};

/** a op b over two 64-bit integer columns of one signedness, compared as word pairs; undefined
 * when the columns are not both 64-bit integers. */
export function compareInt64(op: string, a: Col, b: Col): Uint8Array | undefined {
  const signed = isInt64Like(a.type) && isInt64Like(b.type);
  const unsigned = a.type === 'uint64' && b.type === 'uint64';
  const outcome = OUTCOMES[op];
  if (!LITTLE_ENDIAN || a.dict || b.dict || !outcome || !(signed || unsigned)) return undefined;
  const n = a.length;
  const aw = wordsOf(a.values as BigInt64Array);
  const bw = wordsOf(b.values as BigInt64Array);
  const [lt, eq, gt] = outcome;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let x = aw[2 * i + 1];
    let y = bw[2 * i + 1];
    if (x === y) {
      x = aw[2 * i] >>> 0;
      y = bw[2 * i] >>> 0;
    } else if (unsigned) {
      x >>>= 0;
      y >>>= 0;
    }
    out[i] = x < y ? lt : x > y ? gt : eq;
  }
  return out;
}

/** A column whose values are 64-bit integers that can be read as word pairs. */
export function isWordKey(c: Col): boolean {
  return LITTLE_ENDIAN && !c.dict && (c.values instanceof BigInt64Array || c.values instanceof BigUint64Array);
}
