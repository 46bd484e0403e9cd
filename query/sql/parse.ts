// SQL text → node-sql-parser AST (PostgreSQL dialect), plus the statement forms the parser lacks
// (EXPLAIN, DESCRIBE) recognised up front. Syntax errors become QueryErrors with a position.
import sqlParser from 'node-sql-parser';
import { invalid, positionAt } from '../errors.js';

// The AST is node-sql-parser's untyped JSON; the binder checks every shape it reads.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AstNode = any;

export type Statement =
  | { kind: 'query'; ast: AstNode }
  | { kind: 'explain'; analyze: boolean; inner: Statement; offset: number }
  | { kind: 'describe'; table: string; schema: string }
  | { kind: 'show_tables' };

const parser = new sqlParser.Parser();

export function parseSql(sql: string, offset = 0): Statement {
  const text = sql.slice(offset);
  const explain = /^\s*explain(\s+analyze)?\s+/i.exec(text);
  if (explain) return { kind: 'explain', analyze: !!explain[1], inner: parseSql(sql, offset + explain[0].length), offset };
  const describe = /^\s*(?:describe|desc)\s+(?:("?)(\w+)\1\.)?("?)(\w+)\3\s*;?\s*$/i.exec(text);
  if (describe) {
    const schema = describe[2] ? (describe[1] ? describe[2] : describe[2].toLowerCase()) : 'public';
    return { kind: 'describe', schema, table: describe[3] ? describe[4] : describe[4].toLowerCase() };
  }
  if (/^\s*show\s+tables\s*;?\s*$/i.test(text)) return { kind: 'show_tables' };
  if (text.trim() === '') throw invalid('empty SQL statement');
  let ast: AstNode;
  try {
    ast = parser.astify(rewriteGrammarGaps(rewriteAggregateDistinct(spaceLongNegativeIntegers(text))), { database: 'postgresql', parseOptions: { includeLocations: true } } as never);
  } catch (e) {
    const err = e as { location?: { start?: { offset?: number } } };
    const at = err.location?.start?.offset;
    const rest = at === undefined ? '' : text.slice(at);
    const word = /^\s*(\w+|\S)/.exec(rest)?.[1];
    const found = word === undefined ? 'end of input' : `'${word}'`;
    throw invalid(`syntax error near ${found}`, at === undefined ? undefined : positionAt(sql, offset + at));
  }
  if (Array.isArray(ast)) {
    if (ast.length !== 1) throw invalid('expected exactly one SQL statement');
    ast = ast[0];
  }
  if (ast.type !== 'select') throw invalid(`only SELECT statements are supported, got ${String(ast.type).toUpperCase()}`);
  return { kind: 'query', ast };
}

/** Suffix marking `agg(DISTINCT x)` for aggregates the PostgreSQL grammar only accepts for count. */
export const DISTINCT_SUFFIX = '__distinct';

/** `sum(DISTINCT x)` → `sum__distinct(x)` outside string literals and quoted identifiers. */
export function rewriteAggregateDistinct(text: string): string {
  if (!/distinct/i.test(text)) return text;
  const re = /\b(sum|avg|mean|min|max|string_agg|array_agg|stddev|stddev_samp|stddev_pop|variance|var_samp|var_pop)\s*\(\s*distinct\s/giy;
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      out += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      out += c;
      continue;
    }
    re.lastIndex = i;
    const m = /[A-Za-z0-9_]/.test(text[i - 1] ?? '') ? null : re.exec(text);
    if (m) {
      out += `${m[1]}${DISTINCT_SUFFIX}(`;
      i += m[0].length - 1;
      continue;
    }
    out += c;
  }
  return out;
}

/** Separator marking `first_value(x ORDER BY …)` / `last_value(x ORDER BY …)`, which the grammar
 * lacks, rewritten as `string_agg(x, '<marker>' ORDER BY …)`; the binder restores the call. */
export const ORDERED_VALUE_MARKER = '\u0001ordered:';

/** First argument of `ntile('<marker>name', args…) OVER (…)` standing for `name(args…) OVER (…)`:
 * the grammar takes OVER only after its own list of window and aggregate function names. */
export const RANK_MARKER = '\u0001over:';

/** Function names the grammar already accepts before OVER. */
const GRAMMAR_WINDOW_NAMES = new Set(['count', 'sum', 'avg', 'min', 'max', 'row_number', 'rank', 'dense_rank', 'lag', 'lead', 'nth_value', 'first_value', 'last_value', 'ntile']);

/** Function name wrapping a PARTITION BY list the grammar cannot parse (see rewriteGrammarGaps). */
export const PARTITION_BY_CALL = '__partition_by';

/** Offsets of `text` outside string literals, quoted identifiers and comments. */
function unquotedOffsets(text: string): boolean[] {
  const out = new Array<boolean>(text.length).fill(true);
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      out[i] = false;
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      out[i] = false;
      quote = c;
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      for (; i < stop; i++) out[i] = false;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) out[i] = false;
      i--;
    }
  }
  return out;
}

/** `-9223372036854775807` → `- 9223372036854775807`: the grammar reads a signed literal as a JS
 * number (exact only to 2^53), but a negated unsigned one keeps its digits. */
export function spaceLongNegativeIntegers(text: string): string {
  if (!/-\d{16}/.test(text)) return text;
  const free = unquotedOffsets(text);
  return text.replace(/-(?=\d{16})/g, (m, at: number) => (free[at] ? '- ' : m));
}

/** Offset of the `)` closing the `(` at `open`, or -1. */
function closingParen(text: string, open: number, free: boolean[]): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (!free[i]) continue;
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Rewrites forms the PostgreSQL grammar of node-sql-parser rejects into ones it parses, keeping
 * their meaning recoverable: ordered first_value / last_value aggregates, window calls of other
 * functions (percent_rank, cume_dist, stddev, …),
 * the RANGE frames equivalent to ROWS frames or to the default frame, `AND n PRECEDING` frame ends,
 * EXTRACT(field FROM x) as date_part('field', x), and PARTITION BY lists of expressions. */
export function rewriteGrammarGaps(text: string): string {
  if (!/first_value|last_value|over|range|preceding|extract|partition/i.test(text)) return text;
  const free = unquotedOffsets(text);
  const edits: { at: number; end: number; with: string }[] = [];
  const wordAt = (i: number) => free[i] && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '');
  for (const m of text.matchAll(/\b(first_value|last_value)\s*\(/gi)) {
    if (!wordAt(m.index)) continue;
    const open = m.index + m[0].length - 1;
    const close = closingParen(text, open, free);
    if (close < 0) continue;
    let depth = 0;
    for (let i = open + 1; i < close; i++) {
      if (!free[i]) continue;
      if (text[i] === '(') depth++;
      else if (text[i] === ')') depth--;
      if (depth === 0 && text[i] === ',') break; // first_value(x, t ORDER BY …) is not a form to rewrite
      const order = depth === 0 && /^order\s+by\b/i.test(text.slice(i, i + 12)) && /\s/.test(text[i - 1]);
      if (!order) continue;
      edits.push({ at: m.index, end: open + 1, with: 'string_agg(' });
      edits.push({ at: i, end: i, with: `, '${ORDERED_VALUE_MARKER}${m[1].toLowerCase()}' ` });
      break;
    }
  }
  for (const m of text.matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/gi)) {
    const name = m[1].toLowerCase();
    if (!wordAt(m.index) || GRAMMAR_WINDOW_NAMES.has(name)) continue;
    const open = m.index + m[0].length - 1;
    const close = closingParen(text, open, free);
    if (close < 0 || !/^\s*over\b/i.test(text.slice(close + 1, close + 12))) continue;
    const noArgs = text.slice(open + 1, close).trim() === '';
    edits.push({ at: m.index, end: open + 1, with: `ntile('${RANK_MARKER}${name}'${noArgs ? '' : ', '}` });
  }
  for (const m of text.matchAll(/\brange(\s+between\s+unbounded\s+preceding\s+and\s+)(current\s+row|unbounded\s+following)\b/gi)) {
    if (!wordAt(m.index)) continue;
    // RANGE … CURRENT ROW is the default frame; RANGE over the whole partition equals ROWS over it
    const whole = /^unbounded/i.test(m[2]);
    edits.push({ at: m.index, end: m.index + m[0].length, with: whole ? `rows${m[1]}${m[2]}` : ' '.repeat(m[0].length) });
  }
  for (const m of text.matchAll(/\band\s+(\d+)\s+preceding\b/gi)) {
    // the grammar takes `n PRECEDING` only as a frame's start; `-n FOLLOWING` is the same end bound
    if (wordAt(m.index)) edits.push({ at: m.index, end: m.index + m[0].length, with: `and -${m[1]} following` });
  }
  for (const m of text.matchAll(/\bextract\s*\(\s*(\w+)\s+from\b/gi)) {
    // the grammar knows a few EXTRACT fields only; date_part takes every one
    if (wordAt(m.index)) edits.push({ at: m.index, end: m.index + m[0].length, with: `date_part('${m[1].toLowerCase()}',` });
  }
  for (const m of text.matchAll(/\bpartition\s+by\b/gi)) {
    // the grammar takes a list of columns or one call in PARTITION BY; any other list is wrapped
    // in one call of PARTITION_BY_CALL, whose arguments the binder reads back as the list
    if (!wordAt(m.index)) continue;
    const start = m.index + m[0].length;
    let depth = 0;
    let end = start;
    for (; end < text.length; end++) {
      if (!free[end]) continue;
      const c = text[end];
      if (depth === 0 && (c === ')' || (/^(order|rows|range)\b/i.test(text.slice(end, end + 6)) && /\s/.test(text[end - 1])))) break;
      if (c === '(') depth++;
      else if (c === ')') depth--;
    }
    const list = text.slice(start, end);
    const plainColumns = /^\s*[\w."]+(\s*,\s*[\w."]+)*\s*$/.test(list);
    if (plainColumns || list.trim() === '') continue;
    // two insertions, so rewrites inside the list (EXTRACT, …) still apply
    edits.push({ at: start, end: start, with: ` ${PARTITION_BY_CALL}(` });
    edits.push({ at: end, end, with: ') ' });
  }
  if (edits.length === 0) return text;
  edits.sort((a, b) => a.at - b.at || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of edits) {
    out += text.slice(pos, e.at) + e.with;
    pos = e.end;
  }
  return out + text.slice(pos);
}
