// Prepared-statement placeholders (`?` positional or `$1…$n` numbered): found by a lexical scan
// that skips literals, quoted identifiers and comments, and bound by substituting SQL literals.
import { Field, Int64, RecordBatch, Schema, Type, Utf8 } from 'apache-arrow';
import { QueryError } from '../query/errors.js';
import type { ParamValue } from './handles.js';

interface Placeholder {
  start: number;
  end: number;
  /** 0-based parameter index. */
  index: number;
  /** Follows LIMIT / OFFSET: the parameter is an Int64. */
  count: boolean;
}

function scan(sql: string): Placeholder[] {
  const out: Placeholder[] = [];
  let positional = 0;
  let numbered = false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const close = c;
      for (i++; i < sql.length; i++) {
        if (sql[i] === close) {
          if (sql[i + 1] === close) i++;
          else break;
        }
      }
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '?' || (c === '$' && /\d/.test(sql[i + 1] ?? ''))) {
      const before = /(\w+)\s*$/.exec(sql.slice(Math.max(0, i - 32), i))?.[1]?.toLowerCase();
      const count = before === 'limit' || before === 'offset';
      if (c === '?') {
        out.push({ start: i, end: i + 1, index: positional++, count });
      } else {
        const m = /^\$(\d+)/.exec(sql.slice(i))!;
        numbered = true;
        out.push({ start: i, end: i + m[0].length, index: Number(m[1]) - 1, count });
        i += m[0].length - 1;
      }
    }
  }
  if (numbered && positional > 0) throw new QueryError('INVALID_ARGUMENT', 'placeholders ? and $n cannot be mixed');
  if (out.some((p) => p.index < 0)) throw new QueryError('INVALID_ARGUMENT', 'placeholders are numbered from $1');
  return out;
}

/** The parameter schema (fields `$1`, `$2`, … nullable), or undefined without placeholders. */
export function parameterSchema(sql: string): Schema | undefined {
  const ps = scan(sql);
  if (ps.length === 0) return undefined;
  const n = Math.max(...ps.map((p) => p.index)) + 1;
  const fields = Array.from({ length: n }, (_, i) => new Field(`$${i + 1}`, ps.some((p) => p.index === i && p.count) ? new Int64() : new Utf8(), true));
  return new Schema(fields);
}

function literal(v: ParamValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NULL';
  if (typeof v === 'object') return v.i64;
  return `'${v.replaceAll("'", "''")}'`;
}

/** SQL with every placeholder replaced: by the values, or (values undefined, for planning only) by
 * NULL, 0 after LIMIT/OFFSET. */
export function bindParameters(sql: string, values?: readonly ParamValue[]): string {
  const ps = scan(sql);
  if (ps.length === 0) return sql;
  let out = '';
  let at = 0;
  for (const p of ps) {
    let text: string;
    if (values === undefined) text = p.count ? '0' : 'NULL';
    else {
      if (p.index >= values.length) throw new QueryError('INVALID_ARGUMENT', `parameter $${p.index + 1} is not bound`);
      text = literal(values[p.index]);
    }
    out += sql.slice(at, p.start) + text;
    at = p.end;
  }
  return out + sql.slice(at);
}

export function hasPlaceholders(sql: string): boolean {
  return scan(sql).length > 0;
}

/** One parameter set per row of a DoPut batch. */
export function parameterRows(batch: RecordBatch): ParamValue[][] {
  const rows: ParamValue[][] = [];
  for (let r = 0; r < batch.numRows; r++) {
    rows.push(batch.schema.fields.map((f, c) => toParam(batch.getChildAt(c)!.get(r), f.type.typeId)));
  }
  return rows;
}

function toParam(v: unknown, typeId: Type): ParamValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return { i64: v.toString() };
  if (typeId === Type.Timestamp || typeId === Type.Date) return new Date(Number(v)).toISOString();
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  return String(v);
}
