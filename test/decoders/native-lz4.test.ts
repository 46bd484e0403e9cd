// The TypeScript LZ4 frame decompressor (decompressLz4FrameTs): byte-equal to lz4-napi (the oracle) on frames lz4-napi
// writes, hand-built frames for what it never writes (declared content size, linked blocks, stored
// blocks), and corrupt frames — which must fail with Lz4FrameError only, quickly and without large
// allocations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { decompressLz4Frame as napiPath, Lz4FrameError } from '../../decoders/native/index.js';
import { decompressLz4FrameTs as decompressLz4Frame } from '../helpers/lz4-reference.js';
import { xxh32 } from '../../decoders/native/xxh32.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function sample(kind: string, n: number, rnd: () => number): Uint8Array {
  const words = ['alpha ', 'beta ', 'gamma ', 'request ', 'handled ', '/api/v1/items '];
  switch (kind) {
    case 'random':
      return Uint8Array.from({ length: n }, () => (rnd() * 256) | 0);
    case 'zeros':
      return new Uint8Array(n);
    case 'period3': // matches with offsets below 8 that overlap their own output
      return Uint8Array.from({ length: n }, (_, i) => [1, 2, 3][i % 3]);
    case 'period251':
      return Uint8Array.from({ length: n }, (_, i) => (i * 7) % 251);
    default: {
      let s = '';
      while (s.length < n) s += words[(rnd() * words.length) | 0] + ((rnd() * 1000) | 0);
      return new TextEncoder().encode(s).subarray(0, n);
    }
  }
}

const oracle = (frame: Uint8Array) => new Uint8Array(decompressFrameSync(Buffer.from(frame)));
const compress = (data: Uint8Array, checksums: boolean) =>
  new Uint8Array(compressFrameSync(Buffer.from(data), { contentChecksum: checksums, blockChecksums: checksums }));

test('LZ4: frames written by lz4-napi decompress to the same bytes as lz4-napi', () => {
  const rnd = rng(7);
  for (const kind of ['random', 'zeros', 'period3', 'period251', 'text']) {
    for (const n of [0, 1, 15, 16, 100, 65_535, 65_536, 65_537, 300_000]) {
      for (const checksums of [false, true]) {
        const data = sample(kind, n, rnd);
        const frame = compress(data, checksums);
        const got = decompressLz4Frame(frame);
        assert.deepEqual(got, data, `${kind} ${n} ${checksums}`);
        assert.deepEqual(got, oracle(frame));
      }
    }
  }
});

interface FrameSpec {
  contentSize?: number;
  independent?: boolean;
  blockChecksums?: boolean;
  contentChecksum?: boolean;
  /** Raw block bodies; `stored` ones get the high bit. */
  blocks: Array<{ body: Uint8Array; stored?: boolean }>;
  /** Content for the content checksum. */
  content?: Uint8Array;
}

const u32le = (v: number) => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);

/** A frame with 64 KiB blocks built by hand, header checksum included. */
function frame(spec: FrameSpec): Uint8Array {
  const flg = 0x40 | (spec.independent ? 0x20 : 0) | (spec.blockChecksums ? 0x10 : 0) | (spec.contentSize !== undefined ? 0x08 : 0) | (spec.contentChecksum ? 0x04 : 0);
  const desc = [flg, 0x40];
  if (spec.contentSize !== undefined) desc.push(...u32le(spec.contentSize), 0, 0, 0, 0);
  const head = Uint8Array.of(0x04, 0x22, 0x4d, 0x18, ...desc);
  const parts: number[] = [...head, (xxh32(head, 0, 4, head.length) >>> 8) & 0xff];
  for (const b of spec.blocks) {
    parts.push(...u32le((b.body.length | (b.stored ? 0x80000000 : 0)) >>> 0), ...b.body);
    if (spec.blockChecksums) parts.push(...u32le(xxh32(b.body)));
  }
  parts.push(0, 0, 0, 0);
  if (spec.contentChecksum) parts.push(...u32le(xxh32(spec.content ?? new Uint8Array(0))));
  return Uint8Array.from(parts);
}

const ABCD = Uint8Array.of(0x40, 97, 98, 99, 100); // literals "abcd"
const bytes = (...b: number[]) => Uint8Array.from(b);
const text = (s: string) => new TextEncoder().encode(s);

test('LZ4: declared content size, stored blocks, linked and independent blocks', () => {
  // "abcd" then a match (offset 4, length 8) then the literal "!": abcdabcdabcd!
  const block = bytes(0x44, 97, 98, 99, 100, 4, 0, 0x10, 33);
  const content = text('abcdabcdabcd!');
  assert.deepEqual(decompressLz4Frame(frame({ contentSize: 13, independent: true, blocks: [{ body: block }] })), content);
  assert.deepEqual(decompressLz4Frame(frame({ blocks: [{ body: block }], contentChecksum: true, content })), content);
  assert.deepEqual(decompressLz4Frame(frame({ blocks: [{ body: text('raw!'), stored: true }], blockChecksums: true })), text('raw!'));
  // Overlapping match with offset 1: "a" repeated.
  assert.deepEqual(decompressLz4Frame(frame({ blocks: [{ body: bytes(0x1f, 97, 1, 0, 200, 0x00) }] })), new Uint8Array(1 + 4 + 15 + 200).fill(97));
  // A second block matching into the first: allowed for linked blocks only.
  const second = bytes(0x00, 4, 0, 0x10, 33);
  assert.deepEqual(decompressLz4Frame(frame({ blocks: [{ body: ABCD }, { body: second }] })), text('abcdabcd!'));
  assert.throws(() => decompressLz4Frame(frame({ independent: true, blocks: [{ body: ABCD }, { body: second }] })), /before the output start/);
});

test('LZ4: corrupt frames fail with Lz4FrameError (offsets, lengths, sizes, checksums, truncation)', () => {
  const block = bytes(0x44, 97, 98, 99, 100, 4, 0, 0x10, 33);
  const hugeLiteral = Uint8Array.from([0xf0, ...new Array(2000).fill(0xff), 0x00, 1, 2, 3]);
  const hugeMatch = Uint8Array.from([0x1f, 97, 1, 0, ...new Array(2000).fill(0xff), 0x00, 0x00]);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['offset before the output start', frame({ blocks: [{ body: bytes(0x10, 97, 9, 0, 0x00) }] }), /before the output start/],
    ['offset 0', frame({ blocks: [{ body: bytes(0x10, 97, 0, 0, 0x00) }] }), /offset 0/],
    ['huge literal length', frame({ blocks: [{ body: hugeLiteral }] }), /literal run/],
    ['huge match length', frame({ blocks: [{ body: hugeMatch }] }), /output exceeds/],
    ['truncated sequence', frame({ blocks: [{ body: bytes(0x44, 97, 98, 99, 100, 4) }] }), /truncated match offset/],
    ['truncated literal length', frame({ blocks: [{ body: bytes(0xf0, 0xff) }] }), /truncated literal length/],
    ['content size too small', frame({ contentSize: 12, blocks: [{ body: block }] }), /content size/],
    ['content size too large', frame({ contentSize: 14, blocks: [{ body: block }] }), /declares 14/],
    ['block checksum', flip(frame({ blockChecksums: true, blocks: [{ body: block }] }), -5), /block checksum/],
    ['content checksum', frame({ contentChecksum: true, content: text('abcdabcdabcd?'), blocks: [{ body: block }] }), /content checksum/],
    ['header checksum', flip(frame({ blocks: [{ body: block }] }), 6), /header checksum/],
  ];
  for (const [label, f, message] of cases) {
    assert.throws(() => decompressLz4Frame(f), (e: unknown) => e instanceof Lz4FrameError && message.test(e.message), label);
    assert.throws(() => napiPath(f), Lz4FrameError, `${label} (lz4-napi path)`);
  }
  // A small cap refuses frames whose blocks could expand past it, before decompressing.
  assert.throws(() => decompressLz4Frame(frame({ blocks: [{ body: hugeMatch }] }), 1000), /cap/);
});

function flip(f: Uint8Array, at: number): Uint8Array {
  const g = f.slice();
  g[at < 0 ? g.length + at : at] ^= 0x01;
  return g;
}

test('LZ4 fuzz: mutated and truncated frames decode within the cap or throw Lz4FrameError, both decompressors', () => {
  const rnd = rng(42);
  const cap = 1 << 20;
  const seeds = ['text', 'period3', 'random'].flatMap((kind) => [false, true].map((c) => compress(sample(kind, 70_000, rnd), c)));
  for (let iter = 0; iter < 600; iter++) {
    const base = seeds[iter % seeds.length];
    let f = base.slice();
    const mode = iter % 4;
    if (mode === 0) f = f.subarray(0, (rnd() * f.length) | 0);
    else {
      const flips = 1 + ((rnd() * 4) | 0);
      for (let k = 0; k < flips; k++) {
        // Mostly inside the header and the first sequences, where structure lives.
        const at = mode === 1 ? (rnd() * Math.min(64, f.length)) | 0 : (rnd() * f.length) | 0;
        f[at] = mode === 3 ? 0xff : (rnd() * 256) | 0;
      }
    }
    // Both decompressors, the hot-path one (lz4-napi after the structural walk) included.
    for (const decompress of [decompressLz4Frame, napiPath]) {
      try {
        const out = decompress(f, cap);
        assert.ok(out.length <= cap);
      } catch (e) {
        assert.ok(e instanceof Lz4FrameError, `iteration ${iter}: ${String(e)}`);
      }
    }
  }
});
