// `agg(…) FILTER (WHERE cond)`: the aggregate sees only the rows where cond is TRUE; the condition
// is the call's last argument.
import { take, type Col } from '../exec/column.js';
import { selection } from '../exec/kernels.js';
import type { AggregateFunction, Binding, GroupAccumulator } from './registry.js';

class FilteredAccumulator implements GroupAccumulator {
  constructor(private readonly inner: GroupAccumulator) {}
  update(groups: Int32Array, args: Col[], n: number): void {
    const cond = args[args.length - 1];
    const rest = args.slice(0, -1);
    const rows = selection(cond);
    if (rows.length === n) return this.inner.update(groups, rest, n);
    if (rows.length === 0) return;
    const g = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) g[i] = groups[rows[i]];
    this.inner.update(g, rest.map((c) => take(c, rows)), rows.length);
  }
  finish(numGroups: number): Col {
    return this.inner.finish(numGroups);
  }
  bytes(): number {
    return this.inner.bytes();
  }
}

/** `base` restricted to the rows whose trailing Boolean argument is TRUE. */
export function filteredAggregate(base: AggregateFunction): AggregateFunction {
  return {
    name: base.name,
    bind: base.bind,
    create: (b: Binding) => new FilteredAccumulator(base.create({ ...b, args: b.args.slice(0, -1) })),
  };
}
