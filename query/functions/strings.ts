// String scalar functions. One-argument functions run once per dictionary entry.
import { allocValues, stringsOf, type Col } from '../exec/column.js';
import { andValid, mapStrings } from '../exec/kernels.js';
import { fixed } from './signature.js';
import { registerScalar, type ScalarFunction } from './registry.js';
import type { ScalarType } from '../plan/types.js';
import { invalid } from '../errors.js';

/** A function of several arguments evaluated row by row over plain values (NULL in → NULL out). */
function rowwise(name: string, params: ScalarType[], returns: ScalarType, f: (...args: never[]) => unknown, optional = 0): ScalarFunction {
  return {
    name,
    bind: fixed(name, params, returns, optional),
    eval(args, n) {
      if (args.length === 1 && args[0].type === 'utf8') return mapStrings(args[0], returns, f as (s: string) => unknown);
      const vals = args.map((a) => (a.type === 'utf8' ? stringsOf(a) : a.type === 'bool' ? Array.from(a.values as Uint8Array, (x) => x === 1) : (a.values as ArrayLike<unknown>)));
      const valid = andValid(n, ...args);
      const out = allocValues(returns, n) as unknown as { [i: number]: unknown };
      let outValid = valid;
      for (let i = 0; i < n; i++) {
        if (valid !== null && valid[i] === 0) continue;
        const r = (f as (...a: unknown[]) => unknown)(...vals.map((v) => v[i]));
        if (r === null) {
          if (outValid === valid) outValid = valid ? valid.slice() : new Uint8Array(n).fill(1);
          outValid![i] = 0;
        } else out[i] = returns === 'bool' ? (r ? 1 : 0) : r;
      }
      return { type: returns, length: n, values: out as Col['values'], valid: outValid };
    },
  };
}

registerScalar(rowwise('lower', ['utf8'], 'utf8', (s: string) => s.toLowerCase()));
registerScalar(rowwise('upper', ['utf8'], 'utf8', (s: string) => s.toUpperCase()));
registerScalar(rowwise('length', ['utf8'], 'int32', (s: string) => [...s].length), 'char_length', 'character_length');
registerScalar(rowwise('octet_length', ['utf8'], 'int32', (s: string) => Buffer.byteLength(s)));
/** Strips characters of `chars` from the start and/or end of s; without chars, whitespace. */
function trimmer(start: boolean, end: boolean) {
  // one-argument calls may pass a second, non-text argument (an index): only text is a character set
  return (s: string, chars?: unknown): string => {
    if (typeof chars !== 'string') return start && end ? s.trim() : start ? s.trimStart() : s.trimEnd();
    const set = new Set(chars);
    const cs = [...s];
    let lo = 0;
    let hi = cs.length;
    if (start) while (lo < hi && set.has(cs[lo])) lo++;
    if (end) while (hi > lo && set.has(cs[hi - 1])) hi--;
    return cs.slice(lo, hi).join('');
  };
}
registerScalar(rowwise('trim', ['utf8', 'utf8'], 'utf8', trimmer(true, true), 1), 'btrim');
registerScalar(rowwise('ltrim', ['utf8', 'utf8'], 'utf8', trimmer(true, false), 1));
registerScalar(rowwise('rtrim', ['utf8', 'utf8'], 'utf8', trimmer(false, true), 1));
registerScalar(rowwise('reverse', ['utf8'], 'utf8', (s: string) => [...s].reverse().join('')));
registerScalar(rowwise('replace', ['utf8', 'utf8', 'utf8'], 'utf8', (s: string, from: string, to: string) => s.replaceAll(from, to)));
registerScalar(rowwise('starts_with', ['utf8', 'utf8'], 'bool', (s: string, p: string) => s.startsWith(p)));
registerScalar(rowwise('ends_with', ['utf8', 'utf8'], 'bool', (s: string, p: string) => s.endsWith(p)));
registerScalar(rowwise('strpos', ['utf8', 'utf8'], 'int32', (s: string, p: string) => {
  const at = s.indexOf(p);
  return at < 0 ? 0 : [...s.slice(0, at)].length + 1;
}), 'position', 'instr');
registerScalar(rowwise('left', ['utf8', 'int64'], 'utf8', (s: string, k: bigint) => {
  const cps = [...s];
  const m = Number(k);
  return (m >= 0 ? cps.slice(0, m) : cps.slice(0, Math.max(0, cps.length + m))).join('');
}));
registerScalar(rowwise('right', ['utf8', 'int64'], 'utf8', (s: string, k: bigint) => {
  const cps = [...s];
  const m = Number(k);
  return (m >= 0 ? cps.slice(Math.max(0, cps.length - m)) : cps.slice(-m)).join('');
}));
registerScalar(rowwise('repeat', ['utf8', 'int64'], 'utf8', (s: string, k: bigint) => s.repeat(Math.max(0, Number(k)))));

/** substr(s, start[, count]) with 1-based start; positions before 1 shorten the count (PostgreSQL). */
registerScalar(
  rowwise('substr', ['utf8', 'int64', 'int64'], 'utf8', (s: string, start: bigint, count?: bigint) => {
    const cps = [...s];
    let b = Number(start);
    let e = count === undefined ? cps.length + 1 : b + Number(count);
    if (count !== undefined && count < 0n) throw invalid('negative substring length not allowed');
    b = Math.max(b, 1);
    e = Math.min(e, cps.length + 1);
    return e > b ? cps.slice(b - 1, e - 1).join('') : '';
  }, 1),
  'substring',
);

registerScalar(
  rowwise('split_part', ['utf8', 'utf8', 'int64'], 'utf8', (s: string, sep: string, k: bigint) => {
    const parts = sep === '' ? [s] : s.split(sep);
    const i = Number(k);
    if (i === 0) throw invalid('split_part: field position must not be zero');
    const p = i > 0 ? parts[i - 1] : parts[parts.length + i];
    return p ?? '';
  }),
);

const regexCache = new Map<string, RegExp>();
export function cachedRegex(pattern: string, flags: string): RegExp {
  const key = `${flags}/${pattern}`;
  let re = regexCache.get(key);
  if (!re) {
    try {
      re = new RegExp(pattern, flags);
    } catch {
      throw invalid(`invalid regular expression: ${pattern}`);
    }
    if (regexCache.size > 256) regexCache.clear();
    regexCache.set(key, re);
  }
  return re;
}

registerScalar(
  rowwise('regexp_replace', ['utf8', 'utf8', 'utf8', 'utf8'], 'utf8', (s: string, p: string, r: string, flags?: string) => {
    const f = flags ?? '';
    const re = cachedRegex(p, f.replace(/[^gimsu]/g, ''));
    // PostgreSQL writes group references as \1; JS as $1
    return s.replace(re, r.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1'));
  }, 1),
);
registerScalar(
  rowwise('regexp_like', ['utf8', 'utf8', 'utf8'], 'bool', (s: string, p: string, flags?: string) => cachedRegex(p, (flags ?? '').replace(/[^ims]/g, '')).test(s), 1),
  'regexp_match_bool',
);

/** concat ignores NULL arguments; `||` (a binary operator) propagates them. */
registerScalar({
  name: 'concat',
  bind: (argTypes) => (argTypes.length === 0 ? 'concat expects at least 1 argument' : { args: argTypes.map(() => 'utf8' as const), returns: 'utf8' }),
  eval(args, n) {
    const vals = args.map(stringsOf);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      let s = '';
      for (let j = 0; j < args.length; j++) if (args[j].valid === null || args[j].valid![i] === 1) s += vals[j][i];
      out[i] = s;
    }
    return { type: 'utf8', length: n, values: out, valid: null };
  },
});

registerScalar({
  name: 'concat_ws',
  bind: (argTypes) => (argTypes.length < 2 ? 'concat_ws expects at least 2 arguments' : { args: argTypes.map(() => 'utf8' as const), returns: 'utf8' }),
  eval(args, n) {
    const vals = args.map(stringsOf);
    const out = new Array<string>(n);
    const sepCol = args[0];
    for (let i = 0; i < n; i++) {
      const parts: string[] = [];
      for (let j = 1; j < args.length; j++) if (args[j].valid === null || args[j].valid![i] === 1) parts.push(vals[j][i]);
      out[i] = parts.join(vals[0][i]);
    }
    return { type: 'utf8', length: n, values: out, valid: sepCol.valid };
  },
});
