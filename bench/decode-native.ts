// Native log decode throughput: SDK-shaped `log` blocks (§12 descriptors) → log_entries batches.
// Baseline in the same run: CBOR-decode the payload (cborg) and LZ4-decompress both buffers — the
// floor any decoder pays before reading a single event. Also LZ4 frame decompression alone: lz4-napi's
// frame API, lz4-napi's block API driven block by block (the hot path) and the TypeScript
// decompressor of decoders/native/lz4.ts on the same frames. decodeNativeLogs is timed with its fused
// loop for the SDK event types and with every entry through the generic readers (the reference path).
// Run: node --import tsx bench/decode-native.ts
import { decode as cborDecode } from 'cborg';
import { decompressFrameSync } from 'lz4-napi';
import { decompressLz4Frame, nativeDecodeContext } from '../decoders/native/index.js';
import { decodeLogs } from '../decoders/native/decode-logs.js';
import { decompressLz4FrameTs } from '../test/helpers/lz4-reference.js';
import { encodeBlockPayload } from '../test/helpers/native-encoder.js';
import {
  DependencyWriter, SDK_LOG_DEPS, SDK_LOG_OBJECTS, TransitBufferWriter, logStringInteropV3, processRow, streamRow, taggedLogInterop,
} from '../test/helpers/native-events.js';

const BLOCKS = 8;
const EVENTS_PER_BLOCK = 20_000;
const ROUNDS = 5;

const WORDS = ['request', 'handled', 'user', 'cache', 'miss', 'hit', 'latency', 'ms', 'connection', 'opened', 'closed', 'retry', 'payload', 'bytes'];

function makeBlock(seed: number): Uint8Array {
  let s = seed;
  const rnd = (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const deps = new DependencyWriter(SDK_LOG_DEPS);
  for (let t = 1; t <= 40; t++) deps.string(t, `app::module${t}::sub`);
  deps.string(100, 'request_id').string(101, 'abc-123').string(102, 'route').string(103, '/api/v1/items');
  deps.propertySet(200, [[100, 101], [102, 103]]);
  const objs = new TransitBufferWriter(SDK_LOG_OBJECTS);
  let ticks = 1_000_000n + BigInt(seed) * 1_000_000_000n;
  for (let i = 0; i < EVENTS_PER_BLOCK; i++) {
    ticks += BigInt(1 + rnd(5000));
    const words = 5 + rnd(8);
    let msg = '';
    for (let w = 0; w < words; w++) msg += (w ? ' ' : '') + WORDS[rnd(WORDS.length)];
    msg += ` ${rnd(100000)}`;
    const target = 1 + rnd(40);
    if (i % 10 === 0) objs.entry('TaggedLogInteropEvent', taggedLogInterop(SDK_LOG_OBJECTS, ticks, 1 + rnd(6), target, 200, msg));
    else objs.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, ticks, 1 + rnd(6), target, msg));
  }
  return encodeBlockPayload(deps.finish(), objs.finish());
}

const payloads = Array.from({ length: BLOCKS }, (_, i) => makeBlock(i + 1));
const process = processRow();
const stream = streamRow(SDK_LOG_DEPS, SDK_LOG_OBJECTS);
const ctxs = payloads.map((_, i) => nativeDecodeContext({ blockId: `block-${i}`, insertTime: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n, process, stream, objectOffset: BigInt(i * EVENTS_PER_BLOCK) }));
const totalEvents = BLOCKS * EVENTS_PER_BLOCK;
const totalBytes = payloads.reduce((n, p) => n + p.length, 0);

const frames = payloads.flatMap((p) => {
  const m = cborDecode(p) as { dependencies: Uint8Array; objects: Uint8Array };
  return [m.dependencies, m.objects];
});
const frameBuffers = frames.map((f) => Buffer.from(f));
const decompressedBytes = frames.reduce((n, f) => n + decompressFrameSync(Buffer.from(f)).length, 0);

function baseline(lz4: 'napi' | 'blocks' | 'ts'): number {
  let n = 0;
  for (const p of payloads) {
    const m = cborDecode(p) as { dependencies: Uint8Array; objects: Uint8Array };
    if (lz4 === 'napi') n += decompressFrameSync(Buffer.from(m.dependencies)).length + decompressFrameSync(Buffer.from(m.objects)).length;
    else if (lz4 === 'blocks') n += decompressLz4Frame(m.dependencies).length + decompressLz4Frame(m.objects).length;
    else n += decompressLz4FrameTs(m.dependencies).length + decompressLz4FrameTs(m.objects).length;
  }
  return n;
}

function decodeAll(projection: readonly string[] | null, fused = true): number {
  let rows = 0;
  for (let i = 0; i < payloads.length; i++) for (const b of decodeLogs(payloads[i], ctxs[i], projection, undefined, fused)) rows += b.numRows;
  return rows;
}

/** Median of ROUNDS timed runs after a warm-up (the machine is shared: medians, not bests). */
function median(fn: () => number): number {
  fn();
  const ms: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[ROUNDS >> 1];
}

function interleavedMedians(fns: Array<() => number>, rounds = 11): number[] {
  for (const fn of fns) fn();
  const times = fns.map((): number[] => []);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, i) => {
      const t = performance.now();
      fn();
      times[i].push(performance.now() - t);
    });
  }
  return times.map((x) => x.sort((p, q) => p - q)[x.length >> 1]);
}

if (decodeAll(null) !== totalEvents || decodeAll(null, false) !== totalEvents) throw new Error('decoder lost rows');
// The decompressors alternate round by round so load on the shared machine hits them alike.
const [napiMs, blocksMs, tsMs] = interleavedMedians([
  () => frameBuffers.reduce((n, f) => n + decompressFrameSync(f).length, 0),
  () => frames.reduce((n, f) => n + decompressLz4Frame(f).length, 0),
  () => frames.reduce((n, f) => n + decompressLz4FrameTs(f).length, 0),
]);
const baseMs = median(() => baseline('napi'));
const baseTsMs = median(() => baseline('ts'));
const TYPICAL = ['time', 'level', 'msg'];
// The decoders alternate round by round with the baseline they are compared to, like the decompressors.
const [baseBlocksMs, fullMs, genericFullMs, projMs, genericProjMs] = interleavedMedians([
  () => baseline('blocks'),
  () => decodeAll(null),
  () => decodeAll(null, false),
  () => decodeAll(TYPICAL),
  () => decodeAll(TYPICAL, false),
]);
const rate = (ms: number) => (totalEvents / (ms / 1000) / 1e6).toFixed(2);
const mbps = (ms: number) => (decompressedBytes / 1e6 / (ms / 1000)).toFixed(0);
console.log(`native log decode: ${BLOCKS} blocks × ${EVENTS_PER_BLOCK} events, ${(totalBytes / 1e6).toFixed(1)} MB of payload, ${(decompressedBytes / 1e6).toFixed(1)} MB decompressed (medians of ${ROUNDS} runs; interleaved groups: 11 rounds)`);
console.log(`  LZ4 frames, lz4-napi decompressFrameSync: ${napiMs.toFixed(1)} ms  = ${mbps(napiMs)} MB/s`);
console.log(`  LZ4 frames, lz4-napi blocks (hot path):   ${blocksMs.toFixed(1)} ms  = ${mbps(blocksMs)} MB/s  (${(napiMs / blocksMs).toFixed(2)}× lz4-napi frame API)`);
console.log(`  LZ4 frames, TypeScript reference:        ${tsMs.toFixed(1)} ms  = ${mbps(tsMs)} MB/s  (${(napiMs / tsMs).toFixed(2)}× lz4-napi frame API)`);
console.log(`  baseline (cborg + lz4-napi frame API):   ${baseMs.toFixed(1)} ms  = ${rate(baseMs)} M events/s`);
console.log(`  baseline (cborg + lz4-napi blocks):      ${baseBlocksMs.toFixed(1)} ms  = ${rate(baseBlocksMs)} M events/s`);
console.log(`  baseline (cborg + TS reference):         ${baseTsMs.toFixed(1)} ms  = ${rate(baseTsMs)} M events/s`);
const vsBase = (ms: number) => `${(ms / baseBlocksMs).toFixed(2)}× blocks baseline`;
console.log(`  decodeNativeLogs, all 13 columns:        ${fullMs.toFixed(1)} ms  = ${rate(fullMs)} M events/s  (${vsBase(fullMs)}; generic ${(genericFullMs / fullMs).toFixed(2)}× slower)`);
console.log(`    generic readers only, all columns:     ${genericFullMs.toFixed(1)} ms  = ${rate(genericFullMs)} M events/s  (${vsBase(genericFullMs)})`);
console.log(`  decodeNativeLogs, time+level+msg:        ${projMs.toFixed(1)} ms  = ${rate(projMs)} M events/s  (${vsBase(projMs)}; generic ${(genericProjMs / projMs).toFixed(2)}× slower)`);
console.log(`    generic readers only, time+level+msg:  ${genericProjMs.toFixed(1)} ms  = ${rate(genericProjMs)} M events/s  (${vsBase(genericProjMs)})`);
