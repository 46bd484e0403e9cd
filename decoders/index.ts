// Query-time entry point: any stored segment → Arrow record batches of its view's schema.
// The OTLP decoders are synchronous generators (a segment is already in memory); this wrapper gives
// the engine one async interface for every format and view.
import type { RecordBatch } from 'apache-arrow';
import type { BlobFormat, SegmentView } from '../lake/types.js';
import type { DecodeContext, DecodeOptions } from './context.js';
import { decodeOtlpLogs } from './otlp/decode-logs.js';
import { decodeOtlpSpans } from './otlp/decode-spans.js';
import { decodeOtlpMeasures, decodeOtlpHistograms } from './otlp/decode-metrics.js';
import { transcodeOtlpJsonSegment } from './otlp/decode-json-input.js';
import { asCorruptSegment } from './otlp/decode-common.js';

export type { DecodeContext, DecodeOptions } from './context.js';
export { CorruptSegmentError } from './context.js';
export { OTLP_VIEW_SCHEMAS, DICTIONARY_COLUMNS } from './otlp/schemas.js';
export { decodeOtlpLogs, decodeOtlpSpans, decodeOtlpMeasures, decodeOtlpHistograms };

type SyncDecoder = (
  segment: Uint8Array,
  ctx: DecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
) => Iterable<RecordBatch>;

const OTLP: Partial<Record<BlobFormat, Partial<Record<SegmentView, SyncDecoder>>>> = {
  'otlp-logs-proto': { log_entries: decodeOtlpLogs },
  'otlp-metrics-proto': { measures: decodeOtlpMeasures, histograms: decodeOtlpHistograms },
  'otlp-traces-proto': { otel_spans: decodeOtlpSpans },
};
const JSON_SIGNAL: Partial<Record<BlobFormat, ['logs' | 'metrics' | 'traces', BlobFormat]>> = {
  'otlp-logs-json': ['logs', 'otlp-logs-proto'],
  'otlp-metrics-json': ['metrics', 'otlp-metrics-proto'],
  'otlp-traces-json': ['traces', 'otlp-traces-proto'],
};

/** Synchronous form of decodeSegment for callers that already hold the bytes. JSON segments are
 * transcoded to the equivalent protobuf message first, so both encodings give identical batches. */
export function decodeSegmentSync(
  format: BlobFormat,
  view: SegmentView,
  bytes: Uint8Array,
  ctx: DecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
): Iterable<RecordBatch> {
  const json = JSON_SIGNAL[format];
  const decoder = OTLP[json ? json[1] : format]?.[view];
  if (!decoder) throw new Error(`no decoder for view ${view} over format ${format}`);
  if (!json) return decoder(bytes, ctx, projection, opts);
  let proto: Uint8Array;
  try {
    proto = transcodeOtlpJsonSegment(json[0], bytes);
  } catch (e) {
    throw asCorruptSegment(e, ctx.blockId);
  }
  return decoder(proto, ctx, projection, opts);
}

/** decode(segmentBytes, context, projection, options) → batches of ≤ batchRows rows. */
export async function* decodeSegment(
  format: BlobFormat,
  view: SegmentView,
  bytes: Uint8Array,
  ctx: DecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
): AsyncIterable<RecordBatch> {
  yield* decodeSegmentSync(format, view, bytes, ctx, projection, opts);
}
