// The decoded-segment cache: bounded in bytes, shared across queries, transparent to results, and
// never filled by a query cancelled in the middle of a segment.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Int32, RecordBatch, makeData } from 'apache-arrow';
import { planQuery, runQuery } from '../../query/engine.js';
import { lakeTableSource } from '../../query/views/lake-source.js';
import type { LakeAccess } from '../../query/views/segment-view.js';
import { SegmentCache, batchesBytes } from '../../query/segment-cache.js';
import { QueryError } from '../../query/errors.js';
import { renderRows } from './render.js';
import { NATIVE_CPU_STREAM, NATIVE_PROCESS, loadTestLake, type TestLake } from './lake-fixture.js';

let lake: TestLake;
before(async () => {
  lake = await loadTestLake();
});
after(async () => {
  await lake.close();
});

const QUERIES = [
  'select exe, level, msg, time, properties from log_entries order by time, msg',
  'select msg from log_entries order by msg',
  "select date_bin(interval '1 minute', time) as m, count(*) from log_entries where level <= 3 group by m order by m",
  "select exe, name, value, time from measures order by time, exe, name",
  "select name, avg(value), max(value) from measures group by name order by name",
  "select name, duration, trace_id, span_id from otel_spans order by duration",
  "select count(*) from log_entries where time >= '2024-01-01T00:02:05Z' and time <= '2024-01-01T00:05:01Z'",
  `select event_type, name from view_instance('async_events', '${NATIVE_PROCESS}') order by time`,
  `select name, duration from view_instance('thread_spans', '${NATIVE_CPU_STREAM}') order by begin`,
];

async function runAll(access: LakeAccess): Promise<string[][][]> {
  const tables = lakeTableSource(access, { onWarning: () => {} });
  const out: string[][][] = [];
  for (const sql of QUERIES) out.push(renderRows((await runQuery(sql, { tables })).batches));
  return out;
}

test('cached and uncached runs give identical results, and the second run is served from the cache', async () => {
  const uncached = await runAll(lake.lake());
  const cache = new SegmentCache();
  const cold = await runAll(lake.lake(cache));
  const afterCold = cache.stats();
  assert.ok(afterCold.entries > 0, JSON.stringify(afterCold));
  const warm = await runAll(lake.lake(cache));
  assert.deepEqual(cold, uncached);
  assert.deepEqual(warm, uncached);
  const afterWarm = cache.stats();
  // every cached entry is hit once; the misses again are the unreadable corrupt and unregistered
  // segments of the three log_entries queries (retried: a registration may make one readable), and
  // segments the time filter covers partially bypass the cache
  assert.equal(afterWarm.hits - afterCold.hits, afterCold.entries, JSON.stringify({ afterCold, afterWarm }));
  assert.equal(afterWarm.misses - afterCold.misses, 6, JSON.stringify({ afterCold, afterWarm }));
  assert.equal(afterWarm.entries, afterCold.entries);
});

test('the cache keys on the projection: different columns of one segment are separate entries', async () => {
  const cache = new SegmentCache();
  const tables = lakeTableSource(lake.lake(cache), { onWarning: () => {} });
  const a = renderRows((await runQuery("select msg from log_entries where exe = 'svc-c' order by msg", { tables })).batches);
  const b = renderRows((await runQuery("select level from log_entries where exe = 'svc-c' order by level", { tables })).batches);
  assert.deepEqual(a, [['json-0'], ['json-1'], ['json-2']]);
  assert.deepEqual(b, [['4'], ['4'], ['4']]);
  const entries = cache.stats().entries;
  await runQuery("select msg from log_entries where exe = 'svc-c'", { tables });
  assert.equal(cache.stats().entries, entries);
});

test('the cache stays within its byte bound, evicting the least recently used segments', async () => {
  const probe = new SegmentCache();
  await runQuery('select * from log_entries', { tables: lakeTableSource(lake.lake(probe), { onWarning: () => {} }) });
  const total = probe.stats().bytes;
  const cache = new SegmentCache(Math.floor(total / 2));
  const tables = lakeTableSource(lake.lake(cache), { onWarning: () => {} });
  const full = renderRows((await runQuery('select * from log_entries order by time, msg', { tables })).batches);
  const s = cache.stats();
  assert.ok(s.bytes <= cache.maxBytes && s.evictions > 0 && s.entries > 0, JSON.stringify(s));
  assert.deepEqual(renderRows((await runQuery('select * from log_entries order by time, msg', { tables })).batches), full);
});

test('a query cancelled in the middle of a segment leaves nothing in the cache', async () => {
  const cache = new SegmentCache();
  const controller = new AbortController();
  const base = lake.lake(cache);
  const access: LakeAccess = {
    ...base,
    async *decode(...args) {
      for await (const rb of base.decode(...args)) {
        yield rb;
        controller.abort(); // cancelled after the segment's first batch, before its end
      }
    },
  };
  const q = await planQuery('select msg from log_entries', { tables: lakeTableSource(access, { onWarning: () => {} }) });
  const got: RecordBatch[] = [];
  await assert.rejects(async () => {
    for await (const b of q.execute(controller.signal)) got.push(b);
  }, (e: unknown) => e instanceof QueryError && e.code === 'CANCELLED');
  assert.equal(cache.stats().entries, 0);
  assert.equal(cache.stats().bytes, 0);
});

test('the cache counts the memory its batches keep alive: whole buffers, each once while any entry holds it', async () => {
  const { batches } = await runQuery("select msg from log_entries where exe = 'svc-c'", { tables: lakeTableSource(lake.lake(), { onWarning: () => {} }) });
  assert.ok(batchesBytes(batches) >= 'json-0json-1json-2'.length, 'counts at least the bytes in use');

  const shared = new ArrayBuffer(1 << 16);
  const batch = (lo: number) => new RecordBatch({ v: makeData({ type: new Int32(), length: 16, data: new Int32Array(shared, lo * 4, 16) }) });
  const cache = new SegmentCache(1 << 20);
  const key = (i: number) => ({ view: 'v', blockId: 'b', segmentIndex: i, projection: null });
  cache.put(key(0), [batch(0)]);
  cache.put(key(1), [batch(16)]);
  assert.equal(cache.stats().bytes, 1 << 16, 'two entries over one ArrayBuffer count it once, whole');
  cache.put(key(2), [new RecordBatch({ v: makeData({ type: new Int32(), length: 4, data: new Int32Array(4) }) })]);
  assert.equal(cache.stats().bytes, (1 << 16) + 16);
  const small = new SegmentCache((1 << 16) + 16);
  small.put(key(0), [batch(0)]);
  small.put(key(1), [batch(16)]);
  small.put(key(2), [new RecordBatch({ v: makeData({ type: new Int32(), length: 8, data: new Int32Array(8) }) })]);
  assert.equal(small.stats().evictions, 2, 'the shared buffer is freed only when its last entry goes');
  assert.equal(small.stats().bytes, 32);
});
