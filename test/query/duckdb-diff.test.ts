// Differential test: the same fixture rows loaded into DuckDB (the test oracle, never the engine)
// and the same queries run on both; results must agree after normalizing representations
// (bigint vs number, timestamps as epoch microseconds, float rounding). Queries without ORDER BY
// compare as sorted multisets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { runQuery } from '../../query/engine.js';
import type { ScalarType } from '../../query/plan/types.js';
import type { RecordBatch } from 'apache-arrow';
import { colFromArrow, scalarTypeOfArrow } from '../../query/exec/arrow-io.js';
import { valueAt } from '../../query/exec/column.js';
import { testContext } from './fixtures.js';
import { mapResultCells } from './render.js';

const TABLES = ['logs', 'nums', 'procs', 'levels', 'empty'];

const DUCK_TYPES: Partial<Record<ScalarType, string>> = {
  int32: 'INTEGER', int64: 'BIGINT', float64: 'DOUBLE', utf8: 'VARCHAR', bool: 'BOOLEAN', timestamp: 'TIMESTAMP',
};

/** Result rows as JS values, with each column's engine type. */
function engineRows(batches: RecordBatch[]): unknown[][] {
  return mapResultCells(batches, (v, type) => (type === 'timestamp' && v !== null ? { micros: (v as bigint) / 1000n } : v));
}

function norm(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Number.isInteger(v) ? v : Number(v.toPrecision(12));
  if (typeof v === 'object' && 'micros' in (v as object)) return `ts:${String((v as { micros: bigint }).micros)}`;
  return v;
}

function literal(type: ScalarType, v: unknown): string {
  if (v === null) return 'NULL';
  switch (type) {
    case 'utf8': return `'${String(v).replaceAll("'", "''")}'`;
    case 'timestamp': return `make_timestamp(${String((v as bigint) / 1000n)})`;
    default: return String(v);
  }
}

let duck: DuckDBConnection;

before(async () => {
  const instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
  for (const name of TABLES) {
    const { schema, batches } = await runQuery(`select * from ${name}`, testContext());
    const types = schema.fields.map((f) => scalarTypeOfArrow(f.type)!);
    const columns = schema.fields.map((f, j) => `"${f.name}" ${DUCK_TYPES[types[j]]}`).join(', ');
    await duck.run(`CREATE TABLE ${name} (${columns})`);
    const rows: string[] = [];
    for (const rb of batches) {
      const cols = types.map((t, j) => colFromArrow(rb.data.children[j], t));
      for (let i = 0; i < rb.numRows; i++) rows.push(`(${cols.map((c, j) => literal(types[j], valueAt(c, i))).join(', ')})`);
    }
    if (rows.length) await duck.run(`INSERT INTO ${name} VALUES ${rows.join(', ')}`);
  }
});

after(() => {
  duck?.closeSync();
});

/** Queries from the supported subset; ORDER BY clauses name NULLS placement (DuckDB's default differs). */
const QUERIES = [
  'select count(*), count(level), sum(level), avg(value), min(value), max(value) from logs',
  'select process_id, count(*), sum(value), avg(level) from logs group by process_id',
  'select target, level, count(*) from logs group by target, level',
  'select s, count(*), sum(a), min(f), max(f) from nums group by s having count(*) >= 1',
  'select a % 2, count(*) from nums where a is not null group by a % 2',
  'select a, b from nums where a > 1 and b is not null',
  'select a, s from nums where s is null or a is null',
  'select a from nums where not ok',
  'select a from nums where ok is not true',
  'select msg from logs where level between 2 and 4 and msg like \'%e%\'',
  'select msg from logs where target in (\'db\', \'http\')',
  'select msg from logs where target not in (\'db\', \'http\')',
  'select a, b from nums order by b desc nulls last, a asc nulls first',
  'select time, msg from logs order by time desc limit 3',
  'select distinct target from logs',
  'select count(distinct target), count(distinct process_id) from logs',
  'select coalesce(a, 0) + coalesce(b, 0) from nums',
  'select case when a > 2 then \'big\' when a > 0 then \'small\' else \'other\' end, count(*) from nums group by 1',
  'select p.exe, count(*) from logs l join procs p on l.process_id = p.process_id group by p.exe',
  'select p.exe, count(l.time) from procs p left join logs l on l.process_id = p.process_id group by p.exe',
  'select l.msg, p.exe from logs l left join procs p on p.process_id = l.process_id',
  'select n.a, v.name from nums n left join levels v on n.a = v.level',
  'select n.a, v.name from levels v right join nums n on n.a = v.level',
  'select process_id, exe, msg from logs join procs using (process_id)',
  'select count(*) from nums x join nums y on x.s = y.s',
  'select count(*) from nums x join nums y on x.a = y.a and x.b = y.b',
  'select v.name, p.exe from levels v, procs p where v.level = p.cores',
  'select count(*), sum(v.level) from levels v cross join procs p',
  'select l.msg from logs l join procs p on l.process_id = p.process_id and p.cores > 4 where l.level < 3',
  // FULL [OUTER] JOIN (ON, USING, residual conditions, filters above it) and non-equi ON conditions
  'select p.exe, l.msg from procs p full outer join logs l on p.process_id = l.process_id',
  'select process_id, exe, msg from procs full join logs using (process_id)',
  'select * from levels full join (select a as level, s from nums) n using (level)',
  'select n.a, n.b, v.name from nums n full join levels v on n.a = v.level and n.b > 15',
  'select n.a, v.name from nums n full join levels v on n.a = v.level where v.name is null',
  'select n.a, v.name from nums n full join levels v on n.a = v.level where n.a > 1',
  'select e.a, n.a from nums n full join empty e on e.a = n.a',
  'select x.s, y.s, x.a, y.a from nums x full join nums y on x.s = y.s and x.a < y.a',
  'select n.a, v.level from nums n full join levels v on n.a > v.level + 2',
  'select v.name, count(l.msg) from levels v full join logs l on l.level = v.level group by v.name',
  'select l.msg, p.exe from logs l join procs p on l.process_id = p.process_id and l.time > p.started + interval \'2 minutes\'',
  'select l.msg, p.exe from logs l left join procs p on l.process_id = p.process_id and l.level > p.cores - 2',
  'select l.msg, v.name from logs l left join levels v on l.level + 4 < v.level',
  'select * from procs natural join logs',
  'select * from logs natural full join procs',
  'select * from (select s, a from nums) x full join (select a, b, s from nums where a > 2) y using (a, s)',
  'select msg from logs where process_id in (select process_id from procs where cores > 4)',
  'select count(*) from logs where process_id not in (select process_id from procs)',
  'select a from nums where a not in (select level from levels)',
  'select a in (select level from levels), a not in (select a from nums where a > 2) from nums',
  'select msg from logs where level = (select min(level) from logs)',
  'select a, a - (select avg(a) from nums) from nums',
  // correlated subqueries (scalar, EXISTS / NOT EXISTS, IN / NOT IN) in WHERE and the select list
  'select l.process_id, l.msg, l.level from logs l where level = (select max(level) from logs m where m.process_id = l.process_id)',
  'select p.exe, (select count(*) from logs l where l.process_id = p.process_id), (select sum(value) from logs l where l.process_id = p.process_id), (select max(time) from logs l where l.process_id = p.process_id and l.level > 3) from procs p',
  'select p.exe, (select count(*) + 1 from logs l where l.process_id = p.process_id), (select coalesce(sum(level), -1) from logs l where l.process_id = p.process_id) from procs p',
  'select p.exe, (select v.name from levels v where v.level = p.cores) from procs p',
  'select exe, cores from procs p where cores > (select avg(level) from logs l where l.process_id = p.process_id)',
  'select l.msg from logs l where exists (select 1 from procs p where p.process_id = l.process_id and p.cores > 4)',
  'select l.msg from logs l where not exists (select 1 from procs p where p.process_id = l.process_id)',
  'select exe, exists (select 1 from logs l where l.process_id = p.process_id and l.level = 4) from procs p',
  'select n.a, n.s from nums n where exists (select 1 from nums m where m.a = n.a and m.s = n.s and m.f is null)',
  'select n.a, n.s, n.a in (select m.a from nums m where m.s = n.s and m.b > 10), n.a not in (select m.a from nums m where m.s = n.s and m.b > 10) from nums n',
  'select n.a, n.a in (select m.a + 1 from nums m where m.s = n.s), n.b not in (select m.b from nums m where m.s = n.s and m.a > 1) from nums n',
  'select l.msg from logs l where l.level in (select v.level from levels v where v.name like \'%r%\' and v.level = l.level)',
  'select l.msg, exists (select 1 from procs p where p.process_id = l.process_id and l.level > 3) from logs l',
  'select l.msg, (select count(*) from procs p where p.process_id = l.process_id and l.level >= 4), (select max(p.cores) from procs p where p.process_id = l.process_id and l.value > 1), (select count(*) + 1 from procs p where p.process_id = l.process_id and l.level >= 4) from logs l',
  'select n.a, n.a in (select m.a from nums m where m.s = n.s and n.b > 15), n.a not in (select m.a from nums m where m.s = n.s and n.ok) from nums n',
  'select l.msg, exists (select 1 from procs p where l.level > 3), (select count(*) from procs p where l.level > 3 and p.cores > 2), (select max(p.cores) + 1 from procs p where l.level > 3) from logs l',
  'select n.a, n.a in (select m.a from nums m where n.b > 15 and m.a > 4), n.a not in (select m.a from nums m where n.b > 100), n.a in (select m.a from nums m where m.s = n.s and m.b > 1000) from nums n',
  'select process_id, time, row_number() over (partition by process_id order by time) from logs',
  'select level, rank() over (order by level nulls last), dense_rank() over (order by level nulls last) from logs',
  'select time, lag(value) over (order by time), lead(value, 2, -1) over (order by time) from logs',
  'select time, sum(value) over (order by time), count(value) over (order by time) from logs',
  'select b, a, sum(a) over (order by b nulls last), avg(a) over (order by b nulls last), count(*) over (order by b nulls last) from nums',
  'select s, a, min(a) over (partition by s order by a desc nulls first), max(a) over (partition by s order by a desc nulls first) from nums',
  'select process_id, count(*) over (partition by process_id), max(time) over (partition by process_id), sum(level) over () from logs',
  'select process_id, count(*), rank() over (order by count(*) desc) from logs group by process_id',
  'select a, first_value(a) over (order by a nulls last), last_value(a) over (order by a nulls last) from nums',
  // explicit ROWS frames (moving / running / reverse-running aggregates), first/last_value over frames
  'select a, f, sum(a) over (order by a nulls last, f nulls last rows between 1 preceding and current row) from nums',
  'select a, f, sum(b) over (order by a nulls first, f rows between 1 preceding and 1 following), avg(f) over (order by a nulls first, f rows between 2 preceding and 1 following) from nums',
  'select a, f, min(f) over (order by a nulls last, f nulls last rows between 2 preceding and current row), max(f) over (order by a nulls last, f nulls last rows between current row and 2 following) from nums',
  'select s, a, f, sum(a) over (partition by s order by a nulls last, f rows between current row and unbounded following), count(*) over (partition by s order by a nulls last, f rows between 1 following and unbounded following) from nums',
  'select s, a, f, max(b) over (partition by s order by a nulls last, f rows between unbounded preceding and 1 preceding), min(b) over (partition by s order by a nulls last, f rows between 3 following and 5 following) from nums',
  'select process_id, time, count(value) over (partition by process_id order by time rows between unbounded preceding and current row), sum(value) over (partition by process_id order by time rows between unbounded preceding and unbounded following) from logs',
  'select a, f, first_value(f) over (order by a nulls last, f rows between 2 following and 3 following), last_value(f) over (order by a nulls last, f rows between unbounded preceding and 2 preceding) from nums',
  'select a, f, first_value(a) over (order by a nulls last, f rows between 1 preceding and 1 following), last_value(a) over (order by a nulls last, f rows between 1 preceding and 1 following) from nums',
  'select a, sum(a) over (order by a nulls last range between unbounded preceding and current row) from nums',
  'select a, count(*) over (order by a rows between 1 preceding and 1 following) from empty',
  'select level, time, ntile(3) over (order by level nulls last, time), ntile(20) over (order by time), ntile(4) over (partition by process_id order by time) from logs',
  'select level, percent_rank() over (order by level nulls last), cume_dist() over (order by level nulls last) from logs',
  'select process_id, level, percent_rank() over (partition by process_id order by level nulls first), cume_dist() over (partition by process_id order by level nulls first) from logs',
  'select s, a, stddev(a) over (partition by s), variance(f) over (), percent_rank() over (partition by s order by a) from nums',
  // aggregates ordered inside the call
  'select s, string_agg(cast(a as varchar), \',\' order by a desc nulls last) from nums group by s',
  'select target, string_agg(msg, \'|\' order by level, time desc) from logs group by target',
  // FILTER clauses, IS UNKNOWN, trim forms, = ANY / <> ALL (subquery), EXTRACT fields
  'select max(a) filter (where a < 5), count(*) filter (where a > 1), sum(b) filter (where s = \'b\'), count(distinct s) filter (where a > 0) from nums',
  'select s, count(*) filter (where ok), avg(f) filter (where f > 0), min(a) filter (where false) from nums group by s',
  'select process_id, count(*) filter (where level >= 4), count(*) from logs group by process_id having count(*) filter (where level >= 4) > 0',
  'select a, ok is unknown, ok is not unknown from nums',
  'select trim(both \'x\' from \'xxaxx\'), trim(leading \'x\' from \'xxaxx\'), trim(trailing from \'  a  \'), trim(\'xxaxx\', \'x\'), ltrim(\'xxa\', \'x\'), rtrim(\'axx\', \'xa\')',
  'select a, a <> all(select level from levels where level > 2), a = some(select level from levels where level < 3) from nums',
  'select n.a from nums n where n.a = any(select m.a from nums m where m.s = n.s and m.b > 10)',
  'select extract(millisecond from time), extract(microsecond from time), extract(epoch from time), extract(dow from time), extract(doy from time) from logs',
  'select s, count(distinct a), sum(distinct b), avg(distinct f), max(distinct a), stddev(distinct b) from nums group by s',
  'select count(distinct a), sum(distinct a), avg(distinct a), min(distinct a), max(distinct s), string_agg(distinct s, \',\') from empty',
  'select process_id, string_agg(distinct target, \',\') from logs where process_id <> \'p1\' group by process_id',
  'select x, y, count(*) from (select \'a\' x, \'b:c\' y union all select \'a:b\', \'c\' union all select \'a\', \'b:c\' union all select null, \'\' union all select \'\', null) t group by x, y',
  'select process_id, target, level, count(*), min(msg) from logs group by process_id, target, level',
  'select upper(s), lower(s), length(s) from nums',
  'select date_trunc(\'minute\', time), count(*) from logs group by 1',
];

for (const sql of QUERIES) {
  test(`DuckDB agrees: ${sql}`, async () => {
    const ours = engineRows((await runQuery(sql, testContext())).batches).map((r) => r.map(norm));
    const reader = await duck.runAndReadAll(sql);
    const theirs = reader.getRows().map((r) => r.map(norm));
    // ORDER BY inside OVER (…) or inside an aggregate's parentheses does not order the result
    const ordered = /order by/i.test(sql.replace(/over \([^)]*\)/gi, '').replace(/order by [^()]*\)/gi, ')'));
    const key = (r: unknown[]) => JSON.stringify(r);
    const a = ordered ? ours.map(key) : ours.map(key).sort();
    const b = ordered ? theirs.map(key) : theirs.map(key).sort();
    assert.deepEqual(a, b);
  });
}
