// Function contracts and the name → implementation registry. The planner asks `bind` for the argument
// types to cast to and the result type; executors call `eval` / accumulators on coerced columns.
import type { Col } from '../exec/column.js';
import type { DataType } from 'apache-arrow';
import type { ScalarType } from '../plan/types.js';

export interface EvalContext {
  /** Statement time, Unix ns: every now() of a query returns it. */
  now: bigint;
}

export interface Binding {
  /** Types the arguments are cast to, one per argument. */
  args: ScalarType[];
  returns: ScalarType;
  /** The exact Arrow type of a 'list' result (e.g. List<Int64>); the engine type alone lacks it. */
  returnsArrow?: DataType;
}

export interface ScalarFunction {
  name: string;
  /** The binding for these argument types, or an error message. */
  bind(argTypes: ScalarType[]): Binding | string;
  eval(args: Col[], n: number, ctx: EvalContext): Col;
}

/** Per-group state of one aggregate, updated a batch at a time. */
export interface GroupAccumulator {
  /** groups[i] is the group of row i; group ids are dense and grow by one at a time. `numGroups`,
   * when given, is more than every id in groups (the aggregate's group count so far). */
  update(groups: Int32Array, args: Col[], n: number, numGroups?: number): void;
  finish(numGroups: number): Col;
  /** Approximate bytes held, counted against the query's memory budget. */
  bytes(): number;
}

export interface AggregateFunction {
  name: string;
  bind(argTypes: ScalarType[]): Binding | string;
  create(binding: Binding): GroupAccumulator;
}

const scalars = new Map<string, ScalarFunction>();
const aggregates = new Map<string, AggregateFunction>();

export function registerScalar(f: ScalarFunction, ...aliases: string[]): void {
  for (const n of [f.name, ...aliases]) scalars.set(n, f);
}

export function registerAggregate(f: AggregateFunction, ...aliases: string[]): void {
  for (const n of [f.name, ...aliases]) aggregates.set(n, f);
}

export function scalarFunction(name: string): ScalarFunction | undefined {
  return scalars.get(name.toLowerCase());
}

export function aggregateFunction(name: string): AggregateFunction | undefined {
  return aggregates.get(name.toLowerCase());
}

/** Names of the functions queries may call (the planner's internal `__…` helpers are left out). */
export function functionNames(): { scalar: string[]; aggregate: string[] } {
  const visible = (names: Iterable<string>) => [...names].filter((n) => !n.startsWith('__')).sort();
  return { scalar: visible(scalars.keys()), aggregate: visible(aggregates.keys()) };
}
