import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBlobStore, openCatalog } from '../../lake/open.js';
import { freshPgSchema } from '../helpers/postgres.js';
import { startS3 } from '../helpers/s3.js';
import { proc } from './catalog-contract.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'contrail-open-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('with no catalog spec a migrated SQLite catalog is created in a new data directory', async (t) => {
  const dataDir = join(await tempDir(t), 'data');
  const cat = await openCatalog(undefined, { dataDir });
  try {
    assert.equal(cat.description, `sqlite:${join(dataDir, 'catalog.sqlite')}`);
    await cat.record({ processes: [proc()], streams: [], segments: [] });
    assert.ok((await stat(join(dataDir, 'catalog.sqlite'))).isFile());
  } finally {
    await cat.close();
  }
});

test('a sqlite: spec opens the catalog at that path', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'elsewhere', 'c.sqlite');
  const cat = await openCatalog(`sqlite:${path}`, { dataDir: join(dir, 'data') });
  try {
    assert.equal(cat.description, `sqlite:${path}`);
    assert.deepEqual(await cat.listProcesses(), []);
  } finally {
    await cat.close();
  }
});

test('a postgresql:// spec opens a migrated PostgreSQL catalog in the URL schema', async (t) => {
  const dir = await tempDir(t);
  const db = await freshPgSchema();
  t.after(() => db.drop());
  const cat = await openCatalog(db.url.replace(/^postgres:/, 'postgresql:'), { dataDir: dir });
  try {
    const p = proc();
    await cat.record({ processes: [p], streams: [], segments: [] });
    assert.deepEqual(await cat.getProcess(p.process_id), p);
    assert.match(cat.description, new RegExp(db.schema));
  } finally {
    await cat.close();
  }
});

test('an unknown catalog or blob store scheme is refused with a message naming it', async (t) => {
  const dataDir = await tempDir(t);
  await assert.rejects(openCatalog('mysql://x', { dataDir }), /mysql:\/\/x/);
  await assert.rejects(openBlobStore('gs://bucket', { dataDir }), /gs:\/\/bucket/);
});

test('with no blob store spec blobs go under <dataDir>/blobs', async (t) => {
  const dataDir = join(await tempDir(t), 'data');
  const store = await openBlobStore(undefined, { dataDir });
  try {
    assert.equal(store.description, `fs:${join(dataDir, 'blobs')}`);
    await store.put('a/b', new Uint8Array([1]));
    assert.ok((await stat(join(dataDir, 'blobs', 'a', 'b'))).isFile());
  } finally {
    await store.close();
  }
});

test('a directory spec stores blobs in that directory', async (t) => {
  const dir = await tempDir(t);
  const store = await openBlobStore(join(dir, 'b'), { dataDir: join(dir, 'data') });
  try {
    await store.put('k', new Uint8Array([7]));
    assert.deepEqual(await store.get('k'), new Uint8Array([7]));
    assert.ok((await stat(join(dir, 'b', 'k'))).isFile());
  } finally {
    await store.close();
  }
});

test('an s3:// spec opens the bucket and prefix on the configured endpoint', async (t) => {
  const dataDir = await tempDir(t);
  const s3 = await startS3();
  t.after(() => s3.stop());
  // the S3 store takes credentials from the standard AWS variables; set them for this test only
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
  t.after(() => {
    for (const [k, v] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const store = await openBlobStore(`s3://${s3.bucket}/lake/blobs`, { dataDir, s3Endpoint: s3.endpoint, s3Region: s3.region });
  try {
    assert.equal(store.description, `s3://${s3.bucket}/lake/blobs`);
    await store.ping();
    assert.equal(await store.put('x', new Uint8Array([1, 2])), true);
    assert.deepEqual(await store.getRange('x', 1, 1), new Uint8Array([2]));
  } finally {
    await store.close();
  }
});
