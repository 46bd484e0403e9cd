// Flight SQL over TLS (flightsql-clients spec §0, §11.1): with a certificate the listener speaks
// TLS with ALPN h2, a CA-trusting grpc-js client runs a query, and a plaintext client is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startFlightSqlServer } from '../../flightsql/server.js';
import { FlightSqlClient } from '../../flightsql/client.js';
import { opensslMissing, selfSignedCert } from '../helpers/tls.js';
import { anonymousAuth, tempBackends } from '../ingest/harness.js';

const skip = opensslMissing();

test('Flight SQL with a certificate: a TLS client trusting it runs select 1, a plaintext client fails', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'contrail-tls-'));
  const certs = await selfSignedCert(dir);
  const backends = await tempBackends();
  const server = await startFlightSqlServer('127.0.0.1:0', {
    catalog: backends.catalog, blobs: backends.blobs, auth: await anonymousAuth(), tls: { cert: certs.cert, key: certs.key },
  });
  const secure = new FlightSqlClient(`127.0.0.1:${server.port}`, { tls: certs.cert });
  const byName = new FlightSqlClient(`localhost:${server.port}`, { tls: certs.cert });
  const plain = new FlightSqlClient(`127.0.0.1:${server.port}`);
  try {
    const r = await secure.query('select 1 as one');
    assert.equal(r.batches.reduce((n, b) => n + b.numRows, 0), 1);
    assert.equal(Number(r.batches[0].getChildAt(0)!.get(0)), 1);
    // The certificate names localhost too (the [::1] listener is TLS as well).
    const again = await byName.query('select 2');
    assert.equal(Number(again.batches[0].getChildAt(0)!.get(0)), 2);
    await assert.rejects(plain.query('select 1'), (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE);
  } finally {
    for (const c of [secure, byName, plain]) c.close();
    await server.close();
    await backends.close();
    await rm(dir, { recursive: true, force: true });
  }
});
