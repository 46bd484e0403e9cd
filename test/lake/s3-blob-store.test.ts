import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { S3BlobStore } from '../../lake/s3-blob-store.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { blobStoreContract } from './blob-store-contract.js';

blobStoreContract('s3', async () => {
  const s3 = await startS3();
  const store = new S3BlobStore({
    bucket: s3.bucket,
    prefix: 'lake',
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: s3.credentials,
  });
  return {
    store,
    async cleanup() {
      await store.close();
      await s3.stop();
    },
  };
});

describe('s3 blob store specifics', () => {
  let s3: TestS3;
  before(async () => {
    s3 = await startS3();
  });
  after(async () => {
    await s3.stop();
  });

  test('two store instances on one bucket still never overwrite an existing blob', async () => {
    const opts = { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials };
    const a = new S3BlobStore(opts);
    const b = new S3BlobStore(opts);
    try {
      assert.equal(await a.put('shared/k', new TextEncoder().encode('from a')), true);
      assert.equal(await b.put('shared/k', new TextEncoder().encode('from b')), false);
      assert.equal(new TextDecoder().decode(await b.get('shared/k')), 'from a');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a prefix keeps stores apart and is hidden from the keys they list', async () => {
    const opts = { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials };
    const a = new S3BlobStore({ ...opts, prefix: 'tenant-a/' });
    const b = new S3BlobStore({ ...opts, prefix: 'tenant-b' });
    try {
      await a.put('x/1', new Uint8Array([1]));
      await b.put('x/2', new Uint8Array([2]));
      const listed: string[] = [];
      for await (const k of a.list('x/')) listed.push(k);
      assert.deepEqual(listed, ['x/1']);
      assert.equal(await b.exists('x/1'), false);
      assert.equal(a.description, `s3://${s3.bucket}/tenant-a`);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('listing pages through more keys than one ListObjectsV2 response holds', async () => {
    const store = new S3BlobStore({ bucket: s3.bucket, prefix: 'many', endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials });
    try {
      const keys = Array.from({ length: 1005 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, new Uint8Array(0))));
      }
      const listed: string[] = [];
      for await (const k of store.list('k/')) listed.push(k);
      assert.deepEqual(listed, keys);
    } finally {
      await store.close();
    }
  });

  test('ping fails when the bucket does not exist', async () => {
    const store = new S3BlobStore({ bucket: 'no-such-bucket', endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials });
    try {
      await assert.rejects(store.ping());
    } finally {
      await store.close();
    }
  });
});
