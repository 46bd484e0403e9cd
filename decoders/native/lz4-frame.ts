// LZ4 frame structure (native-format §6.1), shared by the decompressors in lz4.ts and
// lz4-napi-blocks.ts: every block header is checked against the bytes present, the frame must end
// exactly at the buffer end, and the largest possible output is bounded before anything is
// allocated (lz4-napi accepts truncated frames and trailing bytes, and has no output cap).
import { xxh32 } from './xxh32.js';

export const DEFAULT_MAX_DECOMPRESSED = 256 * 1024 * 1024;

export const BLOCK_MAX_SIZES = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];
const MAGIC = 0x184d2204;

/** The frame cannot be decompressed; `offset` is a byte offset inside the compressed frame. */
export class Lz4FrameError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`LZ4 frame error at byte ${offset}: ${reason}`);
    this.name = 'Lz4FrameError';
  }
}

export interface Lz4FrameInfo {
  /** Upper bound of the decompressed size (exact when the frame declares its content size). */
  maxOutput: number;
  contentSize: number | undefined;
}

export function u32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/** Validates the frame's structure without decompressing; throws Lz4FrameError. */
export function inspectLz4Frame(frame: Uint8Array, maxOutput = DEFAULT_MAX_DECOMPRESSED): Lz4FrameInfo {
  const n = frame.length;
  if (n < 7) throw new Lz4FrameError(0, 'truncated frame header');
  if (u32(frame, 0) !== MAGIC) throw new Lz4FrameError(0, 'bad magic number');
  const flg = frame[4];
  const bd = frame[5];
  if (flg >> 6 !== 1) throw new Lz4FrameError(4, `unsupported frame version ${flg >> 6}`);
  if (flg & 0x02 || bd & 0x8f) throw new Lz4FrameError(4, 'reserved frame descriptor bits set');
  if (flg & 0x01) throw new Lz4FrameError(4, 'dictionary frames are not supported');
  const blockChecksums = (flg & 0x10) !== 0;
  const hasContentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const blockMax = BLOCK_MAX_SIZES[(bd >> 4) & 7];
  if (blockMax === 0) throw new Lz4FrameError(5, `invalid block maximum size code ${(bd >> 4) & 7}`);
  let pos = 6;
  let contentSize: number | undefined;
  if (hasContentSize) {
    if (pos + 8 > n) throw new Lz4FrameError(pos, 'truncated content size');
    const lo = u32(frame, pos);
    const hi = u32(frame, pos + 4);
    if (hi > 0x1fffff || hi * 0x1_0000_0000 + lo > maxOutput) {
      throw new Lz4FrameError(pos, `declared content size exceeds the ${maxOutput}-byte cap`);
    }
    contentSize = hi * 0x1_0000_0000 + lo;
    pos += 8;
  }
  if (pos >= n) throw new Lz4FrameError(pos, 'truncated frame header');
  pos++; // header checksum byte, verified by the decompressors
  let bound = 0;
  for (;;) {
    if (pos + 4 > n) throw new Lz4FrameError(pos, 'truncated block header (missing end mark)');
    const word = u32(frame, pos);
    const blockAt = pos;
    pos += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    const stored = word >>> 31 === 1;
    if (size > blockMax) throw new Lz4FrameError(blockAt, `block of ${size} bytes exceeds the frame's ${blockMax}-byte maximum`);
    if (pos + size + (blockChecksums ? 4 : 0) > n) throw new Lz4FrameError(blockAt, `block of ${size} bytes runs past the frame end`);
    pos += size + (blockChecksums ? 4 : 0);
    // A compressed byte expands to at most 255 output bytes (match length extensions).
    bound += stored ? size : Math.min(blockMax, size * 255 + 64);
    if (bound > maxOutput) throw new Lz4FrameError(blockAt, `decompressed size may exceed the ${maxOutput}-byte cap`);
  }
  if (contentChecksum) {
    if (pos + 4 > n) throw new Lz4FrameError(pos, 'truncated content checksum');
    pos += 4;
  }
  if (pos !== n) throw new Lz4FrameError(pos, `${n - pos} trailing byte(s) after the frame`);
  if (contentSize !== undefined && contentSize > bound) throw new Lz4FrameError(6, 'declared content size exceeds what the blocks can hold');
  return { maxOutput: contentSize ?? bound, contentSize };
}

/** Header fields the decompressor needs beyond Lz4FrameInfo. */
export interface FrameLayout extends Lz4FrameInfo {
  descriptorEnd: number;
  blockMax: number;
  independentBlocks: boolean;
  blockChecksums: boolean;
  contentChecksum: boolean;
}

export function frameLayout(frame: Uint8Array, maxOutput: number): FrameLayout {
  const info = inspectLz4Frame(frame, maxOutput);
  const flg = frame[4];
  return {
    ...info,
    descriptorEnd: flg & 0x08 ? 14 : 6,
    blockMax: BLOCK_MAX_SIZES[(frame[5] >> 4) & 7],
    independentBlocks: (flg & 0x20) !== 0,
    blockChecksums: (flg & 0x10) !== 0,
    contentChecksum: (flg & 0x04) !== 0,
  };
}

/** Checks the frame descriptor's checksum byte (the second byte of XXH32 over FLG..content size). */
export function checkHeaderChecksum(frame: Uint8Array, f: FrameLayout): void {
  const hc = f.descriptorEnd;
  if (((xxh32(frame, 0, 4, hc) >>> 8) & 0xff) !== frame[hc]) throw new Lz4FrameError(hc, 'header checksum mismatch');
}
