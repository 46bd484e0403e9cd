// Aggregates with an ORDER BY inside the call: array_agg(x ORDER BY …), string_agg(x, s ORDER BY …),
// first_value(x ORDER BY …), last_value(x ORDER BY …). The rows of each group are buffered, sorted by
// the keys, and fed in that order to the plain aggregate (which keeps input order).
import { colFromValues, valueAt, type Col } from '../exec/column.js';
import { plainValues } from './aggregates.js';
import type { AggregateFunction, Binding, GroupAccumulator } from './registry.js';
import type { ScalarType } from '../plan/types.js';

export interface OrderKeySpec {
  descending: boolean;
  nullsFirst: boolean;
}

function compareValues(a: unknown, b: unknown): number {
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** Column `c`'s values as plain JS values (null where invalid), appended to `into`. */
function appendValues(into: unknown[], c: Col, n: number): void {
  const v = plainValues(c);
  const valid = c.valid;
  for (let i = 0; i < n; i++) into.push(valid !== null && valid[i] === 0 ? null : v[i]);
}

/** Buffers the rows column-wise, then sorts one row permutation by (group, keys, arrival). */
class OrderedAccumulator implements GroupAccumulator {
  private groups: number[] = [];
  private args: unknown[][];
  private keyValues: unknown[][];
  private numGroups = 0;
  constructor(
    private readonly inner: GroupAccumulator,
    private readonly argTypes: ScalarType[],
    private readonly keys: OrderKeySpec[],
  ) {
    this.args = argTypes.map(() => []);
    this.keyValues = keys.map(() => []);
  }

  update(groups: Int32Array, args: Col[], n: number): void {
    const width = this.argTypes.length;
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      this.groups.push(g);
      if (g >= this.numGroups) this.numGroups = g + 1;
    }
    for (let a = 0; a < width; a++) appendValues(this.args[a], args[a], n);
    for (let k = 0; k < this.keys.length; k++) appendValues(this.keyValues[k], args[width + k], n);
  }

  finish(numGroups: number): Col {
    const n = this.groups.length;
    const groups = this.groups;
    const specs = this.keys;
    const keyValues = this.keyValues;
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((x, y) => {
      if (groups[x] !== groups[y]) return groups[x] - groups[y];
      for (let k = 0; k < specs.length; k++) {
        const a = keyValues[k][x];
        const b = keyValues[k][y];
        if (a === b) continue;
        const { descending, nullsFirst } = specs[k];
        if (a === null) return nullsFirst ? -1 : 1;
        if (b === null) return nullsFirst ? 1 : -1;
        const c = compareValues(a, b);
        if (c !== 0) return descending ? -c : c;
      }
      return x - y;
    });
    if (n > 0) {
      const sortedGroups = Int32Array.from(order, (i) => groups[i]);
      const cols = this.argTypes.map((t, a) => colFromValues(t, order.map((i) => this.args[a][i])));
      this.inner.update(sortedGroups, cols, n);
    }
    this.groups = [];
    this.args = this.argTypes.map(() => []);
    this.keyValues = this.keys.map(() => []);
    return this.inner.finish(Math.max(numGroups, this.numGroups));
  }

  bytes(): number {
    return this.groups.length * (16 + 16 * (this.argTypes.length + this.keys.length)) + this.inner.bytes();
  }
}

/** `base` over rows sorted by trailing key arguments: the call's args are base's args, then the keys. */
export function orderedAggregate(base: AggregateFunction, baseArgs: number, keys: OrderKeySpec[]): AggregateFunction {
  return {
    name: base.name,
    bind: base.bind,
    create: (b: Binding) => {
      const inner = base.create({ ...b, args: b.args.slice(0, baseArgs) });
      return new OrderedAccumulator(inner, b.args.slice(0, baseArgs), keys);
    },
  };
}

/** The value of a group's first (or last) row in input order, NULL included. */
class RowValueAccumulator implements GroupAccumulator {
  private values: unknown[] = [];
  private seen: boolean[] = [];
  constructor(private readonly last: boolean, private readonly type: ScalarType) {}
  update(groups: Int32Array, args: Col[], n: number): void {
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      while (this.seen.length <= g) {
        this.seen.push(false);
        this.values.push(null);
      }
      if (this.seen[g] && !this.last) continue;
      this.seen[g] = true;
      this.values[g] = valueAt(args[0], i);
    }
  }
  finish(numGroups: number): Col {
    return colFromValues(this.type, Array.from({ length: numGroups }, (_, g) => this.values[g] ?? null));
  }
  bytes(): number {
    return this.values.length * 24;
  }
}

/** first_value(x) / last_value(x) of rows in the order they arrive (used under an ORDER BY). */
export function rowValueAggregate(name: 'first_value' | 'last_value'): AggregateFunction {
  return {
    name,
    bind: (t) => {
      if (t.length !== 1) return `${name} expects 1 argument before ORDER BY, got ${t.length}`;
      return { args: [t[0] === 'null' ? 'int64' : t[0]], returns: t[0] === 'null' ? 'int64' : t[0] };
    },
    create: (b) => new RowValueAccumulator(name === 'last_value', b.returns),
  };
}

/** first_value / last_value (x ORDER BY one key): the value at each group's first (last) row in key
 * order, kept while streaming; ties keep the first (last) such row in input order, as a stable sort
 * would. */
class BestRowAccumulator implements GroupAccumulator {
  private values: unknown[] = [];
  private keys: unknown[] = [];
  private seen: Uint8Array = new Uint8Array(0);
  private size = 0;
  constructor(private readonly last: boolean, private readonly key: OrderKeySpec, private readonly type: ScalarType) {}

  /** Sign of a - b in the requested order (NULLs placed as asked). */
  private compare(a: unknown, b: unknown): number {
    if (a === b) return 0;
    if (a === null) return this.key.nullsFirst ? -1 : 1;
    if (b === null) return this.key.nullsFirst ? 1 : -1;
    const c = compareValues(a, b);
    return this.key.descending ? -c : c;
  }

  update(groups: Int32Array, args: Col[], n: number): void {
    const [x, k] = args;
    const xv = plainValues(x);
    const kv = plainValues(k);
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      if (g >= this.size) {
        this.size = g + 1;
        if (this.seen.length < this.size) {
          const grown = new Uint8Array(Math.max(16, this.size * 2));
          grown.set(this.seen);
          this.seen = grown;
        }
      }
      const key = k.valid !== null && k.valid[i] === 0 ? null : kv[i];
      if (this.seen[g] === 1) {
        const c = this.compare(key, this.keys[g]);
        if (this.last ? c < 0 : c >= 0) continue;
      }
      this.seen[g] = 1;
      this.keys[g] = key;
      this.values[g] = x.valid !== null && x.valid[i] === 0 ? null : xv[i];
    }
  }

  finish(numGroups: number): Col {
    return colFromValues(this.type, Array.from({ length: numGroups }, (_, g) => this.values[g] ?? null));
  }

  bytes(): number {
    return this.size * 40;
  }
}

/** first_value / last_value (x ORDER BY key): args are [x, key]. */
export function bestRowAggregate(name: 'first_value' | 'last_value', key: OrderKeySpec): AggregateFunction {
  const base = rowValueAggregate(name);
  return { ...base, create: (b: Binding) => new BestRowAccumulator(name === 'last_value', key, b.returns) };
}
