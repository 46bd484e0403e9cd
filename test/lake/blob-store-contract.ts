// The BlobStore behaviour every implementation must have; run by fs-blob-store and s3-blob-store tests.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BlobNotFoundError, type BlobStore } from '../../lake/types.js';

export interface BlobStoreFixture {
  store: BlobStore;
  cleanup(): Promise<void>;
}

const enc = (s: string) => new TextEncoder().encode(s);

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}

export function blobStoreContract(name: string, open: () => Promise<BlobStoreFixture>): void {
  describe(`${name} blob store contract`, () => {
    let fx: BlobStoreFixture;
    let store: BlobStore;
    // every test works under its own prefix so tests do not depend on each other
    const ns = () => `t-${randomBytes(5).toString('hex')}`;

    before(async () => {
      fx = await open();
      store = fx.store;
    });
    after(async () => {
      await fx?.cleanup();
    });

    test('a stored blob reads back byte for byte', async () => {
      const key = `${ns()}/blobs/otlp-logs-proto/2026/01/02/abc`;
      const body = randomBytes(10_000);
      assert.equal(await store.put(key, body), true);
      assert.deepEqual(Buffer.from(await store.get(key)), body);
      assert.equal(await store.exists(key), true);
    });

    test('an empty blob can be stored and read', async () => {
      const key = `${ns()}/empty`;
      assert.equal(await store.put(key, new Uint8Array(0)), true);
      assert.equal((await store.get(key)).byteLength, 0);
      assert.equal((await store.getRange(key, 0, 0)).byteLength, 0);
    });

    test('a second put of the same key returns false and keeps the first bytes', async () => {
      const key = `${ns()}/k`;
      assert.equal(await store.put(key, enc('first')), true);
      assert.equal(await store.put(key, enc('second, longer')), false);
      assert.equal(new TextDecoder().decode(await store.get(key)), 'first');
    });

    test('concurrent puts of the same key give exactly one true and one intact blob', async () => {
      const key = `${ns()}/race`;
      const bodies = Array.from({ length: 8 }, (_, i) => enc(`body-${i}-`.repeat(1000)));
      const results = await Promise.all(bodies.map((b) => store.put(key, b)));
      assert.equal(results.filter((r) => r).length, 1);
      const winner = bodies[results.indexOf(true)];
      assert.deepEqual(Buffer.from(await store.get(key)), Buffer.from(winner));
    });

    test('a ranged get returns exactly the requested bytes', async () => {
      const key = `${ns()}/ranged`;
      const body = randomBytes(4096);
      await store.put(key, body);
      assert.deepEqual(Buffer.from(await store.getRange(key, 100, 50)), body.subarray(100, 150));
      assert.deepEqual(Buffer.from(await store.getRange(key, 0, 4096)), body);
      assert.deepEqual(Buffer.from(await store.getRange(key, 4095, 1)), body.subarray(4095));
    });

    test('a ranged get past the end is a RangeError', async () => {
      const key = `${ns()}/short`;
      await store.put(key, enc('0123456789'));
      await assert.rejects(store.getRange(key, 5, 6), RangeError);
      await assert.rejects(store.getRange(key, 20, 1), RangeError);
    });

    test('reading a missing blob throws BlobNotFoundError naming the key', async () => {
      const key = `${ns()}/missing`;
      await assert.rejects(store.get(key), (err: unknown) => err instanceof BlobNotFoundError && err.key === key);
      await assert.rejects(store.getRange(key, 0, 1), BlobNotFoundError);
      assert.equal(await store.exists(key), false);
    });

    test('list returns the keys under a prefix in lexicographic order', async () => {
      const p = ns();
      const keys = [`${p}/b/2`, `${p}/a`, `${p}/b/1`, `${p}/a.x`, `${p}/a0/z`, `${p}/c-d/e`, `${p}/bb`];
      for (const k of keys) await store.put(k, enc(k));
      await store.put(`${ns()}/other`, enc('x'));
      assert.deepEqual(await collect(store.list(`${p}/`)), [...keys].sort());
      assert.deepEqual(await collect(store.list(`${p}/b`)), [`${p}/b/1`, `${p}/b/2`, `${p}/bb`]);
      assert.deepEqual(await collect(store.list(`${p}/b/`)), [`${p}/b/1`, `${p}/b/2`]);
      assert.deepEqual(await collect(store.list(`${p}/nothing/`)), []);
    });

    test('list with an empty prefix includes every stored key', async () => {
      const k = `${ns()}/everything`;
      await store.put(k, enc('x'));
      const all = await collect(store.list(''));
      assert.ok(all.includes(k));
      assert.deepEqual(all, [...all].sort());
    });

    test('delete removes a blob and is idempotent', async () => {
      const key = `${ns()}/gone`;
      await store.put(key, enc('x'));
      await store.delete(key);
      assert.equal(await store.exists(key), false);
      await assert.rejects(store.get(key), BlobNotFoundError);
      await store.delete(key);
      await store.delete(`${ns()}/never-existed`);
      assert.equal(await store.put(key, enc('again')), true, 'a deleted key can be written again');
    });

    test('keys with .., absolute paths or empty segments are rejected', async () => {
      for (const bad of ['', '/abs', 'a/../b', '..', 'a//b', 'a/', './a', 'a/./b']) {
        await assert.rejects(store.put(bad, enc('x')), Error, `put(${JSON.stringify(bad)})`);
        await assert.rejects(store.get(bad), Error, `get(${JSON.stringify(bad)})`);
      }
    });

    test('ping succeeds on a working store and the description names its location', async () => {
      await store.ping();
      assert.ok(store.description.length > 0);
    });
  });
}
