// Filter predicates evaluated straight into a selection vector: `int32_col <op> constant` and
// `dictionary_col = / <> 'literal'` skip the intermediate boolean mask; any other predicate is
// evaluated to a mask and then converted.
import { selection } from './kernels.js';
import { narrowComparison } from './compare-constant.js';
import { compileExpr, type Evaluator } from './expr-eval.js';
import type { Col, ColumnBatch } from './column.js';
import type { ComparisonOp, Expr } from '../plan/expr.js';
import type { PlanSchema } from '../plan/types.js';
import type { EvalContext } from '../functions/registry.js';

/** Row indices of a batch where the predicate is TRUE. */
export type Selector = (b: ColumnBatch) => Uint32Array;

function selectNumber(op: ComparisonOp, c: Col, y: number): Uint32Array {
  const n = c.length;
  const v = c.values instanceof Uint32Array ? c.values : (c.values as Int32Array);
  const valid = c.valid;
  const out = new Uint32Array(n);
  let k = 0;
  // branch-free: write every index, advance past it only when the row passes
  switch (op) {
    case '=': for (let i = 0; i < n; i++) { out[k] = i; k += v[i] === y ? 1 : 0; } break;
    case '<>': for (let i = 0; i < n; i++) { out[k] = i; k += v[i] !== y ? 1 : 0; } break;
    case '<': for (let i = 0; i < n; i++) { out[k] = i; k += v[i] < y ? 1 : 0; } break;
    case '<=': for (let i = 0; i < n; i++) { out[k] = i; k += v[i] <= y ? 1 : 0; } break;
    case '>': for (let i = 0; i < n; i++) { out[k] = i; k += v[i] > y ? 1 : 0; } break;
    case '>=': for (let i = 0; i < n; i++) { out[k] = i; k += v[i] >= y ? 1 : 0; } break;
  }
  return dropNulls(out.subarray(0, k), valid);
}

function dropNulls(sel: Uint32Array, valid: Uint8Array | null): Uint32Array {
  if (valid === null) return sel;
  let k = 0;
  for (let i = 0; i < sel.length; i++) if (valid[sel[i]] === 1) sel[k++] = sel[i];
  return sel.subarray(0, k);
}

/** Rows whose dictionary code is marked in `byCode`. */
function selectCodes(c: Col, byCode: Uint8Array): Uint32Array {
  const n = c.length;
  const codes = c.values as Int32Array;
  const out = new Uint32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    out[k] = i;
    k += byCode[codes[i]] & 1; // `& 1` keeps k a small integer for V8 (an out-of-range code reads undefined)
  }
  return dropNulls(out.subarray(0, k), c.valid);
}

/** `column = 'text'` / `column <> 'text'` with the column on either side. */
function textEquality(e: Expr): { column: Expr; text: string; negated: boolean } | undefined {
  if (e.kind !== 'binary' || (e.op !== '=' && e.op !== '<>')) return undefined;
  const [column, literal] = e.left.kind === 'literal' ? [e.right, e.left] : [e.left, e.right];
  if (column.kind !== 'column' || column.type !== 'utf8' || literal.kind !== 'literal' || typeof literal.value !== 'string') return undefined;
  return { column, text: literal.value, negated: e.op === '<>' };
}

export function compileSelector(predicate: Expr, schema: PlanSchema, ctx: EvalContext): Selector {
  const mask: Evaluator = compileExpr(predicate, schema, ctx);
  const fallback: Selector = (b) => selection(mask(b));
  if (predicate.kind !== 'binary') return fallback;
  const isComparison = ['=', '<>', '<', '<=', '>', '>='].includes(predicate.op);
  const narrow = isComparison ? narrowComparison(predicate.left, predicate.right, predicate.op as ComparisonOp) : undefined;
  if (narrow) {
    const arg = compileExpr(narrow.arg, schema, ctx);
    return (b) => selectNumber(narrow.op, arg(b), narrow.value);
  }
  const eq = textEquality(predicate);
  if (eq) {
    const arg = compileExpr(eq.column, schema, ctx);
    // the per-code verdicts of the last dictionary seen (segments share dictionaries across batches)
    let lastDict: string[] | undefined;
    let lastCodes = new Uint8Array(0);
    return (b) => {
      const c = arg(b);
      if (!c.dict) return fallback(b);
      if (c.dict !== lastDict) {
        lastDict = c.dict;
        lastCodes = Uint8Array.from(c.dict, (s) => ((s === eq.text) !== eq.negated ? 1 : 0));
      }
      return selectCodes(c, lastCodes);
    };
  }
  return fallback;
}
