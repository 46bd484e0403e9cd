// Aggregate functions as columnar group accumulators: state lives in arrays indexed by group id.
import { colFromValues, constantCol, stringsOf, valueAt, type Col } from '../exec/column.js';
import { registerAggregate, type AggregateFunction, type Binding, type GroupAccumulator } from './registry.js';
import { isNumeric, typeName, type ScalarType } from '../plan/types.js';
import { invalid } from '../errors.js';
import { F64List, ensureCapacity } from './typed-state.js';
import { typedExtreme } from './extremes.js';

/** Plain per-row values of a column (strings resolved, booleans as JS booleans). */
export function plainValues(c: Col): ArrayLike<unknown> {
  if (c.type === 'utf8') return stringsOf(c);
  if (c.type === 'bool') return Array.from(c.values as Uint8Array, (x) => x === 1);
  return c.values as ArrayLike<unknown>;
}

const valid = (c: Col, i: number) => c.valid === null || c.valid[i] === 1;

function oneArg(name: string, check: (t: ScalarType) => ScalarType | string, returns: (t: ScalarType) => ScalarType) {
  return (argTypes: ScalarType[]): Binding | string => {
    if (argTypes.length !== 1) return `${name} expects 1 argument, got ${argTypes.length}`;
    const t = check(argTypes[0] === 'null' ? 'int64' : argTypes[0]);
    if (typeof t === 'string' && !isType(t)) return t;
    return { args: [t as ScalarType], returns: returns(t as ScalarType) };
  };
}

const TYPES = new Set(['null', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'float64', 'utf8', 'timestamp', 'interval', 'list']);
function isType(s: string): boolean {
  return TYPES.has(s);
}

function numeric(name: string) {
  return (t: ScalarType): ScalarType | string => (isNumeric(t) ? t : `${name} expects a number, got ${typeName(t)}`);
}

class CountAccumulator implements GroupAccumulator {
  counts = new Float64Array(0);
  size = 0;
  update(groups: Int32Array, args: Col[], n: number): void {
    let c = this.counts;
    const a = args[0];
    const rowValid = a === undefined ? null : a.valid;
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      if (g >= c.length) c = this.counts = ensureCapacity(c, g + 1);
      if (g >= this.size) this.size = g + 1;
      if (rowValid === null || rowValid[i] === 1) c[g]++;
    }
  }
  finish(numGroups: number): Col {
    const out = new BigInt64Array(numGroups);
    for (let g = 0; g < numGroups; g++) out[g] = BigInt(g < this.counts.length ? this.counts[g] : 0);
    return { type: 'int64', length: numGroups, values: out, valid: null };
  }
  bytes(): number {
    return this.size * 8;
  }
}

registerAggregate({
  name: 'count',
  bind: (argTypes) => (argTypes.length > 1 ? `count expects 1 argument, got ${argTypes.length}` : { args: argTypes, returns: 'int64' }),
  create: () => new CountAccumulator(),
});

class SumAccumulator implements GroupAccumulator {
  sums: (number | bigint | null)[] = [];
  constructor(private readonly type: ScalarType) {}
  update(groups: Int32Array, args: Col[], n: number): void {
    const a = args[0];
    const v = a.values as ArrayLike<number | bigint>;
    const s = this.sums;
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      while (s.length <= g) s.push(null);
      if (!valid(a, i)) continue;
      const cur = s[g];
      s[g] = cur === null ? v[i] : ((cur as number) + (v[i] as number));
    }
  }
  finish(numGroups: number): Col {
    return colFromValues(this.type, Array.from({ length: numGroups }, (_, g) => this.sums[g] ?? null));
  }
  bytes(): number {
    return this.sums.length * 16;
  }
}

// the argument is cast to the result type, so integer sums add bigints exactly
registerAggregate({
  name: 'sum',
  bind: (t) => {
    const b = oneArg('sum', numeric('sum'), (x) => (x === 'float64' ? 'float64' : x === 'uint64' ? 'uint64' : 'int64'))(t);
    return typeof b === 'string' ? b : { args: [b.returns], returns: b.returns };
  },
  create: (b) => new SumAccumulator(b.returns),
});

class MomentsAccumulator implements GroupAccumulator {
  n: number[] = [];
  mean: number[] = [];
  m2: number[] = [];
  constructor(private readonly result: (n: number, mean: number, m2: number) => number | null) {}
  update(groups: Int32Array, args: Col[], count: number): void {
    const a = args[0];
    const v = a.values as Float64Array;
    for (let i = 0; i < count; i++) {
      const g = groups[i];
      while (this.n.length <= g) {
        this.n.push(0);
        this.mean.push(0);
        this.m2.push(0);
      }
      if (!valid(a, i)) continue;
      // Welford's online update
      const x = v[i];
      const k = ++this.n[g];
      const d = x - this.mean[g];
      this.mean[g] += d / k;
      this.m2[g] += d * (x - this.mean[g]);
    }
  }
  finish(numGroups: number): Col {
    return colFromValues('float64', Array.from({ length: numGroups }, (_, g) => ((this.n[g] ?? 0) === 0 ? null : this.result(this.n[g], this.mean[g], this.m2[g]))));
  }
  bytes(): number {
    return this.n.length * 24;
  }
}

// avg's argument is cast to Float64 by its binding
/** avg as sum / count (exact for integer inputs, unlike a running mean). */
class AvgAccumulator implements GroupAccumulator {
  sums = new Float64Array(0);
  counts = new Float64Array(0);
  size = 0;
  update(groups: Int32Array, args: Col[], n: number): void {
    const a = args[0];
    const v = a.values as Float64Array;
    const rowValid = a.valid;
    let sums = this.sums;
    let counts = this.counts;
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      if (g >= sums.length) {
        sums = this.sums = ensureCapacity(sums, g + 1);
        counts = this.counts = ensureCapacity(counts, g + 1);
      }
      if (g >= this.size) this.size = g + 1;
      if (rowValid !== null && rowValid[i] === 0) continue;
      sums[g] += v[i];
      counts[g]++;
    }
  }
  finish(numGroups: number): Col {
    return colFromValues('float64', Array.from({ length: numGroups }, (_, g) => (g < this.counts.length && this.counts[g] ? this.sums[g] / this.counts[g] : null)));
  }
  bytes(): number {
    return this.size * 16;
  }
}

registerAggregate({
  name: 'avg',
  bind: (t) => {
    const b = oneArg('avg', numeric('avg'), () => 'float64')(t);
    return typeof b === 'string' ? b : { args: ['float64'], returns: 'float64' };
  },
  create: () => new AvgAccumulator(),
}, 'mean');
for (const [name, f, aliases] of [
  ['stddev', (n: number, _m: number, m2: number) => (n < 2 ? null : Math.sqrt(m2 / (n - 1))), ['stddev_samp']],
  ['stddev_pop', (n: number, _m: number, m2: number) => Math.sqrt(m2 / n), []],
  ['variance', (n: number, _m: number, m2: number) => (n < 2 ? null : m2 / (n - 1)), ['var_samp', 'var']],
  ['var_pop', (n: number, _m: number, m2: number) => m2 / n, []],
] as const) {
  registerAggregate({
    name,
    bind: (t) => { const b = oneArg(name, numeric(name), () => 'float64')(t); return typeof b === 'string' ? b : { args: ['float64'], returns: 'float64' }; },
    create: () => new MomentsAccumulator(f),
  }, ...aliases);
}

class ExtremeAccumulator implements GroupAccumulator {
  best: unknown[] = [];
  constructor(private readonly type: ScalarType, private readonly wantMax: boolean) {}
  update(groups: Int32Array, args: Col[], n: number): void {
    const a = args[0];
    const v = plainValues(a);
    const b = this.best;
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      while (b.length <= g) b.push(null);
      if (!valid(a, i)) continue;
      const x = v[i] as number;
      const cur = b[g] as number | null;
      if (cur === null || (this.wantMax ? x > cur : x < cur)) b[g] = x;
    }
  }
  finish(numGroups: number): Col {
    return colFromValues(this.type, Array.from({ length: numGroups }, (_, g) => this.best[g] ?? null));
  }
  bytes(): number {
    return this.best.length * 16;
  }
}

for (const wantMax of [false, true]) {
  const name = wantMax ? 'max' : 'min';
  registerAggregate({
    name,
    bind: oneArg(name, (t) => (t === 'list' ? `${name} cannot order List values` : t), (t) => t),
    create: (b) => typedExtreme(b.returns, wantMax) ?? new ExtremeAccumulator(b.returns, wantMax),
  });
}

/** Exact distinct count (the name promises an approximation; exact is a valid one). */
class DistinctCountAccumulator implements GroupAccumulator {
  sets: Set<unknown>[] = [];
  update(groups: Int32Array, args: Col[], n: number): void {
    const a = args[0];
    const v = plainValues(a);
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      while (this.sets.length <= g) this.sets.push(new Set());
      if (valid(a, i)) this.sets[g].add(v[i]);
    }
  }
  finish(numGroups: number): Col {
    const out = new BigInt64Array(numGroups);
    for (let g = 0; g < numGroups; g++) out[g] = BigInt(this.sets[g]?.size ?? 0);
    return { type: 'int64', length: numGroups, values: out, valid: null };
  }
  bytes(): number {
    let n = 0;
    for (const s of this.sets) n += 48 + s.size * 32;
    return n;
  }
}

registerAggregate({
  name: 'approx_distinct',
  bind: oneArg('approx_distinct', (t) => t, () => 'int64'),
  create: () => new DistinctCountAccumulator(),
});

/** Wraps an accumulator so each group sees each distinct value once (`agg(DISTINCT x)`); further
 * arguments (string_agg's separator) are constants, passed on as first seen. */
export class DistinctAccumulator implements GroupAccumulator {
  private readonly sets: Set<unknown>[] = [];
  private extras: unknown[] | null = null;
  constructor(private readonly inner: GroupAccumulator, private readonly argTypes: ScalarType[]) {}
  update(groups: Int32Array, args: Col[], n: number): void {
    const a = args[0];
    const v = plainValues(a);
    if (this.extras === null && n > 0) this.extras = args.slice(1).map((c) => valueAt(c, 0));
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      while (this.sets.length <= g) this.sets.push(new Set());
      // NULL is one more distinct value: aggregates that skip NULLs skip it, array_agg keeps one
      this.sets[g].add(valid(a, i) ? v[i] : null);
    }
  }
  finish(numGroups: number): Col {
    const groups: number[] = [];
    const values: unknown[] = [];
    for (let g = 0; g < numGroups; g++) {
      for (const x of this.sets[g] ?? []) {
        groups.push(g);
        values.push(x);
      }
    }
    const n = groups.length;
    const extras = this.argTypes.slice(1).map((t, k) => constantCol(t, this.extras?.[k] ?? null, n));
    this.inner.update(Int32Array.from(groups), [colFromValues(this.argTypes[0], values), ...extras], n);
    return this.inner.finish(numGroups);
  }
  bytes(): number {
    let n = 0;
    for (const s of this.sets) n += 48 + s.size * 32;
    return n;
  }
}

class StringAggAccumulator implements GroupAccumulator {
  parts: (string[] | null)[] = [];
  sep: string | null = null;
  update(groups: Int32Array, args: Col[], n: number): void {
    const [a, sep] = args;
    const v = stringsOf(a);
    const s = stringsOf(sep);
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      while (this.parts.length <= g) this.parts.push(null);
      if (!valid(a, i)) continue;
      if (this.sep === null) this.sep = valid(sep, i) ? s[i] : '';
      (this.parts[g] ??= []).push(v[i]);
    }
  }
  finish(numGroups: number): Col {
    return colFromValues('utf8', Array.from({ length: numGroups }, (_, g) => this.parts[g]?.join(this.sep ?? '') ?? null));
  }
  bytes(): number {
    let n = 0;
    for (const p of this.parts) if (p) for (const s of p) n += 16 + s.length * 2;
    return n;
  }
}

registerAggregate({
  name: 'string_agg',
  bind: (t) => (t.length !== 2 ? `string_agg expects 2 arguments, got ${t.length}` : { args: ['utf8', 'utf8'], returns: 'utf8' }),
  create: () => new StringAggAccumulator(),
});

/** Exact continuous percentile (linear interpolation between the closest ranks). */
class PercentileAccumulator implements GroupAccumulator {
  values: F64List[] = [];
  p: number | null = null;
  private count = 0;
  update(groups: Int32Array, args: Col[], n: number): void {
    const [a, p] = args;
    const v = a.values as Float64Array;
    const pv = p.values as Float64Array;
    const lists = this.values;
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      while (lists.length <= g) lists.push(new F64List());
      if (this.p === null && valid(p, i)) {
        if (pv[i] < 0 || pv[i] > 1) throw invalid(`percentile must be between 0 and 1, got ${pv[i]}`);
        this.p = pv[i];
      }
      if (valid(a, i)) {
        lists[g].push(v[i]);
        this.count++;
      }
    }
  }
  finish(numGroups: number): Col {
    return colFromValues('float64', Array.from({ length: numGroups }, (_, g) => {
      const list = this.values[g];
      if (!list || list.length === 0) return null;
      const rank = (this.p ?? 0.5) * (list.length - 1);
      const lo = Math.floor(rank);
      const hi = Math.ceil(rank);
      const [x, y] = list.ranks(lo, hi);
      return x + (y - x) * (rank - lo);
    }));
  }
  bytes(): number {
    return this.values.length * 32 + this.count * 8;
  }
}

const percentile: AggregateFunction = {
  name: 'approx_percentile_cont',
  bind: (t) => {
    if (t.length !== 2) return `approx_percentile_cont expects 2 arguments, got ${t.length}`;
    if (!isNumeric(t[0]) && t[0] !== 'null') return `approx_percentile_cont expects a number, got ${typeName(t[0])}`;
    return { args: ['float64', 'float64'], returns: 'float64' };
  },
  create: () => new PercentileAccumulator(),
};
registerAggregate(percentile, 'percentile_cont', 'quantile_cont');

