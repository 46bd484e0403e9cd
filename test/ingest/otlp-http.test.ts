import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { compressFrameSync } from 'lz4-napi';
import type { OtlpSignal } from '../../decoders/types.js';
import { otlpBlockId } from '../../lake/ids.js';
import type { BlobFormat, SegmentView } from '../../lake/types.js';
import { MetricsResponse, RpcStatus, TO_OBJECT, TracesResponse } from '../helpers/otlp-proto.js';
import { ENCODE_JSON, ENCODE_PROTO, metricsRequest, RECORDS_PER_REQUEST, REQUESTS, T0, tracesRequest, logsRequest } from './fixtures.js';
import { JSON_CT, post, PROTO, startHttpIngest, type HttpIngest } from './harness.js';

const VIEW: Record<OtlpSignal, SegmentView> = { logs: 'log_entries', metrics: 'measures', traces: 'otel_spans' };
const SIGNALS: OtlpSignal[] = ['logs', 'metrics', 'traces'];

let srv: HttpIngest;
before(async () => {
  srv = await startHttpIngest();
});
after(async () => {
  await srv.close();
});

const logsUrl = () => `${srv.url}/v1/logs`;

async function assertStored(format: BlobFormat, body: Uint8Array, nbObjects: number): Promise<string> {
  const blockId = otlpBlockId('', format, body);
  const block = await srv.catalog.getBlock(blockId);
  assert.ok(block, `block ${blockId} recorded`);
  assert.equal(block.format, format);
  assert.equal(block.payload_size, body.byteLength);
  assert.equal(block.nb_objects, nbObjects);
  assert.deepEqual(Buffer.from(await srv.blobs.get(block.blob_key)), Buffer.from(body));
  return blockId;
}

function decodeStatus(bytes: Uint8Array): { code?: number; message?: string } {
  return RpcStatus.toObject(RpcStatus.decode(bytes), TO_OBJECT) as { code?: number; message?: string };
}

describe('OTLP/HTTP export', () => {
  for (const signal of SIGNALS) {
    test(`a protobuf ${signal} request is stored as blob, block and segment and answered with an empty response`, async () => {
      const body = ENCODE_PROTO[signal](REQUESTS[signal](`proto-${signal}`));
      const res = await post(`${srv.url}/ingestion/otlp/v1/${signal}`, body, PROTO);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
      assert.equal(res.body.length, 0);
      const blockId = await assertStored(`otlp-${signal}-proto` as BlobFormat, body, RECORDS_PER_REQUEST[signal]);
      const segments = (await srv.catalog.findSegments({ view: VIEW[signal] })).filter((s) => s.block_id === blockId);
      assert.equal(segments.length, 1);
      assert.equal(segments[0].begin_time, T0);
      const process = await srv.catalog.getProcess(segments[0].process_id);
      assert.equal(process?.exe, `proto-${signal}`);
      assert.ok(await srv.catalog.getStream(segments[0].stream_id));
    });

    test(`a JSON ${signal} request on the standard path is stored byte for byte and answered with {}`, async () => {
      const body = ENCODE_JSON[signal](REQUESTS[signal](`json-${signal}`));
      const res = await post(`${srv.url}/v1/${signal}`, body, { 'content-type': 'Application/JSON; charset=utf-8' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.equal(res.body.toString(), '{}');
      await assertStored(`otlp-${signal}-json` as BlobFormat, body, RECORDS_PER_REQUEST[signal]);
    });
  }

  test('a request retried three times lands as exactly one block', async () => {
    const body = ENCODE_PROTO.logs(logsRequest('retried'));
    const before = (await srv.catalog.listBlocks()).length;
    for (let i = 0; i < 3; i++) assert.equal((await post(logsUrl(), body, PROTO)).status, 200);
    assert.equal((await srv.catalog.listBlocks()).length, before + 1);
  });

  test('a request whose resources hold no records answers 200 and stores nothing', async () => {
    const before = (await srv.catalog.listBlocks()).length;
    const res = await post(logsUrl(), '{"resourceLogs":[]}', JSON_CT);
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), '{}');
    assert.equal((await srv.catalog.listBlocks()).length, before);
  });

  test('rejected data points are reported in partial_success (protobuf) and the block is still stored', async () => {
    const body = ENCODE_PROTO.metrics(metricsRequest('partial-proto', true));
    const res = await post(`${srv.url}/v1/metrics`, body, { 'content-type': 'application/protobuf' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/protobuf');
    const decoded = MetricsResponse.toObject(MetricsResponse.decode(res.body), TO_OBJECT) as {
      partialSuccess?: { rejectedDataPoints?: string; errorMessage?: string };
    };
    assert.equal(decoded.partialSuccess?.rejectedDataPoints, '1');
    assert.match(decoded.partialSuccess?.errorMessage ?? '', /time_unix_nano/);
    await assertStored('otlp-metrics-proto', body, 2);
  });

  test('rejected spans are reported in JSON partialSuccess with the traces field name', async () => {
    const body = ENCODE_JSON.traces(tracesRequest('partial-json', true));
    const res = await post(`${srv.url}/v1/traces`, body, JSON_CT);
    assert.equal(res.status, 200);
    const json = JSON.parse(res.body.toString());
    assert.equal(json.partialSuccess.rejectedSpans, '1');
    assert.equal(typeof json.partialSuccess.errorMessage, 'string');
  });

  test('a fully accepted protobuf traces request has no partial_success', async () => {
    const res = await post(`${srv.url}/v1/traces`, ENCODE_PROTO.traces(tracesRequest('no-partial')), PROTO);
    assert.equal(res.status, 200);
    assert.deepEqual(TracesResponse.toObject(TracesResponse.decode(res.body), TO_OBJECT), {});
  });
});

describe('OTLP/HTTP content encodings', () => {
  const cases: Array<[string, string, (b: Buffer) => Buffer]> = [
    ['gzip', 'gzip', (b) => zlib.gzipSync(b)],
    ['x-gzip', 'x-gzip', (b) => zlib.gzipSync(b)],
    ['zlib-wrapped deflate', 'deflate', (b) => zlib.deflateSync(b)],
    ['raw deflate', 'deflate', (b) => zlib.deflateRawSync(b)],
    ['brotli', 'br', (b) => zlib.brotliCompressSync(b)],
    ['lz4 frame', 'lz4', (b) => compressFrameSync(b)],
    ['gzip then brotli', 'gzip, br', (b) => zlib.brotliCompressSync(zlib.gzipSync(b))],
  ];
  for (const [name, header, compress] of cases) {
    test(`a ${name} body is decompressed and the decoded bytes are stored`, async () => {
      const body = Buffer.from(ENCODE_PROTO.logs(logsRequest(`enc-${name}`)));
      const res = await post(logsUrl(), compress(body), { ...PROTO, 'content-encoding': header });
      assert.equal(res.status, 200, res.body.toString());
      await assertStored('otlp-logs-proto', body, 2);
    });
  }

  for (const coding of ['snappy', 'compress', 'zstd']) {
    test(`Content-Encoding ${coding} is refused with 415 and a protobuf Status`, async () => {
      const res = await post(logsUrl(), Buffer.from('xx'), { ...PROTO, 'content-encoding': coding });
      assert.equal(res.status, 415);
      assert.equal(decodeStatus(res.body).code, 3);
    });
  }
});

describe('OTLP/HTTP bad requests', () => {
  test('an unsupported or missing Content-Type is refused with 415 and a protobuf Status', async () => {
    const body = ENCODE_PROTO.logs(logsRequest('ct'));
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': '////;;;' }, {}] as Array<Record<string, string>>) {
      const res = await post(logsUrl(), body, headers);
      assert.equal(res.status, 415);
      assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
      assert.match(decodeStatus(res.body).message ?? '', /Content-Type/);
    }
  });

  test('truncated and corrupted protobuf is refused with 400 INVALID_ARGUMENT and nothing is stored', async () => {
    const good = Buffer.from(ENCODE_PROTO.logs(logsRequest('corrupt')));
    const truncated = good.subarray(0, good.length - 5);
    const flipped = Buffer.from(good);
    flipped[0] ^= 0x01; // field 1 wire type LEN → START_GROUP (invalid)
    const before = (await srv.catalog.listBlocks()).length;
    for (const bad of [truncated, flipped]) {
      const res = await post(logsUrl(), bad, PROTO);
      assert.equal(res.status, 400);
      assert.equal(decodeStatus(res.body).code, 3);
    }
    assert.equal((await srv.catalog.listBlocks()).length, before);
  });

  test('invalid JSON is refused with 400 and a JSON Status', async () => {
    const res = await post(logsUrl(), '{"resourceLogs":[{', JSON_CT);
    assert.equal(res.status, 400);
    const status = JSON.parse(res.body.toString());
    assert.equal(status.code, 3);
    assert.equal(typeof status.message, 'string');
  });

  test('a corrupt gzip body is refused with 400', async () => {
    const gz = zlib.gzipSync(Buffer.from(ENCODE_PROTO.logs(logsRequest('badgz'))));
    gz[gz.length - 12] ^= 0xff;
    const res = await post(logsUrl(), gz.subarray(0, gz.length - 4), { ...PROTO, 'content-encoding': 'gzip' });
    assert.equal(res.status, 400);
    assert.equal(decodeStatus(res.body).code, 3);
  });

  test('a body over 20 MiB is refused with 413 RESOURCE_EXHAUSTED', async () => {
    const res = await post(logsUrl(), Buffer.alloc(20 * 1024 * 1024 + 1), PROTO);
    assert.equal(res.status, 413);
    assert.equal(decodeStatus(res.body).code, 8);
  });

  test('an oversize body sent without Content-Length (chunked) is refused with 413', async () => {
    const chunk = Buffer.alloc(1024 * 1024);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 21; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await fetch(logsUrl(), { method: 'POST', body: stream, headers: PROTO, duplex: 'half' } as RequestInit);
    assert.equal(res.status, 413);
    await res.arrayBuffer();
  });

  test('a gzip bomb (small body, over 20 MiB decompressed) is refused with 413', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 1024 * 1024);
    const res = await post(logsUrl(), bomb, { ...PROTO, 'content-encoding': 'gzip' });
    assert.equal(res.status, 413);
    assert.equal(decodeStatus(res.body).code, 8);
  });

  test('other methods on OTLP paths answer 405 with Allow: POST', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`${srv.url}/ingestion/otlp/v1/metrics`, { method });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get('allow'), 'POST');
      await res.arrayBuffer();
    }
  });

  test('after every bad request the server still answers and earlier data is intact', async () => {
    const body = ENCODE_PROTO.logs(logsRequest('survivor'));
    assert.equal((await post(logsUrl(), body, PROTO)).status, 200);
    const blocksBefore = await srv.catalog.listBlocks();
    const bad: Array<[Uint8Array | string, Record<string, string>]> = [
      [Buffer.from([0xff, 0xff, 0xff]), PROTO],
      ['not json', JSON_CT],
      [Buffer.from('garbage'), { ...PROTO, 'content-encoding': 'gzip' }],
      [Buffer.from('garbage'), { ...PROTO, 'content-encoding': 'deflate' }],
      [Buffer.from('garbage'), { ...PROTO, 'content-encoding': 'br' }],
      [Buffer.from('garbage'), { ...PROTO, 'content-encoding': 'lz4' }],
      [Buffer.alloc(0), PROTO],
      ['{"resourceLogs":' + '['.repeat(200), JSON_CT],
    ];
    for (const [b, h] of bad) {
      const res = await post(logsUrl(), b, h);
      assert.ok(res.status < 500, `status ${res.status}`);
    }
    const health = await fetch(`${srv.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.deepEqual(await srv.catalog.listBlocks(), blocksBefore);
    await assertStored('otlp-logs-proto', body, 2);
  });
});
