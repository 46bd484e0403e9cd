// Dictionary-coded string columns written as plain Utf8 output: the values a client reads back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dictionary, Field, Int32, Schema, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { batchFromArrow, batchToArrow } from '../../query/exec/arrow-io.js';
import type { Col } from '../../query/exec/column.js';
import type { PlanField } from '../../query/plan/types.js';

const FIELD: PlanField = { id: 1, name: 's', type: 'utf8', nullable: true };
const SCHEMA = new Schema([new Field('s', new Utf8(), true)]);

function output(col: Col): (string | null)[] {
  const rb = batchToArrow(SCHEMA, [FIELD], { length: col.length, cols: [col] });
  return Array.from(rb.getChildAt(0)!.toArray() as ArrayLike<string | null>, (v, i) => (rb.getChildAt(0)!.isValid(i) ? v : null));
}

test('a dictionary column is output row by row: runs, nulls, empty and multi-byte values', () => {
  const dict = ['', 'grüße 👋 aus Köln', 'x', 'a value longer than the byte-loop threshold, repeated'];
  const codes = Int32Array.from([3, 3, 3, 3, 3, 1, 1, 0, 2, 3, 3, 2, 2, 2, 1]);
  const valid = Uint8Array.from([1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1]);
  const expected = Array.from(codes, (c, i) => (valid[i] ? dict[c] : null));
  assert.deepEqual(output({ type: 'utf8', length: codes.length, values: codes, dict, valid }), expected);
  assert.deepEqual(output({ type: 'utf8', length: codes.length, values: codes, dict, valid: null }), Array.from(codes, (c) => dict[c]));
});

test('a dictionary column read from Arrow is output with its dictionary values, batch after batch', () => {
  const dictionary = vectorFromArray(['process-a', 'pröcess-b'], new Utf8());
  const type = new Dictionary(new Utf8(), new Int32());
  const codes = Int32Array.from([1, 1, 1, 0, 0, 1, 1, 1]);
  const data = makeData({ type, length: codes.length, nullCount: 0, data: codes, dictionary });
  const schema = new Schema([new Field('s', type, true)]);
  const rb = { schema, data: { children: [data] }, numRows: codes.length } as never;
  for (let round = 0; round < 2; round++) {
    const batch = batchFromArrow(rb, [{ name: 's', type: 'utf8' }]);
    assert.deepEqual(output(batch.cols[0]), Array.from(codes, (c) => dictionary.get(c)));
  }
});
