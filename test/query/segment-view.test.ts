// Telemetry views as table providers: segment resolution gets the pushed-down time range and
// process ids, decoders get the projection, and a satisfied LIMIT stops decoding further segments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQuery } from '../../query/engine.js';
import { lakeTableSource } from '../../query/views/lake-source.js';
import type { LakeAccess, SegmentDecoder } from '../../query/views/segment-view.js';
import { OTLP_VIEW_SCHEMAS } from '../../decoders/otlp/schemas.js';
import type { BlobStore, Catalog, SegmentQuery, SegmentRef } from '../../lake/types.js';
import { MemoryTable } from '../../query/memory-table.js';
import { renderRows } from './render.js';

const NS = 1_000_000n;
const T0 = BigInt(Date.UTC(2024, 0, 1)) * NS;

/** A lake of `n` log segments, each decoding to the same rows with log_entries' columns. */
function fakeLake(n: number, getRange: (key: string) => Promise<Uint8Array> = async () => new Uint8Array(1)) {
  const queries: SegmentQuery[] = [];
  const projections: (readonly string[] | null)[] = [];
  const segments: SegmentRef[] = Array.from({ length: n }, (_, i) => ({
    block_id: `b${i}`, segment_index: 0, process_id: `p${i % 2}`, stream_id: 's', byte_offset: 0, byte_length: 1,
    begin_time: T0, end_time: T0, nb_objects: 1, begin_ticks: null, end_ticks: null, object_offset: null,
    format: 'otlp-logs-proto', blob_key: `k${i}`, insert_time: T0, payload_size: 1,
  }));
  const schema = OTLP_VIEW_SCHEMAS.log_entries;
  const catalog = {
    async findSegments(q: SegmentQuery) {
      queries.push(q);
      return segments.filter((s) => !q.processIds || q.processIds.includes(s.process_id));
    },
    async getProcess() {
      return undefined;
    },
  } as unknown as Catalog;
  const blobs = { getRange } as unknown as BlobStore;
  const decode: SegmentDecoder = async function* (_f, _v, _b, ctx, projection) {
    projections.push(projection);
    // one batch of 10 rows per segment with the requested log_entries columns
    const values: Record<string, unknown[]> = {
      time: Array.from({ length: 10 }, (_, i) => Date.UTC(2024, 0, 1) + i * 10_000),
      msg: Array.from({ length: 10 }, (_, i) => `m${i}`),
      process_id: Array.from({ length: 10 }, () => ctx.processId),
    };
    const names = projection ?? Object.keys(values);
    yield MemoryTable.fromColumns(names.map((name) => ({ name, type: schema.fields.find((f) => f.name === name)!.type, values: values[name] }))).batches[0];
  };
  const lake: LakeAccess = { catalog, blobs, decode };
  return { lake, queries, projections };
}

test('log_entries resolves segments with the time range and process ids of the WHERE clause', async () => {
  const { lake, queries, projections } = fakeLake(4);
  const sql = "select count(*) from log_entries where process_id in ('p1', 'p9') and time >= '2024-01-01T00:01:00Z' and time <= '2024-01-01T00:02:00Z'";
  const { batches } = await runQuery(sql, { tables: lakeTableSource(lake) });
  assert.deepEqual(queries[0], { view: 'log_entries', begin: T0 + 60_000n * NS, end: T0 + 120_000n * NS, processIds: ['p1', 'p9'], streamIds: undefined });
  assert.deepEqual(projections, [['process_id', 'time'], ['process_id', 'time']]);
  assert.deepEqual(renderRows(batches), [['8']]); // rows at 60, 70, 80, 90 s in each of the 2 segments of p1
});

test('a LIMIT satisfied by the first segment leaves the others undecoded', async () => {
  const { lake, projections } = fakeLake(5);
  const { batches } = await runQuery('select msg from log_entries limit 3', { tables: lakeTableSource(lake) });
  assert.equal(renderRows(batches).length, 3);
  assert.equal(projections.length, 1);
});

test('EXPLAIN reports kept and pruned segment counts', async () => {
  const { lake } = fakeLake(4);
  const { batches } = await runQuery("explain select msg from log_entries where process_id = 'p0'", { tables: lakeTableSource(lake) });
  assert.match(renderRows(batches).map((r) => r[1]).join('\n'), /segments=2 pruned=2/);
});

test('blob reads run ahead of decoding; one the scan never uses cannot fail it, one it uses does', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const read = async (key: string) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 2));
    inFlight--;
    if (key === 'k2') throw new Error('disk on fire');
    return new Uint8Array(1);
  };
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    // LIMIT 3 is met by the first segment: the failing read of the third was started but is unused
    const limited = fakeLake(6, read);
    assert.equal(renderRows((await runQuery('select msg from log_entries limit 3', { tables: lakeTableSource(limited.lake) })).batches).length, 3);
    // reading every segment: reads overlap, and the failing one fails the query
    const all = fakeLake(6, read);
    await assert.rejects(runQuery('select msg from log_entries', { tables: lakeTableSource(all.lake) }), /disk on fire/);
    assert.ok(maxInFlight > 1, `reads in flight at once: ${maxInFlight}`);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
