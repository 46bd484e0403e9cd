// SELECT statements → logical plans: FROM (tables, subqueries, CTEs, table functions), WHERE,
// GROUP BY / aggregates / HAVING, the select list, DISTINCT, ORDER BY, LIMIT / OFFSET, UNION [ALL].
import { DISTINCT_SUFFIX, ORDERED_VALUE_MARKER, RANK_MARKER, type AstNode } from '../sql/parse.js';
import { invalid } from '../errors.js';
import { col, columnIds, exprKey, exprText, lit, transform, type AggregateCall, type Expr } from './expr.js';
import { joinSchema, type LogicalPlan, type SortKey } from './logical.js';
import { typeName, type PlanField, type PlanSchema } from './types.js';
import { ExprBinder, coerce, identifierOf, posOf, resolveColumn, type AggregateCollector, type BindEnv, type ExprScope, type WindowCollector } from './binder-expr.js';
import { inlineSubqueries } from './subqueries.js';
import { DERIVED_ALIAS_PREFIX, Decorrelator, HIDDEN_JOIN, quantifiedToIn } from './decorrelate.js';
import { FIRST_ROW_AGGREGATE, LIST_GROUP_KEY } from '../functions/planner-internal.js';
import { splitConjuncts, conjunction } from './expr.js';
import { commonType } from '../functions/coercion.js';
import { scalarTypeOfArrow } from '../exec/arrow-io.js';
import type { QueryContext, TableProvider } from '../types.js';
import { aggregateFunction, scalarFunction } from '../functions/registry.js';

type Ctes = Map<string, AstNode>;

/** Marks the FROM item right of `NATURAL`: its join is USING every common column name. */
const NATURAL_JOIN = '__natural';

export class PlanBinder {
  private readonly exprs: ExprBinder;

  constructor(
    private readonly env: BindEnv,
    private readonly qctx: QueryContext,
  ) {
    this.exprs = new ExprBinder(env);
  }

  async bindQuery(ast: AstNode, outerCtes: Ctes = new Map()): Promise<LogicalPlan> {
    const ctes = new Map(outerCtes);
    for (const w of ast.with ?? []) ctes.set(identifierOf(w.name), w);
    const branches: AstNode[] = [];
    const ops: string[] = [];
    for (let b: AstNode = ast; b; b = b._next) {
      branches.push(b);
      if (b._next) ops.push(String(b.set_op ?? 'union').toLowerCase());
    }
    if (branches.length === 1) return this.bindSelect({ ...ast, with: null }, ctes, true);
    // ORDER BY / LIMIT written after the last branch apply to the whole set operation
    const last = branches[branches.length - 1];
    let plan = await this.bindSelect({ ...branches[0], with: null, _next: null }, ctes, false);
    for (let i = 1; i < branches.length; i++) {
      const b = i === branches.length - 1 ? { ...last, orderby: null, limit: null, _next: null } : { ...branches[i], _next: null };
      const right = await this.bindSelect(b, ctes, false);
      const op = ops[i - 1];
      if (op !== 'union' && op !== 'union all' && op !== 'union distinct') throw invalid(`unsupported SQL: ${op.toUpperCase()}`);
      plan = this.union(plan, right, op !== 'union all');
    }
    return this.orderAndLimit(plan, last.orderby, last.limit);
  }

  private union(left: LogicalPlan, right: LogicalPlan, distinct: boolean): LogicalPlan {
    if (left.schema.length !== right.schema.length) {
      throw invalid(`each UNION query must have the same number of columns (${left.schema.length} vs ${right.schema.length})`);
    }
    const types = left.schema.map((f, i) => {
      const t = commonType(f.type, right.schema[i].type);
      if (!t) throw invalid(`UNION types ${typeName(f.type)} and ${typeName(right.schema[i].type)} cannot be matched`);
      return t;
    });
    const cast = (p: LogicalPlan): LogicalPlan => {
      if (p.schema.every((f, i) => f.type === types[i])) return p;
      const exprs = p.schema.map((f, i) => coerce(col(f.id, f.name, f.type), types[i]));
      return { kind: 'project', input: p, exprs, schema: p.schema.map((f, i) => ({ ...f, id: f.type === types[i] ? f.id : this.env.newId(), type: types[i] })) };
    };
    const schema: PlanSchema = left.schema.map((f, i) => ({
      id: this.env.newId(), name: f.name, type: types[i], nullable: f.nullable || right.schema[i].nullable, arrowType: f.arrowType,
    }));
    const union: LogicalPlan = { kind: 'union', inputs: [cast(left), cast(right)], schema };
    return distinct ? this.distinct(union) : union;
  }

  private distinct(p: LogicalPlan): LogicalPlan {
    const plan = this.aggregateOf(p, p.schema.map((f) => col(f.id, f.name, f.type)), p.schema, []);
    if (plan.schema === p.schema) return plan;
    return { kind: 'project', input: plan, exprs: p.schema.map((f) => col(f.id, f.name, f.type)), schema: p.schema };
  }

  /** An Aggregate node. A List-valued group key groups by its text form (JS arrays hash by
   * identity), and the List itself becomes the group's first value under the key's field id. */
  private aggregateOf(input: LogicalPlan, groupBy: Expr[], groupFields: PlanSchema, calls: AggregateCall[]): LogicalPlan {
    const aggSchema = (fields: PlanSchema, all: AggregateCall[]): PlanSchema => [
      ...fields,
      ...all.map((c) => ({ id: c.id, name: c.fn.name, type: c.type, nullable: true, arrowType: c.arrowType })),
    ];
    if (!groupBy.some((g) => g.type === 'list')) {
      return { kind: 'aggregate', input, groupBy, aggregates: calls, schema: groupFields === input.schema && calls.length === 0 ? input.schema : aggSchema(groupFields, calls) };
    }
    const keys: Expr[] = [];
    const keyFields: PlanSchema = [];
    const lists: AggregateCall[] = [];
    groupBy.forEach((g, i) => {
      const f = groupFields[i];
      if (g.type !== 'list') {
        keys.push(g);
        keyFields.push(f);
        return;
      }
      const key = this.exprs.callFunction(LIST_GROUP_KEY, [g], null);
      keys.push(key);
      keyFields.push({ id: this.env.newId(), name: `${f.name} key`, type: 'utf8', nullable: true });
      const fn = aggregateFunction(FIRST_ROW_AGGREGATE)!;
      lists.push({ id: f.id, fn, args: [g], distinct: false, type: 'list', arrowType: f.arrowType, key: `${FIRST_ROW_AGGREGATE}(${exprKey(g)})` });
    });
    const all = [...calls, ...lists];
    return { kind: 'aggregate', input, groupBy: keys, aggregates: all, schema: aggSchema(keyFields, all) };
  }

  private async bindFrom(from: AstNode[] | null, ctes: Ctes): Promise<LogicalPlan> {
    if (!from || from.length === 0) return { kind: 'one_row', schema: [] };
    // the parser reads `a CROSS JOIN b` as `a AS cross` followed by `JOIN b` without ON, and
    // `a NATURAL [LEFT] JOIN b` as `a AS natural` followed by `[LEFT] JOIN b` without ON
    const items = from.map((it, i) => {
      const next = from[i + 1];
      const bare = next && next.join && !next.on && !next.using;
      const alias = String(it.as ?? '').toLowerCase();
      const crossNext = bare && String(next.join).toUpperCase() === 'INNER JOIN' && alias === 'cross';
      return crossNext || (bare && alias === 'natural') ? { ...it, as: null } : it;
    });
    for (let i = 1; i < items.length; i++) {
      if (String(from[i - 1].as ?? '').toLowerCase() === 'natural' && items[i - 1].as === null) items[i] = { ...items[i], [NATURAL_JOIN]: true };
    }
    let plan = await this.bindFromItem(items[0], ctes);
    for (let i = 1; i < items.length; i++) plan = await this.bindJoin(plan, items[i], ctes);
    return plan;
  }

  /** `left JOIN item ON … | USING (…)`, or a comma / CROSS JOIN item (no keys). */
  private async bindJoin(left: LogicalPlan, item: AstNode, ctes: Ctes): Promise<LogicalPlan> {
    const kind = String(item.join ?? '').toUpperCase().replace(' OUTER', '');
    let right = await this.bindFromItem(item, ctes);
    if (item[HIDDEN_JOIN]) right = { ...right, schema: right.schema.map((f) => ({ ...f, usingHidden: true })) } as LogicalPlan;
    for (const f of right.schema) {
      if (f.qualifier && left.schema.some((g) => g.qualifier === f.qualifier)) {
        throw invalid(`table name "${f.qualifier}" specified more than once`, posOf(this.env, item, f.qualifier));
      }
    }
    const at = posOf(this.env, item, typeof item.table === 'string' ? item.table : undefined);
    if (item[NATURAL_JOIN]) {
      // NATURAL JOIN: USING every column name both sides have (none: a cross join)
      const names = right.schema.filter((f) => !f.usingHidden && left.schema.some((g) => !g.usingHidden && g.name === f.name)).map((f) => f.name);
      if (!names.length && kind !== 'INNER JOIN') throw invalid(`unsupported SQL: NATURAL ${kind} without common columns`, at);
      if (names.length) item = { ...item, using: [...new Set(names)] };
    }
    if (kind !== '' && kind !== 'INNER JOIN' && kind !== 'JOIN' && kind !== 'LEFT JOIN' && kind !== 'RIGHT JOIN' && kind !== 'FULL JOIN' && kind !== 'CROSS JOIN') {
      throw invalid(`unsupported SQL: ${kind}`, at);
    }
    // RIGHT JOIN is a LEFT JOIN with the sides swapped, then the columns put back in order
    const swapped = kind === 'RIGHT JOIN';
    const full = kind === 'FULL JOIN';
    const [probe, build] = swapped ? [right, left] : [left, right];
    const joinType = full ? 'full' : kind === 'LEFT JOIN' || swapped ? 'left' : 'inner';
    /** FULL JOIN … USING: each USING column's value is whichever side is not NULL. */
    const merged: { leftId: number; expr: Expr; field: PlanField }[] = [];
    const leftKeys: Expr[] = [];
    const rightKeys: Expr[] = [];
    const residual: Expr[] = [];
    const hidden = new Set<number>();
    const probeIds = new Set(probe.schema.map((f) => f.id));
    const buildIds = new Set(build.schema.map((f) => f.id));
    const inside = (e: Expr, ids: Set<number>) => [...columnIds(e)].every((id) => ids.has(id));
    if (item.using) {
      for (const u of item.using as AstNode[]) {
        const name = identifierOf(u);
        const l = resolveColumn(this.env, left.schema, null, name, u);
        const r = resolveColumn(this.env, right.schema, null, name, u);
        if (!l || !r) throw invalid(`column "${name}" specified in USING clause does not exist in ${l ? 'right' : 'left'} table`, posOf(this.env, u, name));
        const eq = this.exprs.comparison('=', col(l.id, l.name, l.type), col(r.id, r.name, r.type), u) as Extract<Expr, { kind: 'binary' }>;
        leftKeys.push(swapped ? eq.right : eq.left);
        rightKeys.push(swapped ? eq.left : eq.right);
        hidden.add(swapped ? l.id : r.id);
        if (full) {
          hidden.add(l.id);
          const expr = this.exprs.callFunction('coalesce', [col(l.id, l.name, l.type), col(r.id, r.name, r.type)], u);
          merged.push({ leftId: l.id, expr, field: { id: this.env.newId(), name, type: expr.type, nullable: true } });
        }
      }
    } else if (item.on) {
      const on = this.exprs.bindPredicate(item.on, { schema: [...left.schema, ...right.schema], clause: 'JOIN ON' });
      for (const c of splitConjuncts(on)) {
        if (c.kind === 'binary' && c.op === '=' && columnIds(c.left).size > 0 && columnIds(c.right).size > 0) {
          if (inside(c.left, probeIds) && inside(c.right, buildIds)) {
            leftKeys.push(c.left);
            rightKeys.push(c.right);
            continue;
          }
          if (inside(c.right, probeIds) && inside(c.left, buildIds)) {
            leftKeys.push(c.right);
            rightKeys.push(c.left);
            continue;
          }
        }
        residual.push(c);
      }
    } else if (kind === 'LEFT JOIN' || kind === 'RIGHT JOIN' || full) {
      throw invalid(`${kind} requires an ON or USING clause`, at);
    }
    const schema = joinSchema(joinType, probe.schema, build.schema).map((f) => (hidden.has(f.id) ? { ...f, usingHidden: true } : f));
    const join: LogicalPlan = { kind: 'join', joinType, left: probe, right: build, leftKeys, rightKeys, residual: conjunction(residual), schema };
    if (merged.length) {
      // each merged column takes the place of its (now hidden) left copy
      const exprs: Expr[] = [];
      const out: PlanSchema = [];
      for (const f of schema) {
        const m = merged.find((x) => x.leftId === f.id);
        if (m) {
          exprs.push(m.expr);
          out.push(m.field);
        }
        exprs.push(col(f.id, f.name, f.type));
        out.push(f);
      }
      return { kind: 'project', input: join, exprs, schema: out };
    }
    if (!swapped) return join;
    const ordered = [...schema.slice(probe.schema.length), ...schema.slice(0, probe.schema.length)];
    return { kind: 'project', input: join, exprs: ordered.map((f) => col(f.id, f.name, f.type)), schema: ordered };
  }

  private async bindFromItem(item: AstNode, ctes: Ctes): Promise<LogicalPlan> {
    const alias: string | null = item.as ? String(item.as) : null;
    if (item.expr?.ast) {
      const sub = await this.bindQuery(item.expr.ast, ctes);
      return this.aliased(sub, alias ?? 'subquery');
    }
    if (item.type === 'expr' && item.expr?.type === 'function') {
      const name = (item.expr.name?.name ?? []).map((p: AstNode) => String(p.value)).join('.').toLowerCase();
      const args = (item.expr.args?.value ?? []).map((a: AstNode) => {
        const e = this.exprs.bind(a, { schema: [], clause: `the arguments of ${name}` });
        if (e.kind !== 'literal') throw invalid(`arguments of table function ${name} must be constants`, posOf(this.env, a));
        return e.value;
      });
      const provider = await this.qctx.tables.tableFunction?.(name, args, { timeRange: this.qctx.timeRange });
      if (!provider) throw invalid(`table function ${name} does not exist`, posOf(this.env, item.expr, name));
      return this.scan(name, provider, alias ?? name);
    }
    if (typeof item.table !== 'string') throw invalid('unsupported SQL: FROM item', posOf(this.env, item));
    const rawDb: string | null = item.db ?? null;
    const table = item.table;
    if (rawDb === null && ctes.has(table)) {
      const cte = ctes.get(table);
      const inner = new Map(ctes);
      inner.delete(table); // a CTE does not see itself (no recursion)
      let plan = await this.bindQuery(cte.stmt?.ast ?? cte.stmt, inner);
      const columns: string[] | null = cte.columns ? cte.columns.map((c: AstNode) => identifierOf(c.column ?? c)) : null;
      if (columns) {
        if (columns.length !== plan.schema.length) throw invalid(`CTE ${table} names ${columns.length} columns but its query has ${plan.schema.length}`);
        plan = { ...plan, schema: plan.schema.map((f, i) => ({ ...f, name: columns[i] })) } as LogicalPlan;
        plan = { kind: 'project', input: plan, exprs: plan.schema.map((f) => col(f.id, f.name, f.type)), schema: plan.schema };
      }
      return this.aliased(plan, alias ?? table);
    }
    const schemaName = rawDb === null ? 'public' : rawDb;
    if (schemaName !== 'public' && schemaName !== 'information_schema') {
      throw invalid(`schema "${schemaName}" does not exist (schemas: public, information_schema)`, posOf(this.env, item, schemaName));
    }
    if (String(rawDb ?? '').includes('.')) throw invalid(`unknown catalog in ${rawDb}.${table}`, posOf(this.env, item, table));
    const provider = this.qctx.tables.table(table, schemaName);
    if (!provider) {
      const shown = rawDb ? `${rawDb}.${table}` : table;
      throw invalid(`table "${shown}" does not exist`, posOf(this.env, item, table));
    }
    return this.scan(table, provider, alias ?? table);
  }

  private aliased(plan: LogicalPlan, alias: string): LogicalPlan {
    return { kind: 'alias', input: plan, alias, schema: plan.schema.map((f) => ({ ...f, qualifier: alias })) };
  }

  private scan(table: string, provider: TableProvider, qualifier: string): LogicalPlan {
    const schema: PlanSchema = provider.schema.fields.map((f) => {
      const type = scalarTypeOfArrow(f.type);
      if (!type) throw invalid(`column ${table}.${f.name} has an unsupported type ${String(f.type)}`);
      return { id: this.env.newId(), name: f.name, qualifier, type, nullable: f.nullable, arrowType: type === 'list' ? f.type : undefined, timeColumn: f.name === provider.timeColumn || undefined };
    });
    let plan: LogicalPlan = { kind: 'scan', table, provider, schema, filters: [] };
    const range = this.qctx.timeRange;
    const timeField = provider.timeColumn ? schema.find((f) => f.name === provider.timeColumn) : undefined;
    if (range && timeField && (range.begin !== undefined || range.end !== undefined)) {
      // the query range bounds the view's time column exactly like a WHERE clause
      const t = col(timeField.id, timeField.name, 'timestamp');
      const parts: Expr[] = [];
      if (range.begin !== undefined) parts.push({ kind: 'binary', op: '>=', left: t, right: lit(range.begin, 'timestamp'), type: 'bool' });
      if (range.end !== undefined) parts.push({ kind: 'binary', op: '<=', left: t, right: lit(range.end, 'timestamp'), type: 'bool' });
      const predicate = parts.reduce((a, b) => ({ kind: 'binary', op: 'AND', left: a, right: b, type: 'bool' }));
      plan = { kind: 'filter', input: plan, predicate, schema };
    }
    return plan;
  }

  private async bindSelect(ast: AstNode, ctes: Ctes, withOrderAndLimit: boolean): Promise<LogicalPlan> {
    if (ast.type !== 'select') throw invalid(`unsupported SQL: ${String(ast.type).toUpperCase()} inside a query`);
    for (const k of ['where', 'columns', 'having'] as const) if (ast[k]) ast = { ...ast, [k]: quantifiedToIn(ast[k], this.env) };
    let plan = await this.bindFrom(ast.from, ctes);
    if (ast.from?.length) {
      // correlated subqueries become joins with derived tables, appended to FROM
      const decorrelated = await new Decorrelator(this.env, plan.schema, async (from) => (await this.bindFrom(from, ctes)).schema).rewrite(ast);
      if (decorrelated !== ast) {
        // select items keep the names their original expressions give
        const columns = decorrelated.columns.map((c: AstNode, i: number) => (c.as || c.expr?.column === '*' ? c : { ...c, as: defaultName(ast.columns[i].expr) }));
        ast = { ...decorrelated, columns };
        plan = await this.bindFrom(ast.from, ctes);
      }
    }
    ast = await inlineSubqueries(ast, (sub) => this.bindQuery(sub, ctes), this.env, this.qctx);
    const windows: WindowCollector = { calls: [] };
    const input = plan.schema;
    if (ast.where) {
      const predicate = this.exprs.bindPredicate(ast.where, { schema: input, clause: 'WHERE' });
      plan = { kind: 'filter', input: plan, predicate, schema: input };
    }
    const items = this.expandSelectList(ast.columns, input);
    const aggregating = !!ast.groupby?.columns?.length || !!ast.having || hasAggregate(ast.columns) || hasAggregate(ast.having) || hasAggregate(ast.orderby);

    let scope: ExprScope;
    let finish: (e: Expr, what: string, node: AstNode) => Expr = (e) => e;
    let collector: AggregateCollector | undefined;
    let groupExprs: Expr[] = [];
    if (aggregating) {
      collector = { input, calls: [] };
      groupExprs = (ast.groupby?.columns ?? []).map((g: AstNode) => this.bindGroupItem(g, items, input));
      const groupKeys = new Map(groupExprs.map((g, i) => [exprKey(g), i]));
      const groupFields: PlanField[] = groupExprs.map((g) => {
        if (g.kind === 'column') return { ...input.find((f) => f.id === g.id)! };
        return { id: this.env.newId(), name: exprText(g), type: g.type, nullable: true, arrowType: g.kind === 'call' ? g.arrowType : undefined };
      });
      const allowed = new Set(groupFields.map((f) => f.id));
      scope = { schema: input, aggregates: collector, windows, clause: 'the select list' };
      finish = (e, what, node) => {
        const replaced = transform(e, (x) => {
          const gi = groupKeys.get(exprKey(x));
          if (gi !== undefined) return col(groupFields[gi].id, groupFields[gi].name, x.type);
          return undefined;
        });
        for (const id of columnIds(replaced)) {
          if (!allowed.has(id) && !collector!.calls.some((c) => c.id === id) && !windows.calls.some((c) => c.id === id)) {
            const f = input.find((x) => x.id === id);
            if (f?.usingHidden && f.qualifier?.startsWith(DERIVED_ALIAS_PREFIX)) {
              throw invalid(`unsupported SQL: a correlated subquery in ${what} of a grouped query (compute it in a subquery in FROM, or aggregate it)`, posOf(this.env, node));
            }
            throw invalid(`column "${f?.name ?? id}" must appear in the GROUP BY clause or be used in an aggregate function (in ${what})`, posOf(this.env, node, f?.name));
          }
        }
        return replaced;
      };
      // bind everything that may hold aggregates before building the Aggregate node
      const selectExprs = items.map((it) => (it.expr ? finish(this.exprs.bind(it.node, scope), 'the select list', it.node) : it.field!));
      const having = ast.having ? finish(this.exprs.bindPredicate(ast.having, { ...scope, windows: undefined, clause: 'HAVING' }), 'HAVING', ast.having) : null;
      const order = withOrderAndLimit ? this.bindOrderItems(ast.orderby, items, selectExprs, scope, finish) : [];
      for (const w of windows.calls) {
        const f = (e: Expr) => finish(e, `window function ${w.name}`, null);
        w.args = w.args.map(f);
        w.partitionBy = w.partitionBy.map(f);
        w.orderBy = w.orderBy.map((k) => ({ ...k, expr: f(k.expr) }));
      }
      plan = this.aggregateOf(plan, groupExprs, groupFields, collector.calls);
      if (having) plan = { kind: 'filter', input: plan, predicate: having, schema: plan.schema };
      return this.projectOrderLimit(this.windowed(plan, windows), ast, items, selectExprs, order, withOrderAndLimit);
    }
    scope = { schema: input, windows, clause: 'the select list' };
    const selectExprs = items.map((it) => (it.expr ? this.exprs.bind(it.node, scope) : it.field!));
    const order = withOrderAndLimit ? this.bindOrderItems(ast.orderby, items, selectExprs, scope, finish) : [];
    return this.projectOrderLimit(this.windowed(plan, windows), ast, items, selectExprs, order, withOrderAndLimit);
  }

  /** A Window node computing the collected calls over `plan`, if any. */
  private windowed(plan: LogicalPlan, windows: WindowCollector): LogicalPlan {
    if (windows.calls.length === 0) return plan;
    const fields: PlanSchema = windows.calls.map((c) => ({ id: c.id, name: c.name, type: c.type, nullable: true, arrowType: c.arrowType }));
    return { kind: 'window', input: plan, calls: windows.calls, schema: [...plan.schema, ...fields] };
  }

  private expandSelectList(columns: AstNode[], input: PlanSchema): SelectItem[] {
    const items: SelectItem[] = [];
    for (const c of columns) {
      const e = c.expr;
      if (e?.type === 'column_ref' && e.column === '*') {
        const table = e.table === null || e.table === undefined ? null : identifierOf(e.table);
        const fields = input.filter((f) => (table === null ? !f.usingHidden : f.qualifier === table));
        if (table !== null && fields.length === 0) throw invalid(`table "${table}" is not in the FROM clause`, posOf(this.env, e, table));
        if (table === null && input.length === 0) throw invalid('SELECT * with no tables specified is not valid');
        for (const f of fields) items.push({ node: null, expr: false, field: col(f.id, f.name, f.type), name: f.name });
        continue;
      }
      items.push({ node: e, expr: true, name: c.as ? String(c.as) : defaultName(e) });
    }
    return items;
  }

  /** GROUP BY item: an ordinal, a select alias (when no input column has that name), or an expression. */
  private bindGroupItem(g: AstNode, items: SelectItem[], input: PlanSchema): Expr {
    const scope: ExprScope = { schema: input, clause: 'GROUP BY' };
    if (g.type === 'number') {
      const k = Number(g.value);
      const item = items[k - 1];
      if (!item) throw invalid(`GROUP BY position ${k} is not in the select list`, posOf(this.env, g));
      return item.expr ? this.exprs.bind(item.node, scope) : item.field!;
    }
    if (g.type === 'column_ref' && (g.table === null || g.table === undefined) && g.column !== '*') {
      const name = identifierOf(g.column);
      if (!input.some((f) => f.name === name)) {
        const item = items.find((it) => it.name === name && it.expr);
        if (item) return this.exprs.bind(item.node, scope);
      }
    }
    return this.exprs.bind(g, scope);
  }

  private bindOrderItems(orderby: AstNode[] | null, items: SelectItem[], selectExprs: Expr[], scope: ExprScope, finish: (e: Expr, what: string, node: AstNode) => Expr): OrderItem[] {
    const out: OrderItem[] = [];
    for (const o of orderby ?? []) {
      const descending = String(o.type ?? 'ASC').toUpperCase() === 'DESC';
      const nulls = String(o.nulls ?? '').toUpperCase();
      const nullsFirst = nulls ? nulls.includes('FIRST') : descending;
      const e = o.expr;
      let index: number | undefined;
      if (e?.type === 'number') {
        index = Number(e.value) - 1;
        if (!items[index]) throw invalid(`ORDER BY position ${e.value} is not in the select list`, posOf(this.env, e));
      } else if (e?.type === 'column_ref' && (e.table === null || e.table === undefined) && e.column !== '*') {
        const name = identifierOf(e.column);
        const matches = items.map((it, i) => (it.name === name ? i : -1)).filter((i) => i >= 0);
        if (matches.length === 1 || (matches.length > 1 && matches.every((i) => exprKey(selectExprs[i]) === exprKey(selectExprs[matches[0]])))) index = matches[0];
      }
      if (index === undefined) {
        const bound = finish(this.exprs.bind(e, { ...scope, clause: 'ORDER BY' }), 'ORDER BY', e);
        const key = exprKey(bound);
        const same = selectExprs.findIndex((s) => exprKey(s) === key);
        if (same >= 0) index = same;
        else {
          out.push({ hidden: bound, descending, nullsFirst });
          continue;
        }
      }
      out.push({ index, descending, nullsFirst });
    }
    return out;
  }

  private projectOrderLimit(input: LogicalPlan, ast: AstNode, items: SelectItem[], selectExprs: Expr[], order: OrderItem[], withOrderAndLimit: boolean): LogicalPlan {
    const distinct = String(ast.distinct?.type ?? '').toUpperCase() === 'DISTINCT';
    const visible: PlanSchema = selectExprs.map((e, i) => {
      const source = e.kind === 'column' ? input.schema.find((f) => f.id === e.id) : undefined;
      if (source) return { ...source, name: items[i].name };
      return { id: this.env.newId(), name: items[i].name, type: e.type, nullable: true, arrowType: e.kind === 'call' ? e.arrowType : undefined };
    });
    const hidden = order.filter((o) => o.hidden).map((o) => o.hidden!);
    if (distinct && hidden.length) throw invalid('for SELECT DISTINCT, ORDER BY expressions must appear in the select list');
    const hiddenFields: PlanSchema = hidden.map((h) => ({ id: this.env.newId(), name: exprText(h), type: h.type, nullable: true }));
    const schema = [...visible, ...hiddenFields];
    let plan: LogicalPlan = { kind: 'project', input, exprs: [...selectExprs, ...hidden], schema };
    if (distinct) plan = this.distinct(plan);
    if (!withOrderAndLimit) return plan;
    let h = 0;
    const keys: SortKey[] = order.map((o) => {
      const f = o.hidden ? hiddenFields[h++] : visible[o.index!];
      return { expr: col(f.id, f.name, f.type), descending: o.descending, nullsFirst: o.nullsFirst };
    });
    if (keys.length) plan = { kind: 'sort', input: plan, keys, schema: plan.schema };
    plan = this.limit(plan, ast.limit);
    if (hidden.length) plan = { kind: 'project', input: plan, exprs: visible.map((f) => col(f.id, f.name, f.type)), schema: visible };
    return plan;
  }

  private async orderAndLimit(plan: LogicalPlan, orderby: AstNode[] | null, limit: AstNode): Promise<LogicalPlan> {
    if (orderby?.length) {
      const keys: SortKey[] = orderby.map((o: AstNode) => {
        const descending = String(o.type ?? 'ASC').toUpperCase() === 'DESC';
        const nulls = String(o.nulls ?? '').toUpperCase();
        const nullsFirst = nulls ? nulls.includes('FIRST') : descending;
        let f: PlanField | undefined;
        if (o.expr?.type === 'number') f = plan.schema[Number(o.expr.value) - 1];
        else if (o.expr?.type === 'column_ref') {
          const name = identifierOf(o.expr.column);
          f = plan.schema.find((x) => x.name === name);
        }
        if (!f) throw invalid('ORDER BY of a UNION must name an output column or position', posOf(this.env, o.expr));
        return { expr: col(f.id, f.name, f.type), descending, nullsFirst };
      });
      plan = { kind: 'sort', input: plan, keys, schema: plan.schema };
    }
    return this.limit(plan, limit);
  }

  private limit(plan: LogicalPlan, limit: AstNode): LogicalPlan {
    const values: AstNode[] = limit?.value ?? [];
    if (values.length === 0) return plan;
    const num = (n: AstNode, what: string): number | null => {
      if (n?.type === 'null') return null;
      const e = this.exprs.bind(n, { schema: [], clause: what });
      if (e.kind !== 'literal' || (typeof e.value !== 'bigint' && e.value !== null)) throw invalid(`${what} must be a non-negative integer constant`, posOf(this.env, n));
      if (e.value === null) return null;
      if ((e.value as bigint) < 0n) throw invalid(`${what} must not be negative`, posOf(this.env, n));
      return Number(e.value);
    };
    let fetch: number | null;
    let skip = 0;
    if (values.length === 1 && limit.seperator === 'offset') {
      fetch = null;
      skip = num(values[0], 'OFFSET') ?? 0;
    } else if (limit.seperator === 'offset' || values.length === 1) {
      fetch = num(values[0], 'LIMIT');
      if (values[1]) skip = num(values[1], 'OFFSET') ?? 0;
    } else {
      skip = num(values[0], 'OFFSET') ?? 0;
      fetch = num(values[1], 'LIMIT');
    }
    return { kind: 'limit', input: plan, skip, fetch, schema: plan.schema };
  }
}

interface SelectItem {
  node: AstNode;
  /** false for columns expanded from `*` (then `field` holds the column). */
  expr: boolean;
  field?: Expr;
  name: string;
}

interface OrderItem {
  index?: number;
  hidden?: Expr;
  descending: boolean;
  nullsFirst: boolean;
}

function defaultName(e: AstNode): string {
  switch (e?.type) {
    case 'column_ref':
      return identifierOf(e.column);
    case 'function': {
      // percent_rank() / cume_dist() reach here as ntile('<marker>name') (parse.ts)
      const marker = String(e.args?.value?.[0]?.value ?? '');
      if (marker.startsWith(RANK_MARKER)) return marker.slice(RANK_MARKER.length);
      return (e.name?.name ?? []).map((p: AstNode) => String(p.value)).join('.').toLowerCase().replace(DISTINCT_SUFFIX, '');
    }
    case 'aggr_func': {
      // first_value / last_value (x ORDER BY …) reach here as string_agg(x, '<marker>name' ORDER BY …)
      const sep = e.args?.separator?.delimiter?.value ?? e.args?.separator?.value;
      if (typeof sep === 'string' && sep.startsWith(ORDERED_VALUE_MARKER)) return sep.slice(ORDERED_VALUE_MARKER.length);
      return String(e.name).toLowerCase();
    }
    case 'cast':
      return defaultName(e.expr);
    case 'extract':
      return 'date_part';
    default:
      return '?column?';
  }
}

/** Whether an AST holds an aggregate call outside nested subqueries. */
function hasAggregate(node: AstNode): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(hasAggregate);
  if (node.ast || node.type === 'select') return false;
  if (node.type === 'aggr_func' && !node.over) return true;
  if (node.type === 'function' && !node.over) {
    const name = (node.name?.name ?? []).map((p: AstNode) => String(p.value)).join('.').toLowerCase();
    if (aggregateFunction(name.replace(DISTINCT_SUFFIX, '')) && !scalarFunction(name)) return true;
  }
  return Object.values(node).some(hasAggregate);
}

