// Transport-independent ingest core shared by the HTTP app and the gRPC server: turns one decoded
// request body into a blob plus its catalog rows (otlp-mapping §3, native-format §4–§5).
import type { Authenticator, Identity } from '../auth/types.js';
import { indexOtlp } from '../decoders/otlp/index.js';
import { MalformedPayloadError, type OtlpEncoding, type OtlpSignal } from '../decoders/types.js';
import { blobKey, nowNs, otlpBlockId } from '../lake/ids.js';
import type { BlobFormat, BlobStore, Catalog, IngestRecord, ProcessRow, SegmentRow, StreamRow } from '../lake/types.js';
import { nativeBlockRecord, nativeProcessRecord, nativeStreamRecord } from './native.js';
import { otlpProcessRow, otlpStreamId, otlpStreamRow } from './otlp-identity.js';
import { BackendUnavailableError } from './errors.js';
import type { IngestLimits } from './limits.js';

export type { IngestLimits } from './limits.js';

export interface IngestDeps {
  catalog: Catalog;
  blobs: BlobStore;
  auth: Authenticator;
  limits?: Partial<IngestLimits>;
  /** Retry-After for 503 answers; default 5. */
  retryAfterSeconds?: number;
  /** Origins allowed by CORS; CORS is off when unset or empty. */
  corsOrigins?: string[];
  /** Fastify logger option. */
  logger?: boolean | object;
}

export interface OtlpIngestResult {
  /** Null when nothing was stored (no resource held a record). */
  blockId: string | null;
  rejected: number;
  rejectMessage?: string;
  /** The block was already stored by an earlier identical request; nothing was written. */
  duplicate: boolean;
}

export interface NativeIngestResult {
  /** The row or block already existed (for blocks: nothing was written). */
  duplicate: boolean;
}

export const DEFAULT_RETRY_AFTER_SECONDS = 5;

async function onCatalog<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw new BackendUnavailableError('catalog', err);
  }
}

async function onBlobStore<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw new BackendUnavailableError('blob store', err);
  }
}

/** Blob first, then the rows in one transaction: a crash in between leaves an orphan blob, never a
 * catalog row without its blob. */
async function storeBlock(deps: IngestDeps, key: string, body: Uint8Array, record: IngestRecord): Promise<void> {
  await onBlobStore(() => deps.blobs.put(key, body));
  await onCatalog(() => deps.catalog.record(record));
}

/** Stores one OTLP request body (after Content-Encoding is undone). Throws MalformedPayloadError
 * (400) or BackendUnavailableError (503). */
export async function ingestOtlp(
  deps: IngestDeps,
  signal: OtlpSignal,
  encoding: OtlpEncoding,
  body: Uint8Array,
  identity: Identity,
): Promise<OtlpIngestResult> {
  const format = `otlp-${signal}-${encoding}` as BlobFormat;
  const blockId = otlpBlockId(identity.scope, format, body);
  if (await onCatalog(() => deps.catalog.hasBlock(blockId))) {
    return { blockId, rejected: 0, duplicate: true };
  }

  const index = indexOtlp(signal, encoding, body);
  const rejection = index.rejected > 0 ? { rejectMessage: index.rejectMessage } : {};
  const indexed = index.segments.filter((s) => s.nbObjects > 0);
  if (indexed.length === 0) return { blockId: null, rejected: index.rejected, ...rejection, duplicate: false };

  const insertTime = nowNs();
  const processes = new Map<string, ProcessRow>();
  const streams = new Map<string, StreamRow>();
  const segments: SegmentRow[] = [];
  let begin = 0n;
  let end = 0n;
  let nbObjects = 0;
  indexed.forEach((seg, segmentIndex) => {
    const segBegin = seg.beginTime ?? insertTime;
    const segEnd = seg.endTime ?? insertTime;
    const process = otlpProcessRow(seg.resourceAttributes, identity.scope, segBegin, insertTime);
    const processId = process.process_id;
    const streamId = otlpStreamId(processId, signal);
    if (!processes.has(processId)) processes.set(processId, process);
    if (!streams.has(streamId)) streams.set(streamId, otlpStreamRow(processId, signal, insertTime));
    segments.push({
      block_id: blockId,
      segment_index: segmentIndex,
      process_id: processId,
      stream_id: streamId,
      byte_offset: seg.byteOffset,
      byte_length: seg.byteLength,
      begin_time: segBegin,
      end_time: segEnd,
      nb_objects: seg.nbObjects,
      begin_ticks: null,
      end_ticks: null,
      object_offset: null,
    });
    begin = segmentIndex === 0 || segBegin < begin ? segBegin : begin;
    end = segmentIndex === 0 || segEnd > end ? segEnd : end;
    nbObjects += seg.nbObjects;
  });

  const key = blobKey(format, insertTime, blockId);
  await storeBlock(deps, key, body, {
    processes: [...processes.values()],
    streams: [...streams.values()],
    block: {
      block_id: blockId,
      format,
      blob_key: key,
      payload_size: body.byteLength,
      insert_time: insertTime,
      begin_time: begin,
      end_time: end,
      nb_objects: nbObjects,
    },
    segments,
  });
  return { blockId, rejected: index.rejected, ...rejection, duplicate: false };
}

/** `insert_process`: first registration wins. */
export async function ingestNativeProcess(deps: IngestDeps, body: Uint8Array): Promise<NativeIngestResult> {
  const record = nativeProcessRecord(body, nowNs());
  await onCatalog(() => deps.catalog.record(record));
  return { duplicate: false };
}

async function checkStreamOwner(deps: IngestDeps, streamId: string, processId: string): Promise<boolean> {
  const existing = await onCatalog(() => deps.catalog.getStream(streamId));
  if (existing && existing.process_id !== processId) {
    throw new MalformedPayloadError('stream_id is already registered under a different process_id');
  }
  return existing !== undefined;
}

/** `insert_stream`: first registration wins; a stream id claimed by another process → 400. */
export async function ingestNativeStream(deps: IngestDeps, body: Uint8Array): Promise<NativeIngestResult> {
  const { record, streamId, processId } = nativeStreamRecord(body, nowNs());
  const known = await checkStreamOwner(deps, streamId, processId);
  if (!known) await onCatalog(() => deps.catalog.record(record));
  return { duplicate: known };
}

/** `insert_block`: an existing block id answers without writing (first write wins). */
export async function ingestNativeBlock(deps: IngestDeps, body: Uint8Array): Promise<NativeIngestResult> {
  const { record, blockId, streamId, processId, blobKey: key } = nativeBlockRecord(body, nowNs());
  if (await onCatalog(() => deps.catalog.hasBlock(blockId))) return { duplicate: true };
  await checkStreamOwner(deps, streamId, processId);
  await storeBlock(deps, key, body, record);
  return { duplicate: false };
}
