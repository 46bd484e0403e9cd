// Native ingestion routes as pure functions: a request body becomes the catalog records it implies
// (native-format.md §4–§5). Storage and the stream-owner check are the caller's.
import { parseBlockEnvelope, parseProcessInfo, parseStreamInfo } from '../decoders/native/envelope.js';
import { blobKey } from '../lake/ids.js';
import type { IngestRecord } from '../lake/types.js';

export const NATIVE_STREAM_FORMAT = 'micromegas-transit';

export function nativeProcessRecord(body: Uint8Array, insertTime: bigint): IngestRecord {
  const p = parseProcessInfo(body);
  return {
    processes: [{ ...p, insert_time: insertTime }],
    streams: [],
    segments: [],
  };
}

export function nativeStreamRecord(
  body: Uint8Array,
  insertTime: bigint,
): { record: IngestRecord; streamId: string; processId: string } {
  const s = parseStreamInfo(body);
  return {
    record: {
      processes: [],
      streams: [
        {
          stream_id: s.stream_id,
          process_id: s.process_id,
          tags: s.tags,
          properties: s.properties,
          format: NATIVE_STREAM_FORMAT,
          dependencies_metadata: s.dependencies_metadata,
          objects_metadata: s.objects_metadata,
          insert_time: insertTime,
        },
      ],
      segments: [],
    },
    streamId: s.stream_id,
    processId: s.process_id,
  };
}

export function nativeBlockRecord(
  body: Uint8Array,
  insertTime: bigint,
): { record: IngestRecord; blockId: string; streamId: string; processId: string; blobKey: string } {
  const b = parseBlockEnvelope(body);
  const key = blobKey('native-transit', insertTime, b.block_id);
  return {
    record: {
      processes: [],
      streams: [],
      block: {
        block_id: b.block_id,
        format: 'native-transit',
        blob_key: key,
        payload_size: body.length,
        insert_time: insertTime,
        begin_time: b.begin_time,
        end_time: b.end_time,
        nb_objects: b.nb_objects,
      },
      segments: [
        {
          block_id: b.block_id,
          segment_index: 0,
          process_id: b.process_id,
          stream_id: b.stream_id,
          byte_offset: b.payloadOffset,
          byte_length: b.payloadLength,
          begin_time: b.begin_time,
          end_time: b.end_time,
          nb_objects: b.nb_objects,
          begin_ticks: b.begin_ticks,
          end_ticks: b.end_ticks,
          object_offset: b.object_offset,
        },
      ],
    },
    blockId: b.block_id,
    streamId: b.stream_id,
    processId: b.process_id,
    blobKey: key,
  };
}
