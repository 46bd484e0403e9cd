import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeThreadSpans, decodeNativeAsyncEvents, nativeDecodeContext, scopeHash, MismatchedSpanEnd, asyncEventsSchema, threadSpansSchema,
  type NativeSpanBlock,
} from '../../decoders/native/index.js';
import { encodeBlockPayload, type TransitTypeInput } from '../helpers/native-encoder.js';
import {
  batchRowObjects, DependencyWriter, START_TIME, SDK_CPU_DEPS, SDK_CPU_OBJECTS, TransitBufferWriter, UPSTREAM_CPU_DEPS, UPSTREAM_CPU_OBJECTS,
  pod, processRow, streamRow,
} from '../helpers/native-events.js';

const T0 = 1_000_000n;
const S = START_TIME;
const D = SDK_CPU_DEPS;
const O = SDK_CPU_OBJECTS;
const stream = streamRow(D, O, { properties: { 'thread-id': '7', 'thread-name': 'main' } });
const process = processRow();

function sdkDeps(): Uint8Array {
  return new DependencyWriter(D)
    .string(1, 'work').string(2, 'app').string(3, 'main.ts').string(4, 'inner').string(5, 'other')
    .record('SpanRecord', { id: 100, name: 1, target: 2, module_path: 2, file: 3, line: 10, lod: 1 })
    .record('SpanRecord', { id: 101, name: 4, target: 2, module_path: 2, file: 3, line: 20, lod: 1 })
    .record('SpanRecord', { id: 102, name: 5, target: 2, module_path: 2, file: 3, line: 30, lod: 1 })
    .finish();
}

type Ev = [type: string, desc: number, dt: bigint];
function block(id: string, events: Ev[], beginTicks: bigint, endTicks: bigint, objectOffset: bigint, types = O, deps = sdkDeps()): NativeSpanBlock {
  const w = new TransitBufferWriter(types);
  for (const [type, desc, dt] of events) w.entry(type, pod(types, type, { thread_span_desc: desc, time: T0 + dt }));
  const ctx = nativeDecodeContext({ blockId: id, insertTime: 0n, process, stream, objectOffset });
  return { payload: encodeBlockPayload(deps, w.finish()), ctx, beginTicks, endTicks, objectOffset };
}

const B = 'BeginThreadSpanEvent';
const E = 'EndThreadSpanEvent';
const h = (name: string, line: number) => scopeHash(name, 'main.ts', 'app', line);

test('spans pair across the blocks of a chain; unmatched ends and open spans follow §10.3; chains split on gaps', () => {
  const blocks = [
    // Given out of order: the decoder orders by begin_ticks.
    block('b2', [[E, 100, 150n], [E, 102, 160n], [B, 101, 170n]], 100n, 200n, 3n),
    block('b1', [[B, 100, 10n], [B, 101, 20n], [E, 101, 30n]], 0n, 100n, 0n),
    block('b3', [[B, 102, 510n], [E, 102, 520n], [B, 100, 900n]], 500n, 600n, 6n), // the last event is after R1: ignored
  ];
  const rows = batchRowObjects(decodeThreadSpans(blocks, stream, process, null));
  const root = scopeHash('main-7', '', '', 0);
  assert.deepEqual(rows, [
    { id: -1n, parent: 0n, depth: 0, hash: root, begin: S, end: S + 200n, duration: 200n, name: 'main-7', target: '', filename: '', line: 0 },
    { id: 4n, parent: -1n, depth: 1, hash: h('other', 30), begin: S, end: S + 160n, duration: 160n, name: 'other', target: 'app', filename: 'main.ts', line: 30 },
    { id: 0n, parent: -1n, depth: 1, hash: h('work', 10), begin: S + 10n, end: S + 150n, duration: 140n, name: 'work', target: 'app', filename: 'main.ts', line: 10 },
    { id: 1n, parent: 0n, depth: 2, hash: h('inner', 20), begin: S + 20n, end: S + 30n, duration: 10n, name: 'inner', target: 'app', filename: 'main.ts', line: 20 },
    { id: 5n, parent: -1n, depth: 1, hash: h('inner', 20), begin: S + 170n, end: S + 200n, duration: 30n, name: 'inner', target: 'app', filename: 'main.ts', line: 20 },
    { id: -1n, parent: 0n, depth: 0, hash: root, begin: S + 500n, end: S + 600n, duration: 100n, name: 'main-7', target: '', filename: '', line: 0 },
    { id: 6n, parent: -1n, depth: 1, hash: h('other', 30), begin: S + 510n, end: S + 520n, duration: 10n, name: 'other', target: 'app', filename: 'main.ts', line: 30 },
  ]);
});

test('thread_spans batches carry the §10.3 schema; a projection builds only its columns', () => {
  const blocks = [block('b1', [[B, 100, 10n], [E, 100, 20n]], 0n, 100n, 0n)];
  const [full] = decodeThreadSpans(blocks, stream, process, null);
  assert.deepEqual(full.schema.fields.map((f) => [f.name, String(f.type), f.nullable]), threadSpansSchema.fields.map((f) => [f.name, String(f.type), false]));
  assert.deepEqual(threadSpansSchema.fields.map((f) => `${f.name}:${f.type}`), [
    'id:Int64', 'parent:Int64', 'depth:Uint32', 'hash:Uint32', 'begin:Timestamp<NANOSECOND, UTC>', 'end:Timestamp<NANOSECOND, UTC>',
    'duration:Int64', 'name:Utf8', 'target:Utf8', 'filename:Utf8', 'line:Uint32',
  ]);
  const rows = batchRowObjects(decodeThreadSpans(blocks, stream, process, ['name', 'depth']));
  assert.deepEqual(rows, [{ name: 'main-7', depth: 0 }, { name: 'work', depth: 1 }]);
});

test('an end that does not match the innermost open span is an error naming the block and event', () => {
  const blocks = [block('bad-block', [[B, 100, 10n], [E, 101, 20n]], 0n, 100n, 40n)];
  assert.throws(() => [...decodeThreadSpans(blocks, stream, process, null)], (e: unknown) => e instanceof MismatchedSpanEnd && /bad-block/.test(e.message) && /event 41/.test(e.message));
});

test('a chain without spans emits no thread root; the root name falls back to thread-id, then the stream id', () => {
  assert.deepEqual(batchRowObjects(decodeThreadSpans([block('b', [], 0n, 10n, 0n)], stream, process, null)), []);
  const blocks = [block('b', [[B, 100, 1n], [E, 100, 2n]], 0n, 10n, 0n)];
  const idOnly = streamRow(D, O, { properties: { 'thread-id': '9' } });
  assert.equal(batchRowObjects(decodeThreadSpans(blocks, idOnly, process, ['name']))[0].name, '9');
  const bare = streamRow(D, O);
  assert.equal(batchRowObjects(decodeThreadSpans(blocks, bare, process, ['name']))[0].name, bare.stream_id);
});

test('named thread spans (upstream descriptors) take the name from the StringId and the rest from the location', () => {
  const UD = UPSTREAM_CPU_DEPS;
  const UO = UPSTREAM_CPU_OBJECTS;
  const deps = new DependencyWriter(UD)
    .staticString(1, 'app').staticString(2, 'lib.rs').staticString(3, 'dyn-name')
    .record('SpanLocationRecord', { id: 70, target: 1, module_path: 1, file: 2, line: 5, lod: 1 })
    .finish();
  const w = new TransitBufferWriter(UO)
    .entry('BeginThreadNamedSpanEvent', pod(UO, 'BeginThreadNamedSpanEvent', { thread_span_location: 70, name: 3, time: T0 + 1n }))
    .entry('EndThreadNamedSpanEvent', pod(UO, 'EndThreadNamedSpanEvent', { thread_span_location: 70, name: 3, time: T0 + 4n }));
  const s = streamRow(UD, UO, { properties: { 'thread-id': '1' } });
  const ctx = nativeDecodeContext({ blockId: 'b', insertTime: 0n, process, stream: s, objectOffset: 0n });
  const rows = batchRowObjects(decodeThreadSpans([{ payload: encodeBlockPayload(deps, w.finish(), { legacyBytes: true }), ctx, beginTicks: 0n, endTicks: 10n, objectOffset: 0n }], s, process, null));
  assert.deepEqual(rows[1], {
    id: 0n, parent: -1n, depth: 1, hash: scopeHash('dyn-name', 'lib.rs', 'app', 5), begin: S + 1n, end: S + 4n, duration: 3n, name: 'dyn-name', target: 'app', filename: 'lib.rs', line: 5,
  });
});

function asyncCtx(types: TransitTypeInput[], deps: TransitTypeInput[]) {
  return nativeDecodeContext({ blockId: 'blk', insertTime: 0n, process, stream: streamRow(deps, types), objectOffset: 0n });
}

test('async span events (plain and named) become async_events rows; u64 ids reinterpret as Int64', () => {
  const deps = sdkDeps();
  const objs = new TransitBufferWriter(O)
    .entry('BeginThreadSpanEvent', pod(O, 'BeginThreadSpanEvent', { thread_span_desc: 100, time: T0 })) // not async: ignored
    .entry('BeginAsyncSpanEvent', pod(O, 'BeginAsyncSpanEvent', { span_desc: 100, span_id: 2n ** 64n - 1n, parent_span_id: 3, time: T0 + 5n, depth: 2 }))
    .entry('EndAsyncSpanEvent', pod(O, 'EndAsyncSpanEvent', { span_desc: 100, span_id: 2n ** 64n - 1n, parent_span_id: 3, time: T0 + 9n, depth: 2 }))
    .finish();
  const rows = batchRowObjects(decodeNativeAsyncEvents(encodeBlockPayload(deps, objs), asyncCtx(O, D), null));
  const base = { stream_id: stream.stream_id, block_id: 'blk', span_id: -1n, parent_span_id: 3n, depth: 2, hash: h('work', 10), name: 'work', filename: 'main.ts', target: 'app', line: 10 };
  assert.deepEqual(rows, [
    { ...base, time: S + 5n, event_type: 'begin' },
    { ...base, time: S + 9n, event_type: 'end' },
  ].map((r) => Object.fromEntries(asyncEventsSchema.fields.map((f) => [f.name, (r as Record<string, unknown>)[f.name]]))));

  const UD = UPSTREAM_CPU_DEPS;
  const UO = UPSTREAM_CPU_OBJECTS;
  const udeps = new DependencyWriter(UD)
    .staticString(1, 'app').staticString(2, 'lib.rs').staticString(3, 'fetch')
    .record('SpanLocationRecord', { id: 70, target: 1, module_path: 1, file: 2, line: 5, lod: 1 })
    .finish();
  const uobjs = new TransitBufferWriter(UO)
    .entry('BeginAsyncNamedSpanEvent', pod(UO, 'BeginAsyncNamedSpanEvent', { span_location: 70, name: 3, span_id: 8, parent_span_id: 0, time: T0 + 1n, depth: 0 }))
    .finish();
  const [named] = batchRowObjects(decodeNativeAsyncEvents(encodeBlockPayload(udeps, uobjs), asyncCtx(UO, UD), ['event_type', 'span_id', 'name', 'hash']));
  assert.deepEqual(named, { event_type: 'begin', span_id: 8n, name: 'fetch', hash: scopeHash('fetch', 'lib.rs', 'app', 5) });
});
