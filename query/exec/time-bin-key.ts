// GROUP BY date_bin(<constant stride>, ts[, <constant origin>]) without computing date_bin per row:
// timestamps arrive roughly in order, so consecutive rows fall in the same bin; a row is checked
// against the current bin's bounds on the timestamp's two Int32 words (integer compares only), and
// only a row outside it computes its bin (exactly as date_bin does, BigInt arithmetic wrapped to 64
// bits).
import type { Expr } from '../plan/expr.js';
import { wordsOf } from './numeric-cast.js';

export interface TimeBin {
  /** The timestamp argument. */
  ts: Expr;
  stride: bigint;
  origin: bigint;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The date_bin call of a group key with a positive constant stride and constant origin. */
export function timeBinOf(e: Expr): TimeBin | undefined {
  if (!LITTLE_ENDIAN || e.kind !== 'call' || e.fn.name !== 'date_bin' || e.type !== 'timestamp') return undefined;
  const [stride, ts, origin] = e.args;
  if (e.args.length < 2 || e.args.length > 3 || ts.type !== 'timestamp') return undefined;
  if (stride.kind !== 'literal' || stride.type !== 'interval' || typeof stride.value !== 'bigint' || stride.value <= 0n) return undefined;
  if (origin !== undefined && (origin.kind !== 'literal' || origin.type !== 'timestamp' || typeof origin.value !== 'bigint')) return undefined;
  return { ts, stride: stride.value, origin: origin === undefined ? 0n : (origin.value as bigint) };
}

// a bin's [start, end) as 64-bit values (wrapped like date_bin's result) and as Int32 words
const bounds = new BigInt64Array(2);
const boundWords = wordsOf(bounds);

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
  // row indices as Int32 (they are < 2^31), so index arithmetic stays in small integers
  const rows = sel === null ? null : new Int32Array(sel.buffer, sel.byteOffset, sel.length);
  // the current bin [start, end) as (signed high word, unsigned low word) pairs; none yet
  let current = -1;
  let startHi = 0;
  let startLo = 0;
  let endHi = 0;
  let endLo = 0;
  let nullGroup = -1;
  for (let i = 0; i < n; i++) {
    const row = rows === null ? i : rows[i];
    if (valid !== null && valid[row] === 0) {
      ids[i] = nullGroup >= 0 ? nullGroup : (nullGroup = group(null));
      continue;
    }
    const hi = w[2 * row + 1];
    if (current >= 0 && hi >= startHi && hi <= endHi) {
      const lo = w[2 * row] >>> 0;
      if ((hi > startHi || lo >= startLo) && (hi < endHi || lo < endLo)) {
        ids[i] = current;
        continue;
      }
    }
    const exact = floorDiv(values[row] - bin.origin, bin.stride) * bin.stride + bin.origin;
    bounds[0] = exact; // wraps like date_bin's BigInt64Array result
    bounds[1] = exact + bin.stride;
    ids[i] = group(bounds[0]);
    // a bin whose bounds do not fit 64 bits is not used as a bound: its rows stay on this path
    if (bounds[0] === exact && bounds[1] === exact + bin.stride) {
      current = ids[i];
      startLo = boundWords[0] >>> 0;
      startHi = boundWords[1];
      endLo = boundWords[2] >>> 0;
      endHi = boundWords[3];
    } else current = -1;
  }
}
