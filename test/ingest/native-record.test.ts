import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode } from 'cborg';
import { MalformedPayloadError } from '../../decoders/types.js';
import { nativeBlockRecord, nativeProcessRecord, nativeStreamRecord } from '../../ingest/native.js';
import { encodeBlock, encodeCbor, encodeProcessInfo, encodeStreamInfo, lz4Unframe } from '../helpers/native-encoder.js';

const PROCESS = '6F1C2A3B-4D5E-4F60-8A7B-9C0D1E2F3A4B';
const STREAM = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const BLOCK = '0f0e0d0c-0b0a-4908-8706-050403020100';
// 2026-08-21T16:53:45Z
const INSERT_TIME = 1787331225000000000n;

test('a ProcessInfo body becomes one processes row with the server insert time and reserved keys dropped', () => {
  const body = encodeProcessInfo({
    process_id: PROCESS,
    exe: 'game',
    tsc_frequency: 1_000_000_000,
    start_time: '2026-08-21T16:53:43Z',
    start_ticks: 12345n,
    properties: { team: 'a', 'contrail.scope': 'x' },
  });
  const rec = nativeProcessRecord(body, INSERT_TIME);
  assert.deepEqual(rec.streams, []);
  assert.deepEqual(rec.segments, []);
  assert.equal(rec.block, undefined);
  assert.deepEqual(rec.processes, [
    {
      process_id: PROCESS.toLowerCase(),
      exe: 'game',
      username: '',
      realname: '',
      computer: '',
      distro: '',
      cpu_brand: '',
      tsc_frequency: 1_000_000_000n,
      start_time: 1787331223000000000n,
      start_ticks: 12345n,
      parent_process_id: null,
      insert_time: INSERT_TIME,
      properties: { team: 'a' },
    },
  ]);
});

test('a StreamInfo body becomes a micromegas-transit streams row keeping the descriptor bytes as sent', () => {
  const deps = [{ name: 'StaticStringDependency', size: 0, members: [], is_reference: false }];
  const objs = [{ name: 'FloatMetricEvent', size: 24, is_reference: false, members: [{ name: 'value', type_name: 'f64', offset: 8, size: 8, is_reference: false }] }];
  const body = encodeStreamInfo({ process_id: PROCESS, stream_id: STREAM, tags: ['metrics'], dependencies_metadata: deps, objects_metadata: objs });
  const { record, streamId, processId } = nativeStreamRecord(body, INSERT_TIME);
  assert.equal(streamId, STREAM);
  assert.equal(processId, PROCESS.toLowerCase());
  assert.equal(record.streams.length, 1);
  const row = record.streams[0];
  assert.equal(row.format, 'micromegas-transit');
  assert.deepEqual(row.tags, ['metrics']);
  assert.equal(row.insert_time, INSERT_TIME);
  assert.deepEqual(row.dependencies_metadata, encodeCbor(deps));
  assert.deepEqual(row.objects_metadata, encodeCbor(objs));
});

test('a Block body becomes a native-transit block and one segment covering its payload map', () => {
  const objects = new TextEncoder().encode('events '.repeat(30));
  const body = encodeBlock({
    block_id: BLOCK.toUpperCase(),
    stream_id: STREAM,
    process_id: PROCESS,
    begin_time: '2026-08-21T16:53:43Z',
    begin_ticks: 10n,
    end_time: '2026-08-21T16:53:44.5Z',
    end_ticks: 1_500_000_010n,
    object_offset: 100n,
    nb_objects: 30,
    dependencies: new Uint8Array(0),
    objects,
  });
  const out = nativeBlockRecord(body, INSERT_TIME);
  assert.equal(out.blockId, BLOCK);
  assert.equal(out.streamId, STREAM);
  assert.equal(out.processId, PROCESS.toLowerCase());
  assert.equal(out.blobKey, `blobs/native-transit/2026/08/21/${BLOCK}`);
  assert.deepEqual(out.record.block, {
    block_id: BLOCK,
    format: 'native-transit',
    blob_key: out.blobKey,
    payload_size: body.length,
    insert_time: INSERT_TIME,
    begin_time: 1787331223000000000n,
    end_time: 1787331224500000000n,
    nb_objects: 30,
  });
  assert.equal(out.record.segments.length, 1);
  const seg = out.record.segments[0];
  assert.deepEqual(
    { ...seg, byte_offset: undefined, byte_length: undefined },
    {
      block_id: BLOCK,
      segment_index: 0,
      process_id: PROCESS.toLowerCase(),
      stream_id: STREAM,
      byte_offset: undefined,
      byte_length: undefined,
      begin_time: 1787331223000000000n,
      end_time: 1787331224500000000n,
      nb_objects: 30,
      begin_ticks: 10n,
      end_ticks: 1_500_000_010n,
      object_offset: 100n,
    },
  );
  const payload = decode(body.subarray(seg.byte_offset, seg.byte_offset + seg.byte_length)) as Record<string, Uint8Array>;
  assert.deepEqual(lz4Unframe(payload.objects), objects);
  assert.equal(payload.dependencies.length, 0);
});

test('an invalid body is refused with MalformedPayloadError rather than producing a record', () => {
  assert.throws(() => nativeBlockRecord(encodeCbor({ block_id: BLOCK }), INSERT_TIME), MalformedPayloadError);
  assert.throws(() => nativeStreamRecord(new Uint8Array(0), INSERT_TIME), MalformedPayloadError);
  assert.throws(() => nativeProcessRecord(Uint8Array.of(0xa1), INSERT_TIME), MalformedPayloadError);
});
