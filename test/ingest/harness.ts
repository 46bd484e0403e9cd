// Test harness for the ingest tier: a listening HTTP app over a real SqliteCatalog + FsBlobStore in
// a temp directory, a fault-injecting blob store, and small fetch helpers.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createAuthenticator } from '../../auth/index.js';
import type { Authenticator } from '../../auth/types.js';
import { FsBlobStore } from '../../lake/fs-blob-store.js';
import { SqliteCatalog } from '../../lake/sqlite-catalog.js';
import type { BlobStore, Catalog } from '../../lake/types.js';
import { buildIngestApp } from '../../ingest/http.js';
import type { IngestDeps, IngestLimits } from '../../ingest/service.js';

/** Delegates to a real store; `failing = true` makes every write and ping throw. */
export class FaultyBlobStore implements BlobStore {
  failing = false;
  constructor(private readonly inner: BlobStore) {}
  get description(): string {
    return `faulty(${this.inner.description})`;
  }
  private check(): void {
    if (this.failing) throw new Error('injected blob store failure');
  }
  async put(key: string, body: Uint8Array): Promise<boolean> {
    this.check();
    return this.inner.put(key, body);
  }
  get(key: string): Promise<Uint8Array> {
    return this.inner.get(key);
  }
  getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return this.inner.getRange(key, offset, length);
  }
  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }
  list(prefix: string): AsyncIterable<string> {
    return this.inner.list(prefix);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  async ping(): Promise<void> {
    this.check();
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface Backends {
  dir: string;
  catalog: Catalog;
  blobs: FaultyBlobStore;
  close(): Promise<void>;
}

export async function tempBackends(): Promise<Backends> {
  const dir = await mkdtemp(join(tmpdir(), 'contrail-ingest-'));
  const catalog = SqliteCatalog.open(join(dir, 'catalog.db'));
  await catalog.migrate();
  const blobs = new FaultyBlobStore(new FsBlobStore(join(dir, 'blobs')));
  let closed = false;
  return {
    dir,
    catalog,
    blobs,
    async close() {
      if (closed) return;
      closed = true;
      await catalog.close().catch(() => {});
      await blobs.close().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const anonymousAuth = (): Promise<Authenticator> => createAuthenticator({});

/** A real authenticator over a temp API-keys file holding `key`. */
export async function apiKeyAuth(dir: string, key: string): Promise<Authenticator> {
  const apiKeysFile = join(dir, 'api-keys.json');
  await writeFile(apiKeysFile, JSON.stringify([{ name: 'test-client', key }]));
  return createAuthenticator({ apiKeysFile });
}

export interface HttpIngest extends Backends {
  url: string;
  app: FastifyInstance;
  deps: IngestDeps;
}

export async function startHttpIngest(
  opts: { auth?: Authenticator; limits?: Partial<IngestLimits>; corsOrigins?: string[] } = {},
): Promise<HttpIngest> {
  const backends = await tempBackends();
  const deps: IngestDeps = {
    catalog: backends.catalog,
    blobs: backends.blobs,
    auth: opts.auth ?? (await anonymousAuth()),
    limits: opts.limits,
    corsOrigins: opts.corsOrigins,
    retryAfterSeconds: 7,
  };
  const app = await buildIngestApp(deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    ...backends,
    url: `http://127.0.0.1:${port}`,
    app,
    deps,
    async close() {
      await app.close();
      await backends.close();
    },
  };
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
}

export async function post(url: string, body: Uint8Array | string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

export const PROTO = { 'content-type': 'application/x-protobuf' };
export const JSON_CT = { 'content-type': 'application/json' };
