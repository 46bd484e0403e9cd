// Aggregate functions as columnar group accumulators: state lives in arrays indexed by group id.
import { colFromValues, constantCol, stringsOf, valueAt, type Col } from '../exec/column.js';
import { registerAggregate, type AggregateFunction, type Binding, type GroupAccumulator } from './registry.js';
import { isNumeric, typeName, type ScalarType } from '../plan/types.js';
import { invalid } from '../errors.js';
import { GroupedF64, ensureCapacity, groupBound, ranksOf } from './typed-state.js';
import { wordsOf } from '../exec/numeric-cast.js';
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
  update(groups: Int32Array, args: Col[], n: number, numGroups?: number): void {
    const bound = numGroups ?? groupBound(groups, n);
    if (bound > this.size) this.size = bound;
    const c = (this.counts = ensureCapacity(this.counts, bound));
    const rowValid = args[0] === undefined ? null : args[0].valid;
    if (rowValid === null) for (let i = 0; i < n; i++) c[groups[i]]++;
    else for (let i = 0; i < n; i++) c[groups[i]] += rowValid[i];
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

/** Groups without a value are NULL in the result. */
function nullWhereEmpty(numGroups: number, has: Uint8Array): Uint8Array | null {
  let valid: Uint8Array | null = null;
  for (let g = 0; g < numGroups; g++) if (g >= has.length || has[g] === 0) (valid ??= new Uint8Array(numGroups).fill(1))[g] = 0;
  return valid;
}

class FloatSumAccumulator implements GroupAccumulator {
  sums = new Float64Array(0);
  has = new Uint8Array(0);
  size = 0;
  update(groups: Int32Array, args: Col[], n: number, numGroups?: number): void {
    const a = args[0];
    const v = a.values as Float64Array;
    const rowValid = a.valid;
    const bound = numGroups ?? groupBound(groups, n);
    if (bound > this.size) this.size = bound;
    const sums = (this.sums = ensureCapacity(this.sums, bound));
    const has = (this.has = ensureCapacity(this.has, bound));
    for (let i = 0; i < n; i++) {
      if (rowValid !== null && rowValid[i] === 0) continue;
      const g = groups[i];
      // the first value as is, not 0 + it (keeps a lone -0)
      sums[g] = has[g] === 1 ? sums[g] + v[i] : v[i];
      has[g] = 1;
    }
  }
  finish(numGroups: number): Col {
    const out = new Float64Array(numGroups);
    out.set(this.sums.subarray(0, Math.min(numGroups, this.sums.length)));
    return { type: 'float64', length: numGroups, values: out, valid: nullWhereEmpty(numGroups, this.has) };
  }
  bytes(): number {
    return this.size * 9;
  }
}

// Rows added to the word sums before they are folded into BigInts: each word is < 2^32, so 2^20
// additions stay below 2^52 and every double sum is exact.
const FOLD_ROWS = 1 << 20;

/** Exact int64 / uint64 sums without a BigInt per row: the low and high 32-bit words of the values
 * are summed separately in doubles and folded into a BigInt per group every FOLD_ROWS rows.
 * The result wraps to 64 bits like the BigInt64Array it is written to. */
class IntSumAccumulator implements GroupAccumulator {
  lo = new Float64Array(0);
  hi = new Float64Array(0);
  folded: bigint[] = [];
  has = new Uint8Array(0);
  size = 0;
  private sinceFold = 0;
  constructor(private readonly type: 'int64' | 'uint64') {}
  update(groups: Int32Array, args: Col[], n: number, numGroups?: number): void {
    const a = args[0];
    const w = wordsOf(a.values as BigInt64Array | BigUint64Array);
    const rowValid = a.valid;
    const bound = numGroups ?? groupBound(groups, n);
    if (bound > this.size) this.size = bound;
    const lo = (this.lo = ensureCapacity(this.lo, bound));
    const hi = (this.hi = ensureCapacity(this.hi, bound));
    const has = (this.has = ensureCapacity(this.has, bound));
    const signed = this.type === 'int64';
    for (let from = 0; from < n; from += FOLD_ROWS) {
      const to = Math.min(n, from + FOLD_ROWS);
      if (this.sinceFold + (to - from) > FOLD_ROWS) this.fold();
      this.sinceFold += to - from;
      for (let i = from; i < to; i++) {
        if (rowValid !== null && rowValid[i] === 0) continue;
        const g = groups[i];
        lo[g] += w[2 * i] >>> 0;
        hi[g] += signed ? w[2 * i + 1] : w[2 * i + 1] >>> 0;
        has[g] = 1;
      }
    }
  }
  private fold(): void {
    const { lo, hi, folded } = this;
    for (let g = 0; g < this.size && g < lo.length; g++) {
      if (lo[g] === 0 && hi[g] === 0) continue;
      folded[g] = (folded[g] ?? 0n) + (BigInt(hi[g]) << 32n) + BigInt(lo[g]);
      lo[g] = 0;
      hi[g] = 0;
    }
    this.sinceFold = 0;
  }
  finish(numGroups: number): Col {
    this.fold();
    const out = this.type === 'int64' ? new BigInt64Array(numGroups) : new BigUint64Array(numGroups);
    for (let g = 0; g < numGroups; g++) out[g] = this.folded[g] ?? 0n;
    return { type: this.type, length: numGroups, values: out, valid: nullWhereEmpty(numGroups, this.has) };
  }
  bytes(): number {
    return this.size * 33;
  }
}

// the argument is cast to the result type, so integer sums add bigints exactly
registerAggregate({
  name: 'sum',
  bind: (t) => {
    const b = oneArg('sum', numeric('sum'), (x) => (x === 'float64' ? 'float64' : x === 'uint64' ? 'uint64' : 'int64'))(t);
    return typeof b === 'string' ? b : { args: [b.returns], returns: b.returns };
  },
  create: (b) => (b.returns === 'float64' ? new FloatSumAccumulator() : new IntSumAccumulator(b.returns as 'int64' | 'uint64')),
});

class MomentsAccumulator implements GroupAccumulator {
  n = new Float64Array(0);
  mean = new Float64Array(0);
  m2 = new Float64Array(0);
  size = 0;
  constructor(private readonly result: (n: number, mean: number, m2: number) => number | null) {}
  update(groups: Int32Array, args: Col[], count: number, numGroups?: number): void {
    const a = args[0];
    const v = a.values as Float64Array;
    const rowValid = a.valid;
    const bound = numGroups ?? groupBound(groups, count);
    if (bound > this.size) this.size = bound;
    const ns = (this.n = ensureCapacity(this.n, bound));
    const mean = (this.mean = ensureCapacity(this.mean, bound));
    const m2 = (this.m2 = ensureCapacity(this.m2, bound));
    for (let i = 0; i < count; i++) {
      if (rowValid !== null && rowValid[i] === 0) continue;
      const g = groups[i];
      // Welford's online update
      const x = v[i];
      const k = ++ns[g];
      const d = x - mean[g];
      mean[g] += d / k;
      m2[g] += d * (x - mean[g]);
    }
  }
  finish(numGroups: number): Col {
    return colFromValues('float64', Array.from({ length: numGroups }, (_, g) => (g >= this.n.length || this.n[g] === 0 ? null : this.result(this.n[g], this.mean[g], this.m2[g]))));
  }
  bytes(): number {
    return this.size * 24;
  }
}

// avg's argument is cast to Float64 by its binding
/** avg as sum / count (exact for integer inputs, unlike a running mean). */
class AvgAccumulator implements GroupAccumulator {
  sums = new Float64Array(0);
  counts = new Float64Array(0);
  size = 0;
  update(groups: Int32Array, args: Col[], n: number, numGroups?: number): void {
    const a = args[0];
    const v = a.values as Float64Array;
    const rowValid = a.valid;
    const bound = numGroups ?? groupBound(groups, n);
    if (bound > this.size) this.size = bound;
    const sums = (this.sums = ensureCapacity(this.sums, bound));
    const counts = (this.counts = ensureCapacity(this.counts, bound));
    for (let i = 0; i < n; i++) {
      if (rowValid !== null && rowValid[i] === 0) continue;
      const g = groups[i];
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

/** Exact continuous percentile (linear interpolation between the closest ranks): values are kept
 * with their group ids in flat typed arrays, regrouped once at the end, and the ranks selected. */
class PercentileAccumulator implements GroupAccumulator {
  private readonly kept = new GroupedF64();
  p: number | null = null;
  update(groups: Int32Array, args: Col[], n: number): void {
    const [a, p] = args;
    if (this.p === null) {
      const pv = p.values as Float64Array;
      for (let i = 0; i < n; i++) {
        if (!valid(p, i)) continue;
        if (pv[i] < 0 || pv[i] > 1) throw invalid(`percentile must be between 0 and 1, got ${pv[i]}`);
        this.p = pv[i];
        break;
      }
    }
    this.kept.append(groups, a.values as Float64Array, a.valid, n);
  }
  finish(numGroups: number): Col {
    const { values, starts, nan } = this.kept.byGroup(numGroups);
    const out = new Float64Array(numGroups);
    let outValid: Uint8Array | null = null;
    const p = this.p ?? 0.5;
    for (let g = 0; g < numGroups; g++) {
      const count = starts[g + 1] - starts[g];
      if (count === 0) {
        (outValid ??= new Uint8Array(numGroups).fill(1))[g] = 0;
        continue;
      }
      const rank = p * (count - 1);
      const lo = Math.floor(rank);
      const [x, y] = ranksOf(values.subarray(starts[g], starts[g + 1]), lo, Math.ceil(rank), nan);
      out[g] = x + (y - x) * (rank - lo);
    }
    return { type: 'float64', length: numGroups, values: out, valid: outValid };
  }
  bytes(): number {
    return this.kept.length * 12;
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

