// Aggregates with an ORDER BY inside the call: array_agg(x ORDER BY …), string_agg(x, s ORDER BY …),
// first_value(x ORDER BY …), last_value(x ORDER BY …). The rows of each group are buffered, sorted by
// the keys, and fed in that order to the plain aggregate (which keeps input order).
import { colFromValues, valueAt, type Col } from '../exec/column.js';
import type { AggregateFunction, Binding, GroupAccumulator } from './registry.js';
import type { ScalarType } from '../plan/types.js';

export interface OrderKeySpec {
  descending: boolean;
  nullsFirst: boolean;
}

interface BufferedRow {
  g: number;
  seq: number;
  args: unknown[];
  keys: unknown[];
}

function compareValues(a: unknown, b: unknown): number {
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

class OrderedAccumulator implements GroupAccumulator {
  private rows: BufferedRow[] = [];
  private numGroups = 0;
  constructor(
    private readonly inner: GroupAccumulator,
    private readonly argTypes: ScalarType[],
    private readonly keys: OrderKeySpec[],
  ) {}

  update(groups: Int32Array, args: Col[], n: number): void {
    const width = this.argTypes.length;
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      if (g >= this.numGroups) this.numGroups = g + 1;
      const values: unknown[] = [];
      const keys: unknown[] = [];
      for (let a = 0; a < width; a++) values.push(valueAt(args[a], i));
      for (let k = 0; k < this.keys.length; k++) keys.push(valueAt(args[width + k], i));
      this.rows.push({ g, seq: this.rows.length, args: values, keys });
    }
  }

  finish(numGroups: number): Col {
    const specs = this.keys;
    this.rows.sort((x, y) => {
      if (x.g !== y.g) return x.g - y.g;
      for (let k = 0; k < specs.length; k++) {
        const a = x.keys[k];
        const b = y.keys[k];
        if (a === b) continue;
        const { descending, nullsFirst } = specs[k];
        if (a === null) return nullsFirst ? -1 : 1;
        if (b === null) return nullsFirst ? 1 : -1;
        const c = compareValues(a, b);
        if (c !== 0) return descending ? -c : c;
      }
      return x.seq - y.seq;
    });
    const n = this.rows.length;
    if (n > 0) {
      const groups = Int32Array.from(this.rows, (r) => r.g);
      const cols = this.argTypes.map((t, a) => colFromValues(t, this.rows.map((r) => r.args[a])));
      this.inner.update(groups, cols, n);
    }
    this.rows = [];
    return this.inner.finish(Math.max(numGroups, this.numGroups));
  }

  bytes(): number {
    return this.rows.length * (64 + 16 * (this.argTypes.length + this.keys.length)) + this.inner.bytes();
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
