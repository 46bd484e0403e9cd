// SQL over a real lake: OTLP (protobuf and JSON) and native blocks sent through the HTTP ingest app,
// queried through planQuery over lakeTableSource with the real decoders.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runQuery } from '../../query/engine.js';
import { lakeTableSource } from '../../query/views/lake-source.js';
import type { LakeScanOptions } from '../../query/views/segment-view.js';
import type { QueryContext } from '../../query/types.js';
import { QueryError } from '../../query/errors.js';
import { encodeProcessInfo } from '../helpers/native-encoder.js';
import { post } from '../ingest/harness.js';
import { renderRows } from './render.js';
import {
  CORRUPT_BLOCK, NATIVE_CPU_STREAM, NATIVE_PROCESS, ORPHAN_PROCESS, T, iso, loadTestLake, type TestLake,
} from './lake-fixture.js';

const S = 1_000_000_000n;
let lake: TestLake;
let warnings: string[];

before(async () => {
  lake = await loadTestLake();
});
after(async () => {
  await lake.close();
});

async function rows(sql: string, ctx: Partial<QueryContext> = {}, opts: LakeScanOptions = {}): Promise<string[][]> {
  warnings = [];
  const tables = lakeTableSource(lake.lake(), { onWarning: (m) => warnings.push(m), ...opts });
  return renderRows((await runQuery(sql, { tables, ...ctx })).batches);
}

async function explain(sql: string, ctx: Partial<QueryContext> = {}): Promise<string> {
  return (await rows(`explain ${sql}`, ctx)).map((r) => r[1]).join('\n');
}

async function processId(exe: string): Promise<string> {
  const [[id]] = await rows(`select process_id from processes where exe = '${exe}'`);
  return id;
}

test('every view counts the rows of OTLP protobuf, OTLP JSON and native blocks', async () => {
  assert.deepEqual(await rows('select count(*) from log_entries'), [['18']]);
  assert.deepEqual(await rows('select count(*) from measures'), [['9']]);
  assert.deepEqual(await rows('select count(*) from otel_spans'), [['5']]);
  assert.deepEqual(await rows("select msg, level, target, exe, computer from log_entries where exe = 'native-app' order by time"), [
    ['native hello', '4', 'native.target', 'native-app', 'native-host'],
    ['native oops', '2', 'native.target', 'native-app', 'native-host'],
    ['native bye', '4', 'native.target', 'native-app', 'native-host'],
  ]);
  assert.deepEqual(await rows("select name, unit, value, time, process_properties from measures where name = 'native.temp' order by time"), [
    ['native.temp', 'C', '20.5', '2024-01-01T00:00:01Z', '{"region":"eu"}'],
    ['native.temp', 'C', '21.5', '2024-01-01T00:00:02Z', '{"region":"eu"}'],
  ]);
});

test('a corrupt native segment and one whose process is not registered are skipped with warnings', async () => {
  assert.deepEqual(await rows('select count(*) from log_entries'), [['18']]);
  assert.equal(warnings.length, 2);
  assert.match(warnings.find((w) => w.includes(CORRUPT_BLOCK)) ?? '', /segment skipped: corrupt segment .* objects: LZ4/);
  assert.match(warnings.find((w) => !w.includes(CORRUPT_BLOCK)) ?? '', /process is not registered yet/);
});

test('strict mode fails a query that reads a corrupt segment with DATA_LOSS, and not one that prunes it', async () => {
  await assert.rejects(rows('select count(*) from log_entries', {}, { strict: true }), (e: unknown) => e instanceof QueryError && e.code === 'DATA_LOSS' && e.message.includes(CORRUPT_BLOCK));
  assert.deepEqual(await rows(`select count(*) from log_entries where time < '${iso(T + 600n * S)}'`, {}, { strict: true }), [['16']]);
  // exe is the process row's: segments of other processes are skipped unread
  assert.deepEqual(await rows("select count(*) from log_entries where exe = 'svc-a'", {}, { strict: true }), [['8']]);
});

test('a time filter prunes segments: only the overlapping block is read, and EXPLAIN says so', async () => {
  const where = "where time >= '2024-01-01T00:09:00Z' and time < '2024-01-01T00:20:00Z'";
  assert.deepEqual(await rows(`select msg from log_entries ${where} order by time`), [['late-0'], ['late-1']]);
  assert.match(await explain(`select msg from log_entries ${where}`), /segments=1 pruned=6/);
});

test('the query range bounds every view like a WHERE clause and prunes segments', async () => {
  const timeRange = { begin: T + 300n * S, end: T + 360n * S };
  assert.deepEqual(await rows('select count(*), min(msg) from log_entries', { timeRange }), [['3', 'json-0']]);
  assert.match(await explain('select msg from log_entries', { timeRange }), /segments=1 pruned=6/);
  assert.deepEqual(await rows('select count(*) from measures', { timeRange: { begin: T + 60n * S, end: T + 120n * S } }), [['3']]);
  assert.deepEqual(await rows('select name from otel_spans', { timeRange: { begin: T + 4n * S, end: T + 5n * S } }), [['GET /b']]);
});

test('process_id equality reaches segment resolution', async () => {
  const b = await processId('svc-b');
  assert.deepEqual(await rows(`select count(*) from log_entries where process_id = '${b}'`), [['4']]);
  assert.match(await explain(`select msg from log_entries where process_id = '${b}'`), /segments=1 pruned=6/);
});

test('property_get reads a key of the properties column', async () => {
  const sql = "select property_get(properties, 'http.route') as route, count(*) from log_entries where exe = 'svc-a' and time < '2024-01-01T00:05:00Z' group by route order by route";
  assert.deepEqual(await rows(sql), [['/r0', '3'], ['/r1', '3']]);
  assert.deepEqual(await rows("select property_get(process_properties, 'region') from log_entries where exe = 'native-app' limit 1"), [['eu']]);
});

test('dashboard: errors per minute with date_bin', async () => {
  const sql = "select date_bin(interval '1 minute', time) as minute, count(*) from log_entries where level <= 2 group by minute order by minute";
  assert.deepEqual(await rows(sql), [['2024-01-01T00:00:00Z', '2'], ['2024-01-01T00:01:00Z', '1']]);
});

test('dashboard: rows per process', async () => {
  assert.deepEqual(await rows('select exe, count(*) as n from log_entries group by exe order by n desc, exe'), [
    ['svc-a', '8'], ['svc-b', '4'], ['native-app', '3'], ['svc-c', '3'],
  ]);
});

test('dashboard: avg and max per minute of one measure', async () => {
  const sql = "select date_bin(interval '1 minute', time) as minute, avg(value), max(value) from measures where name = 'cpu.usage' group by minute order by minute";
  assert.deepEqual(await rows(sql), [['2024-01-01T00:00:00Z', String(13 / 3), '10'], ['2024-01-01T00:01:00Z', '9', '20']]);
});

test('dashboard: slowest span names', async () => {
  assert.deepEqual(await rows('select name, max(duration) as d from otel_spans group by name order by d desc limit 3'), [
    ['GET /b', '100000000'], ['db.query', '50000000'], ['GET /a', '10000000'],
  ]);
});

test("view_instance('thread_spans', stream_id) pairs a cpu stream's spans under its thread root", async () => {
  const sql = `select name, id, parent, depth, begin, duration from view_instance('thread_spans', '${NATIVE_CPU_STREAM}') order by begin, depth`;
  assert.deepEqual(await rows(sql), [
    ['main-7', '-1', '0', '0', '2024-01-01T00:00:00Z', '4000000000'],
    ['work', '0', '-1', '1', '2024-01-01T00:00:01Z', '2000000000'],
    ['inner', '2', '0', '2', '2024-01-01T00:00:01.5Z', '500000000'],
  ]);
  // the query range keeps spans that overlap it
  assert.deepEqual(await rows(`select name from view_instance('thread_spans', '${NATIVE_CPU_STREAM}')`, { timeRange: { begin: T + 2500n * 1_000_000n, end: T + 10n * S } }), [['main-7'], ['work']]);
  assert.deepEqual(await rows("select count(*) from view_instance('thread_spans', '00000000-0000-4000-8000-000000000000')"), [['0']]);
});

test("view_instance('async_events', process_id) lists a process's async span events", async () => {
  const sql = `select event_type, span_id, time, name, stream_id from view_instance('async_events', '${NATIVE_PROCESS}') order by time`;
  assert.deepEqual(await rows(sql), [
    ['begin', '7', '2024-01-01T00:00:01Z', 'work', NATIVE_CPU_STREAM],
    ['end', '7', '2024-01-01T00:00:02.5Z', 'work', NATIVE_CPU_STREAM],
  ]);
  assert.deepEqual(await rows(`select event_type from view_instance('async_events', '${NATIVE_PROCESS}') where time > '2024-01-01T00:00:02Z'`), [['end']]);
});

test('view_instance restricts log_entries, measures and otel_spans to one process', async () => {
  const a = await processId('svc-a');
  assert.deepEqual(await rows(`select count(*) from view_instance('log_entries', '${NATIVE_PROCESS}')`), [['3']]);
  assert.deepEqual(await rows(`select count(*) from view_instance('measures', '${a}')`), [['5']]);
  assert.deepEqual(await rows(`select count(*) from view_instance('otel_spans', '${a}')`), [['4']]);
  assert.match(await explain(`select name from view_instance('measures', '${a}')`), /segments=1 pruned=0/);
  await assert.rejects(rows("select * from view_instance('nope', 'x')"), /unknown view "nope"/);
  await assert.rejects(rows("select * from view_instance('thread_spans')"), /view_instance expects a view name and an id/);
});

test('a native segment becomes readable once its process registers', async () => {
  const res = await post(`${lake.ingest.url}/ingestion/insert_process`, encodeProcessInfo({
    process_id: ORPHAN_PROCESS, exe: 'late-app', tsc_frequency: 1_000_000_000, start_time: iso(T), start_ticks: 0,
  }));
  assert.equal(res.status, 200);
  assert.deepEqual(await rows("select count(*) from log_entries where exe = 'late-app'"), [['3']]);
  assert.deepEqual(await rows('select count(*) from log_entries'), [['21']]);
  assert.equal(warnings.length, 1); // only the corrupt block is left
});
