// Log messages are copied as they are read and checked once per batch (Utf8Column.appendUtf8Deferred):
// these cases must come out exactly as a per-message check would give them — including messages that
// are only valid when concatenated (a sequence split across two messages), invalid ones in batches of
// mostly valid ones, overlongs and surrogates, and batch boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeNativeLogs, nativeDecodeContext } from '../../decoders/native/index.js';
import { Utf8Column } from '../../decoders/columns.js';
import { encodeBlockPayload } from '../helpers/native-encoder.js';
import {
  BLOCK_ID, batchRowObjects, DependencyWriter, SDK_LOG_DEPS, SDK_LOG_OBJECTS, TransitBufferWriter, logStringInteropV3, processRow, streamRow,
} from '../helpers/native-events.js';

const T0 = 1_000_000n;
const lenient = new TextDecoder('utf-8');

function decodeMessages(messages: Uint8Array[], batchRows?: number): string[] {
  const deps = new DependencyWriter(SDK_LOG_DEPS).string(1, 't').finish();
  const w = new TransitBufferWriter(SDK_LOG_OBJECTS);
  for (const m of messages) w.entry('LogStringInteropEventV3', logStringInteropV3(SDK_LOG_OBJECTS, T0, 4, 1, m));
  const ctx = nativeDecodeContext({ blockId: BLOCK_ID, insertTime: 0n, process: processRow(), stream: streamRow(SDK_LOG_DEPS, SDK_LOG_OBJECTS), objectOffset: 0n });
  return batchRowObjects(decodeNativeLogs(encodeBlockPayload(deps, w.finish()), ctx, ['msg'], batchRows ? { batchRows } : undefined)).map((r) => r.msg as string);
}

const enc = (s: string) => new TextEncoder().encode(s);

test('log messages: a UTF-8 sequence split across two messages is invalid in both', () => {
  const euro = enc('€'); // e2 82 ac
  const msgs = [enc('ok'), Uint8Array.of(0x61, euro[0]), Uint8Array.of(euro[1], euro[2], 0x62), enc('après')];
  assert.deepEqual(decodeMessages(msgs), ['ok', 'a\uFFFD', '\uFFFD\uFFFDb', 'après']);
  assert.deepEqual(decodeMessages(msgs), msgs.map((m) => lenient.decode(m)));
});

test('log messages: overlongs, surrogates, truncated and stray bytes among valid ones, across batches', () => {
  const bad = [
    Uint8Array.of(0xc0, 0xaf), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xf4, 0x90, 0x80, 0x80), Uint8Array.of(0xe2, 0x82),
    Uint8Array.of(0x80), Uint8Array.of(0xff, 0x41),
  ];
  const msgs: Uint8Array[] = [];
  for (let i = 0; i < 60; i++) msgs.push(i % 7 === 3 ? bad[i % bad.length] : enc(i % 5 === 0 ? `ünï ${i} 😀` : `plain ${i}`));
  msgs.push(new Uint8Array(0));
  for (const batchRows of [undefined, 1, 8, 13]) assert.deepEqual(decodeMessages(msgs, batchRows), msgs.map((m) => lenient.decode(m)), `batchRows ${batchRows}`);
});

test('Utf8Column: deferred rows are checked at finish(), alongside raw, string and null rows', () => {
  const col = new Utf8Column(true);
  col.appendString('first');
  col.appendUtf8Deferred(Uint8Array.of(0x61, 0xe2), 0, 2);
  col.appendNull();
  col.appendRaw(enc('raw'), 0, 3);
  col.appendUtf8Deferred(Uint8Array.of(0x82, 0xac, 0x62), 0, 3);
  col.appendUtf8Deferred(enc('fine ✓'), 0, enc('fine ✓').length);
  const data = col.finish();
  const values = [];
  for (let i = 0; i < data.length; i++) {
    const valid = data.nullBitmap ? (data.nullBitmap[i >> 3] >> (i & 7)) & 1 : 1;
    values.push(valid ? lenient.decode(data.values.subarray(data.valueOffsets[i], data.valueOffsets[i + 1])) : null);
  }
  assert.deepEqual(values, ['first', 'a\uFFFD', null, 'raw', '\uFFFD\uFFFDb', 'fine ✓']);
  // The column starts clean for the next batch.
  col.appendUtf8Deferred(enc('next'), 0, 4);
  assert.equal(col.finish().length, 1);
});
