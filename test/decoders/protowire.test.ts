import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireReader } from '../../decoders/protowire.js';

test('wire reader decodes a multi-byte varint', () => {
  const r = new WireReader(Uint8Array.from([0xac, 0x02]));
  assert.equal(r.varint(2), 300);
});
