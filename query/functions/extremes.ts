// min/max over numeric columns with typed per-group state. 64-bit integers are compared as
// (signed hi, unsigned lo) Int32 word pairs, so no BigInt is created per row.
import type { Col } from '../exec/column.js';
import { wordsOf } from '../exec/numeric-cast.js';
import type { GroupAccumulator } from './registry.js';
import type { ScalarType } from '../plan/types.js';
import { ensureCapacity, groupBound } from './typed-state.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

abstract class TypedExtreme implements GroupAccumulator {
  has = new Uint8Array(0);
  size = 0;
  constructor(protected readonly type: ScalarType, protected readonly wantMax: boolean) {}
  abstract update(groups: Int32Array, args: Col[], n: number, numGroups?: number): void;
  abstract finish(numGroups: number): Col;
  /** Room for the groups of this batch (once per batch, not per row). */
  protected grow(groups: Int32Array, n: number, numGroups: number | undefined): number {
    const bound = numGroups ?? groupBound(groups, n);
    if (bound > this.size) this.size = bound;
    this.has = ensureCapacity(this.has, bound);
    return bound;
  }
  bytes(): number {
    return this.size * 16;
  }
}

/** int32 / uint32 / float64: state in a Float64Array (every such value is exact in a double). */
class NumberExtreme extends TypedExtreme {
  best = new Float64Array(0);
  update(groups: Int32Array, args: Col[], n: number, numGroups?: number): void {
    const a = args[0];
    const v = a.values as Float64Array | Int32Array | Uint32Array;
    const rowValid = a.valid;
    const wantMax = this.wantMax;
    const best = (this.best = ensureCapacity(this.best, this.grow(groups, n, numGroups)));
    const has = this.has;
    for (let i = 0; i < n; i++) {
      if (rowValid !== null && rowValid[i] === 0) continue;
      const g = groups[i];
      const x = v[i];
      if (has[g] === 0 || (wantMax ? x > best[g] : x < best[g])) {
        best[g] = x;
        has[g] = 1;
      }
    }
  }
  finish(numGroups: number): Col {
    const out = this.type === 'float64' ? new Float64Array(numGroups) : this.type === 'int32' ? new Int32Array(numGroups) : new Uint32Array(numGroups);
    return finishTyped(this.type, numGroups, this.has, out, (g) => { out[g] = this.best[g]; });
  }
}

/** int64 / timestamp / interval: state in a BigInt64Array, compared by words. */
class Int64Extreme extends TypedExtreme {
  best = new BigInt64Array(0);
  update(groups: Int32Array, args: Col[], n: number, numGroups?: number): void {
    const a = args[0];
    const w = wordsOf(a.values as BigInt64Array);
    const rowValid = a.valid;
    const sign = this.wantMax ? 1 : -1;
    const best = (this.best = ensureCapacity(this.best, this.grow(groups, n, numGroups)));
    const bw = wordsOf(best);
    const has = this.has;
    for (let i = 0; i < n; i++) {
      if (rowValid !== null && rowValid[i] === 0) continue;
      const g = groups[i];
      const hi = w[2 * i + 1];
      const lo = w[2 * i] >>> 0;
      const bhi = bw[2 * g + 1];
      const blo = bw[2 * g] >>> 0;
      const cmp = hi !== bhi ? (hi > bhi ? 1 : -1) : lo !== blo ? (lo > blo ? 1 : -1) : 0;
      if (has[g] === 0 || cmp === sign) {
        bw[2 * g] = w[2 * i];
        bw[2 * g + 1] = hi;
        has[g] = 1;
      }
    }
  }
  finish(numGroups: number): Col {
    const out = new BigInt64Array(numGroups);
    return finishTyped(this.type, numGroups, this.has, out, (g) => { out[g] = this.best[g]; });
  }
}

function finishTyped(type: ScalarType, numGroups: number, has: Uint8Array, values: Col['values'], copy: (g: number) => void): Col {
  let valid: Uint8Array | null = null;
  for (let g = 0; g < numGroups; g++) {
    if (g < has.length && has[g] === 1) copy(g);
    else (valid ??= new Uint8Array(numGroups).fill(1))[g] = 0;
  }
  return { type, length: numGroups, values, valid };
}

/** A typed min/max accumulator for this type, or undefined to use the generic one. */
export function typedExtreme(type: ScalarType, wantMax: boolean): GroupAccumulator | undefined {
  if (type === 'float64' || type === 'int32' || type === 'uint32') return new NumberExtreme(type, wantMax);
  if (LITTLE_ENDIAN && (type === 'int64' || type === 'timestamp' || type === 'interval')) return new Int64Extreme(type, wantMax);
  return undefined;
}
