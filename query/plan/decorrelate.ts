// Correlated subqueries in WHERE and the select list, rewritten (on the AST) into LEFT JOINs with
// derived tables grouped by the correlation keys, so each outer row meets at most one derived row:
//   (SELECT agg(x) FROM t WHERE t.k = o.k AND p)  → LEFT JOIN (SELECT t.k, agg(x) … GROUP BY t.k) ON o.k = …
//   EXISTS (SELECT … WHERE t.k = o.k AND p)        → LEFT JOIN (SELECT DISTINCT t.k, TRUE …) … IS NOT NULL
//   o.x IN (SELECT y … WHERE t.k = o.k AND p)      → a join on (k, y) for matches plus one on k for the
//                                                   row counts SQL's NULL rules of IN need
// Correlation must be by equalities between an inner and an outer expression, AND-ed in the
// subquery's WHERE (conjuncts over outer columns alone become a guard on the outer row); any other
// use of an outer column is rejected with an error naming the form.
// Uncorrelated subqueries are left to subqueries.ts (executed once while planning).
import type { AstNode } from '../sql/parse.js';
import { invalid, QueryError } from '../errors.js';
import { identifierOf, posOf, resolveColumn, type BindEnv } from './binder-expr.js';
import { aggregateFunction, scalarFunction } from '../functions/registry.js';
import { FIRST_ROW_AGGREGATE, SINGLE_ROW_CHECK } from '../functions/planner-internal.js';
import type { PlanSchema } from './types.js';

/** FROM items of derived tables added here: their columns stay out of `*` and unqualified names. */
export const HIDDEN_JOIN = '__decorrelated';

/** Alias prefix of those derived tables. */
export const DERIVED_ALIAS_PREFIX = '__sq';

type InnerSchema = (from: AstNode[]) => Promise<PlanSchema>;

interface Correlation {
  /** WHERE conjuncts over inner columns only. */
  inner: AstNode[];
  /** `inner = outer` equalities. */
  keys: { inner: AstNode; outer: AstNode }[];
  /** `(conjuncts over outer columns only) IS TRUE`, or null. */
  guard: AstNode | null;
}


const colRef = (table: string, column: string): AstNode => ({ type: 'column_ref', table, column });
const TRUE: AstNode = { type: 'bool', value: true };
const FALSE: AstNode = { type: 'bool', value: false };
const NULL: AstNode = { type: 'null', value: null };
const and = (parts: AstNode[]): AstNode | null =>
  parts.length === 0 ? null : parts.reduce((a, b) => ({ type: 'binary_expr', operator: 'AND', left: a, right: b }));
const binary = (operator: string, left: AstNode, right: AstNode): AstNode => ({ type: 'binary_expr', operator, left, right });
const aggr = (name: string, expr: AstNode): AstNode => ({ type: 'aggr_func', name, args: { expr } });
const call = (name: string, args: AstNode[]): AstNode => ({ type: 'function', name: { name: [{ type: 'default', value: name }] }, args: { type: 'expr_list', value: args } });
const caseOf = (arms: [AstNode, AstNode][], otherwise: AstNode): AstNode => ({
  type: 'case', expr: null, args: [...arms.map(([cond, result]) => ({ type: 'when', cond, result })), { type: 'else', result: otherwise }],
});
/** `CASE WHEN guard THEN value ELSE otherwise END`, or value without a guard. */
const guarded = (guard: AstNode | null, value: AstNode, otherwise: AstNode): AstNode => (guard ? caseOf([[guard, value]], otherwise) : value);

function functionName(node: AstNode): string {
  const parts = node?.name?.name;
  return Array.isArray(parts) ? parts.map((p: AstNode) => String(p.value)).join('.').toLowerCase() : String(node?.name ?? '').toLowerCase();
}

/** Whether an AST (outside nested subqueries) calls an aggregate. */
function callsAggregate(node: AstNode): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(callsAggregate);
  if (node.ast) return false;
  if (node.type === 'aggr_func' && !node.over) return true;
  if (node.type === 'function' && !node.over && aggregateFunction(functionName(node)) && !scalarFunction(functionName(node))) return true;
  return Object.values(node).some(callsAggregate);
}

function hasSubquery(node: AstNode): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(hasSubquery);
  if (node.ast) return true;
  return Object.values(node).some(hasSubquery);
}

function conjuncts(node: AstNode): AstNode[] {
  if (node?.type === 'binary_expr' && String(node.operator).toUpperCase() === 'AND') return [...conjuncts(node.left), ...conjuncts(node.right)];
  return node ? [node] : [];
}

function isExists(node: AstNode): boolean {
  return node?.type === 'function' && functionName(node) === 'exists' && node.args?.value?.length === 1 && !!node.args.value[0]?.ast;
}

export class Decorrelator {
  private count = 0;
  private readonly joins: AstNode[] = [];

  constructor(
    private readonly env: BindEnv,
    private readonly outer: PlanSchema,
    private readonly innerSchema: InnerSchema,
  ) {}

  /** The SELECT with its correlated WHERE / select-list subqueries replaced, or `ast` itself. */
  async rewrite(ast: AstNode): Promise<AstNode> {
    if (!hasSubquery(ast.where) && !hasSubquery(ast.columns)) return ast;
    const where = await this.expr(ast.where);
    const columns = await this.expr(ast.columns);
    if (this.joins.length === 0) return ast;
    return { ...ast, where, columns, from: [...ast.from, ...this.joins] };
  }

  private async expr(node: AstNode): Promise<AstNode> {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) {
      const out = [];
      for (const n of node) out.push(await this.expr(n));
      return out;
    }
    const op = node.type === 'binary_expr' ? String(node.operator).toUpperCase() : '';
    if (op === 'IN' || op === 'NOT IN') {
      const items = node.right?.type === 'expr_list' ? node.right.value : null;
      if (Array.isArray(items) && items.length === 1 && items[0]?.ast) {
        const left = await this.expr(node.left);
        const replaced = await this.inSubquery(items[0].ast, left, op === 'NOT IN', node);
        return replaced ?? { ...node, left };
      }
    }
    if (isExists(node)) return (await this.exists(node.args.value[0].ast, false, node)) ?? node;
    if (node.type === 'unary_expr' && String(node.operator).toUpperCase() === 'NOT EXISTS' && node.expr?.ast) {
      return (await this.exists(node.expr.ast, true, node)) ?? node;
    }
    if (node.ast) return (await this.scalar(node.ast, node)) ?? node;
    const out: AstNode = {};
    for (const [k, v] of Object.entries(node)) out[k] = k === 'loc' ? v : await this.expr(v);
    return out;
  }

  /** Splits a subquery's WHERE into inner conditions and correlation pairs; null when uncorrelated. */
  private async correlation(sub: AstNode, node: AstNode, what: string): Promise<Correlation | null> {
    if (sub.type !== 'select' || sub._next || sub.with?.length || !sub.from?.length) return null;
    let inner: PlanSchema;
    try {
      inner = await this.innerSchema(sub.from);
    } catch (e) {
      if (e instanceof QueryError && /^column .* does not exist|is not in the FROM clause/.test(e.message) && !e.message.includes('(correlated')) {
        throw invalid(`${e.message} (a correlated subquery may refer to the enclosing query in its WHERE clause, not in its FROM clause)`);
      }
      throw e;
    }
    const outerRefs = (n: AstNode) => this.outerRefs(n, inner);
    const elsewhere = [sub.columns, sub.groupby, sub.having, sub.orderby].some((c) => outerRefs(c).length > 0);
    const parts = conjuncts(sub.where);
    const correlated = parts.some((p) => outerRefs(p).length > 0);
    if (!correlated && !elsewhere) return null;
    const at = posOf(this.env, node);
    if (elsewhere) throw invalid(`unsupported SQL: a correlated ${what} may use outer columns only in equality conditions of its WHERE clause`, at);
    for (const [clause, present] of [['GROUP BY', sub.groupby?.columns?.length], ['HAVING', sub.having], ['LIMIT', sub.limit?.value?.length], ['DISTINCT', String(sub.distinct?.type ?? '').toUpperCase() === 'DISTINCT']] as const) {
      if (present) throw invalid(`unsupported SQL: correlated ${what} with ${clause}`, at);
    }
    const result: Correlation = { inner: [], keys: [], guard: null };
    const guards: AstNode[] = [];
    for (const p of parts) {
      if (outerRefs(p).length === 0) {
        result.inner.push(p);
        continue;
      }
      if (this.refsOf(p, inner).inner === 0 && !hasSubquery(p)) {
        // outer columns only: the subquery sees no rows unless it holds for the outer row
        guards.push(p);
        continue;
      }
      if (p.type === 'binary_expr' && p.operator === '=' && !hasSubquery(p)) {
        const l = this.refsOf(p.left, inner);
        const r = this.refsOf(p.right, inner);
        if (l.inner > 0 && l.outer === 0 && r.outer > 0 && r.inner === 0) {
          result.keys.push({ inner: p.left, outer: p.right });
          continue;
        }
        if (r.inner > 0 && r.outer === 0 && l.outer > 0 && l.inner === 0) {
          result.keys.push({ inner: p.right, outer: p.left });
          continue;
        }
      }
      throw invalid(`unsupported SQL: correlated ${what} condition (supported, AND-ed in WHERE: equalities between a subquery expression and an outer expression, and conditions on outer columns alone)`, posOf(this.env, p) ?? at);
    }
    const guard = and(guards);
    result.guard = guard && binary('IS', guard, TRUE);
    return result;
  }

  /** Column references of `n` (outside nested subqueries) that name no inner column but an outer one. */
  private outerRefs(n: AstNode, inner: PlanSchema): AstNode[] {
    const out: AstNode[] = [];
    const walk = (x: AstNode) => {
      if (x === null || typeof x !== 'object') return;
      if (Array.isArray(x)) return x.forEach(walk);
      if (x.ast) return;
      if (x.type === 'column_ref' && x.column !== '*') {
        const name = identifierOf(x.column);
        const table = x.table === null || x.table === undefined ? null : identifierOf(x.table);
        if (resolveColumn(this.env, inner, table, name, x)) return;
        if (resolveColumn(this.env, this.outer, table, name, x)) out.push(x);
        else if (table !== null && this.outer.some((f) => f.qualifier === table) && !inner.some((f) => f.qualifier === table)) {
          throw invalid(`column "${table}.${name}" does not exist`, posOf(this.env, x, name));
        }
        return;
      }
      Object.values(x).forEach(walk);
    };
    walk(n);
    return out;
  }

  private refsOf(n: AstNode, inner: PlanSchema): { inner: number; outer: number } {
    let all = 0;
    const walk = (x: AstNode) => {
      if (x === null || typeof x !== 'object') return;
      if (Array.isArray(x)) return x.forEach(walk);
      if (x.type === 'column_ref') all++;
      Object.values(x).forEach(walk);
    };
    walk(n);
    const outer = this.outerRefs(n, inner).length;
    return { inner: all - outer, outer };
  }

  /** Adds `LEFT JOIN (derived) AS __sqN ON outer keys = derived keys [AND extra]`; returns N's alias. */
  private join(derived: AstNode, keys: { outer: AstNode }[], extra: ((alias: string) => AstNode)[] = []): string {
    const alias = `${DERIVED_ALIAS_PREFIX}${++this.count}`;
    // without keys (only a guard correlates) every outer row meets the derived table's one row
    const on = and([...keys.map((k, i) => binary('=', k.outer, colRef(alias, `__k${i}`))), ...extra.map((e) => e(alias))]) ?? TRUE;
    this.joins.push({ expr: { ast: derived }, as: alias, join: 'LEFT JOIN', on, [HIDDEN_JOIN]: true });
    return alias;
  }

  private derived(sub: AstNode, keys: { inner: AstNode }[], inner: AstNode[], columns: { expr: AstNode; as: string }[], grouped: boolean, distinct = false): AstNode {
    const keyColumns = keys.map((k, i) => ({ type: 'expr', expr: k.inner, as: `__k${i}` }));
    return {
      with: null, type: 'select', options: null, distinct: { type: distinct ? 'DISTINCT' : null },
      columns: [...keyColumns, ...columns.map((c) => ({ type: 'expr', ...c }))],
      from: sub.from, where: and(inner),
      groupby: grouped ? { columns: keys.map((k) => k.inner) } : null,
      having: null, orderby: null, limit: { seperator: '', value: [] },
    };
  }

  private async exists(sub: AstNode, negated: boolean, node: AstNode): Promise<AstNode | null> {
    const c = await this.correlation(sub, node, 'EXISTS subquery');
    if (!c) return null;
    if (callsAggregate(sub.columns)) throw invalid('unsupported SQL: correlated EXISTS subquery with aggregates', posOf(this.env, node));
    const alias = this.join(this.derived(sub, c.keys, c.inner, [{ expr: TRUE, as: '__m' }], false, true), c.keys);
    if (!c.guard) return binary(negated ? 'IS' : 'IS NOT', colRef(alias, '__m'), NULL);
    const exists = binary('AND', c.guard, binary('IS NOT', colRef(alias, '__m'), NULL));
    return negated ? { type: 'unary_expr', operator: 'NOT', expr: exists } : exists;
  }

  private async inSubquery(sub: AstNode, left: AstNode, negated: boolean, node: AstNode): Promise<AstNode | null> {
    const c = await this.correlation(sub, node, 'IN subquery');
    if (!c) return null;
    const at = posOf(this.env, node);
    if (sub.columns?.length !== 1 || sub.columns[0]?.expr?.column === '*') throw invalid(`subquery must return only one column, got ${sub.columns?.length ?? 0}`, at);
    const y = sub.columns[0].expr;
    if (callsAggregate(y)) throw invalid('unsupported SQL: correlated IN subquery with aggregates', at);
    const matches = this.join(
      this.derived(sub, c.keys, c.inner, [{ expr: y, as: '__y' }, { expr: TRUE, as: '__m' }], false, true),
      c.keys,
      [(alias) => binary('=', left, colRef(alias, '__y'))],
    );
    const counts = this.join(this.derived(sub, c.keys, c.inner, [{ expr: aggr('COUNT', { type: 'star', value: '*' }), as: '__n' }, { expr: aggr('COUNT', y), as: '__nn' }], true), c.keys);
    // x IN S: TRUE on a match; FALSE for an empty S; NULL when x is NULL or S holds a NULL; else FALSE
    const unknown = binary('OR', binary('IS', left, NULL), binary('<', colRef(counts, '__nn'), colRef(counts, '__n')));
    const result = guarded(c.guard, caseOf([
      [binary('IS NOT', colRef(matches, '__m'), NULL), TRUE],
      [binary('=', call('coalesce', [colRef(counts, '__n'), { type: 'number', value: 0 }]), { type: 'number', value: 0 }), FALSE],
      [unknown, NULL],
    ], FALSE), FALSE);
    return negated ? { type: 'unary_expr', operator: 'NOT', expr: result } : result;
  }

  private async scalar(sub: AstNode, node: AstNode): Promise<AstNode | null> {
    const c = await this.correlation(sub, node, 'scalar subquery');
    if (!c) return null;
    if (sub.columns?.length !== 1 || sub.columns[0]?.expr?.column === '*') throw invalid(`subquery must return only one column, got ${sub.columns?.length ?? 0}`, posOf(this.env, node));
    const value = sub.columns[0].expr;
    if (callsAggregate(value)) {
      // one row per key; an outer row without a match gets the aggregate of no rows
      const alias = this.join(this.derived(sub, c.keys, c.inner, [{ expr: value, as: '__v' }, { expr: TRUE, as: '__m' }], true), c.keys);
      const v = colRef(alias, '__v');
      const name = value.type === 'aggr_func' ? String(value.name).toLowerCase() : '';
      const zero = { type: 'number', value: 0 };
      if (name === 'count') return guarded(c.guard, call('coalesce', [v, zero]), zero);
      if (value.type === 'aggr_func' && name !== 'approx_distinct') return guarded(c.guard, v, NULL); // NULL over no rows
      const empty = { ast: { ...sub, columns: [{ type: 'expr', expr: value, as: null }], where: FALSE } };
      return guarded(c.guard, caseOf([[binary('IS', colRef(alias, '__m'), NULL), empty]], v), empty);
    }
    // a plain value: more than one row for an outer row is an error, as for any scalar subquery
    const alias = this.join(this.derived(sub, c.keys, c.inner, [
      { expr: call(FIRST_ROW_AGGREGATE, [value]), as: '__v' },
      { expr: aggr('COUNT', { type: 'star', value: '*' }), as: '__n' },
    ], true), c.keys);
    return guarded(c.guard, call(SINGLE_ROW_CHECK, [colRef(alias, '__n'), colRef(alias, '__v')]), NULL);
  }
}

/** `x = ANY (subquery)` / `x = SOME (…)` → `x IN (subquery)`, `x <> ALL (…)` → `x NOT IN (…)`, in an
 * expression AST outside nested subqueries; other quantified comparisons are rejected. */
export function quantifiedToIn(node: AstNode, env: BindEnv): AstNode {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((n) => quantifiedToIn(n, env));
  if (node.ast) return node;
  if (node.type === 'binary_expr' && node.right?.type === 'function') {
    const quantifier = functionName(node.right);
    const arg = node.right.args?.value;
    if ((quantifier === 'any' || quantifier === 'some' || quantifier === 'all') && Array.isArray(arg) && arg.length === 1 && arg[0]?.ast) {
      const op = String(node.operator).toUpperCase();
      const left = quantifiedToIn(node.left, env);
      const list = { type: 'expr_list', value: arg };
      if (op === '=' && quantifier !== 'all') return { ...node, operator: 'IN', left, right: list };
      if ((op === '<>' || op === '!=') && quantifier === 'all') return { ...node, operator: 'NOT IN', left, right: list };
      throw invalid(`unsupported SQL: ${op} ${quantifier.toUpperCase()} (subquery) (= ANY and <> ALL are supported)`, posOf(env, node));
    }
  }
  const out: AstNode = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'loc' ? v : quantifiedToIn(v, env);
  return out;
}
