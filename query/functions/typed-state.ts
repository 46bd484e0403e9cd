// Growable typed arrays for per-group aggregate state: amortised doubling, no per-group JS objects.
import { minFrom, selectKth } from './select-kth.js';

/** Float64 values that grow by append (percentile samples of one group). */
export class F64List {
  data = new Float64Array(8);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }
  /** The lo-th and hi-th smallest values (hi is lo or lo + 1); reorders the list. Selection is
   * linear; with NaN present the ordering of a typed-array sort (NaN last) is used instead. */
  ranks(lo: number, hi: number): [number, number] {
    const xs = this.data.subarray(0, this.length);
    for (let i = 0; i < xs.length; i++) {
      if (xs[i] !== xs[i]) {
        xs.sort();
        return [xs[lo], xs[hi]];
      }
    }
    selectKth(xs, lo);
    return [xs[lo], hi === lo ? xs[lo] : minFrom(xs, lo + 1)];
  }
}

/** A typed array with room for at least `n` entries, copying when it has to grow. */
export function ensureCapacity<T extends Float64Array | Uint8Array | BigInt64Array>(a: T, n: number): T {
  if (a.length >= n) return a;
  const Ctor = a.constructor as new (len: number) => T;
  const next = new Ctor(Math.max(n, a.length * 2, 16));
  next.set(a as never);
  return next;
}
