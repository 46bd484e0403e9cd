// The Catalog behaviour every implementation must have; run by the SQLite and PostgreSQL tests.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type {
  BlobFormat, BlockRow, Catalog, IngestRecord, ProcessRow, SegmentRow, SegmentView, StreamRow,
} from '../../lake/types.js';

export interface CatalogFixture {
  catalog: Catalog;
  /** Opens another catalog on the same storage (a second server). */
  openAnother(): Promise<Catalog>;
  cleanup(): Promise<void>;
}

const S = 1_000_000_000n;
/** A base time well past 2^53 ns (2026), so exactness matters everywhere. */
const T0 = 1_767_225_600n * S;

export function proc(id = randomUUID(), over: Partial<ProcessRow> = {}): ProcessRow {
  return {
    process_id: id, exe: 'app', username: 'user', realname: 'User', computer: 'host', distro: 'Linux',
    cpu_brand: 'cpu', tsc_frequency: 3_000_000_000n, start_time: T0, start_ticks: 12345n,
    parent_process_id: null, insert_time: T0, properties: { 'otel.resource.b': '2', 'otel.resource.a': '1' },
    ...over,
  };
}

export function stream(processId: string, tags: string[], over: Partial<StreamRow> = {}): StreamRow {
  return {
    stream_id: randomUUID(), process_id: processId, tags, properties: {}, format: 'otlp/v1/logs',
    dependencies_metadata: null, objects_metadata: null, insert_time: T0, ...over,
  };
}

export function block(format: BlobFormat, begin: bigint, end: bigint, over: Partial<BlockRow> = {}): BlockRow {
  const block_id = over.block_id ?? randomUUID();
  return {
    block_id, format, blob_key: `blobs/${format}/2026/01/01/${block_id}`, payload_size: 1234,
    insert_time: T0, begin_time: begin, end_time: end, nb_objects: 3, ...over,
  };
}

export function segment(b: BlockRow, s: StreamRow, index: number, begin: bigint, end: bigint, over: Partial<SegmentRow> = {}): SegmentRow {
  return {
    block_id: b.block_id, segment_index: index, process_id: s.process_id, stream_id: s.stream_id,
    byte_offset: 10 * index, byte_length: 10, begin_time: begin, end_time: end, nb_objects: 1,
    begin_ticks: null, end_ticks: null, object_offset: null, ...over,
  };
}

/** One block with one segment per given stream, all spanning [begin, end]. */
function blockRecord(format: BlobFormat, streams: StreamRow[], begin: bigint, end: bigint, procs: ProcessRow[] = []): IngestRecord {
  const b = block(format, begin, end);
  return { processes: procs, streams, block: b, segments: streams.map((s, i) => segment(b, s, i, begin, end)) };
}

export function catalogContract(name: string, open: () => Promise<CatalogFixture>): void {
  describe(`${name} catalog contract`, () => {
    let fx: CatalogFixture;
    let cat: Catalog;
    before(async () => {
      fx = await open();
      cat = fx.catalog;
      await cat.migrate();
    });
    after(async () => {
      await fx?.cleanup();
    });

    const ids = async (view: SegmentView, q: { begin?: bigint; end?: bigint; processIds?: string[]; streamIds?: string[] }) =>
      (await cat.findSegments({ view, ...q })).map((r) => `${r.block_id}:${r.segment_index}`);

    test('migrating an up-to-date catalog again changes nothing', async () => {
      const p = proc();
      await cat.record({ processes: [p], streams: [], segments: [] });
      await cat.migrate();
      await cat.migrate();
      assert.deepEqual(await cat.getProcess(p.process_id), p);
    });

    test('two servers migrating at the same time both succeed', async () => {
      const other = await fx.openAnother();
      try {
        await Promise.all([other.migrate(), cat.migrate(), other.migrate()]);
        await other.ping();
      } finally {
        await other.close();
      }
    });

    test('a recorded process, stream and block read back exactly, with bigint ns beyond 2^53', async () => {
      const big = 2n ** 62n + 123_456_789n;
      const p = proc(undefined, { start_time: big, tsc_frequency: 2n ** 53n + 1n, start_ticks: -5n, parent_process_id: randomUUID() });
      const s = stream(p.process_id, ['cpu'], {
        format: 'micromegas-transit',
        properties: { 'thread-name': 'main', 'thread-id': '7' },
        dependencies_metadata: new Uint8Array([0, 1, 255]),
        objects_metadata: new Uint8Array([9]),
        insert_time: big + 1n,
      });
      const b = block('native-transit', big, big + 10n, { payload_size: 3_000_000_000 });
      const seg = segment(b, s, 0, big, big + 10n, { begin_ticks: 2n ** 60n, end_ticks: 2n ** 60n + 5n, object_offset: 2n ** 54n + 3n });
      await cat.record({ processes: [p], streams: [s], block: b, segments: [seg] });

      assert.deepEqual(await cat.getProcess(p.process_id), p);
      assert.deepEqual(await cat.getStream(s.stream_id), s);
      assert.deepEqual(await cat.getBlock(b.block_id), b);
      assert.equal(await cat.hasBlock(b.block_id), true);
      assert.equal(await cat.hasBlock(randomUUID()), false);
      const [ref] = await cat.findSegments({ view: 'thread_spans', streamIds: [s.stream_id] });
      assert.deepEqual(ref, { ...seg, format: b.format, blob_key: b.blob_key, insert_time: b.insert_time, payload_size: b.payload_size });
    });

    test('an unknown id reads as undefined', async () => {
      assert.equal(await cat.getProcess(randomUUID()), undefined);
      assert.equal(await cat.getStream(randomUUID()), undefined);
      assert.equal(await cat.getBlock(randomUUID()), undefined);
    });

    test('the first registration of a process wins and recording twice is harmless', async () => {
      const p = proc();
      await cat.record({ processes: [p], streams: [], segments: [] });
      await cat.record({ processes: [{ ...p, exe: 'other', properties: { x: 'y' } }], streams: [], segments: [] });
      const rec = blockRecord('otlp-logs-proto', [stream(p.process_id, ['log'])], T0, T0 + S, [p]);
      await cat.record(rec);
      await cat.record(rec);
      assert.deepEqual(await cat.getProcess(p.process_id), p);
      assert.equal((await cat.listProcesses()).filter((x) => x.process_id === p.process_id).length, 1);
      assert.equal((await cat.listBlocks()).filter((x) => x.block_id === rec.block!.block_id).length, 1);
      assert.equal((await ids('log_entries', { processIds: [p.process_id] })).length, 1);
    });

    test('properties are stored with sorted keys', async () => {
      const p = proc(undefined, { properties: { z: '1', a: '2', m: '3' } });
      await cat.record({ processes: [p], streams: [], segments: [] });
      assert.deepEqual(Object.keys((await cat.getProcess(p.process_id))!.properties), ['a', 'm', 'z']);
    });

    test('a record that fails part-way stores nothing', async () => {
      const p = proc();
      const s = stream(p.process_id, ['log']);
      const b = block('otlp-logs-proto', T0, T0);
      const bad = segment(b, s, 1, T0, T0, { stream_id: null as unknown as string }); // violates NOT NULL
      await assert.rejects(cat.record({ processes: [p], streams: [s], block: b, segments: [segment(b, s, 0, T0, T0), bad] }));
      assert.equal(await cat.getProcess(p.process_id), undefined);
      assert.equal(await cat.getStream(s.stream_id), undefined);
      assert.equal(await cat.hasBlock(b.block_id), false);
      // and the catalog still works afterwards
      await cat.record({ processes: [p], streams: [s], block: b, segments: [segment(b, s, 0, T0, T0)] });
      assert.equal(await cat.hasBlock(b.block_id), true);
    });

    test('concurrent records of overlapping rows all succeed and store each row once', async () => {
      const p = proc();
      const s = stream(p.process_id, ['log']);
      const recs = Array.from({ length: 6 }, () => blockRecord('otlp-logs-json', [s], T0, T0 + S, [p]));
      await Promise.all([...recs, ...recs].map((r) => cat.record(r)));
      assert.equal((await ids('log_entries', { streamIds: [s.stream_id] })).length, 6);
      assert.equal((await cat.listStreams()).filter((x) => x.stream_id === s.stream_id).length, 1);
    });

    test('segments come back for the views their stream kind feeds', async () => {
      const p = proc();
      const log = stream(p.process_id, ['log']);
      const met = stream(p.process_id, ['metrics'], { format: 'otlp/v1/metrics' });
      const tr = stream(p.process_id, ['trace'], { format: 'otlp/v1/traces' });
      const cpu = stream(p.process_id, ['cpu'], { format: 'micromegas-transit' });
      const nlog = stream(p.process_id, ['log'], { format: 'micromegas-transit' });
      const nmet = stream(p.process_id, ['metrics'], { format: 'micromegas-transit' });
      const img = stream(p.process_id, ['image'], { format: 'micromegas-transit' });
      const r = {
        log: blockRecord('otlp-logs-proto', [log], T0, T0 + S, [p]),
        met: blockRecord('otlp-metrics-json', [met], T0, T0 + S),
        tr: blockRecord('otlp-traces-proto', [tr], T0, T0 + S),
        cpu: blockRecord('native-transit', [cpu], T0, T0 + S),
        nlog: blockRecord('native-transit', [nlog], T0, T0 + S),
        nmet: blockRecord('native-transit', [nmet], T0, T0 + S),
        img: blockRecord('native-transit', [img], T0, T0 + S),
      };
      for (const rec of Object.values(r)) await cat.record(rec);
      const id = (rec: IngestRecord) => `${rec.block!.block_id}:0`;
      const find = async (view: SegmentView) => (await ids(view, { processIds: [p.process_id] })).sort();
      assert.deepEqual(await find('log_entries'), [id(r.log), id(r.nlog)].sort());
      assert.deepEqual(await find('measures'), [id(r.met), id(r.nmet)].sort());
      assert.deepEqual(await find('histograms'), [id(r.met)], 'histograms come only from OTLP metrics');
      assert.deepEqual(await find('otel_spans'), [id(r.tr)]);
      assert.deepEqual(await find('thread_spans'), [id(r.cpu)]);
      assert.deepEqual(await find('async_events'), [id(r.cpu)]);
    });

    test('a time range returns exactly the overlapping segments, bounds inclusive', async () => {
      const p = proc();
      const s = stream(p.process_id, ['trace'], { format: 'otlp/v1/traces' });
      const b = block('otlp-traces-json', T0, T0 + 100n * S);
      const spans: [bigint, bigint][] = [[0n, 10n], [10n, 20n], [30n, 40n], [5n, 95n], [50n, 50n]];
      const segs = spans.map(([a, z], i) => segment(b, s, i, T0 + a * S, T0 + z * S));
      await cat.record({ processes: [p], streams: [s], block: b, segments: segs });
      const q = async (a: bigint | undefined, z: bigint | undefined) =>
        (await cat.findSegments({
          view: 'otel_spans', streamIds: [s.stream_id],
          begin: a === undefined ? undefined : T0 + a * S, end: z === undefined ? undefined : T0 + z * S,
        })).map((r) => r.segment_index);
      assert.deepEqual(await q(undefined, undefined), [0, 3, 1, 2, 4], 'ordered by begin_time');
      assert.deepEqual(await q(10n, 10n), [0, 3, 1]);
      assert.deepEqual(await q(21n, 29n), [3]);
      assert.deepEqual(await q(96n, undefined), []);
      assert.deepEqual(await q(undefined, 4n), [0]);
      assert.deepEqual(await q(41n, 50n), [3, 4]);
      assert.deepEqual(
        (await cat.findSegments({ view: 'otel_spans', streamIds: [s.stream_id], begin: T0 + 10n * S + 1n, end: T0 + 29n * S })).map((r) => r.segment_index),
        [3, 1],
        'one nanosecond past a segment end excludes it',
      );
    });

    test('a long segment far before the range start is still found', async () => {
      const p = proc();
      const s = stream(p.process_id, ['log']);
      const b = block('otlp-logs-json', T0, T0 + 1000n * S);
      await cat.record({ processes: [p], streams: [s], block: b, segments: [segment(b, s, 0, T0, T0 + 1000n * S)] });
      assert.deepEqual(await ids('log_entries', { processIds: [p.process_id], begin: T0 + 999n * S, end: T0 + 2000n * S }), [`${b.block_id}:0`]);
    });

    test('native segments are padded by one second on each side, OTLP segments are not', async () => {
      const p = proc();
      const cpu = stream(p.process_id, ['cpu'], { format: 'micromegas-transit' });
      const nlog = stream(p.process_id, ['log'], { format: 'micromegas-transit' });
      const olog = stream(p.process_id, ['log']);
      const native = blockRecord('native-transit', [cpu, nlog], T0 + 10n * S, T0 + 20n * S, [p]);
      const otlp = blockRecord('otlp-logs-proto', [olog], T0 + 10n * S, T0 + 20n * S);
      await cat.record(native);
      await cat.record(otlp);
      const n = (i: number) => `${native.block!.block_id}:${i}`;
      const o = `${otlp.block!.block_id}:0`;
      const logs = (a: bigint, z: bigint) => ids('log_entries', { processIds: [p.process_id], begin: a, end: z }).then((x) => x.sort());
      assert.deepEqual(await ids('thread_spans', { processIds: [p.process_id], begin: T0 + 20n * S + S, end: T0 + 30n * S }), [n(0)]);
      assert.deepEqual(await ids('thread_spans', { processIds: [p.process_id], begin: T0, end: T0 + 9n * S }), [n(0)]);
      assert.deepEqual(await ids('thread_spans', { processIds: [p.process_id], begin: T0 + 21n * S + 1n, end: T0 + 30n * S }), []);
      assert.deepEqual(await ids('thread_spans', { processIds: [p.process_id], begin: T0, end: T0 + 9n * S - 1n }), []);
      assert.deepEqual(await logs(T0 + 20n * S + S, T0 + 30n * S), [n(1)]);
      assert.deepEqual(await logs(T0 + 20n * S, T0 + 30n * S), [n(1), o].sort());
    });

    test('process and stream filters narrow the result, an empty list matches nothing', async () => {
      const p1 = proc();
      const p2 = proc();
      const s1 = stream(p1.process_id, ['log']);
      const s2 = stream(p2.process_id, ['log']);
      const s3 = stream(p2.process_id, ['log']);
      const r = blockRecord('otlp-logs-proto', [s1, s2, s3], T0, T0, [p1, p2]);
      await cat.record(r);
      const b = r.block!.block_id;
      assert.deepEqual(await ids('log_entries', { processIds: [p2.process_id] }), [`${b}:1`, `${b}:2`]);
      assert.deepEqual(await ids('log_entries', { processIds: [p1.process_id, p2.process_id], streamIds: [s3.stream_id] }), [`${b}:2`]);
      assert.deepEqual(await ids('log_entries', { processIds: [] }), []);
      assert.deepEqual(await ids('log_entries', { streamIds: [] }), []);
    });

    test('a block stored before its stream is registered becomes findable once it is', async () => {
      const p = proc();
      const s = stream(p.process_id, ['cpu'], { format: 'micromegas-transit' });
      const b = block('native-transit', T0, T0 + 500n * S);
      // a long segment, so the per-kind span bound must learn it when the stream arrives
      await cat.record({ processes: [], streams: [], block: b, segments: [segment(b, s, 0, T0, T0 + 500n * S)] });
      assert.equal(await cat.hasBlock(b.block_id), true);
      assert.deepEqual(await ids('thread_spans', { processIds: [p.process_id] }), []);
      await cat.record({ processes: [p], streams: [s], segments: [] });
      assert.deepEqual(await ids('thread_spans', { processIds: [p.process_id] }), [`${b.block_id}:0`]);
      assert.deepEqual(await ids('async_events', { streamIds: [s.stream_id], begin: T0 + 499n * S, end: T0 + 600n * S }), [`${b.block_id}:0`]);
    });

    test('list operations return every recorded row', async () => {
      const p = proc();
      const s = stream(p.process_id, ['metrics'], { format: 'otlp/v1/metrics' });
      const r = blockRecord('otlp-metrics-proto', [s], T0, T0, [p]);
      await cat.record(r);
      assert.ok((await cat.listProcesses()).some((x) => x.process_id === p.process_id));
      assert.ok((await cat.listStreams()).some((x) => x.stream_id === s.stream_id && x.tags[0] === 'metrics'));
      assert.deepEqual((await cat.listBlocks()).find((x) => x.block_id === r.block!.block_id), r.block);
    });

    test('concurrent record() calls from many callers all land, each visible when its call resolves', async () => {
      const p = proc();
      const s = stream(p.process_id, ['log']);
      const recs = Array.from({ length: 40 }, (_, i) => blockRecord('otlp-logs-proto', [s], T0 + BigInt(i) * S, T0 + BigInt(i) * S + 5n, [p]));
      const seen: boolean[] = [];
      await Promise.all(
        recs.map(async (r) => {
          await cat.record(r);
          // a second catalog handle would do too; reading through this one checks the same commit
          seen.push((await cat.getBlock(r.block!.block_id)) !== undefined);
        }),
      );
      assert.equal(seen.length, recs.length);
      assert.ok(seen.every(Boolean));
      const stored = new Set((await cat.listBlocks()).map((b) => b.block_id));
      for (const r of recs) assert.ok(stored.has(r.block!.block_id));
      const refs = await cat.findSegments({ view: 'log_entries', streamIds: [s.stream_id] });
      assert.equal(refs.length, recs.length);
      assert.deepEqual(await cat.getProcess(p.process_id), p);
    });

    test('a failing record inside a group fails only its own caller, all or nothing', async () => {
      const good = Array.from({ length: 6 }, () => {
        const p = proc();
        return blockRecord('otlp-logs-proto', [stream(p.process_id, ['log'])], T0, T0 + 1n, [p]);
      });
      const badProc = proc(undefined, { exe: null as unknown as string }); // violates NOT NULL
      const badStream = stream(badProc.process_id, ['log']);
      const bad = blockRecord('otlp-logs-proto', [badStream], T0, T0 + 1n, [badProc]);
      const calls = [...good.slice(0, 3), bad, ...good.slice(3)].map((r) => cat.record(r));
      const results = await Promise.allSettled(calls);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
      for (const r of good) {
        assert.ok(await cat.hasBlock(r.block!.block_id));
        assert.ok(await cat.getStream(r.streams[0].stream_id));
      }
      // nothing of the failed call was kept
      assert.equal(await cat.hasBlock(bad.block!.block_id), false);
      assert.equal(await cat.getStream(badStream.stream_id), undefined);
      assert.equal(await cat.getProcess(badProc.process_id), undefined);
    });

    test('the same block recorded by concurrent callers is stored once and every call succeeds', async () => {
      const p = proc();
      const r = blockRecord('otlp-logs-proto', [stream(p.process_id, ['log'])], T0, T0 + 1n, [p]);
      await Promise.all(Array.from({ length: 5 }, () => cat.record(r)));
      assert.equal((await cat.listBlocks()).filter((b) => b.block_id === r.block!.block_id).length, 1);
      assert.equal((await cat.findSegments({ view: 'log_entries', streamIds: [r.streams[0].stream_id] })).length, 1);
    });

    test('ping succeeds and the description never shows a password', async () => {
      await cat.ping();
      assert.ok(cat.description.length > 0);
      assert.doesNotMatch(cat.description, /secret|password/i);
    });
  });
}
