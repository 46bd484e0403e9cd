// Logical plan → a tree of streaming operators. Expressions are compiled against each child's
// schema here, so a plan that reached this point only fails at run time on data (casts, budget).
import { compileExpr } from './expr-eval.js';
import { compileSelector } from './select-direct.js';
import { columnIds, type Expr } from '../plan/expr.js';
import { aggregateOp } from './aggregate.js';
import { timeBinOf } from './time-bin-key.js';
import { sortOp } from './sort.js';
import { hashJoinOp } from './hash-join.js';
import { windowOp } from './window.js';
import { filterOp, limitOp, oneRowOp, projectOp, scanOp, unionOp, type BatchStream } from './operators.js';
import type { MemoryPool } from './memory.js';
import type { LogicalPlan } from '../plan/logical.js';
import type { PlanSchema } from '../plan/types.js';
import type { EvalContext } from '../functions/registry.js';

export interface ExecEnv {
  eval: EvalContext;
  pool: MemoryPool;
  batchRows: number;
  signal?: AbortSignal;
}

/** Which of plan's output columns the consumer reads; null = all of them. */
function neededColumns(plan: LogicalPlan, ids: ReadonlySet<number> | null): boolean[] | null {
  return ids === null ? null : plan.schema.map((f) => ids.has(f.id));
}

function sameColumns(a: PlanSchema, b: PlanSchema): boolean {
  return a.length === b.length && a.every((f, i) => f.id === b[i].id);
}

function idsOfExprs(exprs: readonly Expr[], into = new Set<number>()): Set<number> {
  for (const e of exprs) columnIds(e, into);
  return into;
}

/** `neededIds`: the output columns the consumer reads (null = all); an operator that gathers rows
 * (filter, join) skips the others. */
export function execute(plan: LogicalPlan, env: ExecEnv, neededIds: ReadonlySet<number> | null = null): BatchStream {
  switch (plan.kind) {
    case 'scan':
      return scanOp(plan.provider, plan.schema, {
        projection: plan.schema.map((f) => f.name),
        filters: plan.filters,
        limit: plan.limit,
        timeRange: plan.timeRange,
        signal: env.signal,
      });
    case 'one_row':
      return oneRowOp();
    case 'filter':
      return filterOp(execute(plan.input, env), compileSelector(plan.predicate, plan.input.schema, env.eval), neededColumns(plan, neededIds));
    case 'project':
      return projectOp(execute(plan.input, env, idsOfExprs(plan.exprs)), plan.exprs.map((e) => compileExpr(e, plan.input.schema, env.eval)));
    case 'alias':
      return execute(plan.input, env);
    case 'limit':
      return limitOp(execute(plan.input, env), plan.skip, plan.fetch);
    case 'union':
      return unionOp(plan.inputs.map((i) => execute(i, env)));
    case 'aggregate': {
      const s = plan.input.schema;
      const timeBin = plan.groupBy.length === 1 ? timeBinOf(plan.groupBy[0]) : undefined;
      // the aggregate applies a filter below it itself: a date_bin key over a plain column reads the
      // timestamps through the selection, and only the other columns it reads are gathered
      const filter = plan.input.kind === 'filter' && sameColumns(plan.input.schema, plan.input.input.schema) ? plan.input : null;
      const throughSelection = filter !== null && timeBin?.ts.kind === 'column';
      const gathered = idsOfExprs([...(throughSelection ? [] : plan.groupBy), ...plan.aggregates.flatMap((a) => a.args)]);
      const read = idsOfExprs([...plan.groupBy, ...plan.aggregates.flatMap((a) => a.args)]);
      const input = filter ? execute(filter.input, env, idsOfExprs([filter.predicate], new Set(read))) : execute(plan.input, env, read);
      return aggregateOp(input, {
        groupBy: plan.groupBy.map((g) => compileExpr(g, s, env.eval)),
        groupTypes: plan.groupBy.map((g) => g.type),
        timeBin: timeBin && { bin: timeBin, ts: compileExpr(timeBin.ts, s, env.eval), throughSelection },
        filter: filter ? { select: compileSelector(filter.predicate, s, env.eval), gather: s.map((f) => gathered.has(f.id)) } : undefined,
        aggregates: plan.aggregates.map((a) => ({
          args: a.args.map((x) => compileExpr(x, s, env.eval)),
          create: () => a.fn.create({ args: a.args.map((x) => x.type), returns: a.type }),
        })),
      }, env.pool, env.batchRows);
    }
    case 'join': {
      const joinedSchema = [...plan.left.schema, ...plan.right.schema];
      const residualIds = idsOfExprs(plan.residual ? [plan.residual] : []);
      const read = neededIds === null ? null : idsOfExprs([...plan.leftKeys, ...plan.rightKeys], new Set([...neededIds, ...residualIds]));
      // an inner join applies its probe side's filter itself (one gather of the probe rows, not two)
      const probeFilter = plan.joinType === 'inner' && plan.left.kind === 'filter' && sameColumns(plan.left.schema, plan.left.input.schema) ? plan.left : null;
      const probe = probeFilter
        ? execute(probeFilter.input, env, read === null ? null : idsOfExprs([probeFilter.predicate], new Set(read)))
        : execute(plan.left, env, read);
      return hashJoinOp(probe, execute(plan.right, env, read), {
        joinType: plan.joinType,
        leftKeys: plan.leftKeys.map((k) => compileExpr(k, plan.left.schema, env.eval)),
        rightKeys: plan.rightKeys.map((k) => compileExpr(k, plan.right.schema, env.eval)),
        residual: plan.residual ? compileExpr(plan.residual, joinedSchema, env.eval) : null,
        rightTypes: plan.right.schema.map((f) => f.type),
        leftTypes: plan.left.schema.map((f) => f.type),
        // keys are evaluated on the inputs: only what the consumer and the residual read is gathered
        needed: neededIds === null ? null : joinedSchema.map((f) => neededIds.has(f.id) || residualIds.has(f.id)),
        probeFilter: probeFilter ? compileSelector(probeFilter.predicate, probeFilter.input.schema, env.eval) : null,
      }, env.pool, env.batchRows);
    }
    case 'window': {
      const s = plan.input.schema;
      return windowOp(execute(plan.input, env), {
        inputTypes: s.map((f) => f.type),
        calls: plan.calls.map((c) => ({
          name: c.name,
          args: c.args.map((a) => compileExpr(a, s, env.eval)),
          partitionBy: c.partitionBy.map((p) => compileExpr(p, s, env.eval)),
          orderBy: c.orderBy.map((k) => ({ eval: compileExpr(k.expr, s, env.eval), descending: k.descending, nullsFirst: k.nullsFirst })),
          type: c.type,
          createAccumulator: c.aggregate ? () => c.aggregate!.create({ args: c.args.map((a) => a.type), returns: c.type }) : undefined,
          frame: c.frame,
        })),
      }, env.pool, env.batchRows);
    }
    case 'sort':
      return sortOp(execute(plan.input, env), {
        keys: plan.keys.map((k) => ({ eval: compileExpr(k.expr, plan.input.schema, env.eval), descending: k.descending, nullsFirst: k.nullsFirst })),
        types: plan.input.schema.map((f) => f.type),
        fetch: plan.fetch,
      }, env.pool, env.batchRows);
  }
}
