// The fused loop for the SDK log event types (decoders/native/fused-log-events.ts) must give exactly
// what the generic readers give: the same rows and dictionary codes, the same unreadable/skipped
// counts and warning, the same corrupt-segment error — on random SDK-shaped blocks with UTF-16LE,
// ANSI, non-ASCII, invalid and empty strings, broken references, other types in between, and
// truncated or bit-flipped buffers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, type RecordBatch } from 'apache-arrow';
import { nativeDecodeContext, type NativeDecodeContext } from '../../decoders/native/index.js';
import { decodeLogs } from '../../decoders/native/decode-logs.js';
import { xxh32 } from '../../decoders/native/xxh32.js';
import { encodeBlockPayload, lz4Frame, type TransitTypeInput } from '../helpers/native-encoder.js';
import {
  ByteWriter, DependencyWriter, SDK_LOG_DEPS, SDK_LOG_OBJECTS, TransitBufferWriter, UPSTREAM_LOG_DEPS, UPSTREAM_LOG_OBJECTS,
  logStringEventV2, logStringInteropV3, pod, processRow, streamRow, taggedLogInterop,
} from '../helpers/native-events.js';

const T0 = 1_000_000n;

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

const TEXTS = ['', 'a', 'plain message', 'Zürich ✓', 'emoji 😀 here', 'ünï', '日本語のログ', 'x'.repeat(70), 'tab\there "quoted"', 'long ✓ '.repeat(60)];

/** A message as bytes in a codec, sometimes invalid for it. */
function message(r: (n: number) => number): [Uint8Array | string, number] {
  const codec = [2, 2, 2, 1, 0][r(5)];
  if (r(12) === 0) return [Uint8Array.of(0x61, [0xff, 0xc0, 0xe2, 0x80, 0xed][r(5)], 0x62).subarray(0, 1 + r(3)), codec === 1 ? 2 : codec];
  if (codec === 1 && r(10) === 0) return [Uint8Array.of(0x3d, 0xd8, 0x41, 0x00), 1]; // unpaired surrogate
  if (codec === 1 && r(10) === 0) return [Uint8Array.of(0x41, 0x00, 0x42), 1]; // odd UTF-16 length
  if (r(10) === 0) {
    // Invalid UTF-8 made of NaN bit patterns (f0–ff then 7f/ff) at every alignment: copied bit for bit.
    const pick = [0x41, 0xf0, 0xf4, 0xf8, 0xff, 0x7f, 0x80, 0x00];
    return [Uint8Array.from({ length: 8 + r(70) }, () => pick[r(pick.length)]), codec === 1 ? 2 : codec];
  }
  return [TEXTS[r(TEXTS.length)] + (r(2) ? ` ${r(1000)}` : ''), codec];
}

interface Shape {
  deps: TransitTypeInput[];
  objs: TransitTypeInput[];
}
const SDK: Shape = { deps: SDK_LOG_DEPS, objs: SDK_LOG_OBJECTS };
const UPSTREAM: Shape = { deps: UPSTREAM_LOG_DEPS, objs: UPSTREAM_LOG_OBJECTS };

/** Dependencies: strings 1–12 (all codecs) and 13 (long), property sets 50–53 (53 empty, 52 with
 * JSON over 256 bytes: the property copy's short and long paths); id 60 is a string named where a
 * property set is expected and 50 where a string is. */
function dependencies(shape: Shape, r: (n: number) => number): Uint8Array {
  const w = new DependencyWriter(shape.deps);
  for (let id = 1; id <= 12; id++) {
    const [text, codec] = message(r);
    w.string(id, typeof text === 'string' ? `target::${id}${text.slice(0, 8)}` : text, codec);
  }
  w.string(13, `long ${'v'.repeat(300)}`);
  w.string(60, 'not a property set');
  w.propertySet(50, [[1, 2], [3, 4]]);
  w.propertySet(51, [[5, 6]]);
  w.propertySet(52, [[7, 13]]);
  w.propertySet(53, []);
  return w.finish();
}

function objects(shape: Shape, r: (n: number) => number, count: number): Uint8Array {
  const O = shape.objs;
  const w = new TransitBufferWriter(O);
  let ticks = T0 + BigInt(r(2 ** 30)) * 8n; // low words of any size: carries into the high word
  for (let i = 0; i < count; i++) {
    ticks += BigInt(r(100));
    const target = r(20) === 0 ? [99, 50][r(2)] : 1 + r(12);
    const [msg, codec] = message(r);
    const kind = r(20);
    const time = r(40) === 0 ? (1n << 63n) - 1n : ticks; // out of the Int64 ns range
    const level = r(8) ? 1 + r(6) : r(256);
    if (kind < 12) {
      const o = logStringInteropV3(O, time, level, target, msg, codec);
      if (r(25) === 0) o[o.length - (typeof msg === 'string' ? new TextEncoder().encode(msg).length : msg.length) - 5] = 7; // unknown codec
      w.entry('LogStringInteropEventV3', r(30) === 0 ? o.subarray(0, r(o.length)) : o);
    } else if (kind < 16) {
      const props = r(15) === 0 ? [77, 60][r(2)] : 50 + r(4);
      const text = typeof msg === 'string' ? msg : 'tagged';
      w.entry('TaggedLogInteropEvent', taggedLogInterop(O, time, level, target, props, text, codec === 0 ? 0 : 2));
    } else if (kind < 18) w.entry('StaticStringRef', pod(O, 'StaticStringRef', { id: target })); // not a log event: skipped
    else if (O === UPSTREAM_LOG_OBJECTS) w.entry('LogStringEventV2', logStringEventV2(1, time, typeof msg === 'string' ? msg : 'v2'));
    else w.entry('LogStringInteropEventV3', new ByteWriter().i64(time).u8(3).finish()); // too short for its target
  }
  return w.finish();
}

interface Outcome {
  batches: unknown[];
  stats: unknown;
  warnings: string[];
  error: string | undefined;
}

/** Everything a caller can observe: per batch, per column, the values and for dictionaries the codes.
 * Batches are observed once the segment is decoded (or failed): a batch handed out stays as it was
 * while the decoder goes on (the fused loop writes messages into the object buffer). */
function decode(payload: Uint8Array, shape: Shape, projection: string[] | null, batchRows: number | undefined, fused: boolean, frequency = 1_000_000_000n): Outcome {
  const process = processRow({ tsc_frequency: frequency });
  const ctx: NativeDecodeContext = {
    ...nativeDecodeContext({ blockId: 'b', insertTime: 1n, process, stream: streamRow(shape.deps, shape.objs), objectOffset: 0n }),
    stats: { unreadableObjects: 0, skippedObjects: 0 },
  };
  const warnings: string[] = [];
  ctx.warn = (m) => warnings.push(m);
  const kept: RecordBatch[] = [];
  let error: string | undefined;
  try {
    for (const b of decodeLogs(payload, ctx, projection, batchRows === undefined ? undefined : { batchRows }, fused)) kept.push(b);
  } catch (e) {
    error = `${(e as Error).name}: ${(e as Error).message}`;
  }
  return { batches: kept.map(observe), stats: ctx.stats, warnings, error };
}

function observe(b: RecordBatch): unknown {
  return b.schema.fields.map((f, j) => {
    const col = b.getChildAt(j)!;
    const data = col.data[0];
    if (DataType.isDictionary(f.type)) return [f.name, Array.from(data.values as Int32Array), data.dictionary!.toArray()];
    if (DataType.isTimestamp(f.type)) return [f.name, Array.from(data.values as BigInt64Array)];
    return [f.name, col.toArray()];
  });
}

const PROJECTIONS: Array<string[] | null> = [null, ['time', 'level', 'msg'], ['target'], ['msg', 'properties'], ['level']];

function assertSame(payload: Uint8Array, shape: Shape, label: string, r: (n: number) => number): Outcome {
  const projection = PROJECTIONS[r(PROJECTIONS.length)];
  const batchRows = [undefined, 1, 7, 64][r(4)];
  // 1 GHz takes the inlined exact conversion; 3 GHz and 0.4 GHz round; 1 Hz overflows Int64 ns.
  const frequency = [1_000_000_000n, 1_000_000_000n, 3_000_000_000n, 400_000_000n, 1n][r(5)];
  const fused = decode(payload, shape, projection, batchRows, true, frequency);
  const generic = decode(payload, shape, projection, batchRows, false, frequency);
  assert.deepEqual(fused, generic, `${label} (projection ${JSON.stringify(projection)}, batchRows ${batchRows}, frequency ${frequency})`);
  return fused;
}

for (const [name, shape] of [['SDK', SDK], ['upstream-style (24-byte StaticStringRef, other event types between)', UPSTREAM]] as const) {
  test(`fused log decoding equals the generic readers on random ${name} blocks`, () => {
    const r = rng(name.length * 104729);
    let rows = 0;
    let unreadable = 0;
    for (let i = 0; i < 60; i++) {
      // Some blocks hold more entries than the presizing sample.
      const payload = encodeBlockPayload(dependencies(shape, r), objects(shape, r, 1 + r(r(4) === 0 ? 700 : 150)));
      const out = assertSame(payload, shape, `block ${i}`, r);
      assert.equal(out.error, undefined);
      rows += out.batches.length;
      unreadable += (out.stats as { unreadableObjects: number }).unreadableObjects;
    }
    assert.ok(rows > 0 && unreadable > 0, 'the blocks have both readable and unreadable events');
  });

  test(`fused log decoding equals the generic readers on truncated and bit-flipped ${name} object buffers`, () => {
    const r = rng(name.length * 7727);
    const errors = new Set<string>();
    for (let i = 0; i < 80; i++) {
      const deps = dependencies(shape, r);
      const objs = objects(shape, r, 1 + r(60)).slice();
      const mutated = r(2) ? objs.subarray(0, r(objs.length + 1)) : objs;
      for (let f = r(4); f > 0 && mutated.length > 0; f--) mutated[r(mutated.length)] ^= 1 << r(8);
      const out = assertSame(encodeBlockPayload(deps, mutated), shape, `mutated block ${i}`, r);
      if (out.error) errors.add(out.error.split(':')[0]);
    }
    assert.deepEqual([...errors], ['CorruptSegmentError'], 'some mutations break the framing');
  });
}

test('columns presized from the first events still take later, much longer events (and batches of 65536 rows)', () => {
  const deps = new DependencyWriter(SDK_LOG_DEPS).string(1, 'short').string(2, 'a much longer target name').propertySet(3, [[1, 2]]).finish();
  const w = new TransitBufferWriter(SDK_LOG_OBJECTS);
  let n = 0;
  for (let i = 0; i < 300; i++, n++) w.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0 + BigInt(i), 4, 1, `m${i}`));
  for (let i = 0; i < 300; i++, n++) w.entry('TaggedLogInteropEvent', taggedLogInterop(SDK_LOG_OBJECTS, T0 + BigInt(i), 2, 2, 3, `long ${i} ${'é'.repeat(2000)}`));
  for (let i = 0; i < 70_000; i++, n++) w.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0 + BigInt(i), 5, 1, ''));
  const payload = encodeBlockPayload(deps, w.finish());
  for (const projection of [null, ['time', 'level', 'msg']]) {
    const out = decode(payload, SDK, projection, undefined, true);
    assert.deepEqual(out, decode(payload, SDK, projection, undefined, false));
    assert.equal(out.batches.length, 2);
    assert.equal(out.error, undefined);
  }
  assert.equal(n, 70_600);
});

test('UTF-16 messages that grow the message column between UTF-8 ones, past the presizing sample', () => {
  const deps = new DependencyWriter(SDK_LOG_DEPS).string(1, 't').finish();
  const w = new TransitBufferWriter(SDK_LOG_OBJECTS);
  for (let i = 0; i < 256; i++) w.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 4, 1, 'm'));
  for (let k = 1; k <= 400; k++) {
    w.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 4, 1, `${'x'.repeat(k)}`, 1));
    w.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 4, 1, `${k}`));
  }
  const payload = encodeBlockPayload(deps, w.finish());
  const out = decode(payload, SDK, ['msg'], undefined, true);
  assert.deepEqual(out, decode(payload, SDK, ['msg'], undefined, false));
  assert.equal(out.error, undefined);
});

test('a block whose first events are much longer than the rest (too few rows estimated) decodes like the generic readers', () => {
  const deps = new DependencyWriter(SDK_LOG_DEPS).string(1, 't').propertySet(3, [[1, 1]]).finish();
  const w = new TransitBufferWriter(SDK_LOG_OBJECTS);
  for (let i = 0; i < 300; i++) w.entry('TaggedLogInteropEvent', taggedLogInterop(SDK_LOG_OBJECTS, T0 + BigInt(i), 2, 1, 3, `long ${i} ${'é'.repeat(1000)}`));
  for (let i = 0; i < 5000; i++) {
    if (i % 3 === 0) w.entry('TaggedLogInteropEvent', taggedLogInterop(SDK_LOG_OBJECTS, T0 + BigInt(i), 1, 1, 3, `${i}`));
    else w.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0 + BigInt(i), 3, 1, i % 7 === 0 ? `utf16 ${i}` : `${i}`, i % 7 === 0 ? 1 : 2));
  }
  const payload = encodeBlockPayload(deps, w.finish());
  for (const projection of [null, ['msg', 'properties'], ['time', 'target']]) {
    for (const batchRows of [undefined, 1000]) {
      const out = decode(payload, SDK, projection, batchRows, true);
      assert.deepEqual(out, decode(payload, SDK, projection, batchRows, false));
      assert.equal(out.error, undefined);
      assert.equal(out.batches.length, batchRows ? 6 : 1);
    }
  }
});

test('messages written in place: earlier batches keep theirs while values longer than their entries (dependency strings, UTF-16, repaired UTF-8) come between', () => {
  const O = UPSTREAM_LOG_OBJECTS;
  const long = `static ${'ß'.repeat(3000)}`;
  const deps = new DependencyWriter(UPSTREAM_LOG_DEPS)
    .string(1, long)
    .string(2, 'target')
    .record('LogMetadataRecord', { id: 100, fmt_str: 1, target: 2, module_path: 2, file: 2, line: 1, level: 3 })
    .finish();
  const r = rng(4242);
  const w = new TransitBufferWriter(O);
  // A UTF-16 message first: its UTF-8 is longer than the bytes read so far.
  w.entry('LogStringInteropEventV3', logStringInteropV3(O, T0, 4, 2, '日本語'.repeat(40), 1));
  for (let i = 0; i < 3000; i++) {
    const k = r(40);
    if (k === 0) w.entry('LogStaticStrEvent', pod(O, 'LogStaticStrEvent', { desc: 100, time: T0 + BigInt(i) })); // 16-byte entry, 9 KB message
    else if (k === 1) w.entry('LogStringInteropEventV3', logStringInteropV3(O, T0 + BigInt(i), 4, 2, `wide ${i} ${'é'.repeat(r(200))}`, 1));
    else if (k === 2) w.entry('LogStringInteropEventV3', logStringInteropV3(O, T0 + BigInt(i), 4, 2, Uint8Array.of(0x61, 0xff, 0x62, 0xc0))); // repaired: 8 bytes from 4
    else w.entry('LogStringInteropEventV3', logStringInteropV3(O, T0 + BigInt(i), 4, 2, `message ${i} ${'x'.repeat(r(300))}`));
  }
  const payload = encodeBlockPayload(deps, w.finish());
  for (const batchRows of [undefined, 1, 50, 999]) {
    for (const projection of [null, ['msg']]) {
      const out = decode(payload, UPSTREAM, projection, batchRows, true);
      assert.deepEqual(out, decode(payload, UPSTREAM, projection, batchRows, false), `batchRows ${batchRows}`);
      assert.equal(out.error, undefined);
    }
  }
});

/** An LZ4 frame holding `bytes` as one stored (uncompressed) block. */
function storedFrame(bytes: Uint8Array): Uint8Array {
  const head = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x70];
  const size = (bytes.length | 0x80000000) >>> 0;
  const out = new Uint8Array(head.length + 5 + bytes.length + 4);
  out.set(head);
  out[head.length] = (xxh32(Uint8Array.from(head), 0, 4, head.length) >>> 8) & 0xff;
  new DataView(out.buffer).setUint32(head.length + 1, size, true);
  out.set(bytes, head.length + 5);
  return out;
}

test('decoding leaves the payload as it was, also when a Buffer payload stores the objects uncompressed', () => {
  const deps = new DependencyWriter(SDK_LOG_DEPS).string(1, 'target').propertySet(2, [[1, 1]]).finish();
  const w = new TransitBufferWriter(SDK_LOG_OBJECTS);
  for (let i = 0; i < 500; i++) {
    if (i % 5 === 0) w.entry('TaggedLogInteropEvent', taggedLogInterop(SDK_LOG_OBJECTS, T0 + BigInt(i), 3, 1, 2, `tagged ${i}`));
    else w.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0 + BigInt(i), 4, 1, `message ${i} ${'m'.repeat(i % 90)}`));
  }
  const encoded = encodeBlockPayload(lz4Frame(deps), storedFrame(w.finish()), { rawPayloadFields: true });
  const payload = Buffer.from(encoded);
  for (const batchRows of [undefined, 64]) {
    const first = decode(payload, SDK, null, batchRows, true);
    assert.deepEqual(payload, Buffer.from(encoded));
    assert.deepEqual(decode(payload, SDK, null, batchRows, true), first);
    assert.deepEqual(first, decode(payload, SDK, null, batchRows, false));
    assert.equal(first.error, undefined);
  }
});

test('the message column keeps at most about twice its bytes alive, for short messages as for long ones', () => {
  const deps = new DependencyWriter(SDK_LOG_DEPS).string(1, 'target').finish();
  for (const text of ['x', 'a message of some length, as most log lines are, with a number 12345']) {
    const w = new TransitBufferWriter(SDK_LOG_OBJECTS);
    for (let i = 0; i < 3000; i++) w.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0 + BigInt(i), 4, 1, text));
    const ctx = nativeDecodeContext({ blockId: 'b', insertTime: 1n, process: processRow(), stream: streamRow(SDK_LOG_DEPS, SDK_LOG_OBJECTS), objectOffset: 0n });
    for (const batch of decodeLogs(encodeBlockPayload(deps, w.finish()), ctx, ['msg'], undefined, true)) {
      const values = batch.getChildAt(0)!.data[0].values as Uint8Array;
      assert.equal(values.byteLength, 3000 * text.length);
      assert.ok(values.buffer.byteLength <= 2 * values.byteLength, `${values.buffer.byteLength} bytes kept for ${values.byteLength}`);
    }
  }
});
