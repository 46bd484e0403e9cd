// COALESCE, NULLIF, GREATEST, LEAST: variadic over one common type.
import { allocValues, stringsOf, type Col } from '../exec/column.js';
import { compare } from '../exec/kernels.js';
import { commonType } from './coercion.js';
import { registerScalar, type Binding } from './registry.js';
import type { ScalarType } from '../plan/types.js';

function sameType(name: string, min: number, max = Infinity) {
  return (argTypes: ScalarType[]): Binding | string => {
    if (argTypes.length < min || argTypes.length > max) return `${name} expects ${max === min ? min : `at least ${min}`} arguments, got ${argTypes.length}`;
    let t: ScalarType | undefined = 'null';
    for (const a of argTypes) {
      t = commonType(t, a);
      if (t === undefined) return `${name} arguments have no common type: ${argTypes.join(', ')}`;
    }
    return { args: argTypes.map(() => t!), returns: t };
  };
}

function pick(args: Col[], n: number, choose: (i: number) => number): Col {
  const type = args[0].type;
  const plain = args.map((a) => (type === 'utf8' ? stringsOf(a) : (a.values as ArrayLike<unknown>)));
  const out = allocValues(type, n) as unknown as { [i: number]: unknown };
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const j = choose(i);
    if (j < 0) {
      if (!valid) valid = new Uint8Array(n).fill(1);
      valid[i] = 0;
    } else out[i] = plain[j][i];
  }
  return { type, length: n, values: out as Col['values'], valid };
}

const isValidAt = (c: Col, i: number) => c.valid === null || c.valid[i] === 1;

registerScalar({
  name: 'coalesce',
  bind: sameType('coalesce', 1),
  eval: (args, n) => pick(args, n, (i) => args.findIndex((a) => isValidAt(a, i))),
});

registerScalar({
  name: 'nullif',
  bind: sameType('nullif', 2, 2),
  eval([a, b], n) {
    const eq = compare('=', a, b);
    const eqv = eq.values as Uint8Array;
    return pick([a], n, (i) => (!isValidAt(a, i) || (isValidAt(eq, i) && eqv[i] === 1) ? -1 : 0));
  },
});

function extreme(name: string, op: '>' | '<') {
  registerScalar({
    name,
    bind: sameType(name, 1),
    eval(args, n) {
      const cmps = args.map((a) => (a.type === 'utf8' ? stringsOf(a) : (a.values as ArrayLike<unknown>)));
      return pick(args, n, (i) => {
        let best = -1;
        for (let j = 0; j < args.length; j++) {
          if (!isValidAt(args[j], i)) continue;
          if (best < 0 || (op === '>' ? (cmps[j][i] as number) > (cmps[best][i] as number) : (cmps[j][i] as number) < (cmps[best][i] as number))) best = j;
        }
        return best;
      });
    },
  });
}

extreme('greatest', '>');
extreme('least', '<');
