// Logical plan → a tree of streaming operators. Expressions are compiled against each child's
// schema here, so a plan that reached this point only fails at run time on data (casts, budget).
import { compileExpr } from './expr-eval.js';
import { aggregateOp } from './aggregate.js';
import { sortOp } from './sort.js';
import { hashJoinOp } from './hash-join.js';
import { windowOp } from './window.js';
import { filterOp, limitOp, oneRowOp, projectOp, scanOp, unionOp, type BatchStream } from './operators.js';
import type { MemoryPool } from './memory.js';
import type { LogicalPlan } from '../plan/logical.js';
import type { EvalContext } from '../functions/registry.js';

export interface ExecEnv {
  eval: EvalContext;
  pool: MemoryPool;
  batchRows: number;
  signal?: AbortSignal;
}

export function execute(plan: LogicalPlan, env: ExecEnv): BatchStream {
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
      return filterOp(execute(plan.input, env), compileExpr(plan.predicate, plan.input.schema, env.eval));
    case 'project':
      return projectOp(execute(plan.input, env), plan.exprs.map((e) => compileExpr(e, plan.input.schema, env.eval)));
    case 'alias':
      return execute(plan.input, env);
    case 'limit':
      return limitOp(execute(plan.input, env), plan.skip, plan.fetch);
    case 'union':
      return unionOp(plan.inputs.map((i) => execute(i, env)));
    case 'aggregate': {
      const s = plan.input.schema;
      return aggregateOp(execute(plan.input, env), {
        groupBy: plan.groupBy.map((g) => compileExpr(g, s, env.eval)),
        groupTypes: plan.groupBy.map((g) => g.type),
        aggregates: plan.aggregates.map((a) => ({
          args: a.args.map((x) => compileExpr(x, s, env.eval)),
          create: () => a.fn.create({ args: a.args.map((x) => x.type), returns: a.type }),
        })),
      }, env.pool, env.batchRows);
    }
    case 'join': {
      const joinedSchema = [...plan.left.schema, ...plan.right.schema];
      return hashJoinOp(execute(plan.left, env), execute(plan.right, env), {
        joinType: plan.joinType,
        leftKeys: plan.leftKeys.map((k) => compileExpr(k, plan.left.schema, env.eval)),
        rightKeys: plan.rightKeys.map((k) => compileExpr(k, plan.right.schema, env.eval)),
        residual: plan.residual ? compileExpr(plan.residual, joinedSchema, env.eval) : null,
        rightTypes: plan.right.schema.map((f) => f.type),
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
