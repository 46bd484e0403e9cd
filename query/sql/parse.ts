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
    ast = parser.astify(rewriteAggregateDistinct(text), { database: 'postgresql', parseOptions: { includeLocations: true } } as never);
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
