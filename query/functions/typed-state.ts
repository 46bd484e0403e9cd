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

/** Values with their group ids, appended a batch at a time (exact percentiles keep every value). */
export class GroupedF64 {
  values = new Float64Array(1024);
  groups = new Int32Array(1024);
  length = 0;

  /** Appends rows 0..n-1 of v whose `valid` byte is 1 (all when null). */
  append(groups: Int32Array, v: Float64Array, valid: Uint8Array | null, n: number): void {
    if (this.length + n > this.values.length) {
      const cap = Math.max(this.values.length * 2, this.length + n);
      const values = new Float64Array(cap);
      values.set(this.values.subarray(0, this.length));
      const ids = new Int32Array(cap);
      ids.set(this.groups.subarray(0, this.length));
      this.values = values;
      this.groups = ids;
    }
    const xs = this.values;
    const gs = this.groups;
    let at = this.length;
    if (valid === null) {
      xs.set(v.subarray(0, n), at);
      gs.set(groups.subarray(0, n), at);
      at += n;
    } else {
      for (let i = 0; i < n; i++) {
        xs[at] = v[i];
        gs[at] = groups[i];
        at += valid[i];
      }
    }
    this.length = at;
  }

  /** The values regrouped contiguously (a counting sort by group): group g's values are
   * values[starts[g], starts[g + 1]). */
  byGroup(numGroups: number): { values: Float64Array; starts: Int32Array } {
    const starts = new Int32Array(numGroups + 1);
    const gs = this.groups;
    const n = this.length;
    for (let i = 0; i < n; i++) starts[gs[i] + 1]++;
    for (let g = 0; g < numGroups; g++) starts[g + 1] += starts[g];
    const at = starts.slice(0, numGroups);
    const out = new Float64Array(n);
    const xs = this.values;
    for (let i = 0; i < n; i++) out[at[gs[i]]++] = xs[i];
    return { values: out, starts };
  }
}

/** The lo-th and hi-th smallest of xs (hi is lo or lo + 1), reordering xs. Selection is linear;
 * with NaN present the ordering of a typed-array sort (NaN last) is used instead. */
export function ranksOf(xs: Float64Array, lo: number, hi: number): [number, number] {
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] !== xs[i]) {
      xs.sort();
      return [xs[lo], xs[hi]];
    }
  }
  selectKth(xs, lo);
  return [xs[lo], hi === lo ? xs[lo] : minFrom(xs, lo + 1)];
}
