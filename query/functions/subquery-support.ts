// Internal functions the decorrelated form of a correlated scalar subquery calls
// (plan/decorrelate.ts): a group's first value, and the check that the subquery gave one row.
import { invalid } from '../errors.js';
import { registerAggregate, registerScalar } from './registry.js';
import { rowValueAggregate } from './ordered-aggregates.js';
import { typeName } from '../plan/types.js';

registerAggregate({ ...rowValueAggregate('first_value'), name: '__subquery_first_row' });

registerScalar({
  name: '__subquery_single_row',
  bind: (t) => {
    if (t.length !== 2) return `__subquery_single_row expects 2 arguments, got ${t.length}`;
    if (t[1] === 'list') return `a correlated scalar subquery cannot return ${typeName(t[1])} values`;
    const value = t[1] === 'null' ? 'int64' : t[1];
    return { args: ['int64', value], returns: value };
  },
  eval: (args) => {
    const [rows, value] = args;
    const counts = rows.values as BigInt64Array;
    for (let i = 0; i < rows.length; i++) {
      if ((rows.valid === null || rows.valid[i] === 1) && counts[i] > 1n) throw invalid('more than one row returned by a subquery used as an expression');
    }
    return value;
  },
});
