// LZ4 frame decompression for transit buffers (native-format §6.1). The frame structure is walked
// first (lz4-frame.ts): block headers checked against the bytes present, the frame ending exactly at
// the buffer end, the largest possible output bounded before anything is allocated.
// lz4-napi's block API then decompresses block by block (lz4-napi-blocks.ts). bench/decode-native.ts
// measures it on transit frames against lz4-napi's frame API and a TypeScript decoder (both kept as
// test oracles in test/helpers/lz4-reference.ts): block API a steady 1.4–1.8 GB/s; frame API bimodal
// per process, ~320 MB/s in most runs and ~1.6 GB/s in some; TypeScript ~330 MB/s.
import { DEFAULT_MAX_DECOMPRESSED } from './lz4-frame.js';
import { decompressLz4FrameBlocks } from './lz4-napi-blocks.js';

export { DEFAULT_MAX_DECOMPRESSED, Lz4FrameError, inspectLz4Frame, type Lz4FrameInfo } from './lz4-frame.js';
export { decompressLz4FrameBlocks } from './lz4-napi-blocks.js';

/**
 * Decompresses one LZ4 frame (an empty input is an empty buffer). Throws Lz4FrameError on any
 * structural, checksum or size problem; never allocates more than `maxOutput` bytes of output.
 */
export function decompressLz4Frame(frame: Uint8Array, maxOutput = DEFAULT_MAX_DECOMPRESSED): Uint8Array {
  return decompressLz4FrameBlocks(frame, maxOutput);
}
