import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { OtlpSignal } from '../../decoders/types.js';
import { otlpBlockId } from '../../lake/ids.js';
import type { BlobFormat } from '../../lake/types.js';
import { startOtlpGrpcServer } from '../../ingest/grpc.js';
import type { IngestDeps } from '../../ingest/service.js';
import { MetricsResponse, RetryInfo, RpcStatus, TO_OBJECT } from '../helpers/otlp-proto.js';
import { ENCODE_PROTO, logsRequest, metricsRequest, RECORDS_PER_REQUEST, REQUESTS } from './fixtures.js';
import { anonymousAuth, apiKeyAuth, tempBackends, type Backends } from './harness.js';

const PATHS: Record<OtlpSignal, string> = {
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
};
const API_KEY = 'grpc-test-key-0123456789abcdef0123456789';

let backends: Backends;
let server: { port: number; close(): Promise<void> };
let authServer: { port: number; close(): Promise<void> };
let client: grpc.Client;
let gzipClient: grpc.Client;
let authClient: grpc.Client;

before(async () => {
  backends = await tempBackends();
  const deps: IngestDeps = { catalog: backends.catalog, blobs: backends.blobs, auth: await anonymousAuth(), retryAfterSeconds: 3 };
  server = await startOtlpGrpcServer('127.0.0.1:0', deps);
  authServer = await startOtlpGrpcServer('127.0.0.1:0', { ...deps, auth: await apiKeyAuth(backends.dir, API_KEY) });
  const insecure = grpc.credentials.createInsecure();
  client = new grpc.Client(`127.0.0.1:${server.port}`, insecure);
  gzipClient = new grpc.Client(`127.0.0.1:${server.port}`, insecure, { 'grpc.default_compression_algorithm': 2 });
  authClient = new grpc.Client(`127.0.0.1:${authServer.port}`, insecure);
});

after(async () => {
  for (const c of [client, gzipClient, authClient]) c.close();
  await server.close();
  await authServer.close();
  await backends.close();
});

function call(c: grpc.Client, path: string, body: Uint8Array, metadata = new grpc.Metadata()): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    c.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(body),
      metadata,
      {},
      (err, res) => (err ? reject(err) : resolve(res!)),
    );
  });
}

async function callError(c: grpc.Client, path: string, body: Uint8Array, metadata?: grpc.Metadata): Promise<grpc.ServiceError> {
  try {
    await call(c, path, body, metadata);
  } catch (err) {
    return err as grpc.ServiceError;
  }
  assert.fail('expected the call to fail');
}

for (const signal of ['logs', 'metrics', 'traces'] as OtlpSignal[]) {
  test(`the ${signal} Export method stores the raw request bytes and answers an empty response`, async () => {
    const body = ENCODE_PROTO[signal](REQUESTS[signal](`grpc-${signal}`));
    const res = await call(client, PATHS[signal], body);
    assert.equal(res.length, 0);
    const block = await backends.catalog.getBlock(otlpBlockId('', `otlp-${signal}-proto` as BlobFormat, body));
    assert.ok(block);
    assert.equal(block.nb_objects, RECORDS_PER_REQUEST[signal]);
    assert.deepEqual(Buffer.from(await backends.blobs.get(block.blob_key)), Buffer.from(body));
  });
}

test('a gzip-compressed gRPC message is stored decompressed, and a retry stores nothing new', async () => {
  const body = ENCODE_PROTO.logs(logsRequest('grpc-gzip'));
  await call(gzipClient, PATHS.logs, body);
  const count = (await backends.catalog.listBlocks()).length;
  await call(client, PATHS.logs, body);
  assert.equal((await backends.catalog.listBlocks()).length, count);
  assert.ok(await backends.catalog.getBlock(otlpBlockId('', 'otlp-logs-proto', body)));
});

test('rejected data points come back as partial_success in the gRPC response', async () => {
  const res = await call(client, PATHS.metrics, ENCODE_PROTO.metrics(metricsRequest('grpc-partial', true)));
  const decoded = MetricsResponse.toObject(MetricsResponse.decode(res), TO_OBJECT) as { partialSuccess?: { rejectedDataPoints?: string } };
  assert.equal(decoded.partialSuccess?.rejectedDataPoints, '1');
});

test('malformed bytes are answered INVALID_ARGUMENT and the server keeps serving', async () => {
  const err = await callError(client, PATHS.traces, Buffer.from([0x0b, 0x01, 0x02]));
  assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
  await call(client, PATHS.logs, ENCODE_PROTO.logs(logsRequest('after-bad')));
});

test('a message over 20 MiB is answered RESOURCE_EXHAUSTED', async () => {
  const err = await callError(client, PATHS.logs, Buffer.alloc(20 * 1024 * 1024 + 10));
  assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED);
});

test('with API keys configured, missing or wrong credentials are UNAUTHENTICATED and a valid key is accepted', async () => {
  const body = ENCODE_PROTO.logs(logsRequest('grpc-auth'));
  assert.equal((await callError(authClient, PATHS.logs, body)).code, grpc.status.UNAUTHENTICATED);
  const wrong = new grpc.Metadata();
  wrong.set('authorization', 'Bearer wrong');
  assert.equal((await callError(authClient, PATHS.logs, body, wrong)).code, grpc.status.UNAUTHENTICATED);
  const good = new grpc.Metadata();
  good.set('authorization', `Bearer ${API_KEY}`);
  await call(authClient, PATHS.logs, body, good);
  assert.ok(await backends.catalog.getBlock(otlpBlockId('', 'otlp-logs-proto', body)));
});

test('a blob store failure is answered UNAVAILABLE with a RetryInfo detail', async () => {
  const body = ENCODE_PROTO.logs(logsRequest('grpc-unavailable'));
  backends.blobs.failing = true;
  let err: grpc.ServiceError;
  try {
    err = await callError(client, PATHS.logs, body);
  } finally {
    backends.blobs.failing = false;
  }
  assert.equal(err.code, grpc.status.UNAVAILABLE);
  const [details] = err.metadata.get('grpc-status-details-bin');
  assert.ok(Buffer.isBuffer(details));
  const status = RpcStatus.toObject(RpcStatus.decode(details), { ...TO_OBJECT, bytes: Buffer as never }) as {
    code: number;
    details: Array<{ type_url: string; value: Buffer }>;
  };
  assert.equal(status.code, 14);
  assert.equal(status.details[0].type_url, 'type.googleapis.com/google.rpc.RetryInfo');
  const retry = RetryInfo.toObject(RetryInfo.decode(status.details[0].value), TO_OBJECT) as { retryDelay: { seconds: string } };
  assert.equal(retry.retryDelay.seconds, '3');
  assert.equal(await backends.catalog.getBlock(otlpBlockId('', 'otlp-logs-proto', body)), undefined);
});
