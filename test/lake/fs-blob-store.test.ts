import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir, utimes, access, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlobStore } from '../../lake/fs-blob-store.js';
import { TEMP_PREFIX } from '../../lake/blob-key.js';
import { blobStoreContract } from './blob-store-contract.js';

async function tempRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'contrail-fsblob-'));
}

blobStoreContract('fs', async () => {
  const dir = await tempRoot();
  const store = new FsBlobStore(join(dir, 'blobs'));
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}

describe('fs blob store crash safety', () => {
  test('a temp file left by a crash is never visible as a blob', async (t) => {
    const dir = await tempRoot();
    t.after(() => rm(dir, { recursive: true, force: true }));
    const store = new FsBlobStore(dir);
    await store.put('blobs/a/1', new Uint8Array([1]));
    // what a crash between write and link leaves behind
    await writeFile(join(dir, 'blobs', 'a', `${TEMP_PREFIX}deadbeef`), 'partial');
    assert.deepEqual(await collect(store.list('')), ['blobs/a/1']);
    assert.deepEqual(await collect(store.list('blobs/a/')), ['blobs/a/1']);
    await assert.rejects(store.get(`blobs/a/${TEMP_PREFIX}deadbeef`), /invalid blob key/);
    await store.close();
  });

  test('opening a store removes temp files older than a minute and keeps fresh ones', async (t) => {
    const dir = await tempRoot();
    t.after(() => rm(dir, { recursive: true, force: true }));
    await mkdir(join(dir, 'x', 'y'), { recursive: true });
    const stale = join(dir, 'x', 'y', `${TEMP_PREFIX}stale`);
    const fresh = join(dir, 'x', `${TEMP_PREFIX}fresh`);
    await writeFile(stale, 'partial');
    await writeFile(fresh, 'in progress elsewhere');
    const old = new Date(Date.now() - 5 * 60_000);
    await utimes(stale, old, old);
    const store = new FsBlobStore(dir);
    await store.ping();
    await assert.rejects(access(stale), { code: 'ENOENT' });
    await access(fresh);
    await store.close();
  });

  test('a put leaves no temp file behind, whether it created the blob or not', async (t) => {
    const dir = await tempRoot();
    t.after(() => rm(dir, { recursive: true, force: true }));
    const store = new FsBlobStore(dir);
    assert.equal(await store.put('d/k', new Uint8Array([1, 2])), true);
    await Promise.all([store.put('d/k', new Uint8Array([3])), store.put('d/k', new Uint8Array([4]))]);
    assert.deepEqual(await readdir(join(dir, 'd')), ['k']);
    await store.close();
  });

  test('a missing root directory is created on open', async (t) => {
    const dir = await tempRoot();
    t.after(() => rm(dir, { recursive: true, force: true }));
    const store = new FsBlobStore(join(dir, 'deep', 'blobs'));
    await store.ping();
    assert.equal(store.description, `fs:${join(dir, 'deep', 'blobs')}`);
    await store.close();
  });
});

describe('fs blob store concurrent puts', () => {
  test('concurrent puts into one directory all become visible and each returns the right boolean', async (t) => {
    const dir = await tempRoot();
    t.after(() => rm(dir, { recursive: true, force: true }));
    const store = new FsBlobStore(dir);
    const keys = Array.from({ length: 40 }, (_, i) => `blobs/f/2026/01/01/k${String(i).padStart(3, '0')}`);
    // every key twice (a duplicate racing the first writer) plus one pre-existing key
    assert.equal(await store.put(keys[0], new Uint8Array([0])), true);
    const results = await Promise.all(
      keys.flatMap((k, i) => [store.put(k, new Uint8Array([i, 1])), store.put(k, new Uint8Array([i, 2]))]),
    );
    for (let i = 0; i < keys.length; i++) {
      const [a, b] = [results[2 * i], results[2 * i + 1]];
      if (i === 0) assert.deepEqual([a, b], [false, false]);
      else assert.equal(Number(a) + Number(b), 1, `exactly one put of ${keys[i]} creates it`);
    }
    assert.deepEqual(await collect(store.list('blobs/f/')), keys);
    assert.deepEqual(await store.get(keys[0]), new Uint8Array([0]));
    for (let i = 1; i < keys.length; i++) {
      const got = await store.get(keys[i]);
      assert.equal(got[0], i);
      assert.equal(got[1], results[2 * i] ? 1 : 2, 'the bytes are those of the put that returned true');
    }
    assert.deepEqual((await readdir(join(dir, 'blobs', 'f', '2026', '01', '01'))).filter((n) => n.startsWith(TEMP_PREFIX)), []);
    await store.close();
  });

  test('a put into a directory removed behind the store creates it again', async (t) => {
    const dir = await tempRoot();
    t.after(() => rm(dir, { recursive: true, force: true }));
    const store = new FsBlobStore(dir);
    assert.equal(await store.put('a/b/1', new Uint8Array([1])), true);
    await rm(join(dir, 'a'), { recursive: true });
    assert.equal(await store.put('a/b/2', new Uint8Array([2])), true);
    assert.deepEqual(await store.get('a/b/2'), new Uint8Array([2]));
    await store.close();
  });
});
