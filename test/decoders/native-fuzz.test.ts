import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeNativeLogs, decodeNativeMetrics, decodeThreadSpans, decodeNativeAsyncEvents, nativeDecodeContext, NativeCorruptSegmentError,
} from '../../decoders/native/index.js';
import { CorruptSegmentError } from '../../decoders/context.js';
import { encodeBlockPayload, type TransitTypeInput } from '../helpers/native-encoder.js';
import {
  ByteWriter, DependencyWriter, SDK_CPU_DEPS, SDK_CPU_OBJECTS, SDK_LOG_DEPS, SDK_LOG_OBJECTS, SDK_METRICS_DEPS, SDK_METRICS_OBJECTS,
  TransitBufferWriter, logStringInteropV3, member, pod, processRow, streamRow, taggedLogInterop, udt, ref,
} from '../helpers/native-events.js';

const T0 = 1_000_000n;
const process = processRow();

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Decode = (payload: Uint8Array) => number;

function decoderFor(deps: TransitTypeInput[], objs: TransitTypeInput[], view: 'logs' | 'metrics' | 'spans' | 'async'): Decode {
  const stream = streamRow(deps, objs);
  return (payload) => {
    const ctx = nativeDecodeContext({ blockId: 'fuzz', insertTime: 0n, process, stream, objectOffset: 0n });
    let n = 0;
    const batches =
      view === 'logs' ? decodeNativeLogs(payload, ctx, null)
      : view === 'metrics' ? decodeNativeMetrics(payload, ctx, null)
      : view === 'async' ? decodeNativeAsyncEvents(payload, ctx, null)
      : decodeThreadSpans([{ payload, ctx, beginTicks: 0n, endTicks: 1000n, objectOffset: 0n }], stream, process, null);
    for (const b of batches) n += b.numRows;
    return n;
  };
}

/** Decoding either succeeds or raises a CorruptSegmentError — nothing else. */
function survives(decode: Decode, payload: Uint8Array, label: string): 'ok' | 'corrupt' {
  try {
    decode(payload);
    return 'ok';
  } catch (e) {
    if (e instanceof CorruptSegmentError) return 'corrupt';
    throw new Error(`${label}: ${e instanceof Error ? e.stack : String(e)}`);
  }
}

function logBuffers(): [Uint8Array, Uint8Array] {
  const deps = new DependencyWriter(SDK_LOG_DEPS).string(1, 'target').string(2, 'k').string(3, 'v').propertySet(4, [[2, 3], [3, 2]]).finish();
  const w = new TransitBufferWriter(SDK_LOG_OBJECTS);
  for (let i = 0; i < 20; i++) {
    if (i % 3) w.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0 + BigInt(i), 4, 1, `message ${i}`, i % 2 ? 2 : 1));
    else w.entry('TaggedLogInteropEvent', taggedLogInterop(SDK_LOG_OBJECTS, T0 + BigInt(i), 3, 1, 4, `tagged ${i}`));
  }
  return [deps, w.finish()];
}

function metricBuffers(): [Uint8Array, Uint8Array] {
  const D = SDK_METRICS_DEPS;
  const O = SDK_METRICS_OBJECTS;
  const deps = new DependencyWriter(D).string(1, 'n').string(2, 'ticks')
    .record('MetricMetadataDependency', { id: 5, name: 1, unit: 2, target: 1, file: 1, line: 1, lod: 1 }).propertySet(6, [[1, 2]]).finish();
  const w = new TransitBufferWriter(O);
  for (let i = 0; i < 10; i++) {
    w.entry('IntegerMetricEvent', pod(O, 'IntegerMetricEvent', { desc: 5, value: i, time: T0 + BigInt(i) }));
    w.entry('TaggedFloatMetricEvent', pod(O, 'TaggedFloatMetricEvent', { desc: 5, properties: 6, value: i, time: T0 + BigInt(i) }));
  }
  return [deps, w.finish()];
}

function cpuBuffers(): [Uint8Array, Uint8Array] {
  const D = SDK_CPU_DEPS;
  const O = SDK_CPU_OBJECTS;
  const deps = new DependencyWriter(D).string(1, 'a').record('SpanRecord', { id: 9, name: 1, target: 1, module_path: 1, file: 1, line: 3, lod: 1 }).finish();
  const w = new TransitBufferWriter(O);
  for (let i = 0; i < 10; i++) {
    w.entry('BeginThreadSpanEvent', pod(O, 'BeginThreadSpanEvent', { thread_span_desc: 9, time: T0 + BigInt(i) }));
    w.entry('BeginAsyncSpanEvent', pod(O, 'BeginAsyncSpanEvent', { span_desc: 9, span_id: i, parent_span_id: 0, time: T0 + BigInt(i), depth: 0 }));
    w.entry('EndThreadSpanEvent', pod(O, 'EndThreadSpanEvent', { thread_span_desc: 9, time: T0 + BigInt(i) + 1n }));
  }
  return [deps, w.finish()];
}

const SUITES = [
  ['logs', SDK_LOG_DEPS, SDK_LOG_OBJECTS, logBuffers],
  ['metrics', SDK_METRICS_DEPS, SDK_METRICS_OBJECTS, metricBuffers],
  ['spans', SDK_CPU_DEPS, SDK_CPU_OBJECTS, cpuBuffers],
  ['async', SDK_CPU_DEPS, SDK_CPU_OBJECTS, cpuBuffers],
] as const;

function flip(b: Uint8Array, r: () => number): Uint8Array {
  const out = b.slice();
  const flips = 1 + Math.floor(r() * 4);
  for (let i = 0; i < flips && out.length > 0; i++) out[Math.floor(r() * out.length)] ^= 1 << Math.floor(r() * 8);
  return out;
}

for (const [view, D, O, make] of SUITES) {
  test(`fuzz ${view}: truncation and bit flips of the payload and of both decompressed buffers never escape as other errors`, () => {
    const decode = decoderFor(D as TransitTypeInput[], O as TransitTypeInput[], view);
    const [deps, objs] = make();
    const payload = encodeBlockPayload(deps, objs);
    assert.ok(decode(payload) > 0, 'the unmutated block decodes');
    const r = rng(view.length * 7919);
    const outcomes = { ok: 0, corrupt: 0 };
    const started = Date.now();
    for (let cut = 0; cut < objs.length; cut += 7) outcomes[survives(decode, encodeBlockPayload(deps, objs.subarray(0, cut)), `objects cut ${cut}`)]++;
    for (let cut = 0; cut < deps.length; cut += 5) outcomes[survives(decode, encodeBlockPayload(deps.subarray(0, cut), objs), `deps cut ${cut}`)]++;
    for (let cut = 0; cut < payload.length; cut += 11) outcomes[survives(decode, payload.subarray(0, cut), `payload cut ${cut}`)]++;
    for (let i = 0; i < 300; i++) {
      outcomes[survives(decode, encodeBlockPayload(deps, flip(objs, r)), `objects flip ${i}`)]++;
      outcomes[survives(decode, encodeBlockPayload(flip(deps, r), objs), `deps flip ${i}`)]++;
      outcomes[survives(decode, flip(payload, r), `payload flip ${i}`)]++;
    }
    assert.ok(outcomes.corrupt > 0 && outcomes.ok > 0, JSON.stringify(outcomes));
    assert.ok(Date.now() - started < 20_000, 'no pathological slowdown');
  });
}

test('huge declared sizes and counts, out-of-range type indices and unknown types are handled by §11', () => {
  const decode = decoderFor(SDK_LOG_DEPS, SDK_LOG_OBJECTS, 'logs');
  const [deps, objs] = logBuffers();
  const corrupt = (payload: Uint8Array, buffer: string, pattern: RegExp) =>
    assert.throws(() => decode(payload), (e: unknown) => e instanceof NativeCorruptSegmentError && e.buffer === buffer && pattern.test(e.message));
  // Size prefix of 4 GiB − 1 on a dynamic object: framing error, nothing allocated.
  corrupt(encodeBlockPayload(deps, new ByteWriter().u8(0).u32(0xffffffff).finish()), 'objects', /runs past the buffer end/);
  corrupt(encodeBlockPayload(deps, Uint8Array.of(0, 1, 2)), 'objects', /truncated size prefix/);
  corrupt(encodeBlockPayload(deps, Uint8Array.of(200)), 'objects', /type index 200 out of range/);
  corrupt(encodeBlockPayload(Uint8Array.of(9), objs), 'dependencies', /type index 9/);
  // Fixed-size object running past the end: StaticStringRef (16 bytes) with 3 bytes present.
  corrupt(encodeBlockPayload(deps, Uint8Array.of(2, 0, 0, 0)), 'objects', /runs past/);
  // A property set declaring 2^32 − 1 properties and a DynString declaring ~4 GiB: unreadable, skipped.
  const hugeDeps = new DependencyWriter(SDK_LOG_DEPS)
    .string(1, 't')
    .entry('PropertySetDependency', new ByteWriter().u64(4).u32(0xffffffff).finish())
    .entry('StaticStringDependency', new ByteWriter().u64(5).u8(2).u32(0xfffffff0).finish())
    .finish();
  const hugeObjs = new TransitBufferWriter(SDK_LOG_OBJECTS)
    .entry('TaggedLogInteropEvent', taggedLogInterop(SDK_LOG_OBJECTS, T0, 3, 1, 4, 'needs set 4'))
    .entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 3, 5, 'needs string 5'))
    .entry('LogStringInteropEventV3', new ByteWriter().i64(T0).u8(1).zeros(16).u8(2).u32(0xfffffff0).finish())
    .entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 3, 1, 'fine'))
    .finish();
  assert.equal(decode(encodeBlockPayload(hugeDeps, hugeObjs)), 1);
  // A legacy byte array with a non-byte item.
  const legacy = encodeBlockPayload(deps, objs, { legacyBytes: true });
  const at = legacy.indexOf(0x18, 20); // first 1-byte uint item (0x18 xx) inside a legacy array
  const bad = Uint8Array.of(...legacy.subarray(0, at), 0x19, 0x01, ...legacy.subarray(at + 2)); // 2-byte uint 0x01xx: > 255
  assert.throws(() => decode(bad), (e: unknown) => e instanceof NativeCorruptSegmentError && e.buffer === 'payload');
});

test('self-referencing, unknown-intrinsic and dynamic nested descriptors make objects unreadable, not the process crash', () => {
  const D = [udt('StaticStringDependency', 0), udt('Rec', 24, [member('id', 'u64', 0, 8), member('me', 'Rec', 0, 24), member('w', 'u128', 8, 16)])];
  const O = [
    udt('FloatMetricEvent', 24, [member('desc', 'Loop', 0, 8), member('value', 'f64', 8, 8), member('time', 'i64', 16, 8)]),
    udt('IntegerMetricEvent', 24, [ref('desc', 0), member('value', 'u128', 8, 16)]),
    udt('Loop', 8, [member('id', 'Loop', 0, 8)], true),
    udt('TaggedFloatMetricEvent', 24, [member('desc', 'Dyn', 0, 8), member('time', 'i64', 16, 8)]),
    udt('Dyn', 0),
  ];
  const stream = streamRow(D, O);
  const deps = new DependencyWriter(D).string(1, 'x').record('Rec', { id: 3 }).finish();
  const objs = new TransitBufferWriter(O)
    .entry('FloatMetricEvent', new Uint8Array(24))
    .entry('IntegerMetricEvent', pod(O, 'IntegerMetricEvent', { desc: 3 }))
    .entry('TaggedFloatMetricEvent', new Uint8Array(24))
    .entry('Dyn', new Uint8Array(5))
    .finish();
  const ctx = { ...nativeDecodeContext({ blockId: 'b', insertTime: 0n, process, stream, objectOffset: 0n }), stats: { unreadableObjects: 0, skippedObjects: 0 } };
  const rows = [...decodeNativeMetrics(encodeBlockPayload(deps, objs), ctx, null)].reduce((n, b) => n + b.numRows, 0);
  assert.equal(rows, 0);
  assert.deepEqual(ctx.stats, { unreadableObjects: 3, skippedObjects: 1 });
});
