import { test } from 'node:test';
import assert from 'node:assert/strict';
import { putUint64Words } from '../../decoders/otlp/decode-json-text.js';

const text = (v: bigint): string => {
  const b = new Uint8Array(24);
  const n = putUint64Words(b, 2, Number(v >> 32n), Number(v & 0xffffffffn));
  return new TextDecoder().decode(b.subarray(2, n));
};

test('uint64 decimal text from 32-bit words equals BigInt text over the whole range (event times, nanos beyond 2^53)', () => {
  const edges: bigint[] = [0n, 1n, 9n, 10n, 999_999_999n, 1_000_000_000n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n,
    1_700_000_000_000_000_000n, 10n ** 18n - 1n, 10n ** 18n, 10n ** 19n - 1n, 10n ** 19n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n];
  for (let k = 10n; k <= 19n; k++) for (const d of [-1n, 0n, 1n]) edges.push(10n ** k + d);
  for (let k = 1n; k < 18_446_744_073n; k *= 7n) for (const d of [-1n, 0n, 1n]) edges.push(k * 1_000_000_000n + d + (k === 1n && d < 0n ? 1n : 0n));
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < 20000; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    edges.push(x >> BigInt(i % 40));
  }
  for (const v of edges) assert.equal(text(v), v.toString(), `value ${v}`);
});
