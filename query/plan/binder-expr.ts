// Binds node-sql-parser expression ASTs to typed Exprs against a scope: name resolution, implicit
// coercion, aggregate extraction, and constant folding (so `now() - interval '1 hour'` reaches
// pushdown as a literal).
import type { DataType } from 'apache-arrow';
import { DISTINCT_SUFFIX, ORDERED_VALUE_MARKER, PARTITION_BY_CALL, RANK_MARKER, type AstNode } from '../sql/parse.js';
import { invalid, positionAt, positionOfWord, type SqlPosition } from '../errors.js';
import { col, exprKey, lit, type AggregateCall, type BinaryOp, type Expr } from './expr.js';
import { isInteger, isNumeric, typeName, type PlanField, type PlanSchema, type Scalar, type ScalarType } from './types.js';
import { commonType } from '../functions/coercion.js';
import { aggregateFunction, scalarFunction, type EvalContext } from '../functions/registry.js';
import { DistinctAccumulator } from '../functions/aggregates.js';
import { bestRowAggregate, orderedAggregate, rowValueAggregate } from '../functions/ordered-aggregates.js';
import { filteredAggregate } from '../functions/filtered-aggregates.js';
import { evaluateConstant } from '../exec/expr-eval.js';
import { parseIntervalText, parseTimestampText } from '../functions/time-text.js';
import { castValue } from '../exec/kernels.js';
import { QueryError } from '../errors.js';
import '../functions/index.js';
import type { SortKey, WindowCall, WindowFrame } from './logical.js';
import { RUNNING_AGGREGATES } from '../exec/window.js';
import { LIST_GROUP_KEY } from '../functions/planner-internal.js';

/** Collects the aggregate calls of one SELECT; bound calls become column references to their ids. */
export interface AggregateCollector {
  input: PlanSchema;
  calls: AggregateCall[];
}

/** Collects the window function calls of one SELECT (select list and ORDER BY). */
export interface WindowCollector {
  calls: WindowCall[];
}

export interface ExprScope {
  schema: PlanSchema;
  /** Set where aggregates are allowed (select list, HAVING, ORDER BY of an aggregate query). */
  aggregates?: AggregateCollector;
  /** Set where window functions are allowed. */
  windows?: WindowCollector;
  /** Clause name for error messages ("WHERE", "GROUP BY"). */
  clause: string;
}

export interface BindEnv {
  sql: string;
  ctx: EvalContext;
  newId(): number;
}

const CAST_TYPES: Record<string, ScalarType> = {
  BIGINT: 'int64', INT8: 'int64', INT: 'int32', INTEGER: 'int32', INT4: 'int32', SMALLINT: 'int32', INT2: 'int32',
  TINYINT: 'int32', DOUBLE: 'float64', 'DOUBLE PRECISION': 'float64', FLOAT: 'float64', FLOAT8: 'float64', FLOAT4: 'float64',
  REAL: 'float64', NUMERIC: 'float64', DECIMAL: 'float64', VARCHAR: 'utf8', TEXT: 'utf8', STRING: 'utf8', CHAR: 'utf8',
  CHARACTER: 'utf8', 'CHARACTER VARYING': 'utf8', TIMESTAMP: 'timestamp', TIMESTAMPTZ: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamp', 'TIMESTAMP WITHOUT TIME ZONE': 'timestamp', BOOLEAN: 'bool', BOOL: 'bool',
  INTERVAL: 'interval', 'INT UNSIGNED': 'uint32', 'BIGINT UNSIGNED': 'uint64',
};

/** Aggregates whose result depends on the order of their input rows. */
const ORDER_SENSITIVE = new Set(['array_agg', 'string_agg', 'first_value', 'last_value']);

/** Functions whose first argument is a unit that may be written as a bare word: datepart(minute, t). */
const UNIT_FIRST = new Set(['date_part', 'datepart', 'date_trunc']);

export function identifierOf(node: AstNode): string {
  if (typeof node === 'string') return node;
  if (node?.expr) return identifierOf(node.expr);
  if (node?.type === 'double_quote_string' || node?.type === 'backticks_quote_string') return String(node.value);
  if (node?.type === 'default') return String(node.value).toLowerCase();
  if (node?.value !== undefined) return String(node.value).toLowerCase();
  throw new QueryError('INTERNAL', 'unexpected identifier shape');
}

export function posOf(env: BindEnv, node: AstNode, word?: string): SqlPosition | undefined {
  const off = node?.loc?.start?.offset;
  if (typeof off === 'number') return positionAt(env.sql, off);
  return word ? positionOfWord(env.sql, word) : undefined;
}

export function unescapeString(s: string): string {
  return s.replaceAll("''", "'");
}

export function resolveColumn(env: BindEnv, schema: PlanSchema, table: string | null, name: string, node: AstNode): PlanField | undefined {
  const matches = schema.filter((f) => f.name === name && (table === null ? !f.usingHidden : f.qualifier === table));
  const distinct = [...new Map(matches.map((f) => [f.id, f])).values()];
  if (distinct.length > 1) throw invalid(`column reference "${name}" is ambiguous`, posOf(env, node, name));
  return distinct[0];
}

function isNotCall(node: AstNode): boolean {
  const parts = node?.type === 'function' ? node.name?.name : undefined;
  return Array.isArray(parts) && parts.length === 1 && String(parts[0].value).toLowerCase() === 'not' && !node.over && node.args?.value?.length === 1;
}

/** The parser reads `NOT (x) = y` as `not(x) = y`, a call on the left operand; SQL's NOT binds looser
 * than every operator but AND/OR, so that is `NOT (x = y)`. Returns that NOT node, else undefined.
 * A left operand the query parenthesised (`(NOT (x)) = y`) is left alone. */
function hoistNotCall(node: AstNode): AstNode | undefined {
  if (node?.type !== 'binary_expr' || ['AND', 'OR'].includes(String(node.operator).toUpperCase())) return undefined;
  const left: AstNode = node.left;
  if (left?.parentheses) return undefined; // `(NOT (x)) = y` keeps its grouping
  const operand = isNotCall(left) ? left.args.value[0] : hoistNotCall(left)?.expr;
  return operand === undefined ? undefined : { type: 'unary_expr', operator: 'NOT', expr: { ...node, left: operand } };
}

function tableOfRef(node: AstNode): string | null {
  if (node.table === null || node.table === undefined) return null;
  return identifierOf(node.table);
}

/** Casts e to `to`, folding literals so type errors in constants surface at plan time. */
export function coerce(e: Expr, to: ScalarType): Expr {
  if (e.type === to) return e;
  if (e.kind === 'literal') return lit(castValue(e.value, e.type, to) as Scalar, to);
  return { kind: 'cast', arg: e, type: to };
}

function isConstant(e: Expr): boolean {
  switch (e.kind) {
    case 'column':
      return false;
    case 'literal':
      return true;
    case 'binary':
      return isConstant(e.left) && isConstant(e.right);
    case 'not':
    case 'negate':
    case 'is_null':
    case 'cast':
      return isConstant(e.arg);
    case 'in_list':
      return isConstant(e.arg) && e.list.every(isConstant);
    case 'like':
    case 'regex':
      return isConstant(e.arg) && isConstant(e.pattern);
    case 'case':
      return e.whens.every((w) => isConstant(w.when) && isConstant(w.then)) && (!e.otherwise || isConstant(e.otherwise));
    case 'call':
      return e.args.every(isConstant);
  }
}

function fold(env: BindEnv, e: Expr): Expr {
  if (e.kind === 'literal' || !isConstant(e)) return e;
  return lit(evaluateConstant(e, env.ctx) as Scalar, e.type);
}

function arithmeticType(op: string, l: ScalarType, r: ScalarType): { left: ScalarType; right: ScalarType; result: ScalarType } | undefined {
  if (l === 'null' && r === 'null') return { left: 'int64', right: 'int64', result: 'int64' };
  if (l === 'timestamp' && (r === 'interval' || r === 'utf8') && (op === '+' || op === '-')) return { left: l, right: 'interval', result: 'timestamp' };
  if (l === 'interval' && r === 'timestamp' && op === '+') return undefined;
  if (l === 'timestamp' && r === 'timestamp' && op === '-') return { left: l, right: r, result: 'interval' };
  if (l === 'interval' && r === 'interval' && (op === '+' || op === '-')) return { left: l, right: r, result: 'interval' };
  if (l === 'interval' && isNumeric(r) && (op === '*' || op === '/')) return { left: l, right: 'float64', result: 'interval' };
  if (isNumeric(l) && r === 'interval' && op === '*') return { left: 'float64', right: r, result: 'interval' };
  const lt = l === 'null' ? r : l;
  const rt = r === 'null' ? l : r;
  if (!isNumeric(lt) || !isNumeric(rt)) return undefined;
  const t = commonType(lt, rt)!;
  const result = isInteger(t) && t !== 'uint64' ? 'int64' : t;
  return { left: result, right: result, result };
}

/** `trim([BOTH | LEADING | TRAILING] [chars] FROM s)` → trim / ltrim / rtrim (s [, chars]). */
function trimSyntax(args: AstNode[], node: AstNode, env: BindEnv): [string, AstNode[]] {
  const words = args.map((a) => (a?.type === 'origin' ? String(a.value).toLowerCase() : null));
  const from = words.indexOf('from');
  const side = words[0] === 'both' || words[0] === 'leading' || words[0] === 'trailing' ? words[0] : null;
  const chars = args.slice(side ? 1 : 0, from);
  const rest = args.slice(from + 1);
  if (from < 0 || chars.length > 1 || rest.length !== 1 || chars.some((c) => c?.type === 'origin')) {
    throw invalid('unsupported SQL: trim syntax (write trim([BOTH | LEADING | TRAILING] [characters] FROM text))', posOf(env, node, 'trim'));
  }
  const fn = side === 'leading' ? 'ltrim' : side === 'trailing' ? 'rtrim' : 'trim';
  return [fn, [rest[0], ...chars]];
}

export class ExprBinder {
  constructor(private readonly env: BindEnv) {}

  bind(node: AstNode, scope: ExprScope): Expr {
    return fold(this.env, this.bindInner(node, scope));
  }

  bindPredicate(node: AstNode, scope: ExprScope): Expr {
    const e = this.bind(node, scope);
    if (e.type !== 'bool' && e.type !== 'null') throw invalid(`${scope.clause} condition must be Boolean, got ${typeName(e.type)}`, posOf(this.env, node));
    return e.type === 'null' ? lit(null, 'bool') : e;
  }

  private bindInner(node: AstNode, scope: ExprScope): Expr {
    const env = this.env;
    switch (node?.type) {
      case 'column_ref':
        return this.columnRef(node, scope);
      case 'number': {
        const v = node.value;
        if (typeof v === 'number' && Number.isInteger(v) && !String(v).includes('.')) return lit(BigInt(v), 'int64');
        const text = String(v);
        if (/^-?\d+$/.test(text)) return lit(BigInt(text), 'int64');
        return lit(Number(text), 'float64');
      }
      case 'bigint': {
        // The parser also files exponent literals (`1e6`, `2.5e3`) here; SQL makes those floats.
        if (!/^-?\d+$/.test(String(node.value))) return lit(Number(node.value), 'float64');
        const b = BigInt(String(node.value));
        if (b > 2n ** 63n - 1n || b < -(2n ** 63n)) return lit(Number(node.value), 'float64');
        return lit(b, 'int64');
      }
      case 'single_quote_string':
      case 'string':
      case 'natural_string':
      case 'dollar_string':
        return lit(unescapeString(String(node.value)), 'utf8');
      case 'bool':
      case 'boolean':
        return lit(Boolean(node.value), 'bool');
      case 'null':
        return lit(null, 'null');
      case 'timestamp':
      case 'datetime':
      case 'date': {
        const text = unescapeString(String(node.value));
        const ns = parseTimestampText(text);
        if (ns === undefined) throw invalid(`invalid timestamp literal '${text}'`, posOf(env, node, text));
        return lit(ns, 'timestamp');
      }
      case 'interval':
        return this.interval(node);
      case 'binary_expr': {
        const negated = hoistNotCall(node);
        return negated ? this.unary(negated, scope) : this.binary(node, scope);
      }
      case 'unary_expr':
        return this.unary(node, scope);
      case 'function':
        return this.call(node, scope);
      case 'aggr_func':
        return this.aggregate(node, scope);
      case 'case':
        return this.caseExpr(node, scope);
      case 'cast':
        return this.cast(node, scope);
      case 'extract': {
        const unit = String(node.args?.field ?? '').toLowerCase();
        const source = this.bind(node.args?.source, scope);
        return this.callFunction('date_part', [lit(unit, 'utf8'), source], node);
      }
      case 'expr_list':
        if (Array.isArray(node.value) && node.value.length === 1) return this.bindInner(node.value[0], scope);
        throw invalid('row values are not supported here', posOf(env, node));
      case 'window_func':
        return this.windowCall(node, String(node.name).toLowerCase(), node.args?.value ?? [], scope);
      case '__value':
        // an uncorrelated scalar subquery / EXISTS, already executed
        return lit(node.value, node.scalarType);
      case 'param':
        throw invalid(`unbound parameter ${node.value}`, posOf(env, node));
      default:
        if (node?.ast || node?.type === 'select') throw invalid('unsupported SQL: subqueries in expressions', posOf(env, node));
        throw invalid(`unsupported SQL expression: ${String(node?.type ?? typeof node)}`, posOf(env, node));
    }
  }

  private columnRef(node: AstNode, scope: ExprScope): Expr {
    if (node.column === '*') throw invalid('* is only allowed in the select list or count(*)', posOf(this.env, node));
    const name = identifierOf(node.column);
    const table = tableOfRef(node);
    const f = resolveColumn(this.env, scope.schema, table, name, node);
    if (!f) {
      const qualified = table ? `${table}.${name}` : name;
      const known = table && !scope.schema.some((x) => x.qualifier === table);
      if (known) throw invalid(`table "${table}" is not in the FROM clause`, posOf(this.env, node, table));
      throw invalid(`column "${qualified}" does not exist`, posOf(this.env, node, name));
    }
    return col(f.id, f.name, f.type);
  }

  private interval(node: AstNode): Expr {
    const raw = node.expr?.value ?? node.value;
    const text = unescapeString(String(raw)) + (node.unit ? ` ${node.unit}` : '');
    const ns = parseIntervalText(text);
    if (ns === undefined) throw invalid(`invalid interval '${text}' (months and years have no fixed length and are not supported)`, posOf(this.env, node, String(raw)));
    return lit(ns, 'interval');
  }

  private binary(node: AstNode, scope: ExprScope): Expr {
    const op = String(node.operator).toUpperCase();
    const env = this.env;
    const left = () => this.bind(node.left, scope);
    switch (op) {
      case 'AND':
      case 'OR': {
        const l = this.bindPredicate(node.left, { ...scope, clause: op });
        const r = this.bindPredicate(node.right, { ...scope, clause: op });
        return { kind: 'binary', op, left: l, right: r, type: 'bool' };
      }
      case 'IN':
      case 'NOT IN': {
        const arg = left();
        if (node.right?.type === '__value_list') {
          // IN (subquery), already executed: an empty result is FALSE / TRUE even for a NULL operand
          const values: Scalar[] = node.right.values;
          if (values.length === 0) return lit(op === 'NOT IN', 'bool');
          const t = commonType(arg.type, node.right.scalarType);
          if (!t) throw invalid(`IN (subquery) compares ${typeName(arg.type)} with ${typeName(node.right.scalarType)}`, posOf(env, node));
          const list = values.map((v) => coerce(lit(v, node.right.scalarType), t));
          return { kind: 'in_list', arg: coerce(arg, t), list, negated: op === 'NOT IN', type: 'bool' };
        }
        const items = node.right?.type === 'expr_list' ? node.right.value : null;
        if (!Array.isArray(items)) throw invalid('unsupported SQL: IN (subquery)', posOf(env, node));
        if (items.some((x: AstNode) => x?.ast)) throw invalid('unsupported SQL: IN (subquery)', posOf(env, node));
        const list = items.map((x: AstNode) => this.bind(x, scope));
        let t: ScalarType | undefined = arg.type;
        for (const x of list) {
          t = commonType(t!, x.type);
          if (!t) throw invalid(`IN list mixes ${typeName(arg.type)} with ${typeName(x.type)}`, posOf(env, node));
        }
        return { kind: 'in_list', arg: coerce(arg, t!), list: list.map((x: Expr) => coerce(x, t!)), negated: op === 'NOT IN', type: 'bool' };
      }
      case 'BETWEEN':
      case 'NOT BETWEEN': {
        const arg = left();
        const [lo, hi] = node.right.value.map((x: AstNode) => this.bind(x, scope));
        const ge = this.comparison('>=', arg, lo, node);
        const le = this.comparison('<=', arg, hi, node);
        const both: Expr = { kind: 'binary', op: 'AND', left: ge, right: le, type: 'bool' };
        return op === 'BETWEEN' ? both : { kind: 'not', arg: both, type: 'bool' };
      }
      case 'IS':
      case 'IS NOT': {
        const arg = left();
        const negated = op === 'IS NOT';
        if (node.right?.type === 'null') return { kind: 'is_null', arg, negated, type: 'bool' };
        if (node.right?.type === 'column_ref' && !node.right.table && node.right.column?.expr?.type === 'default' && identifierOf(node.right.column) === 'unknown') {
          // x IS [NOT] UNKNOWN: a Boolean's IS [NOT] NULL
          return { kind: 'is_null', arg: this.boolOperand(arg, node), negated, type: 'bool' };
        }
        if (node.right?.type === 'bool') {
          // x IS TRUE: never NULL
          const cmp: Expr = { kind: 'binary', op: '=', left: coerce(arg, 'bool'), right: lit(Boolean(node.right.value), 'bool'), type: 'bool' };
          const known: Expr = { kind: 'binary', op: 'AND', left: { kind: 'is_null', arg, negated: true, type: 'bool' }, right: cmp, type: 'bool' };
          return negated ? { kind: 'not', arg: known, type: 'bool' } : known;
        }
        throw invalid(`unsupported SQL: IS ${negated ? 'NOT ' : ''}${node.right?.type}`, posOf(env, node));
      }
      case 'LIKE':
      case 'NOT LIKE':
      case 'ILIKE':
      case 'NOT ILIKE':
      case '~':
      case '~*':
      case '!~':
      case '!~*': {
        const arg = this.stringOperand(left(), op, node);
        const pattern = this.stringOperand(this.bind(node.right, scope), op, node);
        const negated = op.startsWith('NOT') || op.startsWith('!');
        const caseInsensitive = op.includes('ILIKE') || op.endsWith('*');
        const kind = op.includes('LIKE') ? 'like' : 'regex';
        return { kind, arg, pattern, negated, caseInsensitive, type: 'bool' };
      }
      case '||': {
        const l = left();
        const r = this.bind(node.right, scope);
        return { kind: 'binary', op: '||', left: coerce(l, 'utf8'), right: coerce(r, 'utf8'), type: 'utf8' };
      }
      case '=':
      case '!=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.comparison(op === '!=' ? '<>' : (op as BinaryOp), left(), this.bind(node.right, scope), node);
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': {
        const l = left();
        const r = this.bind(node.right, scope);
        const t = arithmeticType(op, l.type, r.type);
        if (!t) throw invalid(`cannot apply ${op} to ${typeName(l.type)} and ${typeName(r.type)}`, posOf(env, node));
        return { kind: 'binary', op: op as BinaryOp, left: coerce(l, t.left), right: coerce(r, t.right), type: t.result };
      }
      default:
        throw invalid(`unsupported SQL operator ${op}`, posOf(env, node));
    }
  }

  private boolOperand(e: Expr, node: AstNode): Expr {
    if (e.type === 'bool') return e;
    if (e.type === 'null') return coerce(e, 'bool');
    throw invalid(`IS UNKNOWN expects a Boolean, got ${typeName(e.type)}`, posOf(this.env, node));
  }

  private stringOperand(e: Expr, op: string, node: AstNode): Expr {
    if (e.type === 'utf8') return e;
    if (e.type === 'null') return coerce(e, 'utf8');
    throw invalid(`${op} expects text, got ${typeName(e.type)}`, posOf(this.env, node));
  }

  comparison(op: BinaryOp, l: Expr, r: Expr, node: AstNode): Expr {
    const t = commonType(l.type, r.type);
    if (!t || t === 'list') throw invalid(`cannot compare ${typeName(l.type)} with ${typeName(r.type)}`, posOf(this.env, node));
    const target = t === 'null' ? 'bool' : t;
    try {
      return { kind: 'binary', op, left: coerce(l, target), right: coerce(r, target), type: 'bool' };
    } catch (e) {
      if (e instanceof QueryError) throw invalid(e.message, posOf(this.env, node));
      throw e;
    }
  }

  private unary(node: AstNode, scope: ExprScope): Expr {
    const op = String(node.operator).toUpperCase();
    if (op === 'NOT') return { kind: 'not', arg: this.bindPredicate(node.expr, { ...scope, clause: 'NOT' }), type: 'bool' };
    if (op === '-' && node.expr?.type === 'bigint' && /^\d+$/.test(String(node.expr.value))) {
      // a negative integer literal: exact down to -2^63, which has no positive Int64 to negate
      const b = -BigInt(String(node.expr.value));
      if (b >= -(2n ** 63n)) return lit(b, 'int64');
    }
    const arg = this.bind(node.expr, scope);
    if (op === '+') return arg;
    if (op === '-') {
      if (!isNumeric(arg.type) && arg.type !== 'interval' && arg.type !== 'null') throw invalid(`cannot negate ${typeName(arg.type)}`, posOf(this.env, node));
      const t = arg.type === 'int32' || arg.type === 'uint32' ? 'int64' : arg.type === 'null' ? 'int64' : arg.type;
      return { kind: 'negate', arg: coerce(arg, t), type: t };
    }
    throw invalid(`unsupported SQL operator ${op}`, posOf(this.env, node));
  }

  private caseExpr(node: AstNode, scope: ExprScope): Expr {
    const operand = node.expr ? this.bind(node.expr, scope) : null;
    const whens: { when: Expr; then: Expr }[] = [];
    let otherwise: Expr | null = null;
    for (const arm of node.args ?? []) {
      if (arm.type === 'when') {
        const when = operand ? this.comparison('=', operand, this.bind(arm.cond, scope), arm) : this.bindPredicate(arm.cond, { ...scope, clause: 'CASE WHEN' });
        whens.push({ when, then: this.bind(arm.result, scope) });
      } else otherwise = this.bind(arm.result, scope);
    }
    let t: ScalarType | undefined = 'null';
    for (const r of [...whens.map((w) => w.then), ...(otherwise ? [otherwise] : [])]) {
      const next: ScalarType | undefined = commonType(t!, r.type);
      if (!next) throw invalid(`CASE results mix ${typeName(t!)} and ${typeName(r.type)}`, posOf(this.env, node));
      t = next;
    }
    const type = t === 'null' ? 'utf8' : t!;
    return { kind: 'case', whens: whens.map((w) => ({ when: w.when, then: coerce(w.then, type) })), otherwise: otherwise ? coerce(otherwise, type) : null, type };
  }

  private cast(node: AstNode, scope: ExprScope): Expr {
    const target = node.target?.[0] ?? node.target;
    const name = String(target?.dataType ?? '').toUpperCase();
    const to = CAST_TYPES[name] ?? CAST_TYPES[name.replace(/\(.*\)$/, '')];
    if (!to) throw invalid(`unsupported type in CAST: ${name}`, posOf(this.env, node, name.toLowerCase()));
    const arg = this.bind(node.expr, scope);
    if (arg.type === to) return arg;
    if (arg.kind === 'literal') {
      try {
        return lit(castValue(arg.value, arg.type, to) as Scalar, to);
      } catch (e) {
        if (e instanceof QueryError) throw invalid(e.message, posOf(this.env, node));
        throw e;
      }
    }
    return { kind: 'cast', arg, type: to };
  }

  private functionName(node: AstNode): string {
    const parts = node.name?.name;
    if (Array.isArray(parts)) return parts.map((p: AstNode) => String(p.value)).join('.').toLowerCase();
    return String(node.name).toLowerCase();
  }

  private call(node: AstNode, scope: ExprScope): Expr {
    const name = this.functionName(node);
    // the parser reads `NOT (a AND b)` as a call of a function named not: bind it as the operator
    if (isNotCall(node)) {
      return this.unary({ type: 'unary_expr', operator: 'NOT', expr: node.args.value[0] }, scope);
    }
    if (name.endsWith(DISTINCT_SUFFIX) && aggregateFunction(name.slice(0, -DISTINCT_SUFFIX.length))) {
      const base = name.slice(0, -DISTINCT_SUFFIX.length);
      return this.aggregate({ ...node, name: base, args: { expr: node.args?.value?.[0], extra: node.args?.value?.slice(1), distinct: 'DISTINCT' } }, scope);
    }
    // a name with both forms (histogram_quantile) is the aggregate wherever the query aggregates
    const asAggregate = aggregateFunction(name) && (!scalarFunction(name) || (scope.aggregates && !node.over));
    if (asAggregate) return this.aggregate({ ...node, name, args: { expr: node.args?.value?.[0], extra: node.args?.value?.slice(1) } }, scope);
    if (node.over) return this.windowCall(node, name, node.args?.value ?? [], scope);
    let argNodes: AstNode[] = node.args?.value ?? [];
    let fnName = name;
    if (name === 'trim' && argNodes.some((a) => a?.type === 'origin')) [fnName, argNodes] = trimSyntax(argNodes, node, this.env);
    const args = argNodes.map((a, i) => {
      if (i === 0 && UNIT_FIRST.has(name) && a?.type === 'column_ref' && a.table === null) {
        const unit = identifierOf(a.column);
        if (!resolveColumn(this.env, scope.schema, null, unit, a)) return lit(unit, 'utf8');
      }
      return this.bind(a, scope);
    });
    return this.callFunction(fnName, args, node);
  }

  callFunction(name: string, args: Expr[], node: AstNode): Expr {
    const fn = scalarFunction(name);
    if (!fn) throw invalid(`function ${name} does not exist`, posOf(this.env, node, name));
    const b = fn.bind(args.map((a) => a.type));
    if (typeof b === 'string') throw invalid(b, posOf(this.env, node, name));
    try {
      return { kind: 'call', fn, args: args.map((a, i) => coerce(a, b.args[i])), type: b.returns, arrowType: b.returnsArrow };
    } catch (e) {
      if (e instanceof QueryError) throw invalid(`${name}: ${e.message}`, posOf(this.env, node, name));
      throw e;
    }
  }

  private aggregate(node: AstNode, scope: ExprScope): Expr {
    let name = String(node.name).toLowerCase();
    let separator = node.args?.separator;
    const sepText = separator?.delimiter?.value ?? separator?.value;
    if (name === 'string_agg' && typeof sepText === 'string' && sepText.startsWith(ORDERED_VALUE_MARKER)) {
      // first_value(x ORDER BY …) / last_value(x ORDER BY …), rewritten for the parser
      name = sepText.slice(ORDERED_VALUE_MARKER.length);
      separator = null;
    }
    const fn = aggregateFunction(name);
    if (!fn) throw invalid(`function ${name} does not exist`, posOf(this.env, node, name));
    if (node.over) {
      if (node.filter) throw invalid(`unsupported SQL: FILTER in window function ${name}`, posOf(this.env, node, name));
      const first = node.args?.expr;
      const args = first && first.type !== 'star' ? [first, ...(node.args?.extra ?? [])] : [];
      if (String(node.args?.distinct ?? '').toUpperCase() === 'DISTINCT') throw invalid(`unsupported SQL: DISTINCT in window function ${name}`, posOf(this.env, node, name));
      return this.windowCall(node, name, args, scope);
    }
    const collector = scope.aggregates;
    if (!collector) throw invalid(`aggregate function ${name} is not allowed in ${scope.clause}`, posOf(this.env, node, name));
    const inner: ExprScope = { schema: collector.input, clause: `the argument of ${name}` };
    const argNodes: AstNode[] = [];
    const first = node.args?.expr;
    const star = first?.type === 'star';
    if (first && !star) argNodes.push(first);
    for (const extra of node.args?.extra ?? []) argNodes.push(extra);
    if (separator) argNodes.push(typeof separator === 'string' ? { type: 'single_quote_string', value: separator } : separator.delimiter ?? separator.value ?? separator);
    if (star && name !== 'count') throw invalid(`${name}(*) is not valid`, posOf(this.env, node, name));
    const withinGroup: AstNode[] | undefined = node.within_group_orderby;
    if (withinGroup) {
      // percentile_cont(p) WITHIN GROUP (ORDER BY x) is percentile_cont(x, p)
      if (!name.includes('percentile')) throw invalid(`unsupported SQL: WITHIN GROUP for ${name}`, posOf(this.env, node, name));
      if (withinGroup.length !== 1 || argNodes.length !== 1) throw invalid(`${name} WITHIN GROUP expects one fraction and one ORDER BY expression`, posOf(this.env, node, name));
      argNodes.unshift(withinGroup[0].expr);
    }
    // ORDER BY inside the call matters to the order-sensitive aggregates only; others ignore it
    const ordered = ORDER_SENSITIVE.has(name);
    const orderBy: AstNode[] = ordered ? node.args?.orderby ?? [] : [];
    const orderKeys = orderBy.map((o) => {
      const key = this.bind(o.expr, inner);
      if (key.type === 'list') throw invalid(`${name} cannot order by ${typeName(key.type)} values`, posOf(this.env, o.expr));
      const descending = String(o.type ?? 'ASC').toUpperCase() === 'DESC';
      const nulls = String(o.nulls ?? '').toUpperCase();
      return { key, descending, nullsFirst: nulls ? nulls.includes('FIRST') : descending };
    });
    const args = argNodes.map((a) => this.bind(a, inner));
    if ((name === 'count' || name === 'approx_distinct') && String(node.args?.distinct ?? '').toUpperCase() === 'DISTINCT' && args.length === 1 && args[0].type === 'list') {
      // DISTINCT compares List values by their text form (JS arrays compare by identity)
      args[0] = this.callFunction(LIST_GROUP_KEY, [args[0]], node);
    }
    if ((name === 'first_value' || name === 'last_value') && args.length === 1 && orderKeys.length === 0) {
      // "first/last value by time": over a view, order by its time column
      const time = collector.input.find((f) => f.timeColumn);
      if (!time) throw invalid(`${name}(x) needs a view's time column; write ${name}(x ORDER BY ordering_column)`, posOf(this.env, node, name));
      args.push(col(time.id, time.name, time.type));
    }
    const descending = (withinGroup ?? []).some((o) => String(o.type ?? '').toUpperCase() === 'DESC');
    const distinct = String(node.args?.distinct ?? '').toUpperCase() === 'DISTINCT';
    if (distinct && args.slice(1).some((a) => a.kind !== 'literal')) throw invalid(`unsupported SQL: DISTINCT in ${name} with more than one non-constant argument`, posOf(this.env, node, name));
    if (distinct && orderKeys.length) throw invalid(`unsupported SQL: DISTINCT with ORDER BY inside ${name}`, posOf(this.env, node, name));
    const base = orderKeys.length && (name === 'first_value' || name === 'last_value') ? rowValueAggregate(name) : fn;
    const b = base.bind(args.map((a) => a.type));
    if (typeof b === 'string') throw invalid(b, posOf(this.env, node, name));
    const coerced = args.map((a, i) => coerce(a, b.args[i]));
    // a descending WITHIN GROUP order asks for the complementary fraction
    if (withinGroup && descending) coerced[1] = { kind: 'binary', op: '-', left: lit(1, 'float64'), right: coerced[1], type: 'float64' };
    const filter = node.filter?.where ? this.bindPredicate(node.filter.where, { schema: collector.input, clause: 'FILTER' }) : null;
    const orderText = orderKeys.map((k) => `${exprKey(k.key)}${k.descending ? ' DESC' : ''}${k.nullsFirst ? ' NULLS FIRST' : ''}`).join(', ');
    const key = `${name}${distinct ? ' DISTINCT' : ''}(${coerced.map((a) => exprKey(a)).join(', ')}${orderText ? ` ORDER BY ${orderText}` : ''})${descending ? ' DESC' : ''}${filter ? ` FILTER ${exprKey(filter)}` : ''}`;
    let call = collector.calls.find((c) => c.key === key);
    if (!call) {
      const effective = distinct && name !== 'count'
        ? { ...base, create: (bb: typeof b) => new DistinctAccumulator(base.create(bb), bb.args) }
        : distinct
          ? { ...aggregateFunction('approx_distinct')!, name: 'count' }
          : orderKeys.length === 1 && (name === 'first_value' || name === 'last_value')
            ? bestRowAggregate(name, orderKeys[0])
            : orderKeys.length
              ? orderedAggregate(base, coerced.length, orderKeys)
              : base;
      const callArgs = [...coerced, ...orderKeys.map((k) => k.key), ...(filter ? [filter] : [])];
      call = { id: this.env.newId(), fn: filter ? filteredAggregate(effective) : effective, args: callArgs, distinct, type: b.returns, arrowType: b.returnsArrow, key };
      collector.calls.push(call);
    }
    return col(call.id, name, call.type);
  }

  private windowCall(node: AstNode, name: string, argNodes: AstNode[], scope: ExprScope): Expr {
    const env = this.env;
    const marker = name === 'ntile' && argNodes.length >= 1 ? String(argNodes[0]?.value ?? '') : '';
    if (marker.startsWith(RANK_MARKER)) {
      // name(args…) OVER (…) for a name the grammar lacks before OVER, rewritten by parse.ts
      name = marker.slice(RANK_MARKER.length);
      argNodes = argNodes.slice(1);
    }
    const collector = scope.windows;
    if (!collector) throw invalid(`window function ${name} is not allowed in ${scope.clause}`, posOf(env, node, name));
    const spec = node.over?.as_window_specification?.window_specification;
    if (!spec) throw invalid('unsupported SQL: named windows', posOf(env, node, name));
    const frame = spec.window_frame_clause ? this.windowFrame(spec.window_frame_clause, node, name) : undefined;
    const inner: ExprScope = { ...scope, windows: undefined, clause: `window function ${name}` };
    let partitionNodes: AstNode[] = (spec.partitionby ?? []).map((p: AstNode) => p.expr ?? p);
    if (partitionNodes.length === 1 && partitionNodes[0]?.type === 'function' && this.functionName(partitionNodes[0]) === PARTITION_BY_CALL) {
      partitionNodes = partitionNodes[0].args?.value ?? [];
    }
    const partitionBy = partitionNodes.map((p) => this.bind(p, inner));
    const orderBy: SortKey[] = (spec.orderby ?? []).map((o: AstNode) => {
      const descending = String(o.type ?? 'ASC').toUpperCase() === 'DESC';
      const nulls = String(o.nulls ?? '').toUpperCase();
      return { expr: this.bind(o.expr, inner), descending, nullsFirst: nulls ? nulls.includes('FIRST') : descending };
    });
    let args = argNodes.map((a) => this.bind(a, inner));
    const arity = (lo: number, hi: number) => {
      if (args.length < lo || args.length > hi) throw invalid(`${name} expects ${lo === hi ? lo : `${lo} to ${hi}`} argument${hi === 1 ? '' : 's'}, got ${args.length}`, posOf(env, node, name));
    };
    let type: ScalarType;
    let aggregate: WindowCall['aggregate'];
    let aggregateArrow: DataType | undefined;
    switch (name) {
      case 'row_number':
      case 'rank':
      case 'dense_rank':
        arity(0, 0);
        type = 'int64';
        break;
      case 'lag':
      case 'lead': {
        arity(1, 3);
        if (args[1] && (args[1].kind !== 'literal' || !isInteger(args[1].type) || (args[1].value as bigint) < 0n)) {
          throw invalid(`${name} offset must be a non-negative integer constant`, posOf(env, node, name));
        }
        type = args[0].type === 'null' ? 'int64' : args[0].type;
        if (args[2]) {
          const t = commonType(type, args[2].type);
          if (!t) throw invalid(`${name} default ${typeName(args[2].type)} does not match ${typeName(type)}`, posOf(env, node, name));
          type = t;
          args = [coerce(args[0], t), args[1], coerce(args[2], t)];
        }
        break;
      }
      case 'percent_rank':
      case 'cume_dist':
        arity(0, 0);
        type = 'float64';
        break;
      case 'ntile':
        arity(1, 1);
        if (args[0].kind !== 'literal' || !isInteger(args[0].type) || (args[0].value as bigint) <= 0n) {
          throw invalid('ntile expects a positive integer constant', posOf(env, node, name));
        }
        type = 'int64';
        break;
      case 'first_value':
      case 'last_value':
        arity(1, 1);
        type = args[0].type === 'null' ? 'int64' : args[0].type;
        break;
      default: {
        const fn = aggregateFunction(name);
        if (!fn) throw invalid(`window function ${name} does not exist`, posOf(env, node, name));
        const wholePartition = frame ? frame.start === null && frame.end === null : orderBy.length === 0;
        if (!wholePartition && !RUNNING_AGGREGATES.has(name)) {
          throw invalid(`unsupported SQL: ${name} over an ordered window or a frame (running or framed count, sum, avg, min, max are supported)`, posOf(env, node, name));
        }
        const b = fn.bind(args.map((a) => a.type));
        if (typeof b === 'string') throw invalid(b, posOf(env, node, name));
        args = args.map((a, i) => coerce(a, b.args[i]));
        type = b.returns;
        aggregateArrow = b.returnsArrow;
        aggregate = fn;
      }
    }
    const arrowType = type === 'list' ? aggregateArrow ?? (args[0] ? this.arrowTypeOf(args[0], scope) : undefined) : undefined;
    const call: WindowCall = { id: env.newId(), name, args, partitionBy, orderBy, type, aggregate, frame, arrowType };
    collector.calls.push(call);
    return col(call.id, name, type);
  }

  /** The Arrow type of a List-valued expression: its column's, or its call's result. */
  private arrowTypeOf(e: Expr, scope: ExprScope): DataType | undefined {
    if (e.kind === 'column') return scope.schema.find((f) => f.id === e.id)?.arrowType ?? scope.aggregates?.calls.find((c) => c.id === e.id)?.arrowType;
    return e.kind === 'call' ? e.arrowType : undefined;
  }

  /** `ROWS BETWEEN a AND b` / `ROWS a` (RANGE frames the parser rejects; parse.ts maps the two that
   * equal a ROWS frame or the default frame). */
  private windowFrame(clause: AstNode, node: AstNode, name: string): WindowFrame {
    const at = posOf(this.env, node, name);
    const between = clause.type === 'binary_expr' && String(clause.operator).toUpperCase() === 'BETWEEN';
    const unit = String(between ? clause.left?.value : clause.type).toLowerCase();
    if (unit !== 'rows') throw invalid(`unsupported SQL: ${unit.toUpperCase()} window frames (ROWS frames are supported)`, at);
    const bounds: AstNode[] = between ? clause.right?.value ?? [] : [clause.expr, { value: 'current row' }];
    const offset = (b: AstNode, which: 'start' | 'end'): number | null => {
      const text = String(b?.value ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
      if (text === 'current row') return 0;
      if (text === 'unbounded preceding' && which === 'start') return null;
      if (text === 'unbounded following' && which === 'end') return null;
      // `-n FOLLOWING` is how parse.ts spells an `n PRECEDING` end
      const m = /^(-?\d+) (preceding|following)$/.exec(text);
      if (!m) throw invalid(`unsupported window frame ${which}: ${text.toUpperCase()}`, at);
      return m[2] === 'preceding' ? -Number(m[1]) : Number(m[1]);
    };
    const frame = { start: offset(bounds[0], 'start'), end: offset(bounds[1], 'end') };
    // as in PostgreSQL, a frame starting at the current row or after it cannot end before it
    const kind = (b: AstNode) => {
      const text = String(b?.value ?? '').trim().toLowerCase();
      return text === 'current row' ? 'current' : /following$/.test(text) && !text.startsWith('-') ? 'following' : 'preceding';
    };
    const [startKind, endKind] = [kind(bounds[0]), kind(bounds[1])];
    if ((startKind === 'current' && endKind === 'preceding') || (startKind === 'following' && endKind !== 'following')) {
      throw invalid(`frame starting from ${startKind === 'current' ? 'current' : 'following'} row cannot have preceding rows`, at);
    }
    return frame;
  }
}
