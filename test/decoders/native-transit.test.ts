import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressFrameSync } from 'lz4-napi';
import {
  xxh32, ticksToNs, relativeTicksToNs, roundHalfAwayFromZero, TickConverter, estimateTscFrequency, effectiveFrequency,
  decompressLz4Frame, Lz4FrameError, decodeNativeMetrics, nativeDecodeContext,
} from '../../decoders/native/index.js';
import { TypeTable, DependencyMap, TransitBuffer, TransitRecord, TransitString, readPod, UnreadableObject } from '../../decoders/native/transit.js';
import { encodeBlockPayload } from '../helpers/native-encoder.js';
import { batchRowObjects, DependencyWriter, member, udt, ref, pod, processRow, streamRow, TransitBufferWriter, START_TIME } from '../helpers/native-events.js';

const enc = new TextEncoder();

test('xxh32 matches the reference vectors', () => {
  assert.equal(xxh32(enc.encode(''), 0), 0x02cc5d05);
  assert.equal(xxh32(enc.encode('a'), 0), 0x550d7456);
  assert.equal(xxh32(enc.encode('abc'), 0), 0x32d153ff);
  assert.equal(xxh32(enc.encode('Nobody inspects the spammish repetition'), 0), 0xe2293b2f);
});

test('ticks → ns: exact path at 1 GHz, Rust rounding otherwise, out of range → undefined', () => {
  const clock = { startTime: 1_000_000_000_000_000_000n, startTicks: 5n, frequency: 1e9 };
  assert.equal(ticksToNs(2n ** 62n, clock), 1_000_000_000_000_000_000n + 2n ** 62n - 5n); // beyond 2^53: exact
  assert.equal(ticksToNs(2n ** 63n - 1n, clock), undefined);
  assert.equal(roundHalfAwayFromZero(-2.5), -3);
  assert.equal(roundHalfAwayFromZero(2.5), 3);
  assert.equal(roundHalfAwayFromZero(0.49999999999999994), 0);
  const slow = { startTime: 0n, startTicks: 0n, frequency: 4e8 };
  assert.equal(relativeTicksToNs(-3n, slow), -8n);
  // The word-based converter agrees with the BigInt definition on many values.
  for (const f of [1e9, 3e9, 2.4e9, 4e8, 1]) {
    const c = { startTime: 1_700_000_000_123_456_789n, startTicks: 123_456_789_012n, frequency: f };
    const conv = new TickConverter(c);
    let x = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < 500; i++) {
      x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
      const t = c.startTicks + BigInt.asIntN(64, x) / (i % 2 ? 1n : 2n ** 20n);
      const want = ticksToNs(t, c);
      const ok = conv.convert(Number(BigInt.asUintN(32, t)), Number(BigInt.asIntN(32, t >> 32n)));
      assert.equal(ok ? conv.value : undefined, want, `f=${f} t=${t}`);
    }
  }
});

test('tsc_frequency <= 0 uses the §9 estimate from the latest block', () => {
  const p = processRow({ tsc_frequency: 0n });
  assert.equal(estimateTscFrequency('p', 0n, 2_000_000_000n, 5_000_000_001n), 2_500_000_001);
  assert.throws(() => estimateTscFrequency('p', 10n, 10n, 5n), /p/);
  const f = effectiveFrequency(p, { endTime: p.start_time + 2_000_000_000n, endTicks: 6_000_000_000n });
  assert.equal(f, 3e9);
  // Decoding with the estimate: 3000 ticks after start = 1000 ns.
  const D = [udt('StaticStringDependency', 0), udt('MetricMetadataDependency', 32, [member('id', 'u64', 0, 8), ref('name', 8), ref('unit', 16), ref('target', 24)])];
  const O = [udt('FloatMetricEvent', 24, [ref('desc', 0), member('value', 'f64', 8, 8), member('time', 'i64', 16, 8)])];
  const deps = new DependencyWriter(D).string(1, 'x').record('MetricMetadataDependency', { id: 2, name: 1, unit: 1, target: 1 }).finish();
  const objs = new TransitBufferWriter(O).entry('FloatMetricEvent', pod(O, 'FloatMetricEvent', { desc: 2, value: 1, time: p.start_ticks + 3000n })).finish();
  const ctx = nativeDecodeContext({ blockId: 'b', insertTime: 0n, process: p, stream: streamRow(D, O), objectOffset: 0n, frequency: f });
  assert.deepEqual(batchRowObjects(decodeNativeMetrics(encodeBlockPayload(deps, objs), ctx, ['time'])), [{ time: START_TIME + 1000n }]);
});

test('LZ4: round trip, checksum mismatches, truncation, trailing bytes and the output cap are errors', () => {
  const data = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
  const framed = new Uint8Array(compressFrameSync(Buffer.from(data), { contentChecksum: true, blockChecksums: true }));
  assert.deepEqual(decompressLz4Frame(framed), data);
  assert.deepEqual(decompressLz4Frame(new Uint8Array(0)), new Uint8Array(0));
  const cases: Array<[string, Uint8Array]> = [
    ['content checksum', Uint8Array.from(framed, (b, i) => (i === framed.length - 1 ? b ^ 1 : b))],
    ['block checksum', Uint8Array.from(framed, (b, i) => (i === framed.length - 12 ? b ^ 1 : b))],
    ['header checksum', Uint8Array.from(framed, (b, i) => (i === 6 ? b ^ 1 : b))],
    ['truncated checksum', framed.subarray(0, framed.length - 2)],
    ['truncated end mark', framed.subarray(0, framed.length - 6)],
    ['trailing bytes', Uint8Array.of(...framed, 0, 0)],
    ['bad magic', Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)],
  ];
  for (const [label, bytes] of cases) assert.throws(() => decompressLz4Frame(bytes), Lz4FrameError, label);
  assert.throws(() => decompressLz4Frame(framed, 100_000), /cap/);
  // A header declaring a 2^60-byte content size is refused before anything is allocated.
  const huge = Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x68, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00, 0, 0, 0, 0);
  assert.throws(() => decompressLz4Frame(huge), /content size exceeds/);
});

test('POD members are read at their recorded offsets for every intrinsic type; nesting is capped', () => {
  const T = new TypeTable([
    udt('All', 64, [
      member('a', 'u8', 63, 1), member('b', 'i8', 62, 1), member('c', 'u16', 60, 2), member('d', 'int16', 58, 2), member('e', 'uint32', 54, 4),
      member('f', 'i32', 50, 4), member('g', 'u64', 0, 8), member('h', 'int64', 8, 8), member('i', 'f32', 46, 4), member('j', 'f64', 16, 8),
      member('k', 'bool', 45, 1), member('l', 'usize', 24, 8), ref('r', 32), member('n', 'Inner', 40, 4), member('bad', 'u32', 44, 2),
    ]),
    udt('Inner', 4, [member('x', 'u32', 0, 4)]),
    udt('Loop', 8, [member('self', 'Loop', 0, 8)]),
  ]);
  const buf = new Uint8Array(72);
  const v = new DataView(buf.buffer, 4);
  v.setUint8(63, 200); v.setInt8(62, -5); v.setUint16(60, 65000, true); v.setInt16(58, -300, true); v.setUint32(54, 4e9, true);
  v.setInt32(50, -7, true); v.setBigUint64(0, 2n ** 64n - 2n, true); v.setBigInt64(8, -(2n ** 62n), true); v.setFloat32(46, 1.5, true);
  v.setFloat64(16, Math.PI, true); v.setUint8(45, 2); v.setBigUint64(24, 99n, true); v.setBigUint64(32, 5n, true); v.setUint32(40, 77, true);
  const deps = new DependencyMap();
  deps.add(5, 0, TransitString.fromText('five'));
  const scope = { buf: new TransitBuffer(buf), table: T, deps };
  const rec = readPod(scope, T.get('All')!, 4, 0) as TransitRecord;
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'].map((n) => rec.get(n)),
    [200, -5, 65000, -300, 4e9, -7, 2n ** 64n - 2n, -(2n ** 62n), 1.5, Math.PI, true, 99n],
  );
  assert.equal((rec.get('r') as TransitString).text, 'five');
  assert.equal((rec.get('n') as TransitRecord).get('x'), 77);
  assert.throws(() => rec.get('bad'), UnreadableObject); // size does not match the type's width
  // A self-referencing descriptor stops at the depth cap instead of recursing forever.
  const loop = readPod(scope, T.get('Loop')!, 4, 0) as TransitRecord;
  let node: TransitRecord = loop;
  let depth = 0;
  for (;;) {
    try {
      node = node.get('self') as TransitRecord;
      depth++;
    } catch (e) {
      assert.ok(e instanceof UnreadableObject);
      break;
    }
  }
  assert.equal(depth, 8);
});
