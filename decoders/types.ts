// Contracts between the format codecs and their users (ingest indexes, query decodes).

export type OtlpSignal = 'logs' | 'metrics' | 'traces';
export type OtlpEncoding = 'proto' | 'json';

/** A payload the codec refuses: ingest answers 400 with `message` (short, client-safe). */
export class MalformedPayloadError extends Error {
  constructor(
    message: string,
    /** Byte offset in the payload where the problem was found, when known. */
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'MalformedPayloadError';
  }
}

/** One `Resource*` entry of an OTLP request that holds at least one record. */
export interface OtlpSegmentIndex {
  /** protobuf: the embedded message bytes of the request's field-1 entry; JSON: `{` … matching `}`. */
  byteOffset: number;
  byteLength: number;
  /** Resource attributes in payload order, values stringified per otlp-mapping §4.1. */
  resourceAttributes: Array<[key: string, value: string]>;
  /** Effective min/max record time (otlp-mapping §3.2); null when no record has a usable time. */
  beginTime: bigint | null;
  endTime: bigint | null;
  /** Records as sent (log records / data points of every type / spans). */
  nbObjects: number;
}

export interface OtlpIndex {
  signal: OtlpSignal;
  segments: OtlpSegmentIndex[];
  /** Records the mapping can never turn into rows (otlp-mapping §3.4). */
  rejected: number;
  /** Summary for partial_success, at most 256 chars; set only when rejected > 0. */
  rejectMessage?: string;
}
