import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordBatch } from 'apache-arrow';
import { decodeNativeLogs, nativeDecodeContext, type NativeDecodeContext } from '../../decoders/native/index.js';
import { logEntriesSchema } from '../../decoders/otlp/schemas.js';
import { encodeBlockPayload } from '../helpers/native-encoder.js';
import {
  BLOCK_ID, batchRowObjects, DependencyWriter, START_TIME, SDK_LOG_DEPS, SDK_LOG_OBJECTS, TransitBufferWriter, UPSTREAM_LOG_DEPS, UPSTREAM_LOG_OBJECTS,
  logStringEvent, logStringEventV2, logStringInteropV2, logStringInteropV3, pod, processRow, streamRow, taggedLogInterop, taggedLogString,
} from '../helpers/native-events.js';
import type { TransitTypeInput } from '../helpers/native-encoder.js';

const T0 = 1_000_000n; // start_ticks of processRow()

function ctxFor(deps: TransitTypeInput[], objs: TransitTypeInput[], frequency?: bigint): NativeDecodeContext {
  const process = processRow(frequency ? { tsc_frequency: frequency } : {});
  return {
    ...nativeDecodeContext({ blockId: BLOCK_ID, insertTime: 42n, process, stream: streamRow(deps, objs), objectOffset: 0n }),
    stats: { unreadableObjects: 0, skippedObjects: 0 },
  };
}

const rows = (batches: Iterable<RecordBatch>) => batchRowObjects(batches);

const pick = (r: Record<string, unknown>) => ({ time: r.time, level: r.level, target: r.target, msg: r.msg, properties: r.properties });

test('SDK log blocks (§12 descriptors) decode to log_entries rows, in either byte-field form', () => {
  const deps = new DependencyWriter(SDK_LOG_DEPS)
    .string(1, 'app::db')
    .string(2, 'user')
    .string(3, 'bob')
    .propertySet(10, [[2, 3]])
    .finish();
  const objs = new TransitBufferWriter(SDK_LOG_OBJECTS)
    .entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0 + 5n, 4, 1, 'connected'))
    .entry('TaggedLogInteropEvent', taggedLogInterop(SDK_LOG_OBJECTS, T0 + 7n, 2, 1, 10, 'login failed'))
    .finish();
  for (const legacyBytes of [false, true]) {
    const ctx = ctxFor(SDK_LOG_DEPS, SDK_LOG_OBJECTS);
    const got = rows(decodeNativeLogs(encodeBlockPayload(deps, objs, { legacyBytes }), ctx, null));
    assert.deepEqual(got.map(pick), [
      { time: START_TIME + 5n, level: 4, target: 'app::db', msg: 'connected', properties: '{}' },
      { time: START_TIME + 7n, level: 2, target: 'app::db', msg: 'login failed', properties: '{"user":"bob"}' },
    ]);
    assert.equal(got[0].process_id, ctx.processId);
    assert.equal(got[0].block_id, BLOCK_ID);
    assert.equal(got[0].exe, 'app');
    assert.equal(got[0].insert_time, 42n);
    assert.equal(got[0].process_properties, '{"region":"eu"}');
  }
});

test('the native decoder produces exactly the shared log_entries schema', () => {
  const deps = new DependencyWriter(SDK_LOG_DEPS).string(1, 't').finish();
  const objs = new TransitBufferWriter(SDK_LOG_OBJECTS).entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 4, 1, 'm')).finish();
  const [batch] = decodeNativeLogs(encodeBlockPayload(deps, objs), ctxFor(SDK_LOG_DEPS, SDK_LOG_OBJECTS), null);
  assert.deepEqual(
    batch.schema.fields.map((f) => [f.name, String(f.type), f.nullable]),
    logEntriesSchema.fields.map((f) => [f.name, String(f.type), f.nullable]),
  );
});

test('every §8.1 event type decodes with upstream-style descriptors (other offsets)', () => {
  const D = UPSTREAM_LOG_DEPS;
  const O = UPSTREAM_LOG_OBJECTS;
  const deps = new DependencyWriter(D)
    .staticString(1, 'fmt {}')
    .staticString(2, 'core')
    .string(3, 'mod.rs')
    .string(4, 'interop.target')
    .string(5, 'static msg')
    .string(6, 'k')
    .string(7, 'v')
    .string(8, 'level')
    .string(9, 'WARNING')
    .string(11, 'target')
    .string(12, 'overridden')
    .record('LogMetadataRecord', { id: 100, fmt_str: 1, target: 2, module_path: 3, file: 3, line: 12, level: 5 })
    .propertySet(200, [[6, 7]])
    .propertySet(201, [[6, 7], [8, 9], [11, 12]])
    .finish();
  const objs = new TransitBufferWriter(O)
    .entry('LogStaticStrEvent', pod(O, 'LogStaticStrEvent', { desc: 100, time: T0 + 1n }))
    .entry('LogStringEvent', logStringEvent(100, T0 + 2n, 'legacy text'))
    .entry('LogStringEventV2', logStringEventV2(100, T0 + 3n, 'v2 text'))
    .entry('LogStaticStrInteropEvent', pod(O, 'LogStaticStrInteropEvent', { time: T0 + 4n, level: 3, target: 4, msg: 5 }))
    .entry('LogStringInteropEventV2', logStringInteropV2(O, T0 + 5n, 6, 4, 'interop v2'))
    .entry('LogStringInteropEventV3', logStringInteropV3(O, T0 + 6n, 1, 4, 'interop v3'))
    .entry('TaggedLogInteropEvent', taggedLogInterop(O, T0 + 7n, 2, 4, 200, 'tagged interop'))
    .entry('TaggedLogString', taggedLogString(100, 200, T0 + 8n, 'tagged plain'))
    .entry('TaggedLogString', taggedLogString(100, 201, T0 + 9n, 'tagged override'))
    .finish();
  const got = rows(decodeNativeLogs(encodeBlockPayload(deps, objs), ctxFor(D, O), ['time', 'level', 'target', 'msg', 'properties']));
  const t = (d: bigint) => START_TIME + d;
  assert.deepEqual(got.map(pick), [
    { time: t(1n), level: 5, target: 'core', msg: 'fmt {}', properties: '{}' },
    { time: t(2n), level: 5, target: 'core', msg: 'legacy text', properties: '{}' },
    { time: t(3n), level: 5, target: 'core', msg: 'v2 text', properties: '{}' },
    { time: t(4n), level: 3, target: 'interop.target', msg: 'static msg', properties: '{}' },
    { time: t(5n), level: 6, target: 'interop.target', msg: 'interop v2', properties: '{}' },
    { time: t(6n), level: 1, target: 'interop.target', msg: 'interop v3', properties: '{}' },
    { time: t(7n), level: 2, target: 'interop.target', msg: 'tagged interop', properties: '{"k":"v"}' },
    { time: t(8n), level: 5, target: 'core', msg: 'tagged plain', properties: '{"k":"v"}' },
    { time: t(9n), level: 3, target: 'overridden', msg: 'tagged override', properties: '{"k":"v","level":"WARNING","target":"overridden"}' },
  ]);
});

test('TaggedLogString with an unknown level property keeps the descriptor level', () => {
  const D = UPSTREAM_LOG_DEPS;
  const O = UPSTREAM_LOG_OBJECTS;
  const deps = new DependencyWriter(D)
    .string(1, 'f').string(2, 'tg').string(3, 'level').string(4, 'loud')
    .record('LogMetadataRecord', { id: 9, fmt_str: 1, target: 2, module_path: 1, file: 1, line: 1, level: 4 })
    .propertySet(5, [[3, 4]])
    .finish();
  const objs = new TransitBufferWriter(O).entry('TaggedLogString', taggedLogString(9, 5, T0, 'x')).finish();
  const [row] = rows(decodeNativeLogs(encodeBlockPayload(deps, objs), ctxFor(D, O), ['level', 'target']));
  assert.deepEqual(row, { level: 4, target: 'tg' });
});

test('UTF-16LE (codec 1) and ANSI (codec 0) strings decode; invalid UTF-8 becomes U+FFFD', () => {
  const deps = new DependencyWriter(SDK_LOG_DEPS).string(1, 'Zürich ✓', 1).finish();
  const bad = Uint8Array.of(0x61, 0xff, 0x62);
  const lone = Uint8Array.of(0x3d, 0xd8, 0x41, 0x00); // unpaired high surrogate, then 'A'
  const objs = new TransitBufferWriter(SDK_LOG_OBJECTS)
    .entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 4, 1, 'héllo 😀', 1))
    .entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 4, 1, 'plain ansi', 0))
    .entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 4, 1, bad, 0))
    .entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 4, 1, lone, 1))
    .finish();
  const got = rows(decodeNativeLogs(encodeBlockPayload(deps, objs), ctxFor(SDK_LOG_DEPS, SDK_LOG_OBJECTS), ['target', 'msg']));
  assert.deepEqual(got, [
    { target: 'Zürich ✓', msg: 'héllo 😀' },
    { target: 'Zürich ✓', msg: 'plain ansi' },
    { target: 'Zürich ✓', msg: 'a\uFFFDb' },
    { target: 'Zürich ✓', msg: '\uFFFDA' },
  ]);
});

test('unreadable objects are skipped and counted; the rest of the block still decodes', () => {
  const deps = new DependencyWriter(SDK_LOG_DEPS).string(1, 't').finish();
  const odd = logStringInteropV3(SDK_LOG_OBJECTS, T0, 4, 1, 'xx', 1);
  odd[odd.length - 8] = 3; // UTF-16 byte length 3: odd
  const objs = new TransitBufferWriter(SDK_LOG_OBJECTS)
    .entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 4, 99, 'missing target'))
    .entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 4, 1, 'bad codec', 7))
    .entry('LogStringInteropEventV3', odd)
    .entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 4, 1, 'ok'))
    .entry('StaticStringRef', new Uint8Array(16)) // a type log_entries does not map
    .finish();
  const ctx = ctxFor(SDK_LOG_DEPS, SDK_LOG_OBJECTS);
  const warnings: string[] = [];
  ctx.warn = (m) => warnings.push(m);
  const got = rows(decodeNativeLogs(encodeBlockPayload(deps, objs), ctx, ['msg']));
  assert.deepEqual(got, [{ msg: 'ok' }]);
  assert.deepEqual(ctx.stats, { unreadableObjects: 3, skippedObjects: 1 });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /3 unreadable object\(s\).*object 0 .*missing/);
});

test('batches hold at most batchRows rows and only projected columns', () => {
  const deps = new DependencyWriter(SDK_LOG_DEPS).string(1, 't').finish();
  const w = new TransitBufferWriter(SDK_LOG_OBJECTS);
  for (let i = 0; i < 25; i++) w.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0 + BigInt(i), 4, 1, `m${i}`));
  const batches = [...decodeNativeLogs(encodeBlockPayload(deps, w.finish()), ctxFor(SDK_LOG_DEPS, SDK_LOG_OBJECTS), ['msg', 'time'], { batchRows: 10 })];
  assert.deepEqual(batches.map((b) => b.numRows), [10, 10, 5]);
  assert.deepEqual(batches[0].schema.fields.map((f) => f.name), ['msg', 'time']);
  assert.equal(rows([batches[2]])[4].msg, 'm24');
});

test('a non-1e9 tsc_frequency converts ticks with round-half-away-from-zero', () => {
  // f = 3 GHz: 1e9/f = 1/3; tick deltas −1 → −0.333 → 0, −2 → −0.667 → −1, 7 → 2.333 → 2.
  // f = 4e8: 1e9/f = 2.5; delta −3 → −7.5 → −8 (JS Math.round would give −7), 3 → 7.5 → 8.
  const deps = new DependencyWriter(SDK_LOG_DEPS).string(1, 't').finish();
  for (const [f, deltas, expected] of [
    [3_000_000_000n, [-1n, -2n, 7n], [0n, -1n, 2n]],
    [400_000_000n, [-3n, 3n, 0n], [-8n, 8n, 0n]],
  ] as const) {
    const w = new TransitBufferWriter(SDK_LOG_OBJECTS);
    for (const d of deltas) w.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0 + d, 4, 1, 'm'));
    const got = rows(decodeNativeLogs(encodeBlockPayload(deps, w.finish()), ctxFor(SDK_LOG_DEPS, SDK_LOG_OBJECTS, f), ['time']));
    assert.deepEqual(got.map((r) => (r.time as bigint) - START_TIME), expected);
  }
});
