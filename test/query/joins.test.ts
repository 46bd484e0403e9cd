// Join, subquery and window behaviours beyond row results: pushdown through joins to the right
// side's scan, equi-join extraction from WHERE, memory budget of the build side and of windows,
// subqueries run once at planning, large multi-batch inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int32, Int64, TimestampNanosecond, Utf8, Dictionary } from 'apache-arrow';
import { planQuery, runQuery } from '../../query/engine.js';
import { MemoryTable } from '../../query/memory-table.js';
import { tableSourceOf } from '../../query/views/information-schema.js';
import { explainLines } from '../../query/plan/explain.js';
import { QueryError } from '../../query/errors.js';
import { renderRows } from './render.js';
import { levelsTable, logsTable, procsTable } from './fixtures.js';

const NS = 1_000_000n;
const T0 = BigInt(Date.UTC(2024, 0, 1)) * NS;

function bigTable(rows: number, keys: number): MemoryTable {
  return MemoryTable.fromColumns([
    { name: 'k', type: new Int32(), values: Array.from({ length: rows }, (_, i) => i % keys) },
    { name: 'name', type: new Dictionary(new Utf8(), new Int32()), values: Array.from({ length: rows }, (_, i) => `n${i % keys}`) },
    { name: 'v', type: new Int64(), values: Array.from({ length: rows }, (_, i) => BigInt(i)) },
    { name: 'time', type: new TimestampNanosecond('UTC'), values: Array.from({ length: rows }, (_, i) => Date.UTC(2024, 0, 1) + i * 1000) },
  ], { batchRows: 1000, timeColumn: 'time' });
}

test('a time range in WHERE reaches the scan of the joined side it constrains', async () => {
  const logs = logsTable();
  const procs = procsTable();
  const tables = tableSourceOf({ logs, procs });
  const { batches } = await runQuery("select p.exe, l.msg from procs p join logs l on l.process_id = p.process_id where l.time >= '2024-01-01T00:02:00Z' and p.cores > 1 order by l.time", { tables });
  assert.deepEqual(renderRows(batches), [['db.exe', 'disk full'], ['app.exe', 'GET /'], ['app.exe', 'stopped']]);
  assert.deepEqual(logs.lastScan!.timeRange, { begin: T0 + 120_000n * NS, end: undefined });
  assert.equal(procs.lastScan!.filters.length, 1);
});

test('the query time range bounds every joined view', async () => {
  const logs = logsTable();
  const other = logsTable();
  await runQuery('select count(*) from logs a join other b on a.time = b.time', { tables: tableSourceOf({ logs, other }), timeRange: { begin: T0, end: T0 + 60_000n * NS } });
  assert.deepEqual(logs.lastScan!.timeRange, { begin: T0, end: T0 + 60_000n * NS });
  assert.deepEqual(other.lastScan!.timeRange, { begin: T0, end: T0 + 60_000n * NS });
});

test('a comma join with a WHERE equality is planned as a hash equi-join', async () => {
  const q = await planQuery('select v.name from logs l, levels v where l.level = v.level and v.level > 3', { tables: tableSourceOf({ logs: logsTable(), levels: levelsTable() }) });
  const text = (await explainLines(q.plan)).join('\n');
  assert.match(text, /HashJoin: INNER on=\[level = level\]/);
  assert.doesNotMatch(text, /cross/);
});

test('a LEFT join keeps WHERE conditions on the nullable side above the join', async () => {
  const { batches } = await runQuery('select l.msg from logs l left join procs p on p.process_id = l.process_id where p.exe is null order by l.time', { tables: tableSourceOf({ logs: logsTable(), procs: procsTable() }) });
  assert.deepEqual(renderRows(batches), [['GET /health'], ['no target']]);
});

test('joins over many batches match every key, dictionary strings included', async () => {
  const tables = tableSourceOf({ a: bigTable(20_000, 100), b: bigTable(300, 100) });
  const { batches } = await runQuery('select count(*), sum(a.v) from a join b on a.name = b.name and a.k = b.k', { tables });
  // each of the 20000 rows matches the 3 rows of b with its key
  const expectedSum = (20_000n * 19_999n / 2n) * 3n;
  assert.deepEqual(renderRows(batches), [['60000', String(expectedSum)]]);
});

test('a build side past the memory budget fails with RESOURCE_EXHAUSTED', async () => {
  const tables = tableSourceOf({ a: bigTable(100, 10), b: bigTable(50_000, 1000) });
  await assert.rejects(runQuery('select count(*) from a join b on a.k = b.k', { tables, memoryBudgetBytes: 200_000 }), (e: QueryError) => {
    assert.equal(e.code, 'RESOURCE_EXHAUSTED');
    assert.match(e.message, /join build side/);
    return true;
  });
});

test('a window over more rows than the memory budget allows fails with RESOURCE_EXHAUSTED', async () => {
  const tables = tableSourceOf({ a: bigTable(50_000, 10) });
  await assert.rejects(runQuery('select row_number() over (order by v) from a', { tables, memoryBudgetBytes: 200_000 }), (e: QueryError) => e.code === 'RESOURCE_EXHAUSTED');
});

test('window functions partition and order large multi-batch inputs', async () => {
  const tables = tableSourceOf({ a: bigTable(5_000, 7) });
  const { batches } = await runQuery('select k, max(rn), sum(rn) from (select k, row_number() over (partition by k order by v desc) as rn from a) x group by k order by k limit 2', { tables });
  // k=0 holds rows 0, 7, …, 4998 (715 rows); k=1 holds 715 rows too (1 … 4999)
  assert.deepEqual(renderRows(batches), [['0', '715', String((715 * 716) / 2)], ['1', '715', String((715 * 716) / 2)]]);
});

test('an uncorrelated subquery runs once at planning and reaches pushdown as a literal', async () => {
  const logs = logsTable();
  const levels = levelsTable();
  const q = await planQuery("select msg from logs where level = (select level from levels where name = 'fatal')", { tables: tableSourceOf({ logs, levels }) });
  assert.ok(levels.lastScan, 'the subquery ran while planning');
  const text = (await explainLines(q.plan)).join('\n');
  assert.match(text, /filters=\[\(level = 1:int32\)\]/);
});
