// Numeric scalar functions.
import { allocValues, type Col } from '../exec/column.js';
import { fixed, numericUnary } from './signature.js';
import { registerScalar, type ScalarFunction } from './registry.js';
import { isBigIntType } from '../plan/types.js';

function mapNumbers(c: Col, f: (x: number) => number): Col {
  const out = allocValues(c.type, c.length) as Float64Array;
  const v = c.values as Float64Array;
  for (let i = 0; i < c.length; i++) out[i] = f(v[i]);
  return { type: c.type, length: c.length, values: out, valid: nanToNull(out, c.valid) };
}

/** NaN results (ln(-1), sqrt(-1)) become NULL, as in DataFusion's SQL-facing behaviour. */
function nanToNull(v: ArrayLike<number>, valid: Uint8Array | null): Uint8Array | null {
  let out = valid;
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i])) {
      if (out === valid) out = valid ? valid.slice() : new Uint8Array(v.length).fill(1);
      out![i] = 0;
    }
  }
  return out;
}

function unaryFloat(name: string, f: (x: number) => number): ScalarFunction {
  return { name, bind: numericUnary(name, 'float64'), eval: ([a]) => mapNumbers(a, f) };
}

/** Rounds half away from zero, like PostgreSQL's round(numeric). */
function roundHalfAway(x: number, digits: number): number {
  // beyond ~308 digits the scale overflows a double, and no double has digits that far out anyway
  if (digits > 308 || !Number.isFinite(x)) return x;
  if (digits < -308) return x < 0 ? -0 : 0;
  const m = 10 ** digits;
  const r = Math.round(Math.abs(x) * m) / m;
  return x < 0 ? -r : r;
}

registerScalar({
  name: 'abs',
  bind: numericUnary('abs', 'same'),
  eval([a]) {
    if (isBigIntType(a.type)) {
      const out = new BigInt64Array(a.length);
      const v = a.values as BigInt64Array;
      for (let i = 0; i < a.length; i++) out[i] = v[i] < 0n ? -v[i] : v[i];
      return { ...a, values: out };
    }
    return mapNumbers(a, Math.abs);
  },
});

registerScalar({
  name: 'round',
  bind: fixed('round', ['float64', 'int64'], 'float64', 1),
  eval([a, digits]) {
    if (!digits) return mapNumbers(a, (x) => roundHalfAway(x, 0));
    const d = digits.values as BigInt64Array;
    const v = a.values as Float64Array;
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = roundHalfAway(v[i], Number(d[i]));
    const valid = digits.valid ? (a.valid ? a.valid.map((x, i) => x & digits.valid![i]) : digits.valid) : a.valid;
    return { type: 'float64', length: a.length, values: out, valid };
  },
});

registerScalar(unaryFloat('floor', Math.floor));
registerScalar(unaryFloat('ceil', Math.ceil), 'ceiling');
registerScalar(unaryFloat('trunc', Math.trunc));
registerScalar(unaryFloat('ln', Math.log));
registerScalar(unaryFloat('log10', Math.log10));
registerScalar(unaryFloat('log2', Math.log2));
registerScalar(unaryFloat('sqrt', Math.sqrt));
registerScalar(unaryFloat('exp', Math.exp));
registerScalar(unaryFloat('sign', Math.sign), 'signum');

registerScalar(
  {
    name: 'power',
    bind: fixed('power', ['float64', 'float64'], 'float64'),
    eval([a, b]) {
      const x = a.values as Float64Array;
      const y = b.values as Float64Array;
      const out = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) out[i] = x[i] ** y[i];
      const valid = a.valid || b.valid ? Uint8Array.from({ length: a.length }, (_, i) => (a.valid ? a.valid[i] : 1) & (b.valid ? b.valid[i] : 1)) : null;
      return { type: 'float64', length: a.length, values: out, valid: nanToNull(out, valid) };
    },
  },
  'pow',
);
