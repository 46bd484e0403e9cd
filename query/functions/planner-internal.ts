// Internal functions that plans rewritten by the binder call: a group's first value and the check
// that a correlated scalar subquery gave one row (plan/decorrelate.ts), and the hashable text key
// standing for a List value in GROUP BY / DISTINCT.
import { invalid } from '../errors.js';
import { colFromValues, valueAt } from '../exec/column.js';
import { registerAggregate, registerScalar } from './registry.js';
import { rowValueAggregate } from './ordered-aggregates.js';
import { typeName } from '../plan/types.js';

/** Aggregate: a group's first value. */
export const FIRST_ROW_AGGREGATE = '__first_row';
/** Scalar (row count, value): the value, or an error when a correlated scalar subquery gave more than one row. */
export const SINGLE_ROW_CHECK = '__subquery_single_row';
/** Scalar: a List value's text form, which GROUP BY / DISTINCT hash instead of the List. */
export const LIST_GROUP_KEY = '__list_group_key';

registerAggregate({ ...rowValueAggregate('first_value'), name: FIRST_ROW_AGGREGATE });

registerScalar({
  name: SINGLE_ROW_CHECK,
  bind: (t) => {
    if (t.length !== 2) return `${SINGLE_ROW_CHECK} expects 2 arguments, got ${t.length}`;
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

registerScalar({
  name: LIST_GROUP_KEY,
  bind: (t) => (t.length === 1 && t[0] === 'list' ? { args: ['list'], returns: 'utf8' } : `${LIST_GROUP_KEY} expects one List argument`),
  eval: (args, n) => {
    const out = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const v = valueAt(args[0], i);
      out[i] = v === null ? null : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
    }
    return colFromValues('utf8', out);
  },
});
