// DependencyMap: the direct-mapped lookup cache must never change what an id resolves to — ids that
// share a cache slot, ids above 2^53 (BigInt keys), missing ids and first-value-wins all hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DependencyMap, TransitString } from '../../decoders/native/transit.js';

test('DependencyMap: colliding cache slots, large ids and missing ids resolve as without a cache', () => {
  const m = new DependencyMap();
  const ids: Array<[number, number]> = [];
  // Producer-address-like ids: 16-byte aligned, many sharing a cache slot.
  for (let i = 0; i < 2000; i++) ids.push([(0x1000_0000 + i * 16 * 257) >>> 0, 0x7f3a]);
  for (let i = 0; i < 50; i++) ids.push([i * 8, 0xffff_fff0]); // beyond 2^53: BigInt keys
  ids.forEach(([lo, hi], i) => assert.ok(m.add(lo, hi, TransitString.fromText(`v${i}`))));
  for (let round = 0; round < 3; round++) {
    ids.forEach(([lo, hi], i) => assert.equal((m.get(lo, hi) as TransitString).text, `v${i}`, `id ${hi}:${lo}`));
    for (let k = ids.length - 1; k >= 0; k -= 7) assert.equal((m.get(ids[k][0], ids[k][1]) as TransitString).text, `v${k}`);
  }
  assert.equal(m.get(0x1000_0008, 0x7f3a), undefined);
  assert.equal(m.get(ids[0][0], ids[0][1] + 1), undefined);
  // A duplicate id keeps the first value, cached or not.
  assert.equal(m.add(ids[3][0], ids[3][1], TransitString.fromText('other')), false);
  assert.equal((m.get(ids[3][0], ids[3][1]) as TransitString).text, 'v3');
});
