// Column kernels: arithmetic, comparison, three-valued logic, casts. Inputs are already coerced to
// matching types by the planner; string kernels evaluate once per dictionary entry when they can.
import { allocValues, constantCol, stringsOf, type Col } from './column.js';
import type { ArithmeticOp, ComparisonOp } from '../plan/expr.js';
import { isBigIntType, typeName, type ScalarType } from '../plan/types.js';
import { invalid } from '../errors.js';
import { compareInt64, fastNumericCast } from './numeric-cast.js';
import { equalsText } from './utf8-match.js';
import { formatInterval, formatTimestamp, parseIntervalText, parseTimestampText } from '../functions/time-text.js';

/** Validity of a row-wise combination: valid where every input is valid. */
export function andValid(n: number, ...cols: Col[]): Uint8Array | null {
  let out: Uint8Array | null = null;
  for (const c of cols) {
    if (c.valid === null) continue;
    if (out === null) out = c.valid.slice(0, n);
    else for (let i = 0; i < n; i++) out[i] &= c.valid[i];
  }
  return out;
}

/** Applies f to every distinct string once (dictionary entries) or to every row. */
export function mapStrings<T>(c: Col, outType: ScalarType, f: (s: string) => T): Col {
  const n = c.length;
  if (c.dict) {
    const mapped = c.dict.map(f);
    if (outType === 'utf8' && !mapped.includes(null as T)) {
      return { type: 'utf8', length: n, values: c.values, dict: mapped as unknown as string[], valid: c.valid };
    }
    if (outType === 'utf8') {
      const codes = c.values as Int32Array;
      const valid = new Uint8Array(n);
      for (let i = 0; i < n; i++) valid[i] = (c.valid === null || c.valid[i] === 1) && mapped[codes[i]] !== null ? 1 : 0;
      const dict = mapped.map((v) => (v === null ? '' : v)) as unknown as string[];
      return { type: 'utf8', length: n, values: c.values, dict, valid };
    }
    const codes = c.values as Int32Array;
    if (outType === 'bool' && !mapped.includes(null as T)) {
      // a predicate over a dictionary: one table lookup per row
      const byCode = Uint8Array.from(mapped, (v) => (v ? 1 : 0));
      const bits = new Uint8Array(n);
      for (let i = 0; i < n; i++) bits[i] = byCode[codes[i]];
      return { type: 'bool', length: n, values: bits, valid: c.valid };
    }
    const out = allocValues(outType, n) as unknown as { [i: number]: unknown };
    const boolOut = outType === 'bool';
    let valid = c.valid;
    for (let i = 0; i < n; i++) {
      const v = mapped[codes[i]];
      if (v === null) {
        valid = valid === c.valid ? (c.valid ? c.valid.slice() : new Uint8Array(n).fill(1)) : valid;
        valid![i] = 0;
      } else out[i] = boolOut ? (v ? 1 : 0) : v;
    }
    return { type: outType, length: n, values: out as Col['values'], valid };
  }
  const src = c.values as string[];
  const out = allocValues(outType, n) as unknown as { [i: number]: unknown };
  const boolOut = outType === 'bool';
  let valid: Uint8Array | null = c.valid ? c.valid.slice() : null;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const v = f(src[i]);
    if (v === null) {
      if (valid === null) valid = new Uint8Array(n).fill(1);
      valid[i] = 0;
    } else out[i] = boolOut ? (v ? 1 : 0) : v;
  }
  return { type: outType, length: n, values: out as Col['values'], valid };
}

export function arithmetic(op: ArithmeticOp, a: Col, b: Col, type: ScalarType): Col {
  const n = a.length;
  const valid = andValid(n, a, b);
  const out = allocValues(type, n) as unknown as { [i: number]: number | bigint };
  const av = a.values as unknown as ArrayLike<number | bigint>;
  const bv = b.values as unknown as ArrayLike<number | bigint>;
  const big = isBigIntType(a.type) && isBigIntType(b.type);
  if (a.type === 'float64' || b.type === 'float64' || !big) {
    // float arithmetic, or interval scaled by a number
    if (isBigIntType(type)) {
      for (let i = 0; i < n; i++) {
        if (valid && !valid[i]) continue;
        const x = Number(av[i]);
        const y = Number(bv[i]);
        if (op === '/' && y === 0) throw invalid('division by zero');
        const r = Math.round(op === '*' ? x * y : x / y);
        if (!(Math.abs(r) < 2 ** 63)) throw outOfRange(type);
        out[i] = BigInt(r);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const x = av[i] as number;
        const y = bv[i] as number;
        switch (op) {
          case '+': out[i] = x + y; break;
          case '-': out[i] = x - y; break;
          case '*': out[i] = x * y; break;
          case '/': out[i] = x / y; break;
          case '%': out[i] = x % y; break;
        }
      }
    }
    return { type, length: n, values: out as Col['values'], valid };
  }
  // 64-bit results are checked, not wrapped (as in PostgreSQL)
  const [lo, hi] = type === 'uint64' ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
  for (let i = 0; i < n; i++) {
    if (valid && !valid[i]) continue;
    const x = av[i] as bigint;
    const y = bv[i] as bigint;
    let r: bigint;
    switch (op) {
      case '+': r = x + y; break;
      case '-': r = x - y; break;
      case '*': r = x * y; break;
      case '/':
        if (y === 0n) throw invalid('division by zero');
        r = x / y;
        break;
      case '%':
        if (y === 0n) throw invalid('division by zero');
        r = x % y;
        break;
    }
    if (r < lo || r > hi) throw outOfRange(type);
    out[i] = r;
  }
  return { type, length: n, values: out as Col['values'], valid };
}

function outOfRange(type: ScalarType): Error {
  return invalid(`${typeName(type)} out of range: the result of an arithmetic operation does not fit`);
}


function compareValues(op: ComparisonOp, x: unknown, y: unknown): boolean {
  switch (op) {
    case '=': return x === y;
    case '<>': return x !== y;
    case '<': return (x as number) < (y as number);
    case '<=': return (x as number) <= (y as number);
    case '>': return (x as number) > (y as number);
    case '>=': return (x as number) >= (y as number);
  }
}

export function compare(op: ComparisonOp, a: Col, b: Col): Col {
  const n = a.length;
  // dictionary column vs one-entry dictionary (a literal): evaluate per entry
  if (a.dict && b.dict && b.dict.length === 1 && b.valid === null) {
    const y = b.dict[0];
    return mapStrings(a, 'bool', (s) => compareValues(op, s, y));
  }
  if (b.dict && a.dict && a.dict.length === 1 && a.valid === null) {
    const x = a.dict[0];
    return mapStrings(b, 'bool', (s) => compareValues(op, x, s));
  }
  // byte view vs literal: (in)equality on bytes; ordering needs code-unit order, so it decodes
  const literalOf = (c: Col) => (c.dict && c.dict.length === 1 && c.valid === null ? c.dict[0] : undefined);
  if ((op === '=' || op === '<>') && (a.utf8 || b.utf8)) {
    const [view, lit] = a.utf8 ? [a, literalOf(b)] : [b, literalOf(a)];
    if (lit !== undefined) {
      const bits = equalsText(view.utf8!, n, lit);
      if (op === '<>') for (let i = 0; i < n; i++) bits[i] ^= 1;
      return { type: 'bool', length: n, values: bits, valid: view.valid };
    }
  }
  const valid = andValid(n, a, b);
  const words = compareInt64(op, a, b);
  if (words) return { type: 'bool', length: n, values: words, valid };
  const out = new Uint8Array(n);
  const av = (a.type === 'utf8' ? stringsOf(a) : a.values) as ArrayLike<unknown>;
  const bv = (b.type === 'utf8' ? stringsOf(b) : b.values) as ArrayLike<unknown>;
  switch (op) {
    case '=': for (let i = 0; i < n; i++) out[i] = av[i] === bv[i] ? 1 : 0; break;
    case '<>': for (let i = 0; i < n; i++) out[i] = av[i] !== bv[i] ? 1 : 0; break;
    case '<': for (let i = 0; i < n; i++) out[i] = (av[i] as number) < (bv[i] as number) ? 1 : 0; break;
    case '<=': for (let i = 0; i < n; i++) out[i] = (av[i] as number) <= (bv[i] as number) ? 1 : 0; break;
    case '>': for (let i = 0; i < n; i++) out[i] = (av[i] as number) > (bv[i] as number) ? 1 : 0; break;
    case '>=': for (let i = 0; i < n; i++) out[i] = (av[i] as number) >= (bv[i] as number) ? 1 : 0; break;
  }
  return { type: 'bool', length: n, values: out, valid };
}

/** SQL AND / OR with three-valued logic: FALSE AND NULL = FALSE, TRUE OR NULL = TRUE. */
export function logical(op: 'AND' | 'OR', a: Col, b: Col): Col {
  const n = a.length;
  const av = a.values as Uint8Array;
  const bv = b.values as Uint8Array;
  const out = new Uint8Array(n);
  if (a.valid === null && b.valid === null) {
    if (op === 'AND') for (let i = 0; i < n; i++) out[i] = av[i] & bv[i];
    else for (let i = 0; i < n; i++) out[i] = av[i] | bv[i];
    return { type: 'bool', length: n, values: out, valid: null };
  }
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const an = a.valid !== null && a.valid[i] === 0;
    const bn = b.valid !== null && b.valid[i] === 0;
    const x = av[i];
    const y = bv[i];
    if (op === 'AND') {
      if ((!an && x === 0) || (!bn && y === 0)) valid[i] = 1;
      else if (!an && !bn) { valid[i] = 1; out[i] = 1; }
    } else {
      if ((!an && x === 1) || (!bn && y === 1)) { valid[i] = 1; out[i] = 1; }
      else if (!an && !bn) valid[i] = 1;
    }
  }
  return { type: 'bool', length: n, values: out, valid };
}

export function not(a: Col): Col {
  const v = a.values as Uint8Array;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = v[i] ^ 1;
  return { type: 'bool', length: a.length, values: out, valid: a.valid };
}

export function negate(a: Col): Col {
  const out = allocValues(a.type, a.length) as unknown as { [i: number]: number | bigint };
  const v = a.values as unknown as ArrayLike<number | bigint>;
  for (let i = 0; i < a.length; i++) out[i] = -(v[i] as number);
  return { type: a.type, length: a.length, values: out as Col['values'], valid: a.valid };
}

export function isNull(a: Col, negated: boolean): Col {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const nul = a.valid !== null && a.valid[i] === 0;
    out[i] = nul !== negated ? 1 : 0;
  }
  return { type: 'bool', length: a.length, values: out, valid: null };
}

/** Rows where a boolean column is TRUE (NULL counts as not selected). */
export function selection(mask: Col): Uint32Array {
  const v = mask.values as Uint8Array;
  const valid = mask.valid;
  const n = mask.length;
  const out = new Uint32Array(n);
  let k = 0;
  // branch-free: write every index, advance past it only when the row is TRUE
  if (valid === null) for (let i = 0; i < n; i++) { out[k] = i; k += v[i] & 1; }
  else for (let i = 0; i < n; i++) { out[k] = i; k += v[i] & valid[i] & 1; }
  return out.subarray(0, k);
}

// ---- casts ----

function formatNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  return String(v);
}

/** Text of a value as CAST(... AS VARCHAR) renders it. */
export function valueToText(type: ScalarType, v: unknown): string {
  switch (type) {
    case 'bool':
      return v ? 'true' : 'false';
    case 'timestamp':
      return formatTimestamp(v as bigint);
    case 'interval':
      return formatInterval(v as bigint);
    case 'float64':
      return formatNumber(v as number);
    case 'list':
      return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x));
    default:
      return String(v);
  }
}

function parseNumberText(s: string, to: ScalarType): number | bigint {
  const t = s.trim();
  if (to === 'float64') {
    const x = Number(t);
    if (t === '' || Number.isNaN(x) && !/^nan$/i.test(t)) throw invalid(`cannot cast '${s}' to Float64`);
    return x;
  }
  if (!/^[+-]?\d+$/.test(t)) throw invalid(`cannot cast '${s}' to ${typeName(to)}`);
  return checkRange(BigInt(t), to);
}

const RANGES: Partial<Record<ScalarType, [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

function checkRange(v: bigint, to: ScalarType): number | bigint {
  const r = RANGES[to];
  if (r && (v < r[0] || v > r[1])) throw invalid(`value ${v} out of range for ${typeName(to)}`);
  return isBigIntType(to) ? v : Number(v);
}

/** One value converted; throws a QueryError when the value has no representation in `to`. */
export function castValue(v: unknown, from: ScalarType, to: ScalarType): unknown {
  if (v === null) return null;
  if (from === to) return v;
  if (to === 'utf8') return valueToText(from, v);
  if (from === 'utf8') {
    const s = v as string;
    switch (to) {
      case 'bool': {
        const t = s.trim().toLowerCase();
        if (['true', 't', 'yes', 'y', '1', 'on'].includes(t)) return true;
        if (['false', 'f', 'no', 'n', '0', 'off'].includes(t)) return false;
        throw invalid(`cannot cast '${s}' to Boolean`);
      }
      case 'timestamp': {
        const ns = parseTimestampText(s);
        if (ns === undefined) throw invalid(`cannot cast '${s}' to Timestamp: expected RFC 3339`);
        return ns;
      }
      case 'interval': {
        const ns = parseIntervalText(s);
        if (ns === undefined) throw invalid(`cannot cast '${s}' to Interval`);
        return ns;
      }
      case 'list':
        throw invalid(`cannot cast Utf8 to List`);
      default:
        return parseNumberText(s, to);
    }
  }
  if (from === 'bool') {
    if (to === 'float64') return v ? 1 : 0;
    if (isBigIntType(to)) return v ? 1n : 0n;
    if (to === 'int32' || to === 'uint32') return v ? 1 : 0;
  }
  if (to === 'bool') {
    if (typeof v === 'number' || typeof v === 'bigint') return v !== 0 && v !== 0n;
  }
  if (typeof v === 'number' || typeof v === 'bigint') {
    if (to === 'float64') return Number(v);
    if (to === 'timestamp' || to === 'interval' || to === 'int64' || to === 'uint64' || to === 'int32' || to === 'uint32') {
      if (typeof v === 'number' && !Number.isFinite(v)) throw invalid(`cannot cast ${v} to ${typeName(to)}`);
      // floats round half away from zero (PostgreSQL numeric, DuckDB)
      const b = typeof v === 'bigint' ? v : BigInt(Math.sign(v) * Math.round(Math.abs(v)));
      if (to === 'timestamp' || to === 'interval') return b;
      return checkRange(b, to);
    }
  }
  throw invalid(`cannot cast ${typeName(from)} to ${typeName(to)}`);
}

export function castCol(c: Col, to: ScalarType): Col {
  if (c.type === to) return c;
  const n = c.length;
  if (c.type === 'null') return constantCol(to, null, n);
  if (c.dict) {
    if (to === 'utf8') return { ...c, type: 'utf8' };
    const mapped = c.dict.map((s) => castValue(s, 'utf8', to));
    const codes = c.values as Int32Array;
    const out = allocValues(to, n) as unknown as { [i: number]: unknown };
    for (let i = 0; i < n; i++) {
      if (c.valid !== null && c.valid[i] === 0) continue;
      const v = mapped[codes[i]];
      out[i] = to === 'bool' ? (v ? 1 : 0) : v;
    }
    return { type: to, length: n, values: out as Col['values'], valid: c.valid };
  }
  // same representation, different meaning: reinterpret
  if ((c.type === 'int64' && (to === 'timestamp' || to === 'interval')) || ((c.type === 'timestamp' || c.type === 'interval') && to === 'int64')) {
    return { ...c, type: to };
  }
  const fast = fastNumericCast(c, to);
  if (fast) return fast;
  const src = c.values as ArrayLike<unknown>;
  const out = allocValues(to, n) as unknown as { [i: number]: unknown };
  for (let i = 0; i < n; i++) {
    if (c.valid !== null && c.valid[i] === 0) continue;
    const v = castValue(c.type === 'bool' ? src[i] === 1 : src[i], c.type, to);
    out[i] = to === 'bool' ? (v ? 1 : 0) : v;
  }
  return { type: to, length: n, values: out as Col['values'], valid: c.valid };
}
