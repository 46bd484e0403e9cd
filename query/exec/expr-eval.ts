// Compiles bound expressions into column-at-a-time evaluators over one input schema.
import { allocValues, constantCol, stringsOf, valueAt, type Col, type ColumnBatch } from './column.js';
import { compareToNumber, narrowComparison } from './compare-constant.js';
import { andValid, arithmetic, castCol, compare, isNull, logical, mapStrings, negate, not } from './kernels.js';
import type { ArithmeticOp, ComparisonOp, Expr } from '../plan/expr.js';
import type { PlanSchema } from '../plan/types.js';
import type { EvalContext } from '../functions/registry.js';
import { cachedRegex } from '../functions/strings.js';
import { QueryError } from '../errors.js';
import { plainValues } from '../functions/aggregates.js';
import { likeMatch, likePieces } from './utf8-match.js';

export type Evaluator = (b: ColumnBatch) => Col;

const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);

/** LIKE pattern → anchored RegExp (`%` any run, `_` one character, `\` escapes). */
export function likeToRegex(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return cachedRegex(`^${re}$`, caseInsensitive ? 'iu' : 'u');
}

/** LIKE of a byte view against a literal pattern of text and `%`, matched on bytes; else undefined. */
function likeOnBytes(arg: Col, pattern: Col, negated: boolean): Col | undefined {
  if (!arg.utf8 || !pattern.dict || pattern.dict.length !== 1 || pattern.valid !== null) return undefined;
  const pieces = likePieces(pattern.dict[0]);
  if (!pieces) return undefined;
  const bits = likeMatch(arg.utf8, arg.length, pieces);
  if (negated) for (let i = 0; i < bits.length; i++) bits[i] ^= 1;
  return { type: 'bool', length: arg.length, values: bits, valid: arg.valid };
}

function matchColumn(arg: Col, pattern: Col, negated: boolean, toRegex: (p: string) => RegExp): Col {
  const n = arg.length;
  if (pattern.dict && pattern.dict.length === 1 && pattern.valid === null) {
    const re = toRegex(pattern.dict[0]);
    return mapStrings(arg, 'bool', (s) => re.test(s) !== negated);
  }
  const s = stringsOf(arg);
  const p = stringsOf(pattern);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = toRegex(p[i]).test(s[i]) !== negated ? 1 : 0;
  return { type: 'bool', length: n, values: out, valid: andValid(n, arg, pattern) };
}

function inList(arg: Col, items: Col[], negated: boolean, constantItems: boolean): Col {
  const n = arg.length;
  const values = plainValues(arg);
  const itemValues = items.map(plainValues);
  const out = new Uint8Array(n);
  const valid = new Uint8Array(n);
  let set: Set<unknown> | undefined;
  let listHasNull = false;
  if (constantItems && n > 0) {
    set = new Set();
    for (const [k, c] of items.entries()) {
      if (c.valid !== null && c.valid[0] === 0) listHasNull = true;
      else set.add(itemValues[k][0]);
    }
  }
  for (let i = 0; i < n; i++) {
    if (arg.valid !== null && arg.valid[i] === 0) continue;
    const x = values[i];
    let found = false;
    let sawNull = listHasNull;
    if (set) found = set.has(x);
    else {
      for (let k = 0; k < items.length; k++) {
        if (items[k].valid !== null && items[k].valid![i] === 0) sawNull = true;
        else if (itemValues[k][i] === x) {
          found = true;
          break;
        }
      }
    }
    if (found) {
      valid[i] = 1;
      out[i] = negated ? 0 : 1;
    } else if (!sawNull) {
      valid[i] = 1;
      out[i] = negated ? 1 : 0;
    }
  }
  return { type: 'bool', length: n, values: out, valid };
}

function inSet(arg: Col, set: Set<unknown>, listHasNull: boolean, negated: boolean): Col {
  const n = arg.length;
  const values = plainValues(arg);
  const out = new Uint8Array(n);
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (arg.valid !== null && arg.valid[i] === 0) continue;
    if (set.has(values[i])) {
      valid[i] = 1;
      out[i] = negated ? 0 : 1;
    } else if (!listHasNull) {
      valid[i] = 1;
      out[i] = negated ? 1 : 0;
    }
  }
  return { type: 'bool', length: n, values: out, valid };
}

function caseWhen(conds: Col[], results: Col[], otherwise: Col | null, type: Col['type'], n: number): Col {
  const out = allocValues(type, n) as unknown as { [i: number]: unknown };
  const valid = new Uint8Array(n);
  const plain = results.map((r) => (type === 'utf8' ? stringsOf(r) : (r.values as ArrayLike<unknown>)));
  const elsePlain = otherwise ? (type === 'utf8' ? stringsOf(otherwise) : (otherwise.values as ArrayLike<unknown>)) : null;
  for (let i = 0; i < n; i++) {
    let chosen = -1;
    for (let k = 0; k < conds.length; k++) {
      const c = conds[k];
      if ((c.valid === null || c.valid[i] === 1) && (c.values as Uint8Array)[i] === 1) {
        chosen = k;
        break;
      }
    }
    const src = chosen >= 0 ? results[chosen] : otherwise;
    const vals = chosen >= 0 ? plain[chosen] : elsePlain;
    if (src && vals && (src.valid === null || src.valid[i] === 1)) {
      out[i] = vals[i];
      valid[i] = 1;
    }
  }
  return { type, length: n, values: out as Col['values'], valid };
}

export function compileExpr(e: Expr, schema: PlanSchema, ctx: EvalContext): Evaluator {
  const sub = (x: Expr) => compileExpr(x, schema, ctx);
  switch (e.kind) {
    case 'column': {
      const idx = schema.findIndex((f) => f.id === e.id);
      if (idx < 0) throw new QueryError('INTERNAL', `column ${e.name} (#${e.id}) is not in the input`);
      return (b) => b.cols[idx];
    }
    case 'literal':
      return (b) => constantCol(e.type, e.value, b.length);
    case 'binary': {
      const l = sub(e.left);
      const r = sub(e.right);
      if (e.op === 'AND' || e.op === 'OR') {
        const op = e.op;
        return (b) => logical(op, l(b), r(b));
      }
      if (e.op === '||') {
        return (b) => {
          const x = l(b);
          const y = r(b);
          const xs = stringsOf(x);
          const ys = stringsOf(y);
          const out = new Array<string>(b.length);
          for (let i = 0; i < b.length; i++) out[i] = xs[i] + ys[i];
          return { type: 'utf8', length: b.length, values: out, valid: andValid(b.length, x, y) };
        };
      }
      if (ARITHMETIC.has(e.op)) {
        const op = e.op as ArithmeticOp;
        return (b) => arithmetic(op, l(b), r(b), e.type);
      }
      const op = e.op as ComparisonOp;
      const narrow = narrowComparison(e.left, e.right, op);
      if (narrow) {
        const arg = sub(narrow.arg);
        return (b) => compareToNumber(narrow.op, arg(b), narrow.value);
      }
      return (b) => compare(op, l(b), r(b));
    }
    case 'not': {
      const a = sub(e.arg);
      return (b) => not(a(b));
    }
    case 'negate': {
      const a = sub(e.arg);
      return (b) => negate(a(b));
    }
    case 'is_null': {
      const a = sub(e.arg);
      return (b) => isNull(a(b), e.negated);
    }
    case 'in_list': {
      const a = sub(e.arg);
      if (e.list.every((x) => x.kind === 'literal')) {
        // constant lists (including IN (subquery) results) are hashed once
        const set = new Set<unknown>();
        let listHasNull = false;
        for (const x of e.list) {
          const v = (x as { value: unknown }).value;
          if (v === null) listHasNull = true;
          else set.add(v);
        }
        return (b) => inSet(a(b), set, listHasNull, e.negated);
      }
      const items = e.list.map(sub);
      const constantItems = e.list.every((x) => x.kind === 'literal');
      return (b) => inList(a(b), items.map((f) => f(b)), e.negated, constantItems);
    }
    case 'like': {
      const a = sub(e.arg);
      const p = sub(e.pattern);
      return (b) => {
        const arg = a(b);
        const pat = p(b);
        return (!e.caseInsensitive && likeOnBytes(arg, pat, e.negated)) || matchColumn(arg, pat, e.negated, (s) => likeToRegex(s, e.caseInsensitive));
      };
    }
    case 'regex': {
      const a = sub(e.arg);
      const p = sub(e.pattern);
      return (b) => matchColumn(a(b), p(b), e.negated, (s) => cachedRegex(s, e.caseInsensitive ? 'iu' : 'u'));
    }
    case 'case': {
      const conds = e.whens.map((w) => sub(w.when));
      const results = e.whens.map((w) => sub(w.then));
      const otherwise = e.otherwise ? sub(e.otherwise) : null;
      return (b) => caseWhen(conds.map((c) => c(b)), results.map((r) => r(b)), otherwise ? otherwise(b) : null, e.type, b.length);
    }
    case 'cast': {
      const a = sub(e.arg);
      return (b) => castCol(a(b), e.type);
    }
    case 'call': {
      const args = e.args.map(sub);
      return (b) => e.fn.eval(args.map((f) => f(b)), b.length, ctx);
    }
  }
}

/** Value of an expression without column references (constant folding at plan time). */
export function evaluateConstant(e: Expr, ctx: EvalContext): unknown {
  const c = compileExpr(e, [], ctx)({ length: 1, cols: [] });
  return valueAt(c, 0);
}
