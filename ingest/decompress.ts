// Undoing Content-Encoding with an output cap (otlp-mapping §1.1): decompression is streamed and
// aborted as soon as the output passes the limit, so a small "bomb" never inflates in memory.
import type { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import { decompressFrame } from 'lz4-napi';
import { MalformedPayloadError } from '../decoders/types.js';
import { PayloadTooLargeError, UnsupportedMediaError } from './errors.js';

export type ContentCoding = 'identity' | 'gzip' | 'deflate' | 'br' | 'zstd' | 'lz4';

type ZstdFactory = () => Transform;
/** Present on newer Node releases only (not Node 20). */
const createZstdDecompress = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress;

/** Codings the OTLP routes accept on this Node. */
export const OTLP_CODINGS: ReadonlySet<ContentCoding> = new Set<ContentCoding>([
  'identity',
  'gzip',
  'deflate',
  'br',
  'lz4',
  ...(createZstdDecompress ? (['zstd'] as const) : []),
]);

/** Codings the native routes accept (native-format §2). */
export const NATIVE_CODINGS: ReadonlySet<ContentCoding> = new Set<ContentCoding>(['identity', 'gzip', 'deflate']);

const ALIASES: Record<string, ContentCoding> = {
  identity: 'identity',
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
  br: 'br',
  zstd: 'zstd',
  lz4: 'lz4',
};

/** Parses a Content-Encoding header into the codings in the order they were applied;
 * throws UnsupportedMediaError for anything not in `supported`. */
export function parseContentEncoding(header: string | string[] | undefined, supported: ReadonlySet<ContentCoding>): ContentCoding[] {
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  const codings: ContentCoding[] = [];
  for (const token of raw.split(',')) {
    const name = token.trim().toLowerCase();
    if (name === '') continue;
    const coding = ALIASES[name];
    if (!coding || !supported.has(coding)) {
      throw new UnsupportedMediaError(`unsupported Content-Encoding: ${name.slice(0, 40)}`);
    }
    if (coding !== 'identity') codings.push(coding);
  }
  return codings;
}

/** Reads a request stream into memory, failing with PayloadTooLargeError past `maxBytes`. The rest of
 * an oversize body is drained and discarded so the connection can still carry the answer. */
export function readBody(stream: Readable, maxBytes: number, onBytes?: (n: number) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (err) {
        stream.on('error', () => {});
        stream.resume(); // discard what is left
        reject(err);
      } else {
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total));
      }
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) return finish(new PayloadTooLargeError(maxBytes));
      try {
        onBytes?.(chunk.length);
      } catch (err) {
        return finish(err as Error);
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(null);
    // A client that goes away mid-body must not leave this promise (and its budget) pending.
    const onError = (): void => finish(new MalformedPayloadError('request body ended early'));
    const onClose = (): void => finish(new MalformedPayloadError('request body ended early'));
    stream.on('close', onClose);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

function inflateCapped(input: Buffer, decoder: Transform, name: string, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    decoder.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > maxBytes) {
        settled = true;
        decoder.destroy();
        reject(new PayloadTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    decoder.on('error', () => {
      if (settled) return;
      settled = true;
      reject(new MalformedPayloadError(`corrupt ${name} body`));
    });
    decoder.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, total));
    });
    decoder.end(input);
  });
}

/** RFC 1950 header check: CM = 8 and the 16-bit header is a multiple of 31. */
function looksZlibWrapped(b: Buffer): boolean {
  return b.length >= 2 && (b[0] & 0x0f) === 8 && (b[0] >> 4) <= 7 && ((b[0] << 8) | b[1]) % 31 === 0;
}

async function inflateDeflate(input: Buffer, maxBytes: number): Promise<Buffer> {
  if (looksZlibWrapped(input)) {
    try {
      return await inflateCapped(input, zlib.createInflate(), 'deflate', maxBytes);
    } catch (err) {
      if (err instanceof PayloadTooLargeError) throw err;
      // A raw deflate stream can start with bytes that pass the zlib header check.
    }
  }
  return inflateCapped(input, zlib.createInflateRaw(), 'deflate', maxBytes);
}

const LZ4_FRAME_MAGIC = 0x184d2204;
const LZ4_BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

/** Upper bound of the decompressed size of a sequence of LZ4 frames, read from the frame and block
 * headers without decompressing; throws MalformedPayloadError on a malformed frame. */
export function lz4OutputBound(b: Buffer): number {
  const bad = (): never => {
    throw new MalformedPayloadError('corrupt lz4 body');
  };
  let p = 0;
  let bound = 0;
  if (b.length === 0) bad();
  while (p < b.length) {
    if (p + 4 > b.length) bad();
    const magic = b.readUInt32LE(p);
    p += 4;
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      if (p + 4 > b.length) bad();
      p += 4 + b.readUInt32LE(p); // skippable frame
      continue;
    }
    if (magic !== LZ4_FRAME_MAGIC || p + 3 > b.length) bad();
    const flg = b[p];
    const bd = b[p + 1];
    if (flg >> 6 !== 1) bad();
    const blockMax = LZ4_BLOCK_MAX[(bd >> 4) & 7];
    if (!blockMax) bad();
    p += 2 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0) + 1;
    const blockChecksum = (flg & 0x10) !== 0;
    for (;;) {
      if (p + 4 > b.length) bad();
      const word = b.readUInt32LE(p);
      p += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      bound += word & 0x80000000 ? size : blockMax;
      p += size + (blockChecksum ? 4 : 0);
      if (p > b.length) bad();
    }
    if (flg & 0x04) p += 4;
    if (p > b.length) bad();
  }
  return bound;
}

async function inflateLz4(input: Buffer, maxBytes: number): Promise<Buffer> {
  if (lz4OutputBound(input) > maxBytes) throw new PayloadTooLargeError(maxBytes);
  let out: Buffer;
  try {
    out = await decompressFrame(input);
  } catch {
    throw new MalformedPayloadError('corrupt lz4 body');
  }
  if (out.length > maxBytes) throw new PayloadTooLargeError(maxBytes);
  return out;
}

async function undoOne(coding: ContentCoding, input: Buffer, maxBytes: number): Promise<Buffer> {
  switch (coding) {
    case 'identity':
      return input;
    case 'gzip':
      return inflateCapped(input, zlib.createGunzip(), 'gzip', maxBytes);
    case 'deflate':
      return inflateDeflate(input, maxBytes);
    case 'br':
      return inflateCapped(input, zlib.createBrotliDecompress(), 'br', maxBytes);
    case 'zstd':
      if (!createZstdDecompress) throw new UnsupportedMediaError('unsupported Content-Encoding: zstd');
      return inflateCapped(input, createZstdDecompress(), 'zstd', maxBytes);
    case 'lz4':
      return inflateLz4(input, maxBytes);
  }
}

/** Undoes `codings` (as applied, left to right) from last to first; each output is capped at `maxBytes`. */
export async function decodeContent(body: Buffer, codings: readonly ContentCoding[], maxBytes: number): Promise<Buffer> {
  let out = body;
  for (let i = codings.length - 1; i >= 0; i--) out = await undoOne(codings[i], out, maxBytes);
  if (out.length > maxBytes) throw new PayloadTooLargeError(maxBytes);
  return out;
}
