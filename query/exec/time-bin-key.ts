// GROUP BY date_bin(<constant stride>, ts[, <constant origin>]) without computing date_bin per row:
// timestamps arrive roughly in order, so consecutive rows fall in the same bin; a row is checked
// against the current bin's bounds on the timestamp's two Int32 words, and only a row outside it
// computes its bin (exactly as date_bin does, BigInt arithmetic wrapped to 64 bits).
import type { Expr } from '../plan/expr.js';
import { wordsOf } from './numeric-cast.js';

export interface TimeBin {
  /** The timestamp argument. */
  ts: Expr;
  stride: bigint;
  origin: bigint;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;
/** Strides up to 2^52 ns (~52 days) compare as exact doubles. */
const MAX_STRIDE = 2n ** 52n;

/** The date_bin call of a group key with a positive constant stride and constant origin. */
export function timeBinOf(e: Expr): TimeBin | undefined {
  if (!LITTLE_ENDIAN || e.kind !== 'call' || e.fn.name !== 'date_bin' || e.type !== 'timestamp') return undefined;
  const [stride, ts, origin] = e.args;
  if (e.args.length < 2 || e.args.length > 3 || ts.type !== 'timestamp') return undefined;
  if (stride.kind !== 'literal' || typeof stride.value !== 'bigint' || stride.value <= 0n || stride.value > MAX_STRIDE) return undefined;
  if (origin !== undefined && (origin.kind !== 'literal' || typeof origin.value !== 'bigint')) return undefined;
  return { ts, stride: stride.value, origin: origin === undefined ? 0n : (origin.value as bigint) };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** ids[i] = the group of row i's bin (row sel[i] of the timestamps when a selection is given);
 * `group(bin)` resolves a bin (null for a NULL timestamp) to its id. */
export function assignTimeBins(
  bin: TimeBin,
  values: BigInt64Array,
  valid: Uint8Array | null,
  sel: Uint32Array | null,
  ids: Int32Array,
  group: (bin: bigint | null) => number,
): void {
  const n = ids.length;
  const w = wordsOf(values);
  const stride = Number(bin.stride);
  const scratch = new BigInt64Array(1);
  const scratchWords = wordsOf(scratch);
  // the current bin: [start, start + stride) as the start's words; none yet
  let startHi = 0;
  let startLo = 0;
  let current = -1;
  let nullGroup = -1;
  for (let i = 0; i < n; i++) {
    const row = sel === null ? i : sel[i];
    if (valid !== null && valid[row] === 0) {
      ids[i] = nullGroup >= 0 ? nullGroup : (nullGroup = group(null));
      continue;
    }
    const dHi = w[2 * row + 1] - startHi;
    if (current >= 0 && dHi > -0x100000 && dHi < 0x100000) {
      const d = dHi * TWO_32 + ((w[2 * row] >>> 0) - startLo); // |d| < 2^53: exact
      if (d >= 0 && d < stride) {
        ids[i] = current;
        continue;
      }
    }
    const exact = floorDiv(values[row] - bin.origin, bin.stride) * bin.stride + bin.origin;
    scratch[0] = exact; // wraps like date_bin's BigInt64Array result
    const start = scratch[0];
    ids[i] = group(start);
    // a bin start that wrapped around 64 bits is not a usable bound: such rows stay on this path
    if (start === exact) {
      current = ids[i];
      startHi = scratchWords[1];
      startLo = scratchWords[0] >>> 0;
    } else current = -1;
  }
}
