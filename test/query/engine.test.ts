// Engine behaviours beyond row results: planning before streaming, pushdown into scans, LIMIT
// stopping reads, query-time range and limit, memory budget, cancellation, result types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int32, Int64, TimestampNanosecond, Type } from 'apache-arrow';
import { planQuery, runQuery } from '../../query/engine.js';
import { MemoryTable } from '../../query/memory-table.js';
import { tableSourceOf } from '../../query/views/information-schema.js';
import { QueryError } from '../../query/errors.js';
import { renderRows } from './render.js';
import { logsTable, testContext } from './fixtures.js';

const NS = 1_000_000n;
const T0 = BigInt(Date.UTC(2024, 0, 1)) * NS;

function bigTable(rows: number, batchRows: number): MemoryTable {
  return MemoryTable.fromColumns([
    { name: 'k', type: new Int32(), values: Array.from({ length: rows }, (_, i) => (i * 7919) % 1000) },
    { name: 'v', type: new Int64(), values: Array.from({ length: rows }, (_, i) => BigInt(i)) },
    { name: 'time', type: new TimestampNanosecond('UTC'), values: Array.from({ length: rows }, (_, i) => Date.UTC(2024, 0, 1) + i * 1000) },
  ], { batchRows, timeColumn: 'time' });
}

test('planQuery returns the result schema without reading any data', async () => {
  const logs = logsTable();
  const q = await planQuery('select level, msg, time from logs where level > 2', { tables: tableSourceOf({ logs }) });
  assert.deepEqual(q.schema.fields.map((f) => [f.name, String(f.type)]), [['level', 'Int32'], ['msg', 'Utf8'], ['time', 'Timestamp<NANOSECOND, UTC>']]);
  assert.equal(logs.lastScan, undefined);
});

test('SQL errors surface from planQuery as INVALID_ARGUMENT with a position, before any scan', async () => {
  const logs = logsTable();
  await assert.rejects(planQuery('select lvl from logs', { tables: tableSourceOf({ logs }) }), (e: QueryError) => {
    assert.equal(e.code, 'INVALID_ARGUMENT');
    assert.equal(e.message, 'column "lvl" does not exist at line 1, column 8');
    assert.deepEqual(e.position, { line: 1, column: 8 });
    return true;
  });
  assert.equal(logs.lastScan, undefined);
});

test('dictionary-encoded view columns come out as plain Utf8', async () => {
  const { schema } = await runQuery('select process_id, target from logs', testContext());
  assert.deepEqual(schema.fields.map((f) => f.type.typeId), [Type.Utf8, Type.Utf8]);
});

test('the scan gets only the referenced columns, the WHERE conjuncts and the time range', async () => {
  const logs = logsTable();
  await runQuery("select msg from logs where time >= '2024-01-01T00:01:00Z' and time < '2024-01-01T00:02:00Z' and level = 4", { tables: tableSourceOf({ logs }) });
  const req = logs.lastScan!;
  assert.deepEqual([...req.projection!].sort(), ['level', 'msg', 'time']);
  assert.equal(req.filters.length, 3);
  assert.deepEqual(req.timeRange, { begin: T0 + 60_000n * NS, end: T0 + 120_000n * NS - 1n });
});

test('filters on a subquery column are pushed through the projection to the scan', async () => {
  const logs = logsTable();
  const { batches } = await runQuery("select m from (select msg as m, time from logs) s where time <= '2024-01-01T00:00:10Z' order by m", { tables: tableSourceOf({ logs }) });
  assert.deepEqual(renderRows(batches), [['Request done'], ['started']]);
  assert.equal(logs.lastScan!.timeRange?.end, T0 + 10_000n * NS);
});

test('the query range bounds the time column like a WHERE clause and reaches the scan', async () => {
  const logs = logsTable();
  const ctx = { tables: tableSourceOf({ logs }), timeRange: { begin: T0 + 60_000n * NS, end: T0 + 130_000n * NS } };
  const { batches } = await runQuery("select count(*) from logs where time <= '2024-01-01T00:02:05Z'", ctx);
  assert.deepEqual(renderRows(batches), [['3']]);
  assert.deepEqual(logs.lastScan!.timeRange, { begin: T0 + 60_000n * NS, end: T0 + 125_000n * NS });
});

test('LIMIT without ORDER BY stops reading the table after enough rows', async () => {
  const t = bigTable(1000, 10);
  const { batches } = await runQuery('select v from t limit 15', { tables: tableSourceOf({ t }) });
  assert.equal(renderRows(batches).length, 15);
  assert.equal(t.lastScan!.limit, 15);
  assert.ok(t.batchesRead <= 2, `read ${t.batchesRead} batches`);
});

test('LIMIT above a filter still stops the scan early (the generator is closed)', async () => {
  const t = bigTable(1000, 10);
  const { batches } = await runQuery('select v from t where v % 2 = 0 limit 3', { tables: tableSourceOf({ t }) });
  assert.deepEqual(renderRows(batches), [['0'], ['2'], ['4']]);
  assert.ok(t.batchesRead <= 1, `read ${t.batchesRead} batches`);
});

test('ORDER BY … LIMIT (top-k) equals the head of the full sort, ties in input order', async () => {
  const ctx = { tables: tableSourceOf({ t: bigTable(5000, 97) }) };
  const top = renderRows((await runQuery('select k, v from t order by k desc, v limit 25', ctx)).batches);
  const full = renderRows((await runQuery('select k, v from t order by k desc, v', ctx)).batches);
  assert.deepEqual(top, full.slice(0, 25));
  assert.equal(full.length, 5000);
});

test('the limit from the query context caps the result', async () => {
  const { batches } = await runQuery('select msg from logs order by time', testContext({ limit: 2 }));
  assert.deepEqual(renderRows(batches), [['started'], ['Request done']]);
});

test('blocking operators fail with resources exhausted beyond the memory budget', async () => {
  const ctx = { tables: tableSourceOf({ t: bigTable(5000, 500) }), memoryBudgetBytes: 4096 };
  for (const sql of ['select v, count(*) from t group by v', 'select v from t order by k']) {
    await assert.rejects(runQuery(sql, ctx), (e: QueryError) => {
      assert.equal(e.code, 'RESOURCE_EXHAUSTED');
      assert.match(e.message, /^resources exhausted: /);
      return true;
    });
  }
  // streaming plans hold a batch at a time and run within the same budget
  const { batches } = await runQuery('select v from t where k = 0', ctx);
  assert.equal(renderRows(batches).length, 5);
});

test('an aborted signal stops execution with CANCELLED', async () => {
  const q = await planQuery('select v from t', { tables: tableSourceOf({ t: bigTable(100, 10) }) });
  const ac = new AbortController();
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const b of q.execute(ac.signal)) {
      seen.push(b.numRows);
      ac.abort();
    }
  }, (e: QueryError) => e.code === 'CANCELLED');
  assert.equal(seen.length, 1);
});

test('EXPLAIN shows the pushed-down time range and projection of the scan', async () => {
  const { batches } = await runQuery("explain select msg from logs where time > '2024-01-01T00:01:00Z' limit 3", testContext());
  const text = renderRows(batches).map((r) => r[1]).join('\n');
  assert.match(text, /Scan: logs projection=\[time, msg\].*time_range=\[2024-01-01T00:01:00\.000000001Z, \+inf\]/);
});

test('results arrive in batches of at most batchRows rows', async () => {
  const { batches } = await runQuery('select v from t order by v', { tables: tableSourceOf({ t: bigTable(1000, 1000) }), batchRows: 300 });
  assert.deepEqual(batches.map((b) => b.numRows), [300, 300, 300, 100]);
});

test('a statement sent again gives the same plan and rows (parsed once, each run binds its own copy)', async () => {
  const tables = tableSourceOf({ logs: logsTable() });
  const sql = "select target, count(*) as n from logs where level <= 3 and target <> 'http' group by target order by n desc, target";
  const first = await planQuery(sql, { tables });
  const firstRows = renderRows((await runQuery(sql, { tables })).batches);
  for (let i = 0; i < 3; i++) {
    const again = await planQuery(sql, { tables });
    assert.deepEqual(again.schema.fields.map((f) => f.name), first.schema.fields.map((f) => f.name));
    assert.deepEqual(renderRows((await runQuery(sql, { tables })).batches), firstRows);
  }
  assert.deepEqual(firstRows, [['db', '3'], ['app', '2']]);
  // a one-character difference is another statement
  assert.deepEqual(renderRows((await runQuery(sql.replace('<= 3', '<= 2'), { tables })).batches), [['db', '2']]);
});
