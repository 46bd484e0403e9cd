// Logical plan nodes. Every node carries its output schema; column references in expressions are
// field ids resolved against the child's schema when the physical plan is built.
import type { DataType } from 'apache-arrow';
import type { AggregateCall, Expr } from './expr.js';
import type { AggregateFunction } from '../functions/registry.js';
import type { PlanSchema, ScalarType } from './types.js';
import type { TableProvider, TimeRange } from '../types.js';

export interface SortKey {
  expr: Expr;
  descending: boolean;
  nullsFirst: boolean;
}

export type JoinType = 'inner' | 'left' | 'full';

/** One window function call computed by a Window node; its result is the node's output field `id`. */
export interface WindowCall {
  id: number;
  /** row_number, rank, dense_rank, lag, lead, or an aggregate's name. */
  name: string;
  args: Expr[];
  partitionBy: Expr[];
  orderBy: SortKey[];
  type: ScalarType;
  /** Set for aggregates over a window. */
  aggregate?: AggregateFunction;
  /** An explicit ROWS frame; absent = SQL's default frame. */
  frame?: WindowFrame;
  /** Exact Arrow type of a 'list' result (first_value, lag, … of a List). */
  arrowType?: DataType;
}

/** `ROWS BETWEEN … AND …` as row offsets from the current row (-n = n PRECEDING, +n = n FOLLOWING);
 * null start = UNBOUNDED PRECEDING, null end = UNBOUNDED FOLLOWING. */
export interface WindowFrame {
  start: number | null;
  end: number | null;
}

export type LogicalPlan =
  | {
      kind: 'scan';
      table: string;
      provider: TableProvider;
      /** Columns read, after projection pruning. */
      schema: PlanSchema;
      filters: Expr[];
      limit?: number;
      timeRange?: TimeRange;
    }
  /** One row, no columns: the input of SELECT without FROM. */
  | { kind: 'one_row'; schema: PlanSchema }
  | { kind: 'filter'; input: LogicalPlan; predicate: Expr; schema: PlanSchema }
  | { kind: 'project'; input: LogicalPlan; exprs: Expr[]; schema: PlanSchema }
  | { kind: 'aggregate'; input: LogicalPlan; groupBy: Expr[]; aggregates: AggregateCall[]; schema: PlanSchema }
  | { kind: 'sort'; input: LogicalPlan; keys: SortKey[]; fetch?: number; schema: PlanSchema }
  | { kind: 'limit'; input: LogicalPlan; skip: number; fetch: number | null; schema: PlanSchema }
  | { kind: 'union'; inputs: LogicalPlan[]; schema: PlanSchema }
  /** Hash equi-join: the right input is built into a hash table, the left one streamed. No keys =
   * cross join. `residual` is evaluated on the joined row (for LEFT / FULL it decides matching). Output:
   * left columns then right columns. */
  | { kind: 'join'; joinType: JoinType; left: LogicalPlan; right: LogicalPlan; leftKeys: Expr[]; rightKeys: Expr[]; residual: Expr | null; schema: PlanSchema }
  /** Input columns plus one column per window function call. */
  | { kind: 'window'; input: LogicalPlan; calls: WindowCall[]; schema: PlanSchema }
  /** `(subquery) AS alias` / a CTE reference: same rows, columns qualified by the alias. */
  | { kind: 'alias'; input: LogicalPlan; alias: string; schema: PlanSchema };

export function inputsOf(p: LogicalPlan): LogicalPlan[] {
  switch (p.kind) {
    case 'scan':
    case 'one_row':
      return [];
    case 'union':
      return p.inputs;
    case 'join':
      return [p.left, p.right];
    default:
      return [p.input];
  }
}

export function withInputs(p: LogicalPlan, inputs: LogicalPlan[]): LogicalPlan {
  switch (p.kind) {
    case 'scan':
    case 'one_row':
      return p;
    case 'union':
      return { ...p, inputs };
    case 'join':
      return { ...p, left: inputs[0], right: inputs[1], schema: joinSchema(p.joinType, inputs[0].schema, inputs[1].schema) };
    case 'window':
      return { ...p, input: inputs[0], schema: [...inputs[0].schema, ...p.schema.slice(p.schema.length - p.calls.length)] };
    case 'filter':
    case 'sort':
    case 'limit':
      // row-preserving nodes expose exactly their input's columns (which pruning may have narrowed)
      return { ...p, input: inputs[0], schema: inputs[0].schema };
    case 'alias':
      return { ...p, input: inputs[0], schema: inputs[0].schema.map((f) => ({ ...f, qualifier: p.alias })) };
    default:
      return { ...p, input: inputs[0] } as LogicalPlan;
  }
}

/** Left columns then right columns; a LEFT join's right side may be NULL, a FULL join's either side. */
export function joinSchema(joinType: JoinType, left: PlanSchema, right: PlanSchema): PlanSchema {
  const nullable = (s: PlanSchema) => s.map((f) => ({ ...f, nullable: true }));
  return [...(joinType === 'full' ? nullable(left) : left), ...(joinType === 'inner' ? right : nullable(right))];
}
