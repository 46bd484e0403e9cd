// Opens the catalog and blob store named by configuration strings (CLI flags / env).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore, Catalog } from './types.js';
import { FsBlobStore } from './fs-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';
import { SqliteCatalog } from './sqlite-catalog.js';
import { PostgresCatalog } from './postgres-catalog.js';

export interface LakeOptions {
  dataDir: string;
  s3Endpoint?: string;
  s3Region?: string;
}

/** undefined → `sqlite:<dataDir>/catalog.sqlite`; `sqlite:<path>` (relative to the working directory); `postgres://…` / `postgresql://…` (optional `?schema=`). Runs migrate(). */
export async function openCatalog(spec: string | undefined, opts: LakeOptions): Promise<Catalog> {
  await mkdir(opts.dataDir, { recursive: true });
  let catalog: Catalog;
  if (spec === undefined || spec === '') {
    catalog = SqliteCatalog.open(join(opts.dataDir, 'catalog.sqlite'));
  } else if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (!path) throw new Error('catalog spec "sqlite:" needs a path');
    catalog = SqliteCatalog.open(path);
  } else if (spec.startsWith('postgres://') || spec.startsWith('postgresql://')) {
    catalog = await PostgresCatalog.open(spec);
  } else {
    throw new Error(`unsupported catalog "${spec}": expected sqlite:<path>, postgres://… or postgresql://…`);
  }
  try {
    await catalog.migrate();
  } catch (err) {
    await catalog.close();
    throw err;
  }
  return catalog;
}

/** undefined → `<dataDir>/blobs`; a directory path; `s3://bucket[/prefix]` (credentials from the
 * AWS default chain; `s3Endpoint` selects an S3-compatible server with path-style addressing). */
export async function openBlobStore(spec: string | undefined, opts: LakeOptions): Promise<BlobStore> {
  await mkdir(opts.dataDir, { recursive: true });
  let store: BlobStore;
  if (spec === undefined || spec === '') {
    store = new FsBlobStore(join(opts.dataDir, 'blobs'));
  } else if (spec.startsWith('s3://')) {
    const rest = spec.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1);
    if (!bucket) throw new Error(`blob store "${spec}" names no bucket`);
    store = new S3BlobStore({ bucket, prefix, endpoint: opts.s3Endpoint, region: opts.s3Region });
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new Error(`unsupported blob store "${spec}": expected a directory or s3://bucket/prefix`);
  } else {
    store = new FsBlobStore(spec);
  }
  return store;
}
