// Prepared-statement placeholders (`?` positional or `$1…$n` numbered): found by a lexical scan
// that skips literals, quoted identifiers and comments, typed from their context in the parsed
// statement, and bound by substituting SQL literals of values coerced to those types.
import { Field, Schema, TimeUnit, Type, Utf8, type Data, type DataType, type RecordBatch, type Timestamp, type Vector } from 'apache-arrow';
import { QueryError } from '../query/errors.js';
import { parseSql, type AstNode } from '../query/sql/parse.js';
import type { LogicalPlan } from '../query/plan/logical.js';
import { arrowTypeOf, typeName, type ScalarType } from '../query/plan/types.js';
import { formatTimestamp, parseTimestampText } from '../query/functions/time-text.js';
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

/** The parameter schema (fields `$1`, `$2`, … nullable, typed per `types`, else Utf8), or undefined
 * without placeholders. */
export function parameterSchema(sql: string, types: readonly (ScalarType | undefined)[] = lexicalTypes(scan(sql))): Schema | undefined {
  const ps = scan(sql);
  if (ps.length === 0) return undefined;
  const n = Math.max(...ps.map((p) => p.index)) + 1;
  return new Schema(Array.from({ length: n }, (_, i) => new Field(`$${i + 1}`, arrowParamType(types[i]), true)));
}

const PARAM_TYPES: readonly ScalarType[] = ['bool', 'int32', 'int64', 'uint32', 'uint64', 'float64', 'utf8', 'timestamp'];

function arrowParamType(t: ScalarType | undefined): DataType {
  return t !== undefined && PARAM_TYPES.includes(t) ? arrowTypeOf({ type: t }) : new Utf8();
}

function lexicalTypes(ps: Placeholder[]): (ScalarType | undefined)[] {
  const types: (ScalarType | undefined)[] = [];
  for (const p of ps) if (p.count) types[p.index] = 'int64';
  return types;
}

const COMPARISONS = new Set(['=', '<>', '!=', '<', '<=', '>', '>=', 'LIKE', 'NOT LIKE', 'ILIKE', 'NOT ILIKE', 'IN', 'NOT IN', 'BETWEEN', 'NOT BETWEEN']);

/** Parameter types from context: LIMIT / OFFSET → int64; compared with a column of a table the
 * planned statement scans (`col op $n`, `$n op col`, `col IN ($n, …)`, `col BETWEEN $n AND $m`) →
 * that column's type; otherwise undefined (sent as Utf8, bound as written). */
export function parameterTypes(sql: string, plan: LogicalPlan): (ScalarType | undefined)[] {
  const ps = scan(sql);
  const types = lexicalTypes(ps);
  if (ps.length === 0) return types;
  // the PostgreSQL grammar knows `$n` only: number the positional ones
  let numbered = '';
  let at = 0;
  for (const p of ps) {
    numbered += sql.slice(at, p.start) + `$${p.index + 1}`;
    at = p.end;
  }
  let stmt: ReturnType<typeof parseSql>;
  try {
    stmt = parseSql(numbered + sql.slice(at));
  } catch {
    return types;
  }
  const columns = scannedColumns(plan);
  const columnType = (ref: AstNode): ScalarType | undefined => {
    const raw = ref.column?.expr?.value ?? ref.column;
    if (typeof raw !== 'string') return undefined;
    const quoted = ref.column?.expr?.type === 'double_quote_string';
    const name = quoted ? raw : raw.toLowerCase();
    const found = [...new Set(columns.filter((c) => c.name === name && (ref.table == null || c.qualifier === ref.table || c.qualifier === String(ref.table).toLowerCase())).map((c) => c.type))];
    return found.length === 1 ? found[0] : undefined;
  };
  const paramIndex = (e: AstNode): number | undefined => (e?.type === 'var' && e.prefix === '$' && Number.isInteger(Number(e.name)) ? Number(e.name) - 1 : undefined);
  const assign = (e: AstNode, t: ScalarType | undefined) => {
    const items = e?.type === 'expr_list' && Array.isArray(e.value) ? e.value : [e];
    for (const item of items) {
      const i = paramIndex(item);
      if (i !== undefined && t !== undefined && types[i] === undefined) types[i] = t;
    }
  };
  const visit = (node: AstNode): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    if (node.type === 'binary_expr' && COMPARISONS.has(String(node.operator).toUpperCase())) {
      if (node.left?.type === 'column_ref') assign(node.right, columnType(node.left));
      if (node.right?.type === 'column_ref') assign(node.left, columnType(node.right));
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'loc') visit(v);
  };
  visit(stmt.kind === 'query' ? stmt.ast : undefined);
  return types;
}

/** Every column the plan's scans read, with the name it can be qualified by. */
function scannedColumns(plan: LogicalPlan, out: { name: string; qualifier?: string; type: ScalarType }[] = []) {
  if (plan.kind === 'scan') for (const f of plan.schema) out.push({ name: f.name, qualifier: f.qualifier, type: f.type });
  const node = plan as Partial<Record<'input' | 'left' | 'right', LogicalPlan>> & { inputs?: LogicalPlan[] };
  for (const child of [node.input, node.left, node.right, ...(node.inputs ?? [])]) if (child) scannedColumns(child, out);
  return out;
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

/** One parameter set per row of a DoPut batch, each value coerced to its parameter's type (undefined:
 * taken as sent); a value that does not fit is INVALID_ARGUMENT. */
export function parameterRows(batch: RecordBatch, types: readonly (ScalarType | undefined)[] = []): ParamValue[][] {
  const columns = batch.schema.fields.map((field, c) => ({ field, data: batch.getChildAt(c)!, target: types[c], c }));
  const rows: ParamValue[][] = [];
  for (let r = 0; r < batch.numRows; r++) {
    rows.push(columns.map(({ field, data, target, c }) => coerce(sentValue(data, field.type, r), field.type, target, c)));
  }
  return rows;
}

/** A sent value as JS: timestamps and dates as Unix ns (bigint), 64-bit integers as bigint. */
function sentValue(vec: Vector, type: DataType, r: number): unknown {
  if (!vec.isValid(r)) return null;
  if (type.typeId === Type.Timestamp) {
    const { chunk, at } = locate(vec, r);
    const raw = new DataView(chunk.values.buffer, chunk.values.byteOffset).getBigInt64((chunk.offset + at) * 8, true);
    return raw * NS_PER_UNIT[(type as Timestamp).unit];
  }
  if (type.typeId === Type.Date) return BigInt(Math.round(Number(vec.get(r)))) * 1_000_000n;
  return vec.get(r);
}

function locate(vec: Vector, r: number): { chunk: Data; at: number } {
  let at = r;
  for (const chunk of vec.data) {
    if (at < chunk.length) return { chunk, at };
    at -= chunk.length;
  }
  throw new Error('row out of range');
}

const NS_PER_UNIT: Record<number, bigint> = { [TimeUnit.SECOND]: 1_000_000_000n, [TimeUnit.MILLISECOND]: 1_000_000n, [TimeUnit.MICROSECOND]: 1_000n, [TimeUnit.NANOSECOND]: 1n };

const INT_RANGE: Partial<Record<ScalarType, [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

function coerce(v: unknown, sent: DataType, target: ScalarType | undefined, c: number): ParamValue {
  if (v === null || v === undefined) return null;
  const isTime = sent.typeId === Type.Timestamp || sent.typeId === Type.Date;
  const fail = (): never => {
    throw new QueryError('INVALID_ARGUMENT', `parameter $${c + 1} is ${typeName(target!)}: cannot bind the ${String(sent)} value ${JSON.stringify(typeof v === 'bigint' ? String(v) : v)?.slice(0, 64)}`);
  };
  switch (target) {
    case undefined:
    case 'utf8':
      if (isTime) return formatTimestamp(v as bigint);
      if (typeof v === 'bigint') return { i64: v.toString() };
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
      return String(v);
    case 'timestamp': {
      if (isTime) return formatTimestamp(v as bigint);
      const ns = typeof v === 'string' ? parseTimestampText(v) : undefined;
      return ns === undefined ? fail() : formatTimestamp(ns);
    }
    case 'int32':
    case 'uint32':
    case 'int64':
    case 'uint64': {
      let n: bigint | undefined;
      if (typeof v === 'bigint') n = v;
      else if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
      else if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) n = BigInt(v.trim());
      const [lo, hi] = INT_RANGE[target]!;
      if (n === undefined || n < lo || n > hi) return fail();
      return target === 'int32' || target === 'uint32' ? Number(n) : { i64: n.toString() };
    }
    case 'float64': {
      const n = typeof v === 'number' || typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      return Number.isFinite(n) ? n : fail();
    }
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
      return fail();
    default:
      return fail();
  }
}
