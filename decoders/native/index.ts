// Native (Micromegas transit) decoders: segment bytes → Arrow record batches.
export { decodeNativeLogs } from './decode-logs.js';
export { decodeNativeMetrics } from './decode-metrics.js';
export { decodeThreadSpans, spanChains, threadRootName, MismatchedSpanEnd, type NativeSpanBlock, type NativeDecodeOptions } from './decode-thread-spans.js';
export { decodeNativeAsyncEvents, decodeAsyncEvents } from './decode-async-events.js';
export { threadSpansSchema, asyncEventsSchema, projectNativeFields, NATIVE_VIEW_SCHEMAS, type NativeView } from './schemas.js';
export {
  NativeCorruptSegmentError, nativeDecodeContext, type NativeDecodeContext, type NativeDecodeStats, type TransitBufferName,
} from './segment.js';
export { streamDescriptors, type StreamDescriptors } from './transit.js';
export {
  ticksToNs, relativeTicksToNs, roundHalfAwayFromZero, estimateTscFrequency, effectiveFrequency, TickConverter,
  type ProcessClock,
} from './ticks.js';
export { decompressLz4Frame, decompressLz4FrameBlocks, inspectLz4Frame, Lz4FrameError, DEFAULT_MAX_DECOMPRESSED } from './lz4.js';
export { xxh32, scopeHash } from './xxh32.js';
