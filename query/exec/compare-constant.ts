// `int32_col <op> 64-bit literal` arrives as CAST(col AS Int64) <op> literal; comparing the 32-bit
// values with the literal as a double gives the same answer (every int32/uint32 is exact and a
// rounded literal beyond 2^53 still lies beyond them) without widening every row to 64 bits.
import type { Col } from './column.js';
import type { ComparisonOp, Expr } from '../plan/expr.js';

const FLIPPED: Record<ComparisonOp, ComparisonOp> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** The narrow column expression and number constant when e matches the pattern. */
export function narrowComparison(left: Expr, right: Expr, op: ComparisonOp): { arg: Expr; value: number; op: ComparisonOp } | undefined {
  const match = (c: Expr, l: Expr, o: ComparisonOp) => {
    if (c.kind !== 'cast' || l.kind !== 'literal' || typeof l.value !== 'bigint') return undefined;
    if (c.type !== 'int64' || (c.arg.type !== 'int32' && c.arg.type !== 'uint32')) return undefined;
    return { arg: c.arg, value: Number(l.value), op: o };
  };
  return match(left, right, op) ?? match(right, left, FLIPPED[op]);
}

export function compareToNumber(op: ComparisonOp, a: Col, y: number): Col {
  const n = a.length;
  const v = a.values as Int32Array | Uint32Array;
  const out = new Uint8Array(n);
  switch (op) {
    case '=': for (let i = 0; i < n; i++) out[i] = +(v[i] === y); break;
    case '<>': for (let i = 0; i < n; i++) out[i] = +(v[i] !== y); break;
    case '<': for (let i = 0; i < n; i++) out[i] = +(v[i] < y); break;
    case '<=': for (let i = 0; i < n; i++) out[i] = +(v[i] <= y); break;
    case '>': for (let i = 0; i < n; i++) out[i] = +(v[i] > y); break;
    case '>=': for (let i = 0; i < n; i++) out[i] = +(v[i] >= y); break;
  }
  return { type: 'bool', length: n, values: out, valid: a.valid };
}
