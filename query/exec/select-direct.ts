// Filter predicates evaluated straight into a selection vector: `int32_col <op> constant` and
// `dictionary_col = / <> 'literal'` skip the intermediate boolean mask; any other predicate is
// evaluated to a mask and then converted. A conjunction narrows the rows its first conjunct kept,
// so a later direct conjunct only looks at those rows.
import { compileExpr, type Evaluator } from './expr-eval.js';
import { narrowComparison } from './compare-constant.js';
import type { Col, ColumnBatch } from './column.js';
import type { ComparisonOp, Expr } from '../plan/expr.js';
import type { PlanSchema } from '../plan/types.js';
import type { EvalContext } from '../functions/registry.js';

/** Row indices of a batch where the predicate is TRUE. */
export type Selector = (b: ColumnBatch) => Uint32Array;

/** The rows of `sel` (every row when null) where the predicate is TRUE, in order. */
type Narrower = (b: ColumnBatch, sel: Uint32Array | null) => Uint32Array;

// Candidates are written into one reused buffer and the kept rows copied out: a selection is
// usually much shorter than its batch, and a fresh batch-sized array per batch costs more (GC).
let scratch = new Uint32Array(8192);

function candidates(n: number): Uint32Array {
  if (scratch.length < n) scratch = new Uint32Array(Math.max(n, 2 * scratch.length));
  return scratch;
}

// The loops below are branch-free: every candidate index is written, and the cursor advances by
// `+(test)` (0 or 1), which V8 compiles without a jump; row values are random, so a branch would
// be mispredicted often.

function selectNumber(op: ComparisonOp, c: Col, y: number, sel: Uint32Array | null): Uint32Array {
  const v = c.values instanceof Uint32Array ? c.values : (c.values as Int32Array);
  const n = sel === null ? c.length : sel.length;
  const out = candidates(n);
  let k = 0;
  if (sel === null) {
    switch (op) {
      case '=': for (let i = 0; i < n; i++) { out[k] = i; k += +(v[i] === y); } break;
      case '<>': for (let i = 0; i < n; i++) { out[k] = i; k += +(v[i] !== y); } break;
      case '<': for (let i = 0; i < n; i++) { out[k] = i; k += +(v[i] < y); } break;
      case '<=': for (let i = 0; i < n; i++) { out[k] = i; k += +(v[i] <= y); } break;
      case '>': for (let i = 0; i < n; i++) { out[k] = i; k += +(v[i] > y); } break;
      case '>=': for (let i = 0; i < n; i++) { out[k] = i; k += +(v[i] >= y); } break;
    }
  } else {
    switch (op) {
      case '=': for (let i = 0; i < n; i++) { const j = sel[i]; out[k] = j; k += +(v[j] === y); } break;
      case '<>': for (let i = 0; i < n; i++) { const j = sel[i]; out[k] = j; k += +(v[j] !== y); } break;
      case '<': for (let i = 0; i < n; i++) { const j = sel[i]; out[k] = j; k += +(v[j] < y); } break;
      case '<=': for (let i = 0; i < n; i++) { const j = sel[i]; out[k] = j; k += +(v[j] <= y); } break;
      case '>': for (let i = 0; i < n; i++) { const j = sel[i]; out[k] = j; k += +(v[j] > y); } break;
      case '>=': for (let i = 0; i < n; i++) { const j = sel[i]; out[k] = j; k += +(v[j] >= y); } break;
    }
  }
  return dropNulls(out.slice(0, k), c.valid);
}

/** sel without the rows where `valid` is 0 (compacted in place). */
function dropNulls(sel: Uint32Array, valid: Uint8Array | null): Uint32Array {
  if (valid === null) return sel;
  let k = 0;
  for (let i = 0; i < sel.length; i++) {
    const j = sel[i];
    sel[k] = j;
    k += valid[j] & 1;
  }
  return sel.subarray(0, k);
}

/** Per-code verdicts of one dictionary, and the one code that passes when only one does. */
interface CodeVerdicts {
  byCode: Uint8Array;
  passing: number;
  onlyCode: number;
}

function verdictsOf(dict: string[], pass: (s: string) => boolean): CodeVerdicts {
  const byCode = Uint8Array.from(dict, (s) => (pass(s) ? 1 : 0));
  let passing = 0;
  let onlyCode = -1;
  for (let code = 0; code < byCode.length; code++) {
    if (byCode[code] === 1) {
      passing++;
      onlyCode = code;
    }
  }
  return { byCode, passing, onlyCode };
}

const NONE = new Uint32Array(0);

/** Rows whose dictionary code passes. */
function selectCodes(c: Col, verdicts: CodeVerdicts, sel: Uint32Array | null): Uint32Array {
  if (verdicts.passing === 0) return NONE;
  const codes = c.values as Int32Array;
  const n = sel === null ? c.length : sel.length;
  const out = candidates(n);
  let k = 0;
  const { byCode, onlyCode } = verdicts;
  if (verdicts.passing === 1) {
    // `column = 'text'`: one code to compare with, no table lookup
    if (sel === null) for (let i = 0; i < n; i++) { out[k] = i; k += +(codes[i] === onlyCode); }
    else for (let i = 0; i < n; i++) { const j = sel[i]; out[k] = j; k += +(codes[j] === onlyCode); }
    return dropNulls(out.slice(0, k), c.valid);
  }
  // `& 1` keeps k a small integer for V8 (an out-of-range code reads undefined)
  if (sel === null) {
    for (let i = 0; i < n; i++) { out[k] = i; k += byCode[codes[i]] & 1; }
  } else {
    for (let i = 0; i < n; i++) { const j = sel[i]; out[k] = j; k += byCode[codes[j]] & 1; }
  }
  return dropNulls(out.slice(0, k), c.valid);
}

/** Rows of `sel` (or all) where a boolean column is TRUE (NULL is not selected). */
function selectMask(mask: Col, sel: Uint32Array | null): Uint32Array {
  const v = mask.values as Uint8Array;
  const n = sel === null ? mask.length : sel.length;
  const out = candidates(n);
  let k = 0;
  if (sel === null) {
    for (let i = 0; i < n; i++) { out[k] = i; k += v[i] & 1; }
  } else {
    for (let i = 0; i < n; i++) { const j = sel[i]; out[k] = j; k += v[j] & 1; }
  }
  return dropNulls(out.slice(0, k), mask.valid);
}

/** `column = 'text'` / `column <> 'text'` with the column on either side. */
function textEquality(e: Expr): { column: Expr; text: string; negated: boolean } | undefined {
  if (e.kind !== 'binary' || (e.op !== '=' && e.op !== '<>')) return undefined;
  const [column, literal] = e.left.kind === 'literal' ? [e.right, e.left] : [e.left, e.right];
  if (column.kind !== 'column' || column.type !== 'utf8' || literal.kind !== 'literal' || typeof literal.value !== 'string') return undefined;
  return { column, text: literal.value, negated: e.op === '<>' };
}

const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>=']);

function compileNarrower(predicate: Expr, schema: PlanSchema, ctx: EvalContext): Narrower {
  if (predicate.kind === 'binary' && predicate.op === 'AND') {
    // the right side is evaluated on the whole batch when it has no direct form, exactly as the
    // mask of the conjunction would be, so no row raises an error it would not have raised before
    const left = compileNarrower(predicate.left, schema, ctx);
    const right = compileNarrower(predicate.right, schema, ctx);
    return (b, sel) => right(b, left(b, sel));
  }
  const narrow = predicate.kind === 'binary' && COMPARISONS.has(predicate.op)
    ? narrowComparison(predicate.left, predicate.right, predicate.op as ComparisonOp)
    : undefined;
  if (narrow) {
    const arg = compileExpr(narrow.arg, schema, ctx);
    return (b, sel) => selectNumber(narrow.op, arg(b), narrow.value, sel);
  }
  const mask: Evaluator = compileExpr(predicate, schema, ctx);
  const fallback: Narrower = (b, sel) => selectMask(mask(b), sel);
  const eq = textEquality(predicate);
  if (eq) {
    const arg = compileExpr(eq.column, schema, ctx);
    // the per-code verdicts of the last dictionary seen (segments share dictionaries across batches)
    let lastDict: string[] | undefined;
    let lastVerdicts: CodeVerdicts | undefined;
    return (b, sel) => {
      const c = arg(b);
      if (!c.dict) return fallback(b, sel);
      if (c.dict !== lastDict || lastVerdicts === undefined) {
        lastDict = c.dict;
        lastVerdicts = verdictsOf(c.dict, (s) => (s === eq.text) !== eq.negated);
      }
      return selectCodes(c, lastVerdicts, sel);
    };
  }
  return fallback;
}

export function compileSelector(predicate: Expr, schema: PlanSchema, ctx: EvalContext): Selector {
  const narrower = compileNarrower(predicate, schema, ctx);
  return (b) => narrower(b, null);
}
