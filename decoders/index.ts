// Query-time entry point: any stored segment → Arrow record batches of its view's schema.
// The decoders are synchronous generators (a segment is already in memory); this wrapper gives
// the engine one async interface for every format and view.
import type { RecordBatch } from 'apache-arrow';
import type { BlobFormat, SegmentView, StreamRow } from '../lake/types.js';
import { CorruptSegmentError, type DecodeContext, type DecodeOptions } from './context.js';
import { decodeNativeLogs } from './native/decode-logs.js';
import { decodeNativeMetrics } from './native/decode-metrics.js';
import { decodeNativeAsyncEvents } from './native/decode-async-events.js';
import { nativeDecodeContext, type NativeDecodeContext } from './native/segment.js';
import { decodeOtlpLogs } from './otlp/decode-logs.js';
import { decodeOtlpSpans } from './otlp/decode-spans.js';
import { decodeOtlpMeasures, decodeOtlpHistograms } from './otlp/decode-metrics.js';
import { transcodeOtlpJsonSegment } from './otlp/decode-json-input.js';
import { asCorruptSegment } from './otlp/decode-common.js';

export type { DecodeContext, DecodeOptions } from './context.js';
export { CorruptSegmentError } from './context.js';
export { OTLP_VIEW_SCHEMAS, DICTIONARY_COLUMNS } from './otlp/schemas.js';
export { decodeOtlpLogs, decodeOtlpSpans, decodeOtlpMeasures, decodeOtlpHistograms };

/** What the lake's views know about a segment. The OTLP decoders read only the DecodeContext part;
 * native segments also need their stream row (descriptors), block position and clock. */
export interface SegmentDecodeContext extends DecodeContext {
  /** Native segments: the stream row; undefined = not registered yet (the segment is unreadable). */
  stream?: StreamRow;
  /** Native segments: objects in the stream before this block. */
  objectOffset?: bigint;
  /** Native segments: ticks per second when the process's tsc_frequency is ≤ 0 (§9 estimate). */
  frequency?: number;
  /** Receives at most one summary per segment of objects the decoder skipped. */
  warn?: (message: string) => void;
}

/** A native segment whose stream or process row has not arrived yet (native-format §5.3, §11.7). */
export class UnregisteredSegmentError extends Error {
  constructor(
    readonly blockId: string,
    readonly missing: 'stream' | 'process',
  ) {
    super(`block ${blockId}: its ${missing} is not registered yet`);
    this.name = 'UnregisteredSegmentError';
  }
}

type NativeDecoder = (
  payload: Uint8Array,
  ctx: NativeDecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
) => Iterable<RecordBatch>;

/** Per-segment native views; thread_spans pairs events across blocks (decodeThreadSpans). */
const NATIVE: Partial<Record<SegmentView, NativeDecoder>> = {
  log_entries: decodeNativeLogs,
  measures: decodeNativeMetrics,
  async_events: decodeNativeAsyncEvents,
};

/** The native decode context of a segment; throws UnregisteredSegmentError, or CorruptSegmentError
 * when the stream's descriptors cannot be parsed or its process clock is unusable. */
export function nativeContextOf(ctx: SegmentDecodeContext): NativeDecodeContext {
  if (!ctx.stream) throw new UnregisteredSegmentError(ctx.blockId, 'stream');
  if (!ctx.process) throw new UnregisteredSegmentError(ctx.blockId, 'process');
  try {
    const native = nativeDecodeContext({
      blockId: ctx.blockId,
      insertTime: ctx.insertTime,
      process: ctx.process,
      stream: ctx.stream,
      objectOffset: ctx.objectOffset ?? 0n,
      frequency: ctx.frequency,
    });
    native.warn = ctx.warn;
    return native;
  } catch (e) {
    throw new CorruptSegmentError(ctx.blockId, 0, e instanceof Error ? e.message : String(e));
  }
}

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
  ctx: SegmentDecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
): Iterable<RecordBatch> {
  if (format === 'native-transit') {
    const native = NATIVE[view];
    if (!native) throw new Error(`no per-segment decoder for view ${view} over format ${format}`);
    return native(bytes, nativeContextOf(ctx), projection, opts);
  }
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
  ctx: SegmentDecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
): AsyncIterable<RecordBatch> {
  yield* decodeSegmentSync(format, view, bytes, ctx, projection, opts);
}
