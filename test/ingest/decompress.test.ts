import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { compressFrameSync } from 'lz4-napi';
import { MalformedPayloadError } from '../../decoders/types.js';
import { decodeContent, NATIVE_CODINGS, OTLP_CODINGS, parseContentEncoding } from '../../ingest/decompress.js';
import { PayloadTooLargeError, UnsupportedMediaError } from '../../ingest/errors.js';

const MiB = 1024 * 1024;
const text = Buffer.from('telemetry '.repeat(1000));

test('a Content-Encoding list is undone right to left, ignoring identity and letter case', async () => {
  const codings = parseContentEncoding('GZIP, identity, br', OTLP_CODINGS);
  assert.deepEqual(codings, ['gzip', 'br']);
  const encoded = zlib.brotliCompressSync(zlib.gzipSync(text));
  assert.deepEqual(await decodeContent(encoded, codings, MiB), text);
});

test('codings outside the allowed set are refused as unsupported media', () => {
  assert.throws(() => parseContentEncoding('br', NATIVE_CODINGS), UnsupportedMediaError);
  assert.throws(() => parseContentEncoding('gzip, snappy', OTLP_CODINGS), UnsupportedMediaError);
  assert.deepEqual(parseContentEncoding(undefined, NATIVE_CODINGS), []);
});

test('an lz4 frame that could expand past the limit is refused before it is decompressed', async () => {
  const bomb = compressFrameSync(Buffer.alloc(64 * MiB));
  assert.ok(bomb.length < MiB);
  await assert.rejects(decodeContent(bomb, ['lz4'], 20 * MiB), PayloadTooLargeError);
});

test('every layer of a stacked encoding is capped, not only the last one', async () => {
  // gzip(br(64 MiB of zeros)): the inner brotli output is the bomb.
  const stacked = zlib.gzipSync(zlib.brotliCompressSync(Buffer.alloc(64 * MiB)));
  await assert.rejects(decodeContent(stacked, ['br', 'gzip'], 20 * MiB), PayloadTooLargeError);
});

test('garbage under any coding is a malformed payload, not a crash', async () => {
  for (const coding of ['gzip', 'deflate', 'br', 'lz4'] as const) {
    await assert.rejects(decodeContent(Buffer.from('definitely not compressed'), [coding], MiB), MalformedPayloadError, coding);
  }
});
