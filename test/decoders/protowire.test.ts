import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireReader } from '../../decoders/protowire.js';

test('wire reader decodes a multi-byte varint', () => {
  const r = new WireReader(Uint8Array.from([0xac, 0x02]));
  assert.equal(r.varint(2), 300);
});

import { MalformedPayloadError } from '../../decoders/types.js';

test('tag reads one- and multi-byte field tags', () => {
  const r = new WireReader(Uint8Array.from([0x0a, 0x85, 0x01]));
  assert.equal(r.tag(3), 0x0a);
  assert.equal(r.tag(3), (16 << 3) | 5);
  assert.equal(r.pos, 3);
});

test('tag refuses field number 0 and tags wider than 32 bits', () => {
  assert.throws(() => new WireReader(Uint8Array.from([0x02])).tag(1), MalformedPayloadError);
  assert.throws(() => new WireReader(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).tag(6), /invalid field tag/);
});

test('lengthDelimited returns the end of the bytes and refuses lengths past the enclosing end', () => {
  const r = new WireReader(Uint8Array.from([0x02, 0xaa, 0xbb, 0xcc]));
  assert.equal(r.lengthDelimited(4), 3);
  assert.equal(r.pos, 1);
  const long = new WireReader(Uint8Array.from([0x80, 0x01, ...new Array(128).fill(0)]));
  assert.equal(long.lengthDelimited(130), 130);
  assert.throws(() => new WireReader(Uint8Array.from([0x03, 0, 0, 0])).lengthDelimited(3), (e: unknown) =>
    e instanceof MalformedPayloadError && e.offset === 0);
});
