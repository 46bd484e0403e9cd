// The hot-path LZ4 decompressor (lz4-napi's block API driven block by block after the structural
// walk): byte-equal to the TypeScript decompressor and to lz4-napi's frame API on lz4-napi frames,
// on hand-built multi-block frames (independent and linked, 64 KiB blocks filled exactly, stored
// blocks, checksums), and failing with Lz4FrameError only on corrupt ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressFrameSync, compressSync } from 'lz4-napi';
import { decompressLz4Frame, Lz4FrameError } from '../../decoders/native/index.js';
import { decompressLz4FrameNapi, decompressLz4FrameTs } from '../helpers/lz4-reference.js';
import { xxh32 } from '../../decoders/native/xxh32.js';

const u32le = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

function text(n: number, seed: number): Uint8Array {
  let s = seed;
  let t = '';
  while (t.length < n) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    t += ['request ', 'handled ', 'cache ', 'miss '][s & 3] + (s % 1000);
  }
  return new TextEncoder().encode(t).subarray(0, n);
}

interface Spec {
  independent: boolean;
  checksums?: boolean;
  contentSize?: boolean;
  /** Block bodies (raw LZ4 block, or stored bytes). */
  blocks: Array<{ body: Uint8Array; stored?: boolean }>;
  content: Uint8Array;
}

/** A 64 KiB-block frame built by hand. */
function frame(s: Spec): Uint8Array {
  const flg = 0x40 | (s.independent ? 0x20 : 0) | (s.checksums ? 0x14 : 0) | (s.contentSize ? 0x08 : 0);
  const head = [0x04, 0x22, 0x4d, 0x18, flg, 0x40, ...(s.contentSize ? [...u32le(s.content.length), 0, 0, 0, 0] : [])];
  const out = [...head, (xxh32(Uint8Array.from(head), 0, 4, head.length) >>> 8) & 0xff];
  for (const b of s.blocks) {
    out.push(...u32le((b.body.length | (b.stored ? 0x80000000 : 0)) >>> 0), ...b.body);
    if (s.checksums) out.push(...u32le(xxh32(b.body)));
  }
  out.push(0, 0, 0, 0);
  if (s.checksums) out.push(...u32le(xxh32(s.content)));
  return Uint8Array.from(out);
}

/** Independent raw blocks of ≤ 64 KiB from lz4-napi's block compressor (its 4-byte size prefix dropped). */
function independentBlocks(data: Uint8Array): Array<{ body: Uint8Array; stored?: boolean }> {
  const blocks = [];
  for (let i = 0; i < data.length; i += 65_536) {
    const chunk = data.subarray(i, i + 65_536);
    blocks.push({ body: new Uint8Array(compressSync(Buffer.from(chunk)).subarray(4)) });
  }
  return blocks;
}

test('LZ4 blocks: lz4-napi frames decode to the same bytes through every decompressor', () => {
  for (const n of [0, 1, 100, 65_536, 300_000, 5_000_000]) {
    for (const checksums of [false, true]) {
      const data = text(n, n + 1);
      const f = new Uint8Array(compressFrameSync(Buffer.from(data), { contentChecksum: checksums, blockChecksums: checksums }));
      const got = decompressLz4Frame(f);
      assert.deepEqual(got, data, `${n} ${checksums}`);
      assert.deepEqual(decompressLz4FrameNapi(f), data);
      assert.deepEqual(decompressLz4FrameTs(f), data);
    }
  }
});

test('LZ4 blocks: hand-built multi-block frames (full 64 KiB blocks, stored blocks, checksums, content size)', () => {
  const data = text(200_000, 3);
  for (const checksums of [false, true]) {
    for (const contentSize of [false, true]) {
      const blocks = independentBlocks(data);
      blocks.splice(1, 1, { body: data.slice(65_536, 131_072), stored: true });
      const f = frame({ independent: true, checksums, contentSize, blocks, content: data });
      assert.deepEqual(decompressLz4Frame(f), data, `${checksums} ${contentSize}`);
      assert.deepEqual(decompressLz4Frame(f), decompressLz4FrameTs(f));
    }
  }
});

test('LZ4 blocks: linked blocks match into earlier blocks, across several short ones', () => {
  const abcd = Uint8Array.of(0x40, 97, 98, 99, 100); // "abcd"
  const ef = Uint8Array.of(0x20, 101, 102); // "ef"
  const back6 = Uint8Array.of(0x00, 6, 0, 0x10, 33); // match offset 6 (into the first block), then "!"
  const content = new TextEncoder().encode('abcdefabcd!');
  const f = frame({ independent: false, checksums: true, blocks: [{ body: abcd }, { body: ef }, { body: back6 }], content });
  assert.deepEqual(decompressLz4Frame(f), content);
  assert.deepEqual(decompressLz4FrameTs(f), content);
  // The same frame with independent blocks reaches before its block's start: an LZ4 error.
  const g = frame({ independent: true, blocks: [{ body: abcd }, { body: ef }, { body: back6 }], content });
  assert.throws(() => decompressLz4Frame(g), Lz4FrameError);
});

test('LZ4 blocks: corrupt frames and small caps fail with Lz4FrameError', () => {
  const data = text(150_000, 9);
  const good = frame({ independent: true, checksums: true, blocks: independentBlocks(data), content: data });
  const flipped = (at: number) => {
    const g = good.slice();
    g[at] ^= 0x01;
    return g;
  };
  for (const at of [6, 20, 1000, good.length - 10, good.length - 2]) assert.throws(() => decompressLz4Frame(flipped(at)), Lz4FrameError, `flip ${at}`);
  assert.throws(() => decompressLz4Frame(good.subarray(0, good.length - 7)), Lz4FrameError);
  assert.throws(() => decompressLz4Frame(good, 100_000), Lz4FrameError);
  // A declared content size smaller than the data stops the block that would exceed it.
  const sized = frame({ independent: true, contentSize: true, blocks: independentBlocks(data), content: data.subarray(0, 100_000) });
  assert.throws(() => decompressLz4Frame(sized), Lz4FrameError);
});
