// Deterministic in-memory tables shared by the engine tests and the SQL file suite. Batches are small
// (3 rows) so every operator sees several batches; string columns mix dictionary and plain encodings.
import { Dictionary, Field, Float64, Int32, Int64, List, TimestampNanosecond, Utf8, Bool } from 'apache-arrow';
import { MemoryTable } from '../../query/memory-table.js';
import { tableSourceOf } from '../../query/views/information-schema.js';
import type { QueryContext } from '../../query/types.js';

const T0 = Date.UTC(2024, 0, 1); // 2024-01-01T00:00:00Z, ms
const at = (seconds: number) => T0 + seconds * 1000;

export function logsTable(): MemoryTable {
  return MemoryTable.fromColumns([
    { name: 'time', type: new TimestampNanosecond('UTC'), values: [0, 10, 30, 65, 70, 125, 130, 200, 3600, 3700].map(at), nullable: false },
    { name: 'process_id', type: new Dictionary(new Utf8(), new Int32()), values: ['p1', 'p1', 'p2', 'p1', 'p2', 'p2', 'p1', 'p3', 'p3', 'p1'], nullable: false },
    { name: 'level', type: new Int32(), values: [3, 4, 2, 4, 3, 1, 4, 5, null, 3] },
    { name: 'target', type: new Dictionary(new Utf8(), new Int32()), values: ['app', 'app', 'db', 'app', 'db', 'db', 'http', 'http', null, 'app'] },
    { name: 'msg', type: new Utf8(), values: ['started', 'Request done', 'query slow', 'request done', 'Query ok', 'disk full', 'GET /', 'GET /health', 'no target', 'stopped'] },
    {
      name: 'properties', type: new Utf8(),
      values: ['{"user":"ann"}', '{"status":"200","user":"bob"}', '{}', '{"status":"500"}', '{"n":3}', '{"disk":"sda"}', '{"status":"200"}', 'not json', null, '{"user":"ann"}'],
    },
    { name: 'value', type: new Float64(), values: [1.5, 2, null, 4.25, -1, 10, 0, 3, null, 2] },
  ], { batchRows: 3, timeColumn: 'time' });
}

export function numsTable(): MemoryTable {
  return MemoryTable.fromColumns([
    { name: 'a', type: new Int32(), values: [1, 2, 2, 3, null, 5, -4] },
    { name: 'b', type: new Int64(), values: [10n, 20n, 20n, null, 50n, 60n, 70n] },
    { name: 'f', type: new Float64(), values: [0.5, 1.5, null, 2.5, 3.5, -0.25, 1e3] },
    { name: 's', type: new Utf8(), values: ['a', 'b', 'b', null, 'c', 'a', 'A'] },
    { name: 'ok', type: new Bool(), values: [true, false, null, true, true, false, null] },
  ], { batchRows: 3 });
}

/** Processes for joins with logs.process_id: p3 has no row here, p4 no logs, one row a NULL key. */
export function procsTable(): MemoryTable {
  return MemoryTable.fromColumns([
    { name: 'process_id', type: new Dictionary(new Utf8(), new Int32()), values: ['p1', 'p2', 'p4', null] },
    { name: 'exe', type: new Utf8(), values: ['app.exe', 'db.exe', 'idle.exe', 'ghost.exe'], nullable: false },
    { name: 'started', type: new TimestampNanosecond('UTC'), values: [at(-60), at(-30), at(0), null] },
    { name: 'cores', type: new Int64(), values: [4n, 8n, null, 2n] },
  ], { batchRows: 3 });
}

/** Log level names, keyed like logs.level (Int32). */
export function levelsTable(): MemoryTable {
  return MemoryTable.fromColumns([
    { name: 'level', type: new Int32(), values: [1, 2, 3, 4, 5, 6], nullable: false },
    { name: 'name', type: new Utf8(), values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'], nullable: false },
  ], { batchRows: 4 });
}

export function emptyTable(): MemoryTable {
  return MemoryTable.fromColumns([
    { name: 'a', type: new Int32(), values: [] },
    { name: 's', type: new Utf8(), values: [] },
    { name: 'time', type: new TimestampNanosecond('UTC'), values: [] },
  ], { timeColumn: 'time' });
}

const listOf = (item: Float64 | Int64) => new List(new Field('item', item, false));

/** The `histograms` view's shape (otlp-mapping §8): explicit buckets, exponential points converted to
 * explicit bounds (§8.3 example for `exp`), a count-only point (empty lists) and an all-zero point. */
export function histogramsTable(): MemoryTable {
  const rows: [string, number, number | null, number[], number[]][] = [
    ['lat', 0, null, [1, 2, 5], [1, 2, 3, 0]],
    ['lat', 10, null, [1, 2, 5], [0, 4, 2, 2]],
    ['lat', 20, null, [], []],
    ['exp', 5, 0, [0, 1, 2, 4], [1, 0, 2, 3, 0]],
    ['exp', 15, 0, [0, 1, 2, 4], [0, 0, 1, 1, 0]],
    ['neg', 0, null, [-2, -1], [3, 1, 0]],
    ['zero', 0, null, [1, 2], [0, 0, 0]],
  ];
  return MemoryTable.fromColumns([
    { name: 'name', type: new Utf8(), values: rows.map((r) => r[0]) },
    { name: 'time', type: new TimestampNanosecond('UTC'), values: rows.map((r) => at(r[1])), nullable: false },
    { name: 'scale', type: new Int32(), values: rows.map((r) => r[2]) },
    { name: 'bucket_bounds', type: listOf(new Float64()), values: rows.map((r) => r[3]), nullable: false },
    { name: 'bucket_counts', type: listOf(new Int64()), values: rows.map((r) => r[4].map(BigInt)), nullable: false },
  ], { batchRows: 3, timeColumn: 'time' });
}

export function testContext(extra: Partial<QueryContext> = {}): QueryContext {
  return {
    tables: tableSourceOf({ logs: logsTable(), nums: numsTable(), empty: emptyTable(), procs: procsTable(), levels: levelsTable(), histograms: histogramsTable() }),
    now: BigInt(at(86400)) * 1_000_000n, // 2024-01-02T00:00:00Z
    ...extra,
  };
}
