// Growable typed arrays for per-group aggregate state: amortised doubling, no per-group JS objects.
import { minFrom, selectKth } from './select-kth.js';

/** A typed array with room for at least `n` entries, copying when it has to grow. */
export function ensureCapacity<T extends Float64Array | Uint8Array | BigInt64Array | Int32Array>(a: T, n: number): T {
  if (a.length >= n) return a;
  const Ctor = a.constructor as new (len: number) => T;
  const next = new Ctor(Math.max(n, a.length * 2, 16));
  next.set(a as never);
  return next;
}

/** One more than the largest group id in groups[0..n) (0 when n is 0): state is grown once per batch
 * to this size, so the per-row loops do no capacity checks. */
export function groupBound(groups: Int32Array, n: number): number {
  let m = -1;
  for (let i = 0; i < n; i++) if (groups[i] > m) m = groups[i];
  return m + 1;
}

/** Values with their group ids, kept a batch at a time (exact percentiles keep every value): each
 * batch is copied once into arrays of its size, never regrown. */
export class GroupedF64 {
  private readonly values: Float64Array[] = [];
  private readonly groups: Int32Array[] = [];
  length = 0;

  /** Keeps rows 0..n-1 of v whose `valid` byte is 1 (all when null). */
  append(groups: Int32Array, v: Float64Array, valid: Uint8Array | null, n: number): void {
    if (valid === null) {
      this.values.push(v.slice(0, n));
      this.groups.push(groups.slice(0, n));
      this.length += n;
      return;
    }
    let kept = 0;
    for (let i = 0; i < n; i++) kept += valid[i];
    const xs = new Float64Array(kept);
    const gs = new Int32Array(kept);
    let at = 0;
    for (let i = 0; i < n && at < kept; i++) {
      xs[at] = v[i];
      gs[at] = groups[i];
      at += valid[i];
    }
    this.values.push(xs);
    this.groups.push(gs);
    this.length += kept;
  }

  /** The values regrouped contiguously (a counting sort by group): group g's values are
   * values[starts[g], starts[g + 1]); `nan` tells whether any value is NaN. */
  byGroup(numGroups: number): { values: Float64Array; starts: Int32Array; nan: boolean } {
    const starts = new Int32Array(numGroups + 1);
    for (const gs of this.groups) for (let i = 0; i < gs.length; i++) starts[gs[i] + 1]++;
    for (let g = 0; g < numGroups; g++) starts[g + 1] += starts[g];
    const at = starts.slice(0, numGroups);
    const out = new Float64Array(this.length);
    let nan = false;
    for (let c = 0; c < this.values.length; c++) {
      const xs = this.values[c];
      const gs = this.groups[c];
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i];
        if (x !== x) nan = true;
        out[at[gs[i]]++] = x;
      }
    }
    return { values: out, starts, nan };
  }
}

/** The lo-th and hi-th smallest of xs (hi is lo or lo + 1), reordering xs. Selection is linear;
 * with NaN present (only looked for when `mayHaveNaN`) the ordering of a typed-array sort (NaN last)
 * is used instead. */
export function ranksOf(xs: Float64Array, lo: number, hi: number, mayHaveNaN = true): [number, number] {
  for (let i = 0; mayHaveNaN && i < xs.length; i++) {
    if (xs[i] !== xs[i]) {
      xs.sort();
      return [xs[lo], xs[hi]];
    }
  }
  selectKth(xs, lo);
  return [xs[lo], hi === lo ? xs[lo] : minFrom(xs, lo + 1)];
}
