import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import { encodeBlock, encodeProcessInfo, encodeStreamInfo, type BlockInput } from '../helpers/native-encoder.js';
import { post, startHttpIngest, type HttpIngest } from './harness.js';

let srv: HttpIngest;
before(async () => {
  srv = await startHttpIngest();
});
after(async () => {
  await srv.close();
});

const url = (route: string) => `${srv.url}/ingestion/${route}`;

function processBody(processId: string): Uint8Array {
  return encodeProcessInfo({
    process_id: processId,
    exe: 'native-app',
    tsc_frequency: 1_000_000_000,
    start_time: '2026-01-02T03:04:05.000000006+00:00',
    start_ticks: 1000,
  });
}

function streamBody(processId: string, streamId: string): Uint8Array {
  return encodeStreamInfo({
    process_id: processId,
    stream_id: streamId,
    dependencies_metadata: [],
    objects_metadata: [{ name: 'LogStaticStrEvent', size: 16, members: [], is_reference: false }],
    tags: ['log'],
  });
}

function blockInput(processId: string, streamId: string, blockId = randomUUID()): BlockInput {
  return {
    block_id: blockId,
    stream_id: streamId,
    process_id: processId,
    begin_time: '2026-01-02T03:04:06Z',
    begin_ticks: 100,
    end_time: '2026-01-02T03:04:07Z',
    end_ticks: 200,
    object_offset: 0,
    nb_objects: 3,
    dependencies: new Uint8Array([1, 2, 3]),
    objects: new Uint8Array(64).fill(7),
  };
}

async function registered(): Promise<{ processId: string; streamId: string }> {
  const processId = randomUUID();
  const streamId = randomUUID();
  // Content-Type is not inspected on native routes, even when it is not a valid media type.
  assert.equal((await post(url('insert_process'), processBody(processId), { 'content-type': 'not a media type' })).status, 200);
  assert.equal((await post(url('insert_stream'), streamBody(processId, streamId), { 'content-type': 'application/octet-stream' })).status, 200);
  return { processId, streamId };
}

test('process, stream and block registrations are stored and the block blob is the body as sent', async () => {
  const { processId, streamId } = await registered();
  assert.equal((await srv.catalog.getProcess(processId))?.exe, 'native-app');
  const stream = await srv.catalog.getStream(streamId);
  assert.equal(stream?.process_id, processId);
  assert.deepEqual(stream?.tags, ['log']);

  const input = blockInput(processId, streamId);
  const body = encodeBlock(input);
  const res = await post(url('insert_block'), body, { 'content-type': 'application/cbor' });
  assert.equal(res.status, 200);
  assert.equal(res.body.length, 0);
  const block = await srv.catalog.getBlock(input.block_id);
  assert.equal(block?.format, 'native-transit');
  assert.equal(block?.nb_objects, 3);
  assert.deepEqual(Buffer.from(await srv.blobs.get(block!.blob_key)), Buffer.from(body));
});

test('a gzip-encoded block is decoded before it is stored', async () => {
  const { processId, streamId } = await registered();
  const input = blockInput(processId, streamId);
  const body = encodeBlock(input);
  const res = await post(url('insert_block'), zlib.gzipSync(body), { 'content-encoding': 'gzip' });
  assert.equal(res.status, 200);
  const block = await srv.catalog.getBlock(input.block_id);
  assert.deepEqual(Buffer.from(await srv.blobs.get(block!.blob_key)), Buffer.from(body));
});

test('a block sent twice is stored once and the second send is acknowledged without writing', async () => {
  const { processId, streamId } = await registered();
  const input = blockInput(processId, streamId);
  assert.equal((await post(url('insert_block'), encodeBlock(input))).status, 200);
  const first = await srv.catalog.getBlock(input.block_id);
  // Same id, different content: first write wins.
  const changed = encodeBlock({ ...input, nb_objects: 9 });
  assert.equal((await post(url('insert_block'), changed)).status, 200);
  assert.deepEqual(await srv.catalog.getBlock(input.block_id), first);
});

test('a block may arrive before its process and stream are registered', async () => {
  const input = blockInput(randomUUID(), randomUUID());
  assert.equal((await post(url('insert_block'), encodeBlock(input))).status, 200);
  assert.ok(await srv.catalog.getBlock(input.block_id));
});

test('bodies that are not CBOR, empty, or miss a field are refused with a one-line 400', async () => {
  for (const route of ['insert_process', 'insert_stream', 'insert_block']) {
    for (const bad of [Buffer.from('not cbor at all'), Buffer.alloc(0), Buffer.from([0xa0])]) {
      const res = await post(url(route), bad);
      assert.equal(res.status, 400, `${route} ${bad.toString('hex')}`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(res.body.toString().trim().split('\n').length, 1);
    }
  }
});

test('a stream re-registered under a different process, or a block naming another process for a known stream, is refused with 400', async () => {
  const { processId, streamId } = await registered();
  const other = randomUUID();
  const res = await post(url('insert_stream'), streamBody(other, streamId));
  assert.equal(res.status, 400);
  assert.match(res.body.toString(), /process_id/);
  assert.equal((await srv.catalog.getStream(streamId))?.process_id, processId);

  const input = blockInput(other, streamId);
  const blockRes = await post(url('insert_block'), encodeBlock(input));
  assert.equal(blockRes.status, 400);
  assert.equal(await srv.catalog.getBlock(input.block_id), undefined);
});

test('native routes refuse unsupported Content-Encoding with 415 and oversize registrations with 413', async () => {
  const processId = randomUUID();
  const br = await post(url('insert_process'), zlib.brotliCompressSync(processBody(processId)), { 'content-encoding': 'br' });
  assert.equal(br.status, 415);
  const big = await post(url('insert_stream'), Buffer.alloc(1024 * 1024 + 1));
  assert.equal(big.status, 413);
  assert.equal(await srv.catalog.getProcess(processId), undefined);
});

test('when the blob store fails a block gets 503 + Retry-After and nothing is recorded', async () => {
  const { processId, streamId } = await registered();
  const input = blockInput(processId, streamId);
  srv.blobs.failing = true;
  try {
    const res = await post(url('insert_block'), encodeBlock(input));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '7');
  } finally {
    srv.blobs.failing = false;
  }
  assert.equal(await srv.catalog.getBlock(input.block_id), undefined);
  assert.equal((await post(url('insert_block'), encodeBlock(input))).status, 200);
});
