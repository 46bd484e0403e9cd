// Uncorrelated subqueries in expressions (correlated ones were rewritten into joins by
// decorrelate.ts) are executed while planning and replaced in the AST by their results: a scalar subquery by its value, `IN (subquery)` by the list of values, EXISTS by a
// Boolean. The expression binder then sees constants (which also reach pushdown as literals).
import type { AstNode } from '../sql/parse.js';
import { invalid, QueryError } from '../errors.js';
import { posOf, type BindEnv } from './binder-expr.js';
import { optimize } from './optimize.js';
import type { LogicalPlan } from './logical.js';
import type { Scalar } from './types.js';
import { execute } from '../exec/physical.js';
import { MemoryPool } from '../exec/memory.js';
import { valueAt } from '../exec/column.js';
import { DEFAULT_BATCH_ROWS, DEFAULT_MEMORY_BUDGET, type QueryContext } from '../types.js';

type BindSub = (ast: AstNode) => Promise<LogicalPlan>;

/** Clauses of a SELECT whose expressions may hold subqueries (FROM items are bound separately). */
const EXPRESSION_CLAUSES = ['columns', 'where', 'having', 'orderby', 'groupby'] as const;

export async function inlineSubqueries(ast: AstNode, bind: BindSub, env: BindEnv, qctx: QueryContext): Promise<AstNode> {
  if (!EXPRESSION_CLAUSES.some((k) => containsSubquery(ast[k]))) return ast;
  const out = { ...ast };
  const runner = new SubqueryRunner(bind, env, qctx);
  for (const k of EXPRESSION_CLAUSES) if (ast[k]) out[k] = await runner.rewrite(ast[k]);
  return out;
}

function containsSubquery(node: AstNode): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(containsSubquery);
  if (node.ast) return true;
  return Object.values(node).some(containsSubquery);
}

function isExists(node: AstNode): boolean {
  if (node?.type !== 'function') return false;
  const parts = node.name?.name;
  const name = Array.isArray(parts) ? parts.map((p: AstNode) => String(p.value)).join('.') : String(node.name);
  return name.toLowerCase() === 'exists' && node.args?.value?.length === 1 && !!node.args.value[0]?.ast;
}

class SubqueryRunner {
  constructor(
    private readonly bind: BindSub,
    private readonly env: BindEnv,
    private readonly qctx: QueryContext,
  ) {}

  async rewrite(node: AstNode): Promise<AstNode> {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return Promise.all(node.map((n) => this.rewrite(n)));
    if (node.type === 'binary_expr' && (String(node.operator).toUpperCase() === 'IN' || String(node.operator).toUpperCase() === 'NOT IN')) {
      const items = node.right?.type === 'expr_list' ? node.right.value : null;
      if (Array.isArray(items) && items.length === 1 && items[0]?.ast) {
        const { type, values } = await this.run(items[0].ast, node, Infinity);
        return { ...node, left: await this.rewrite(node.left), right: { type: '__value_list', values, scalarType: type } };
      }
    }
    if (isExists(node)) {
      const { rows } = await this.run(node.args.value[0].ast, node, 1, true);
      return { type: '__value', value: rows > 0, scalarType: 'bool', loc: node.loc };
    }
    if (node.type === 'unary_expr' && String(node.operator).toUpperCase() === 'NOT EXISTS' && node.expr?.ast) {
      const { rows } = await this.run(node.expr.ast, node, 1, true);
      return { type: '__value', value: rows === 0, scalarType: 'bool', loc: node.loc };
    }
    if (node.ast) {
      const { type, values } = await this.run(node.ast, node, 2);
      if (values.length > 1) throw invalid('more than one row returned by a subquery used as an expression', posOf(this.env, node));
      return { type: '__value', value: values[0] ?? null, scalarType: type, loc: node.loc };
    }
    const out: AstNode = {};
    for (const [k, v] of Object.entries(node)) out[k] = k === 'loc' ? v : await this.rewrite(v);
    return out;
  }

  /** Runs a subquery, reading its only column (or, with anyColumns, only counting rows). */
  private async run(ast: AstNode, node: AstNode, maxRows: number, anyColumns = false): Promise<{ type: LogicalPlan['schema'][number]['type']; values: Scalar[]; rows: number }> {
    let plan: LogicalPlan;
    try {
      plan = await this.bind(ast);
    } catch (e) {
      if (e instanceof QueryError && /^column .* does not exist|is not in the FROM clause/.test(e.message) && !e.message.includes('(correlated')) {
        throw invalid(`${e.message} (correlated subqueries are supported in WHERE and the select list, referring to the enclosing query)`);
      }
      throw e;
    }
    if (!anyColumns && plan.schema.length !== 1) throw invalid(`subquery must return only one column, got ${plan.schema.length}`, posOf(this.env, node));
    if (maxRows !== Infinity) plan = { kind: 'limit', input: plan, skip: 0, fetch: maxRows, schema: plan.schema };
    const pool = new MemoryPool(this.qctx.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET);
    const exec = { eval: this.env.ctx, pool, batchRows: this.qctx.batchRows ?? DEFAULT_BATCH_ROWS };
    const values: Scalar[] = [];
    let rows = 0;
    let reserved = 0;
    for await (const b of execute(optimize(plan), exec)) {
      rows += b.length;
      if (anyColumns) continue;
      for (let i = 0; i < b.length; i++) values.push(valueAt(b.cols[0], i) as Scalar);
      // the values are held until the main query ends
      pool.resize('IN (subquery) values', reserved, values.length * 24);
      reserved = values.length * 24;
    }
    return { type: plan.schema[0]?.type ?? 'null', values, rows };
  }
}
