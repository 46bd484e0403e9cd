// The native log decoder finishes its columns with `last` after a segment's final batch, so no fresh
// buffers are allocated for a batch that never comes. A column finished that way must still work
// if rows are appended after all: it regrows from its empty buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dictionary, Int32, Utf8 } from 'apache-arrow';
import { DictionaryColumn, Int32Column, Int64Column } from '../../decoders/columns.js';

test('columns finished as the last batch still take rows afterwards', () => {
  const ints = new Int32Column();
  const times = new Int64Column('timestamp');
  const dict = new DictionaryColumn(new Dictionary(new Utf8(), new Int32()));
  ints.append(1);
  times.appendWords(5, 0);
  dict.appendString('a');
  assert.equal(ints.finish(true).length, 1);
  assert.equal(times.finish(true).length, 1);
  assert.equal(dict.finish(true).length, 1);
  for (let i = 0; i < 20; i++) {
    ints.append(i);
    times.appendWords(i, 1);
    dict.appendString(`v${i % 3}`);
  }
  assert.deepEqual(Array.from(ints.finish().values as Int32Array), Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(Array.from(times.finish().values as BigInt64Array), Array.from({ length: 20 }, (_, i) => (1n << 32n) + BigInt(i)));
  const d = dict.finish();
  assert.deepEqual(Array.from(d.values as Int32Array), Array.from({ length: 20 }, (_, i) => i % 3));
  assert.deepEqual(d.dictionary!.toArray(), ['v0', 'v1', 'v2']);
});
