// Logical plan nodes. Every node carries its output schema; column references in expressions are
// field ids resolved against the child's schema when the physical plan is built.
import type { AggregateCall, Expr } from './expr.js';
import type { PlanSchema } from './types.js';
import type { TableProvider, TimeRange } from '../types.js';

export interface SortKey {
  expr: Expr;
  descending: boolean;
  nullsFirst: boolean;
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
  /** `(subquery) AS alias` / a CTE reference: same rows, columns qualified by the alias. */
  | { kind: 'alias'; input: LogicalPlan; alias: string; schema: PlanSchema };

export function inputsOf(p: LogicalPlan): LogicalPlan[] {
  switch (p.kind) {
    case 'scan':
    case 'one_row':
      return [];
    case 'union':
      return p.inputs;
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
