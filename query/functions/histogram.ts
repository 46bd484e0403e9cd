// Prometheus-style quantile over explicit upper-inclusive buckets (the `histograms` view's
// bucket_bounds / bucket_counts, spec otlp-mapping §8): linear interpolation inside the bucket that
// holds the q-th observation.

/** Bucket counts as numbers (Int64 list items arrive as bigint); null when the lists do not pair up. */
export function countsOf(bounds: unknown[], counts: unknown[]): Float64Array | null {
  if (counts.length !== bounds.length + 1) return null;
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = Number(counts[i]);
  return out;
}

export function boundsOf(bounds: unknown[]): Float64Array {
  return Float64Array.from(bounds, (b) => Number(b));
}

/** q ∈ [0, 1]; counts has one more entry than bounds (the +∞ bucket). Null for no observations. */
export function bucketQuantile(q: number, bounds: ArrayLike<number>, counts: ArrayLike<number>): number | null {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity; // as Prometheus
  if (q > 1) return Infinity;
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  if (bounds.length === 0 || !(total > 0)) return null;
  const rank = q * total;
  // the first bucket whose cumulative count reaches the rank (and is non-empty, so q = 0 lands on data)
  let cum = 0;
  let b = 0;
  for (; b < bounds.length; b++) {
    if (cum + counts[b] >= rank && cum + counts[b] > 0) break;
    cum += counts[b];
  }
  if (b === bounds.length) return bounds[bounds.length - 1]; // the +∞ bucket: its finite lower edge
  if (b === 0 && bounds[0] <= 0) return bounds[0];
  const start = b === 0 ? 0 : bounds[b - 1];
  return start + (bounds[b] - start) * ((rank - cum) / counts[b]);
}
