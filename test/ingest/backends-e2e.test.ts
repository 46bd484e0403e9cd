// End to end over the production backends: PostgreSQL catalog + S3-compatible blob store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { buildIngestApp } from '../../ingest/http.js';
import { startOtlpGrpcServer } from '../../ingest/grpc.js';
import { openBlobStore, openCatalog } from '../../lake/open.js';
import { otlpBlockId } from '../../lake/ids.js';
import { freshPgSchema } from '../helpers/postgres.js';
import { startS3 } from '../helpers/s3.js';
import { encodeBlock, encodeProcessInfo } from '../helpers/native-encoder.js';
import { ENCODE_JSON, ENCODE_PROTO, logsRequest, tracesRequest } from './fixtures.js';
import { anonymousAuth, post, PROTO, JSON_CT } from './harness.js';

test('OTLP/HTTP, OTLP/gRPC and native ingest land in PostgreSQL + S3 and retries stay single', async () => {
  const pgSchema = await freshPgSchema();
  const s3 = await startS3();
  const dataDir = await mkdtemp(join(tmpdir(), 'contrail-e2e-'));
  // The S3 store takes credentials from the SDK default chain.
  process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
  const catalog = await openCatalog(pgSchema.url, { dataDir });
  const blobs = await openBlobStore(`s3://${s3.bucket}/lake`, { dataDir, s3Endpoint: s3.endpoint, s3Region: s3.region });
  const deps = { catalog, blobs, auth: await anonymousAuth() };
  const app = await buildIngestApp(deps);
  const grpcServer = await startOtlpGrpcServer('127.0.0.1:0', deps);
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    assert.equal((await fetch(`${base}/ready`)).status, 200);

    const logs = Buffer.from(ENCODE_PROTO.logs(logsRequest('e2e-logs')));
    for (let i = 0; i < 3; i++) {
      const res = await post(`${base}/v1/logs`, zlib.gzipSync(logs), { ...PROTO, 'content-encoding': 'gzip' });
      assert.equal(res.status, 200);
    }
    const traces = ENCODE_JSON.traces(tracesRequest('e2e-traces'));
    assert.equal((await post(`${base}/ingestion/otlp/v1/traces`, traces, JSON_CT)).status, 200);

    const grpcLogs = ENCODE_PROTO.logs(logsRequest('e2e-grpc'));
    const client = new grpc.Client(`127.0.0.1:${grpcServer.port}`, grpc.credentials.createInsecure());
    await new Promise<void>((resolve, reject) =>
      client.makeUnaryRequest(
        '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from(grpcLogs),
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    client.close();

    const processId = randomUUID();
    const streamId = randomUUID();
    const nativeProcess = encodeProcessInfo({
      process_id: processId,
      tsc_frequency: 1000,
      start_time: '2026-03-01T00:00:00Z',
      start_ticks: 0,
    });
    assert.equal((await post(`${base}/ingestion/insert_process`, nativeProcess)).status, 200);
    const blockId = randomUUID();
    const nativeBlock = encodeBlock({
      block_id: blockId,
      stream_id: streamId,
      process_id: processId,
      begin_time: '2026-03-01T00:00:01Z',
      begin_ticks: 1000,
      end_time: '2026-03-01T00:00:02Z',
      end_ticks: 2000,
      object_offset: 0,
      nb_objects: 1,
      dependencies: new Uint8Array(0),
      objects: new Uint8Array(16),
    });
    assert.equal((await post(`${base}/ingestion/insert_block`, nativeBlock)).status, 200);
    assert.equal((await post(`${base}/ingestion/insert_block`, nativeBlock)).status, 200);

    const blocks = await catalog.listBlocks();
    assert.equal(blocks.length, 4);
    const expected: Array<[string, Uint8Array]> = [
      [otlpBlockId('', 'otlp-logs-proto', logs), logs],
      [otlpBlockId('', 'otlp-traces-json', traces), traces],
      [otlpBlockId('', 'otlp-logs-proto', grpcLogs), grpcLogs],
      [blockId, nativeBlock],
    ];
    for (const [id, body] of expected) {
      const block = await catalog.getBlock(id);
      assert.ok(block, id);
      assert.deepEqual(Buffer.from(await blobs.get(block.blob_key)), Buffer.from(body));
    }
    assert.equal((await catalog.getProcess(processId))?.start_ticks, 0n);
  } finally {
    await app.close();
    await grpcServer.close();
    await catalog.close();
    await blobs.close();
    await s3.stop();
    await pgSchema.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
