// Seeded generator of tables and queries for differential testing against DuckDB
// (duckdb-random.test.ts). Everything is derived from one integer seed, so a failing case is
// reproduced by its seed and query index alone.
//
// The grammar stays inside the subset where the engine and DuckDB agree on semantics. Shapes that
// legitimately differ are avoided, not papered over:
//   - `/` is never generated: the engine divides integers PostgreSQL-style (7 / 2 = 3), DuckDB's `/`
//     is always floating point.
//   - decimal literals never meet integer columns: DuckDB types `1.5` as DECIMAL, and DECIMAL
//     arithmetic results differ in type and rounding from the engine's float64.
//   - `%` only takes a positive literal divisor (no division by zero, same truncating sign rule).
//   - values stay small so Int32 arithmetic never overflows (DuckDB raises, the engine would wrap).
//   - floats are multiples of 1/8, so sums are exact and summation order cannot change results;
//     avg still yields inexact doubles and is compared with a relative tolerance.
//   - sum of integers is HUGEINT in DuckDB and Int64 here; avg of integers is a double in both:
//     the comparison normalises every integer to a number.
//   - ORDER BY names every output column with an explicit direction and NULLS FIRST/LAST (DuckDB's
//     default NULL placement differs from PostgreSQL's), so row order is fully determined.
//   - strings are ASCII without backslashes (byte order = code unit order; no LIKE escape rules).
//   - window functions order by every t1 column, so ROWS frames, ranks and offsets do not depend on
//     how ties are broken; frames never start at or after the current row and end before it.
//   - correlated subqueries refer to t1 through t2's key (equality correlation), plus conditions on
//     t1's columns alone.
import { Bool, Dictionary, Float64, Int32, Int64, TimestampNanosecond, Utf8, type DataType } from 'apache-arrow';
import { MemoryTable } from '../../query/memory-table.js';

/** mulberry32: a tiny deterministic PRNG. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

export type ColumnType = 'int32' | 'int64' | 'float64' | 'utf8' | 'bool' | 'timestamp';

export interface GeneratedColumn {
  name: string;
  type: ColumnType;
  /** int64 as bigint, timestamp as epoch milliseconds (number), null for NULL. */
  values: unknown[];
  /** Store strings dictionary-encoded in the MemoryTable (the engine keeps codes). */
  dictionary?: boolean;
}

export interface GeneratedTable {
  name: string;
  columns: GeneratedColumn[];
}

const T0_MS = Date.UTC(2024, 0, 1);
const STRINGS = ['', 'a', 'b', 'ab', 'abc', 'B', 'ba', 'a b', 'x%y', 'zz', 'b_c'];

function column(rng: Rng, name: string, type: ColumnType, rows: number, nullRate: number, keyRange?: number): GeneratedColumn {
  const values: unknown[] = [];
  for (let r = 0; r < rows; r++) {
    if (rng.chance(nullRate)) {
      values.push(null);
      continue;
    }
    switch (type) {
      case 'int32': values.push(keyRange === undefined ? rng.int(-50, 50) : rng.int(0, keyRange)); break;
      case 'int64': values.push(BigInt(rng.int(-1000, 1000))); break;
      case 'float64': values.push(rng.int(-400, 400) / 8); break;
      case 'utf8': values.push(rng.pick(STRINGS)); break;
      case 'bool': values.push(rng.chance(0.5)); break;
      // whole seconds: Arrow JS builds nanosecond timestamps as BigInt(ms * 1e6), which is exact only
      // while that product fits a double's mantissa (sub-second ms values near 2024 would round)
      case 'timestamp': values.push(T0_MS + rng.int(-5, 20) * 60_000 + rng.pick([0, 0, 1, 59]) * 1000); break;
    }
  }
  return { name, type, values };
}

/** Two tables sharing an integer key `k` (small range: duplicates and misses on both sides). */
export function generateTables(rng: Rng): GeneratedTable[] {
  const rows1 = rng.int(20, 40);
  const rows2 = rng.int(5, 15);
  const t1: GeneratedTable = {
    name: 't1',
    columns: [
      column(rng, 'k', 'int32', rows1, 0.1, 8),
      column(rng, 'i', 'int32', rows1, 0.2),
      column(rng, 'b', 'int64', rows1, 0.2),
      column(rng, 'f', 'float64', rows1, 0.2),
      column(rng, 's', 'utf8', rows1, 0.2),
      column(rng, 'ok', 'bool', rows1, 0.25),
      column(rng, 'ts', 'timestamp', rows1, 0.15),
    ],
  };
  const t2: GeneratedTable = {
    name: 't2',
    columns: [
      column(rng, 'k', 'int32', rows2, 0.15, 10),
      column(rng, 'j', 'int64', rows2, 0.2),
      { ...column(rng, 'name', 'utf8', rows2, 0.2), dictionary: true },
      column(rng, 'x', 'float64', rows2, 0.2),
    ],
  };
  return [t1, t2];
}

function arrowType(c: GeneratedColumn): DataType {
  switch (c.type) {
    case 'int32': return new Int32();
    case 'int64': return new Int64();
    case 'float64': return new Float64();
    case 'utf8': return c.dictionary ? new Dictionary(new Utf8(), new Int32()) : new Utf8();
    case 'bool': return new Bool();
    case 'timestamp': return new TimestampNanosecond('UTC');
  }
}

/** Small batches so every operator sees several of them. */
export function toMemoryTable(t: GeneratedTable, batchRows: number): MemoryTable {
  return MemoryTable.fromColumns(t.columns.map((c) => ({ name: c.name, type: arrowType(c), values: c.values })), { batchRows });
}

const DUCK_TYPES: Record<ColumnType, string> = {
  int32: 'INTEGER', int64: 'BIGINT', float64: 'DOUBLE', utf8: 'VARCHAR', bool: 'BOOLEAN', timestamp: 'TIMESTAMP',
};

function duckLiteral(type: ColumnType, v: unknown): string {
  if (v === null) return 'NULL';
  switch (type) {
    case 'utf8': return `'${String(v).replaceAll("'", "''")}'`;
    case 'timestamp': return `make_timestamp(${String(BigInt(v as number) * 1000n)})`;
    case 'float64': return `${String(v)}::DOUBLE`;
    default: return String(v);
  }
}

/** CREATE TABLE + INSERT statements loading the same rows into DuckDB. */
export function duckLoadStatements(t: GeneratedTable): string[] {
  const create = `CREATE TABLE ${t.name} (${t.columns.map((c) => `${c.name} ${DUCK_TYPES[c.type]}`).join(', ')})`;
  const rows = t.columns[0].values.map((_, r) => `(${t.columns.map((c) => duckLiteral(c.type, c.values[r])).join(', ')})`);
  return rows.length ? [create, `INSERT INTO ${t.name} VALUES ${rows.join(', ')}`] : [create];
}

// ---- queries ----

type Kind = 'int' | 'float' | 'utf8' | 'bool' | 'timestamp';

interface ColumnRef {
  sql: string;
  kind: Kind;
}

function kindOf(t: ColumnType): Kind {
  if (t === 'int32' || t === 'int64') return 'int';
  if (t === 'float64') return 'float';
  return t;
}

const intLiteral = (rng: Rng, lo = -20, hi = 20): string => {
  const v = rng.int(lo, hi);
  return v < 0 ? `(${v})` : String(v);
};

const timestampLiteral = (rng: Rng): string =>
  `timestamp '${new Date(T0_MS + rng.int(-5, 20) * 60_000).toISOString().replace('T', ' ').replace('.000Z', '')}'`;

const LIKE_PATTERNS = ['a%', '%b', '%a%', '_', 'a_', '', '%', 'x%', '%_%', 'B%', '%b_c%'];

/** Builds queries over the scope of one FROM clause. */
class ExpressionGenerator {
  constructor(private readonly rng: Rng, private readonly scope: ColumnRef[]) {}

  column(kind: Kind): ColumnRef | undefined {
    const fits = this.scope.filter((c) => c.kind === kind);
    return fits.length ? this.rng.pick(fits) : undefined;
  }

  anyColumn(kinds: Kind[]): ColumnRef {
    const fits = this.scope.filter((c) => kinds.includes(c.kind));
    return this.rng.pick(fits);
  }

  int(depth: number): string {
    const rng = this.rng;
    const col = this.column('int')!;
    if (depth <= 0 || rng.chance(0.35)) return rng.chance(0.85) ? col.sql : intLiteral(rng);
    switch (rng.int(0, 6)) {
      case 0: return `(${this.int(depth - 1)} + ${this.int(depth - 1)})`;
      case 1: return `(${this.int(depth - 1)} - ${this.int(depth - 1)})`;
      case 2: return `(${this.int(depth - 1)} * ${intLiteral(rng, -3, 3)})`;
      case 3: return `(${col.sql} % ${rng.int(1, 7)})`;
      case 4: return `coalesce(${col.sql}, ${intLiteral(rng)})`;
      case 5: return `case when ${this.bool(depth - 1)} then ${this.int(depth - 1)} else ${this.int(depth - 1)} end`;
      default: return `(-${col.sql})`;
    }
  }

  float(depth: number): string {
    const rng = this.rng;
    const col = this.column('float')!;
    if (depth <= 0 || rng.chance(0.4)) return col.sql;
    switch (rng.int(0, 3)) {
      case 0: return `(${col.sql} + ${this.int(depth - 1)})`;
      case 1: return `(${col.sql} * ${rng.pick(['2', '0.5', '(-1.25)'])})`;
      case 2: return `coalesce(${col.sql}, ${rng.pick(['0.0', '1.5', '(-2.25)'])})`;
      default: return `(${col.sql} - ${this.float(depth - 1)})`;
    }
  }

  utf8(depth: number): string {
    const rng = this.rng;
    const col = this.column('utf8')!;
    if (depth <= 0 || rng.chance(0.6)) return col.sql;
    if (rng.chance(0.5)) return `coalesce(${col.sql}, '${rng.pick(STRINGS)}')`;
    return `case when ${this.bool(depth - 1)} then ${col.sql} else '${rng.pick(STRINGS)}' end`;
  }

  timestamp(): string {
    return this.column('timestamp')?.sql ?? timestampLiteral(this.rng);
  }

  /** A value expression of the given kind. */
  value(kind: Kind, depth: number): string {
    switch (kind) {
      case 'int': return this.int(depth);
      case 'float': return this.float(depth);
      case 'utf8': return this.utf8(depth);
      case 'timestamp': return this.timestamp();
      case 'bool': return this.bool(depth);
    }
  }

  private literalOf(kind: Kind): string {
    const rng = this.rng;
    switch (kind) {
      case 'int': return intLiteral(rng);
      case 'float': return rng.pick(['0.0', '1.5', '(-3.25)', '10.0', '(-0.125)']);
      case 'utf8': return `'${rng.pick(STRINGS)}'`;
      case 'timestamp': return timestampLiteral(rng);
      case 'bool': return rng.pick(['true', 'false']);
    }
  }

  bool(depth: number): string {
    const rng = this.rng;
    const comparable: Kind[] = ['int', 'float', 'utf8', 'timestamp'].filter((k) => this.column(k as Kind) !== undefined) as Kind[];
    const leaf = (): string => {
      const kind = rng.pick(comparable);
      const lhs = kind === 'timestamp' ? this.timestamp() : this.value(kind, depth - 1);
      switch (rng.int(0, 5)) {
        case 0: {
          const op = rng.pick(['=', '<>', '<', '<=', '>', '>=']);
          const rhs = rng.chance(0.7) ? this.literalOf(kind) : kind === 'timestamp' ? this.timestamp() : this.value(kind, 0);
          return `${lhs} ${op} ${rhs}`;
        }
        case 1: return `${this.anyColumn(['int', 'float', 'utf8', 'bool', 'timestamp']).sql} is ${rng.chance(0.5) ? 'not ' : ''}null`;
        case 2: {
          const items: string[] = [];
          for (let n = rng.int(1, 4); n > 0; n--) items.push(rng.chance(0.15) ? 'NULL' : this.literalOf(kind));
          if (!items.some((i) => i !== 'NULL')) items.push(this.literalOf(kind));
          return `${lhs} ${rng.chance(0.3) ? 'not ' : ''}in (${items.join(', ')})`;
        }
        case 3: {
          const [lo, hi] = [this.literalOf(kind), this.literalOf(kind)];
          return `${lhs} ${rng.chance(0.3) ? 'not ' : ''}between ${lo} and ${hi}`;
        }
        case 4: {
          const s = this.column('utf8');
          if (!s) return `${lhs} = ${this.literalOf(kind)}`;
          return `${s.sql} ${rng.chance(0.3) ? 'not ' : ''}like '${rng.pick(LIKE_PATTERNS)}'`;
        }
        default: {
          const b = this.column('bool');
          return b ? b.sql : `${lhs} is null`;
        }
      }
    };
    if (depth <= 0 || rng.chance(0.4)) return leaf();
    switch (rng.int(0, 3)) {
      case 0: return `(${this.bool(depth - 1)} and ${this.bool(depth - 1)})`;
      case 1: return `(${this.bool(depth - 1)} or ${this.bool(depth - 1)})`;
      case 2: return `(not ${this.bool(depth - 1)})`;
      default: return `(${this.bool(depth - 1)}) is ${rng.chance(0.5) ? 'not ' : ''}${rng.pick(['true', 'false'])}`;
    }
  }

  /** An aggregate call, sometimes restricted by a FILTER clause. */
  aggregate(): string {
    const call = this.plainAggregate();
    return this.rng.chance(0.15) ? `${call} filter (where ${this.bool(1)})` : call;
  }

  private plainAggregate(): string {
    const rng = this.rng;
    switch (rng.int(0, 6)) {
      case 0: return 'count(*)';
      case 1: return `count(${this.anyColumn(['int', 'float', 'utf8', 'bool', 'timestamp']).sql})`;
      case 2: return `count(distinct ${this.anyColumn(['int', 'utf8', 'timestamp']).sql})`;
      case 3: return `sum(${rng.chance(0.5) ? this.int(1) : this.float(1)})`;
      case 4: return `avg(${rng.chance(0.5) ? this.int(1) : this.float(1)})`;
      case 5: return `min(${this.value(rng.pick(['int', 'float', 'utf8', 'timestamp'] as Kind[]), 1)})`;
      default: return `max(${this.value(rng.pick(['int', 'float', 'utf8', 'timestamp'] as Kind[]), 1)})`;
    }
  }
}

function scopeOf(table: GeneratedTable, qualifier?: string): ColumnRef[] {
  return table.columns.map((c) => ({ sql: qualifier ? `${qualifier}.${c.name}` : c.name, kind: kindOf(c.type) }));
}

/** ORDER BY every output alias, each with a direction and an explicit NULL placement. */
function orderByAll(rng: Rng, count: number): string {
  const keys = Array.from({ length: count }, (_, i) => `c${i}`);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return keys.map((k) => `${k} ${rng.pick(['asc', 'desc'])} nulls ${rng.pick(['first', 'last'])}`).join(', ');
}

function limitClause(rng: Rng): string {
  if (!rng.chance(0.3)) return '';
  const offset = rng.chance(0.5) ? ` offset ${rng.int(0, 8)}` : '';
  return ` limit ${rng.int(0, 10)}${offset}`;
}

/** A window function call over t1 whose ORDER BY lists every t1 column, so ROWS frames, ranks and
 * offsets do not depend on how ties are broken (fully equal rows give equal outputs). */
function windowCall(rng: Rng, gen: ExpressionGenerator, t1: GeneratedTable): string {
  const order = t1.columns.map((c) => `${c.name} ${rng.pick(['asc', 'desc'])} nulls ${rng.pick(['first', 'last'])}`).join(', ');
  const partition = rng.chance(0.5) ? `partition by ${rng.pick(['k', 's', 'ok', '(i % 3)'])} ` : '';
  const bound = (end: boolean): string => {
    const n = rng.int(0, 3);
    return rng.pick([end ? 'unbounded following' : 'unbounded preceding', 'current row', `${n} preceding`, `${n} following`]);
  };
  const start = bound(false);
  let end = bound(true);
  // a frame starting at or after the current row cannot end before it (both engines reject that)
  if ((start === 'current row' && end.endsWith('preceding')) || (start.endsWith('following') && !end.endsWith('following'))) end = 'unbounded following';
  const frame = rng.chance(0.6) ? ` rows between ${start} and ${end}` : '';
  const over = (withFrame: boolean) => `over (${partition}order by ${order}${withFrame ? frame : ''})`;
  switch (rng.int(0, 7)) {
    case 0: return `sum(${gen.int(1)}) ${over(true)}`;
    case 1: return `count(${rng.chance(0.5) ? '*' : gen.anyColumn(['int', 'utf8', 'float']).sql}) ${over(true)}`;
    case 2: return `${rng.pick(['min', 'max'])}(${gen.value(rng.pick(['int', 'float', 'utf8', 'timestamp'] as Kind[]), 1)}) ${over(true)}`;
    case 3: return `avg(${gen.float(1)}) ${over(true)}`;
    case 4: return `${rng.pick(['first_value', 'last_value'])}(${gen.value(rng.pick(['int', 'utf8', 'timestamp'] as Kind[]), 1)}) ${over(true)}`;
    case 5: return `${rng.pick(['row_number()', 'rank()', 'dense_rank()', 'percent_rank()', 'cume_dist()', `ntile(${rng.int(1, 5)})`])} ${over(false)}`;
    case 6: return `${rng.pick(['lag', 'lead'])}(${gen.int(1)}, ${rng.int(1, 3)}) ${over(false)}`;
    default: return `sum(${gen.float(0)}) over (${partition.trim()})`;
  }
}

/** A WHERE conjunct or select-list value correlated with t1 through t2's key. */
function correlated(rng: Rng, t1: GeneratedTable, t2: GeneratedTable, asValue: boolean): string {
  const inner = new ExpressionGenerator(rng, scopeOf(t2, 'b'));
  let extra = rng.chance(0.5) ? ` and ${inner.bool(1)}` : '';
  // a condition on the outer row alone
  if (rng.chance(0.25)) extra += ` and ${new ExpressionGenerator(rng, scopeOf(t1, 't1')).bool(0)}`;
  // mostly correlated through the key; sometimes through a condition on the outer row only
  const key = rng.chance(0.85) ? `b.k = t1.${rng.chance(0.8) ? 'k' : 'i'}` : new ExpressionGenerator(rng, scopeOf(t1, 't1')).bool(0);
  if (asValue) {
    const agg = rng.pick(['count(*)', 'count(b.name)', 'sum(b.j)', 'max(b.x)', 'min(b.name)', 'count(*) + 1']);
    return `(select ${agg} from t2 b where ${key}${extra})`;
  }
  switch (rng.int(0, 3)) {
    case 0: return `${rng.chance(0.3) ? 'not ' : ''}exists (select 1 from t2 b where ${key}${extra})`;
    case 1: return `t1.i ${rng.chance(0.3) ? 'not ' : ''}in (select b.j from t2 b where ${key}${extra})`;
    case 2: return `(select count(*) from t2 b where ${key}${extra}) ${rng.pick(['=', '>=', '<'])} ${rng.int(0, 2)}`;
    default: return `t1.b ${rng.pick(['>', '<='])} (select ${rng.pick(['max', 'min', 'sum'])}(b.j) from t2 b where ${key}${extra})`;
  }
}

/** One query over t1 (alone, or joined with t2 on an integer key). */
export function generateQuery(rng: Rng, tables: GeneratedTable[]): string {
  const [t1, t2] = tables;
  const join = rng.chance(0.3);
  let from: string;
  let scope: ColumnRef[];
  if (join) {
    const kind = rng.pick(['join', 'left join', 'full join']);
    const on = rng.chance(0.75) ? 'a.k = b.k' : 'a.i = b.j';
    from = `t1 a ${kind} t2 b on ${on}`;
    scope = [...scopeOf(t1, 'a'), ...scopeOf(t2, 'b')];
  } else {
    from = 't1';
    scope = scopeOf(t1);
  }
  const gen = new ExpressionGenerator(rng, scope);
  const conditions: string[] = [];
  if (rng.chance(0.6)) conditions.push(gen.bool(2));
  if (!join && rng.chance(0.2)) conditions.push(correlated(rng, t1, t2, false));
  const where = conditions.length ? ` where ${conditions.join(' and ')}` : '';
  const outputs: string[] = [];
  let tail = '';
  if (!join && rng.chance(0.2)) {
    outputs.push(gen.value(rng.pick(['int', 'utf8', 'timestamp'] as Kind[]), 1));
    for (let w = rng.int(1, 2); w > 0; w--) outputs.push(windowCall(rng, gen, t1));
  } else if (!join && rng.chance(0.1)) {
    outputs.push(gen.value('int', 1), correlated(rng, t1, t2, true));
  } else if (rng.chance(0.45)) {
    const groupCount = rng.int(0, 2);
    const groups: string[] = [];
    for (let g = 0; g < groupCount; g++) {
      const col = gen.anyColumn(['int', 'utf8', 'bool', 'timestamp']);
      groups.push(col.kind === 'int' && rng.chance(0.3) ? `(${col.sql} % ${rng.int(2, 4)})` : col.sql);
    }
    outputs.push(...groups);
    const aggCount = rng.int(1, 3);
    for (let a = 0; a < aggCount; a++) outputs.push(gen.aggregate());
    if (groups.length) tail += ` group by ${groups.join(', ')}`;
    if (rng.chance(0.35)) {
      tail += rng.pick([
        ` having count(*) > ${rng.int(0, 3)}`,
        ` having ${gen.aggregate()} is not null`,
        ` having count(${gen.anyColumn(['int', 'utf8']).sql}) >= ${rng.int(1, 2)}`,
      ]);
    }
  } else {
    const count = rng.int(1, 4);
    for (let o = 0; o < count; o++) outputs.push(gen.value(rng.pick(['int', 'int', 'float', 'utf8', 'bool', 'timestamp'] as Kind[]), 2));
  }
  const distinct = !tail.includes('group by') && !outputs.some((o) => /\b(count|sum|avg|min|max)\(|\bover\b/.test(o)) && rng.chance(0.15) ? 'distinct ' : '';
  const select = outputs.map((o, i) => `${o} as c${i}`).join(', ');
  return `select ${distinct}${select} from ${from}${where}${tail} order by ${orderByAll(rng, outputs.length)}${limitClause(rng)}`;
}
