// Scalar functions over List values (one JS array per row): cardinality / array_length and the
// per-row histogram_quantile over a `histograms` row's bucket lists.
import { colFromValues, type Col } from '../exec/column.js';
import { registerScalar, type Binding } from './registry.js';
import { isNumeric, typeName, type ScalarType } from '../plan/types.js';
import { boundsOf, bucketQuantile, countsOf } from './histogram.js';

const rowValid = (c: Col, i: number) => c.valid === null || c.valid[i] === 1;

registerScalar({
  name: 'cardinality',
  bind: (t) => {
    if (t.length !== 1) return `cardinality expects 1 argument, got ${t.length}`;
    if (t[0] !== 'list' && t[0] !== 'null') return `cardinality expects a List, got ${typeName(t[0])}`;
    return { args: [t[0]], returns: 'int64' };
  },
  eval: ([a], n) => colFromValues('int64', Array.from({ length: n }, (_, i) => (rowValid(a, i) && a.type === 'list' ? BigInt((a.values[i] as unknown[]).length) : null))),
});

// PostgreSQL's array_length(list, dimension): only dimension 1 exists; an empty list gives NULL.
registerScalar({
  name: 'array_length',
  bind: (t) => {
    if (t.length < 1 || t.length > 2) return `array_length expects 1 or 2 arguments, got ${t.length}`;
    if (t[0] !== 'list' && t[0] !== 'null') return `array_length expects a List, got ${typeName(t[0])}`;
    return { args: t.length === 1 ? [t[0]] : [t[0], 'int64'], returns: 'int64' };
  },
  eval: ([a, dim], n) => colFromValues('int64', Array.from({ length: n }, (_, i) => {
    if (!rowValid(a, i) || a.type !== 'list' || (dim && (!rowValid(dim, i) || (dim.values as BigInt64Array)[i] !== 1n))) return null;
    const len = (a.values[i] as unknown[]).length;
    return len === 0 ? null : BigInt(len);
  })),
});

/** Argument check shared by the scalar and aggregate histogram_quantile. */
export function bindHistogramQuantile(t: ScalarType[]): Binding | string {
  if (t.length !== 3) return `histogram_quantile expects 3 arguments (q, bucket_bounds, bucket_counts), got ${t.length}`;
  if (!isNumeric(t[0]) && t[0] !== 'null') return `histogram_quantile expects a number q, got ${typeName(t[0])}`;
  if ((t[1] !== 'list' && t[1] !== 'null') || (t[2] !== 'list' && t[2] !== 'null')) return 'histogram_quantile expects List bucket_bounds and bucket_counts';
  return { args: ['float64', t[1], t[2]], returns: 'float64' };
}

registerScalar({
  name: 'histogram_quantile',
  bind: bindHistogramQuantile,
  eval: ([q, bounds, counts], n) => colFromValues('float64', Array.from({ length: n }, (_, i) => {
    if (!rowValid(q, i) || !rowValid(bounds, i) || !rowValid(counts, i) || bounds.type !== 'list' || counts.type !== 'list') return null;
    const b = bounds.values[i] as unknown[];
    const c = countsOf(b, counts.values[i] as unknown[]);
    return c === null ? null : bucketQuantile((q.values as Float64Array)[i], boundsOf(b), c);
  })),
});
