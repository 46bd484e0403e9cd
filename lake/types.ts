// Storage contracts shared by ingest and query. Times are Unix nanoseconds as bigint.

export const BLOB_FORMATS = [
  'otlp-logs-proto',
  'otlp-logs-json',
  'otlp-metrics-proto',
  'otlp-metrics-json',
  'otlp-traces-proto',
  'otlp-traces-json',
  'native-transit',
] as const;
export type BlobFormat = (typeof BLOB_FORMATS)[number];

/** Views whose rows come from segments; the catalog maps each to the stream kinds that feed it. */
export type SegmentView =
  | 'log_entries'
  | 'measures'
  | 'histograms'
  | 'otel_spans'
  | 'thread_spans'
  | 'async_events';

export interface BlobStore {
  /** Create-only put. Resolves true when this call created the blob, false when it already existed
   * (the existing bytes are never overwritten). Durable when the promise resolves. */
  put(key: string, body: Uint8Array): Promise<boolean>;
  /** Whole blob; throws BlobNotFoundError when absent. */
  get(key: string): Promise<Uint8Array>;
  /** Bytes [offset, offset+length); throws BlobNotFoundError when absent, RangeError past the end. */
  getRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  exists(key: string): Promise<boolean>;
  /** Keys under a prefix, in lexicographic order. */
  list(prefix: string): AsyncIterable<string>;
  /** Idempotent. */
  delete(key: string): Promise<void>;
  /** Throws when the store cannot answer (used by /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Human-readable location, e.g. "fs:/data/blobs" or "s3://bucket/prefix". */
  readonly description: string;
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`blob not found: ${key}`);
    this.name = 'BlobNotFoundError';
  }
}

export interface ProcessRow {
  process_id: string;
  exe: string;
  username: string;
  realname: string;
  computer: string;
  distro: string;
  cpu_brand: string;
  tsc_frequency: bigint;
  start_time: bigint;
  start_ticks: bigint;
  parent_process_id: string | null;
  insert_time: bigint;
  properties: Record<string, string>;
}

export interface StreamRow {
  stream_id: string;
  process_id: string;
  tags: string[];
  properties: Record<string, string>;
  /** `otlp/v1/logs` | `otlp/v1/metrics` | `otlp/v1/traces` | `micromegas-transit` */
  format: string;
  /** Raw CBOR bytes of the descriptor arrays (native streams); null for OTLP streams. */
  dependencies_metadata: Uint8Array | null;
  objects_metadata: Uint8Array | null;
  insert_time: bigint;
}

export interface BlockRow {
  block_id: string;
  format: BlobFormat;
  blob_key: string;
  payload_size: number;
  insert_time: bigint;
  begin_time: bigint;
  end_time: bigint;
  nb_objects: number;
}

export interface SegmentRow {
  block_id: string;
  segment_index: number;
  process_id: string;
  stream_id: string;
  byte_offset: number;
  byte_length: number;
  begin_time: bigint;
  end_time: bigint;
  nb_objects: number;
  /** Native blocks only (relative to the process start_ticks); null for OTLP. */
  begin_ticks: bigint | null;
  end_ticks: bigint | null;
  object_offset: bigint | null;
}

/** Everything one request records, written in one transaction with insert-or-ignore semantics. */
export interface IngestRecord {
  processes: ProcessRow[];
  streams: StreamRow[];
  block?: BlockRow;
  segments: SegmentRow[];
}

export interface SegmentQuery {
  view: SegmentView;
  /** Inclusive bounds in Unix ns; a segment overlaps when begin_time <= end && end_time >= begin
   * (native segments are padded by 1 s on each side). Omitted = unbounded. */
  begin?: bigint;
  end?: bigint;
  processIds?: string[];
  streamIds?: string[];
}

/** A segment to decode, with what the decoder and the resolver need about its block. */
export interface SegmentRef extends SegmentRow {
  format: BlobFormat;
  blob_key: string;
  insert_time: bigint;
  payload_size: number;
}

export interface Catalog {
  /** Apply pending migrations (idempotent, safe under concurrent servers). */
  migrate(): Promise<void>;
  hasBlock(blockId: string): Promise<boolean>;
  record(rec: IngestRecord): Promise<void>;
  getProcess(processId: string): Promise<ProcessRow | undefined>;
  getStream(streamId: string): Promise<StreamRow | undefined>;
  getBlock(blockId: string): Promise<BlockRow | undefined>;
  /** Segments feeding `view` that overlap the range, ordered by begin_time then block_id, segment_index. */
  findSegments(q: SegmentQuery): Promise<SegmentRef[]>;
  listProcesses(): Promise<ProcessRow[]>;
  listStreams(): Promise<StreamRow[]>;
  listBlocks(): Promise<BlockRow[]>;
  /** Throws when the catalog cannot answer (used by /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly description: string;
}
