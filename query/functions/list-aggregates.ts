// Aggregates that keep per-group row values: array_agg (List output),
// first_value / last_value by an ordering column, and histogram_quantile over summed buckets.
import { Field, List } from 'apache-arrow';
import { colFromValues, type Col } from '../exec/column.js';
import { registerAggregate, type AggregateFunction, type Binding, type GroupAccumulator } from './registry.js';
import { arrowTypeOf, typeName, type ScalarType } from '../plan/types.js';
import { QueryError } from '../errors.js';
import { plainValues } from './aggregates.js';
import { bindHistogramQuantile } from './lists.js';
import { boundsOf, bucketQuantile, countsOf } from './histogram.js';

const rowValid = (c: Col, i: number) => c.valid === null || c.valid[i] === 1;

/** Orders two ordering-key values of one engine type (number, bigint or string). */
function compareKeys(a: unknown, b: unknown): number {
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** array_agg(x) in input order (ordered-aggregates.ts sorts first for ORDER BY); NULL x values are
 * kept, as in PostgreSQL. */
class ArrayAggAccumulator implements GroupAccumulator {
  private items: unknown[][] = [];
  private count = 0;
  update(groups: Int32Array, args: Col[], n: number): void {
    const [x] = args;
    const xv = plainValues(x);
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      while (this.items.length <= g) this.items.push([]);
      this.items[g].push(rowValid(x, i) ? xv[i] : null);
      this.count++;
    }
  }
  finish(numGroups: number): Col {
    return colFromValues('list', Array.from({ length: numGroups }, (_, g) => {
      const rows = this.items[g];
      return rows && rows.length > 0 ? rows : null;
    }));
  }
  bytes(): number {
    return this.count * 24;
  }
}

function listOf(t: ScalarType): List {
  return new List(new Field('item', arrowTypeOf({ type: t }), true));
}

const arrayAgg: AggregateFunction = {
  name: 'array_agg',
  bind: (t) => {
    if (t.length !== 1) return `array_agg expects 1 argument, got ${t.length}`;
    const item = t[0] === 'null' ? 'int64' : t[0];
    if (item === 'list') return 'array_agg of List values is not supported';
    // list-arrow.ts writes Timestamp items exactly; Interval items have no such path yet
    if (item === 'interval') return `array_agg of ${typeName(item)} values is not supported`;
    return { args: [item], returns: 'list', returnsArrow: listOf(item) };
  },
  create: () => new ArrayAggAccumulator(),
};
registerAggregate(arrayAgg);

/** The value at the smallest (first_value) or largest (last_value) ordering key; earliest row on ties. */
class ByKeyAccumulator implements GroupAccumulator {
  private values: unknown[] = [];
  private keys: unknown[] = [];
  constructor(private readonly last: boolean, private readonly type: ScalarType) {}
  update(groups: Int32Array, args: Col[], n: number): void {
    const [x, k] = args;
    const xv = plainValues(x);
    const kv = plainValues(k);
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      while (this.keys.length <= g) {
        this.keys.push(undefined);
        this.values.push(null);
      }
      if (!rowValid(k, i)) continue; // rows without an ordering key have no place in the order
      const cur = this.keys[g];
      const c = cur === undefined ? 0 : compareKeys(kv[i], cur);
      if (cur === undefined || (this.last ? c > 0 : c < 0)) {
        this.keys[g] = kv[i];
        this.values[g] = rowValid(x, i) ? xv[i] : null;
      }
    }
  }
  finish(numGroups: number): Col {
    return colFromValues(this.type, Array.from({ length: numGroups }, (_, g) => this.values[g] ?? null));
  }
  bytes(): number {
    return this.keys.length * 32;
  }
}

function byKey(name: 'first_value' | 'last_value'): AggregateFunction {
  return {
    name,
    bind: (t) => {
      if (t.length !== 2) return `${name} expects a value and an ordering column, got ${t.length} arguments`;
      if (t[1] === 'list' || t[1] === 'bool') return `${name} cannot order by ${typeName(t[1])} values`;
      return { args: t, returns: t[0] };
    },
    create: (b: Binding) => new ByKeyAccumulator(name === 'last_value', b.returns),
  };
}
registerAggregate(byKey('first_value'));
registerAggregate(byKey('last_value'));

/** Sums bucket counts per group; every non-empty row of a group must share its bucket bounds. */
class HistogramQuantileAccumulator implements GroupAccumulator {
  private q: number | null = null;
  private bounds: (Float64Array | null)[] = [];
  private counts: (Float64Array | null)[] = [];
  update(groups: Int32Array, args: Col[], n: number): void {
    const [q, b, c] = args;
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      while (this.bounds.length <= g) {
        this.bounds.push(null);
        this.counts.push(null);
      }
      if (this.q === null && rowValid(q, i)) this.q = (q.values as Float64Array)[i];
      if (!rowValid(b, i) || !rowValid(c, i) || b.type !== 'list' || c.type !== 'list') continue;
      const rowBounds = b.values[i] as unknown[];
      const rowCounts = countsOf(rowBounds, c.values[i] as unknown[]);
      if (rowCounts === null || rowBounds.length === 0) continue; // count/sum-only points carry no buckets
      const sum = this.counts[g];
      if (sum === null) {
        this.bounds[g] = boundsOf(rowBounds);
        this.counts[g] = rowCounts;
        continue;
      }
      const own = this.bounds[g]!;
      if (own.length !== rowBounds.length || rowBounds.some((x, j) => Number(x) !== own[j])) {
        throw new QueryError('INVALID_ARGUMENT', 'histogram_quantile: bucket bounds differ between rows of one group (group by the bounds or by name and scale)');
      }
      for (let j = 0; j < sum.length; j++) sum[j] += rowCounts[j];
    }
  }
  finish(numGroups: number): Col {
    return colFromValues('float64', Array.from({ length: numGroups }, (_, g) => {
      const b = this.bounds[g];
      return b && this.q !== null ? bucketQuantile(this.q, b, this.counts[g]!) : null;
    }));
  }
  bytes(): number {
    let n = 0;
    for (const b of this.bounds) if (b) n += b.byteLength * 2;
    return n;
  }
}

registerAggregate({ name: 'histogram_quantile', bind: bindHistogramQuantile, create: () => new HistogramQuantileAccumulator() });
