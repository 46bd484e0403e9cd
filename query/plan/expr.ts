// Bound (name-resolved, typed) expressions of logical plans. Column references point at a field id,
// so a plan node can be rewritten or pushed down without renumbering its children's columns.
import type { DataType } from 'apache-arrow';
import type { Scalar, ScalarType } from './types.js';
import type { AggregateFunction, ScalarFunction } from '../functions/registry.js';

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';
export type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type BinaryOp = ArithmeticOp | ComparisonOp | 'AND' | 'OR' | '||';

export type Expr =
  | { kind: 'column'; id: number; name: string; type: ScalarType }
  | { kind: 'literal'; value: Scalar; type: ScalarType }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; type: ScalarType }
  | { kind: 'not'; arg: Expr; type: 'bool' }
  | { kind: 'negate'; arg: Expr; type: ScalarType }
  | { kind: 'is_null'; arg: Expr; negated: boolean; type: 'bool' }
  | { kind: 'in_list'; arg: Expr; list: Expr[]; negated: boolean; type: 'bool' }
  | { kind: 'like'; arg: Expr; pattern: Expr; negated: boolean; caseInsensitive: boolean; type: 'bool' }
  | { kind: 'regex'; arg: Expr; pattern: Expr; negated: boolean; caseInsensitive: boolean; type: 'bool' }
  | { kind: 'case'; whens: { when: Expr; then: Expr }[]; otherwise: Expr | null; type: ScalarType }
  | { kind: 'cast'; arg: Expr; type: ScalarType }
  | { kind: 'call'; fn: ScalarFunction; args: Expr[]; type: ScalarType; arrowType?: DataType };

/** An aggregate computed by an Aggregate node; its result is the node's output field `id`. */
export interface AggregateCall {
  id: number;
  fn: AggregateFunction;
  args: Expr[];
  distinct: boolean;
  type: ScalarType;
  /** Exact Arrow type of a 'list' result. */
  arrowType?: DataType;
  /** Canonical text used to share one computation between identical calls. */
  key: string;
}

export function col(id: number, name: string, type: ScalarType): Expr {
  return { kind: 'column', id, name, type };
}

export function lit(value: Scalar, type: ScalarType): Expr {
  return { kind: 'literal', value, type };
}

/** Children of an expression, in evaluation order. */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'column':
    case 'literal':
      return [];
    case 'binary':
      return [e.left, e.right];
    case 'not':
    case 'negate':
    case 'is_null':
    case 'cast':
      return [e.arg];
    case 'in_list':
      return [e.arg, ...e.list];
    case 'like':
    case 'regex':
      return [e.arg, e.pattern];
    case 'case':
      return [...e.whens.flatMap((w) => [w.when, w.then]), ...(e.otherwise ? [e.otherwise] : [])];
    case 'call':
      return e.args;
  }
}

/** Rebuilds e bottom-up, letting `f` replace any node (return undefined to keep recursing). */
export function transform(e: Expr, f: (e: Expr) => Expr | undefined): Expr {
  const r = f(e);
  if (r) return r;
  const t = (x: Expr) => transform(x, f);
  switch (e.kind) {
    case 'column':
    case 'literal':
      return e;
    case 'binary':
      return { ...e, left: t(e.left), right: t(e.right) };
    case 'not':
    case 'negate':
    case 'is_null':
    case 'cast':
      return { ...e, arg: t(e.arg) } as Expr;
    case 'in_list':
      return { ...e, arg: t(e.arg), list: e.list.map(t) };
    case 'like':
    case 'regex':
      return { ...e, arg: t(e.arg), pattern: t(e.pattern) };
    case 'case':
      return { ...e, whens: e.whens.map((w) => ({ when: t(w.when), then: t(w.then) })), otherwise: e.otherwise ? t(e.otherwise) : null };
    case 'call':
      return { ...e, args: e.args.map(t) };
  }
}

export function columnIds(e: Expr, into = new Set<number>()): Set<number> {
  if (e.kind === 'column') into.add(e.id);
  for (const c of children(e)) columnIds(c, into);
  return into;
}

function scalarText(v: Scalar): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
  if (Array.isArray(v)) return `[${v.map((x) => String(x)).join(',')}]`;
  return String(v);
}

/** Canonical text: equal keys mean equal expressions (used for GROUP BY matching and EXPLAIN). */
export function exprKey(e: Expr, colText: (c: { id: number; name: string }) => string = (c) => `#${c.id}`): string {
  const k = (x: Expr) => exprKey(x, colText);
  switch (e.kind) {
    case 'column':
      return colText(e);
    case 'literal':
      return `${scalarText(e.value)}:${e.type}`;
    case 'binary':
      return `(${k(e.left)} ${e.op} ${k(e.right)})`;
    case 'not':
      return `NOT ${k(e.arg)}`;
    case 'negate':
      return `-${k(e.arg)}`;
    case 'is_null':
      return `${k(e.arg)} IS ${e.negated ? 'NOT ' : ''}NULL`;
    case 'in_list':
      return `${k(e.arg)} ${e.negated ? 'NOT ' : ''}IN (${e.list.map(k).join(', ')})`;
    case 'like':
      return `${k(e.arg)} ${e.negated ? 'NOT ' : ''}${e.caseInsensitive ? 'ILIKE' : 'LIKE'} ${k(e.pattern)}`;
    case 'regex':
      return `${k(e.arg)} ${e.negated ? '!' : ''}~${e.caseInsensitive ? '*' : ''} ${k(e.pattern)}`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${k(w.when)} THEN ${k(w.then)}`).join(' ')}${e.otherwise ? ` ELSE ${k(e.otherwise)}` : ''} END`;
    case 'cast':
      return `CAST(${k(e.arg)} AS ${e.type})`;
    case 'call':
      return `${e.fn.name}(${e.args.map(k).join(', ')})`;
  }
}

/** Human-readable text for EXPLAIN (column names instead of ids). */
export function exprText(e: Expr): string {
  return exprKey(e, (c) => c.name);
}

/** AND-ed conjuncts of a predicate. */
export function splitConjuncts(e: Expr): Expr[] {
  if (e.kind === 'binary' && e.op === 'AND') return [...splitConjuncts(e.left), ...splitConjuncts(e.right)];
  return [e];
}

export function conjunction(parts: Expr[]): Expr | null {
  if (parts.length === 0) return null;
  return parts.reduce((a, b) => ({ kind: 'binary', op: 'AND', left: a, right: b, type: 'bool' }));
}
