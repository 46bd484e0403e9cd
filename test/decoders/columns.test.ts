import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dictionary, Utf8, Int32, makeVector } from 'apache-arrow';
import { DictionaryColumn, FixedDictionaryColumn, Int64Column, Utf8Column } from '../../decoders/columns.js';

const enc = new TextEncoder();
const texts = (d: ReturnType<DictionaryColumn['finish']>) => [...makeVector(d)].map(String);

test('dictionary codes tell apart values differing only in their last (or a middle) byte, at every length and across regrowth', () => {
  const col = new DictionaryColumn(new Dictionary(new Utf8(), new Int32()));
  const values: string[] = [];
  for (let n = 0; n <= 13; n++) for (const last of ['a', 'b', 'é']) values.push('x'.repeat(n) + last);
  // Same length, first and last byte: only the middle tells them apart.
  for (let n = 1; n <= 9; n++) for (const mid of ['m', 'n']) values.push('<' + 'y'.repeat(n) + mid + '>');
  values.push('');
  // One payload holding every value twice, at different (unaligned) positions.
  const payload = enc.encode('#' + values.join('') + values.join(''));
  const ranges: Array<[number, number]> = [];
  let at = 1;
  for (let round = 0; round < 2; round++) {
    for (const v of values) {
      const n = enc.encode(v).length;
      ranges.push([at, at + n]);
      at += n;
    }
  }
  for (const [s, e] of ranges) col.appendUtf8(payload, s, e);
  const data = col.finish();
  assert.deepEqual(texts(data), [...values, ...values]);
  // Equal values share one code; distinct ones do not.
  const codes = [...data.values];
  assert.deepEqual(codes.slice(values.length), codes.slice(0, values.length));
  assert.equal(new Set(codes).size, values.length);
  assert.equal(data.dictionary!.length, values.length);
});

test('dictionary values from different source arrays with equal bytes get the same code', () => {
  const col = new DictionaryColumn(new Dictionary(new Utf8(), new Int32()));
  const a = enc.encode('--GET /api/orders');
  const b = enc.encode('GET /api/orders');
  col.appendUtf8(a, 2, a.length);
  col.appendUtf8(b, 0, b.length);
  col.appendString('GET /api/orders');
  const d = col.finish();
  assert.deepEqual([...d.values], [0, 0, 0]);
  assert.equal(d.dictionary!.length, 1);
});

test('columns created empty (initial rows 0, for callers that presize) still take any number of rows without presizing', () => {
  const type = new Dictionary(new Utf8(), new Int32());
  const text = new Utf8Column(true, 0, 0);
  const ints = new Int64Column('int64', false, 0);
  const dict = new DictionaryColumn(type, false, 0);
  const fixed = new FixedDictionaryColumn(type, ['A', 'B'], 0);
  const n = 3000;
  for (let i = 0; i < n; i++) {
    if (i % 7 === 0) text.appendNull();
    else text.appendString(`v${i}`);
    ints.appendWords(i, 0);
    dict.appendString(`d${i % 5}`);
    fixed.append(i & 1);
  }
  assert.deepEqual([...makeVector(text.finish())], Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : `v${i}`)));
  assert.deepEqual([...makeVector(ints.finish())], Array.from({ length: n }, (_, i) => BigInt(i)));
  assert.deepEqual(texts(dict.finish()), Array.from({ length: n }, (_, i) => `d${i % 5}`));
  assert.deepEqual(texts(fixed.finish()), Array.from({ length: n }, (_, i) => (i & 1 ? 'B' : 'A')));
});

test('nullable columns: rows past the first bitmap stay valid until a null, which lands on its own row, batch after batch', () => {
  for (const nullAt of [-1, 0, 1023, 1024, 4999]) {
    const text = new Utf8Column(true);
    const ints = new Int64Column('int64', true);
    for (let batch = 0; batch < 2; batch++) {
      for (let i = 0; i < 5000; i++) {
        if (i === nullAt && batch === 1) {
          text.appendNull();
          ints.appendNull();
        } else {
          text.appendString(String(i));
          ints.appendWords(i, 0);
        }
      }
      const t = text.finish();
      const n = ints.finish();
      const nulls = nullAt >= 0 && batch === 1 ? 1 : 0;
      assert.equal(t.nullCount, nulls);
      assert.equal(n.nullCount, nulls);
      const tv = [...makeVector(t)];
      const nv = [...makeVector(n)];
      for (let i = 0; i < 5000; i++) {
        const isNull = nulls === 1 && i === nullAt;
        assert.equal(tv[i], isNull ? null : String(i));
        assert.equal(nv[i], isNull ? null : BigInt(i));
      }
    }
  }
});
