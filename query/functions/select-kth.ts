// Exact order statistics without a full sort: Hoare quickselect over a Float64Array, in place.

/** Rearranges xs so xs[k] holds the k-th smallest value, smaller-or-equal ones before it and
 * greater-or-equal ones after. NaN-free input only. */
export function selectKth(xs: Float64Array, k: number): void {
  let lo = 0;
  let hi = xs.length - 1;
  while (hi > lo) {
    // median of three as the pivot keeps sorted and reversed inputs linear
    const mid = (lo + hi) >>> 1;
    const a = xs[lo];
    const b = xs[mid];
    const c = xs[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i] < pivot) i++;
      while (xs[j] > pivot) j--;
      if (i <= j) {
        const t = xs[i];
        xs[i] = xs[j];
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** The smallest value in xs[from..]. */
export function minFrom(xs: Float64Array, from: number): number {
  let m = xs[from];
  for (let i = from + 1; i < xs.length; i++) if (xs[i] < m) m = xs[i];
  return m;
}
