// `contrail serve` on the distributed backends: PostgreSQL catalog + S3-compatible blob store.
// OTLP/HTTP JSON and protobuf (gzip) requests land in both, and a restart sees them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startServer, removeDir, type ServerHandle } from './helpers/server.js';
import { openLake, assertLakeConsistent } from './helpers/lake.js';
import { freshPgSchema, type TestPgSchema } from '../helpers/postgres.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { makeLogsRequest } from '../../bench/otlp-payloads.js';
import { otlpBlockId } from '../../lake/ids.js';

let pg: TestPgSchema;
let s3: TestS3;
const servers: ServerHandle[] = [];

before(async () => {
  pg = await freshPgSchema();
  s3 = await startS3();
  // The test reads S3 with the same credentials chain the server uses.
  process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
});

after(async () => {
  for (const s of servers) {
    await s.stop().catch(() => {});
    await removeDir(s.dataDir);
  }
  await s3?.stop().catch(() => {});
  await pg?.drop().catch(() => {});
});

function backendArgs(): string[] {
  return ['--catalog', pg.url, '--blobs', `s3://${s3.bucket}/contrail-e2e`, '--s3-endpoint', s3.endpoint, '--s3-region', s3.region];
}

function backendEnv(): NodeJS.ProcessEnv {
  return { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey };
}

const METRICS_JSON = JSON.stringify({
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'pg-s3-json' } }, { key: 'host.name', value: { stringValue: 'h1' } }] },
      scopeMetrics: [
        {
          metrics: [
            {
              name: 'queue.depth',
              gauge: { dataPoints: [{ timeUnixNano: '1750000000000000000', asInt: '4' }, { timeUnixNano: '1750000001000000000', asDouble: 2.5 }] },
            },
          ],
        },
      ],
    },
  ],
});

test('OTLP JSON and gzip protobuf requests land in PostgreSQL and S3', { timeout: 90_000 }, async () => {
  const server = await startServer({ args: backendArgs(), env: backendEnv() });
  servers.push(server);
  assert.match(server.stdout(), /catalog postgres/i);
  assert.match(server.stdout(), new RegExp(`s3://${s3.bucket}/contrail-e2e`));

  const json = await fetch(`${server.httpUrl}/ingestion/otlp/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: METRICS_JSON,
  });
  assert.equal(json.status, 200, await json.clone().text());
  const proto = makeLogsRequest(100, { seed: 7, resourceIndex: 3 });
  const protoRes = await fetch(`${server.httpUrl}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
    body: gzipSync(proto),
  });
  assert.equal(protoRes.status, 200);
  assert.equal((await server.stop()).code, 0, `graceful stop; stderr: ${server.stderr()}`);

  const lake = await openLake(pg.url, `s3://${s3.bucket}/contrail-e2e`, { dataDir: server.dataDir, s3Endpoint: s3.endpoint, s3Region: s3.region });
  try {
    const { blocks } = await assertLakeConsistent(lake);
    assert.deepEqual(blocks.map((b) => b.format).sort(), ['otlp-logs-proto', 'otlp-metrics-json']);

    const jsonBlock = await lake.catalog.getBlock(otlpBlockId('', 'otlp-metrics-json', Buffer.from(METRICS_JSON)));
    assert.ok(jsonBlock, 'JSON block under its content-addressed id');
    assert.equal(jsonBlock.nb_objects, 2);
    assert.equal(Buffer.from(await lake.blobs.get(jsonBlock.blob_key)).toString('utf8'), METRICS_JSON);

    const protoBlock = await lake.catalog.getBlock(otlpBlockId('', 'otlp-logs-proto', proto));
    assert.ok(protoBlock, 'protobuf block stored decompressed under the id of the plain bytes');
    assert.equal(protoBlock.nb_objects, 100);
    assert.ok(Buffer.from(await lake.blobs.get(protoBlock.blob_key)).equals(Buffer.from(proto)));
    assert.match(protoBlock.blob_key, /^blobs\/otlp-logs-proto\/\d{4}\/\d{2}\/\d{2}\//);

    const exes = (await lake.catalog.listProcesses()).map((p) => p.exe).sort();
    assert.deepEqual(exes, ['pg-s3-json', 'shop/checkout-3']);
  } finally {
    await lake.close();
  }
});

test('a second server on the same PostgreSQL + S3 sees the stored blocks and deduplicates a retry', { timeout: 60_000 }, async () => {
  const server = await startServer({ args: backendArgs(), env: backendEnv() });
  servers.push(server);
  const retry = await fetch(`${server.httpUrl}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: METRICS_JSON });
  assert.equal(retry.status, 200);
  const ready = await fetch(`${server.httpUrl}/ready`);
  assert.equal(ready.status, 200);
  assert.equal((await server.stop()).code, 0);
  const lake = await openLake(pg.url, `s3://${s3.bucket}/contrail-e2e`, { dataDir: server.dataDir, s3Endpoint: s3.endpoint, s3Region: s3.region });
  try {
    assert.equal((await lake.catalog.listBlocks()).length, 2);
  } finally {
    await lake.close();
  }
});
