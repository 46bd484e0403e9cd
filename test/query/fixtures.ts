// Deterministic in-memory tables shared by the engine tests and the SQL file suite. Batches are small
// (3 rows) so every operator sees several batches; string columns mix dictionary and plain encodings.
import { Dictionary, Float64, Int32, Int64, TimestampNanosecond, Utf8, Bool } from 'apache-arrow';
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

export function testContext(extra: Partial<QueryContext> = {}): QueryContext {
  return {
    tables: tableSourceOf({ logs: logsTable(), nums: numsTable(), empty: emptyTable(), procs: procsTable(), levels: levelsTable() }),
    now: BigInt(at(86400)) * 1_000_000n, // 2024-01-02T00:00:00Z
    ...extra,
  };
}
