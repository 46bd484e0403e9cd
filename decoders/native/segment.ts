// One native segment (a CBOR BlockPayload) opened for decoding: the two byte fields, LZ4
// decompression, the dependency map, the decode context, and the corrupt-segment error that
// names the buffer (§11.5).
import { CorruptSegmentError, type DecodeContext } from '../context.js';
import { MalformedPayloadError } from '../types.js';
import type { ProcessRow, StreamRow } from '../../lake/types.js';
import { CborReader } from './cbor-reader.js';
import { DEFAULT_MAX_DECOMPRESSED, Lz4FrameError, decompressLz4Frame } from './lz4.js';
import { type DependencyMap, type StreamDescriptors, TransitBuffer, TransitFramingError, streamDescriptors } from './transit.js';
import { readDependencies, type UnreadableTally } from './dependencies.js';
import { type ProcessClock, effectiveFrequency } from './ticks.js';

export type TransitBufferName = 'payload' | 'dependencies' | 'objects';

/** A corrupt native segment; `offset` is inside `buffer` (the CBOR payload, or a decompressed
 * transit buffer — for LZ4 errors, inside the compressed frame). */
export class NativeCorruptSegmentError extends CorruptSegmentError {
  constructor(
    blockId: string,
    readonly buffer: TransitBufferName,
    offset: number,
    reason: string,
  ) {
    super(blockId, offset, `${buffer}: ${reason}`);
    this.name = 'CorruptSegmentError';
  }
}

/** Counters a caller may pass in to learn what a segment's decode skipped. */
export interface NativeDecodeStats {
  /** Objects (and dependencies) that could not be read (§11.3). */
  unreadableObjects: number;
  /** Objects of types the view does not map (§11.2). */
  skippedObjects: number;
}

export interface NativeDecodeContext extends DecodeContext {
  /** The stream's parsed descriptors (see streamDescriptors(), memoised per stream row bytes). */
  descriptors: StreamDescriptors;
  /** start_time / start_ticks and the effective frequency (tsc_frequency or its §9 estimate). */
  clock: ProcessClock;
  /** Objects in the stream before this block. */
  objectOffset: bigint;
  /** Cap per decompressed buffer; default 256 MiB. */
  maxDecompressedBytes?: number;
  /** Incremented while decoding, when given. */
  stats?: NativeDecodeStats;
  /** Called at most once per segment, with a summary of unreadable objects. */
  warn?: (message: string) => void;
}

/**
 * Builds the context for one segment from catalog rows. `frequency` overrides the process's
 * `tsc_frequency` (pass the §9 estimate when it is ≤ 0; see effectiveFrequency()).
 */
export function nativeDecodeContext(args: {
  blockId: string;
  insertTime: bigint;
  process: ProcessRow;
  stream: StreamRow;
  objectOffset: bigint;
  frequency?: number;
}): NativeDecodeContext {
  const { process, stream } = args;
  return {
    blockId: args.blockId,
    processId: process.process_id,
    streamId: stream.stream_id,
    insertTime: args.insertTime,
    process,
    descriptors: streamDescriptors(stream),
    clock: {
      startTime: process.start_time,
      startTicks: process.start_ticks,
      frequency: args.frequency ?? effectiveFrequency(process),
    },
    objectOffset: args.objectOffset,
  };
}

export interface OpenSegment {
  /** Decompressed for this segment alone (never a view of the payload): a decoder may overwrite bytes it has read. */
  objects: TransitBuffer;
  deps: DependencyMap;
  tally: UnreadableTally;
}

/** Reads the payload map, decompresses both buffers and the dependencies. Throws NativeCorruptSegmentError. */
export function openSegment(payload: Uint8Array, ctx: NativeDecodeContext): OpenSegment {
  let depsFrame: Uint8Array | undefined;
  let objsFrame: Uint8Array | undefined;
  try {
    const r = new CborReader(payload);
    r.readMap((key) => {
      if (key === 'dependencies') depsFrame = r.readBytes();
      else if (key === 'objects') objsFrame = r.readBytes();
    });
    r.expectEnd();
  } catch (e) {
    if (e instanceof MalformedPayloadError) throw new NativeCorruptSegmentError(ctx.blockId, 'payload', e.offset ?? 0, e.message);
    throw e;
  }
  if (!depsFrame) throw new NativeCorruptSegmentError(ctx.blockId, 'payload', 0, 'missing dependencies');
  if (!objsFrame) throw new NativeCorruptSegmentError(ctx.blockId, 'payload', 0, 'missing objects');
  const cap = ctx.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED;
  const depsBytes = decompress(ctx.blockId, 'dependencies', depsFrame, cap);
  const objsBytes = decompress(ctx.blockId, 'objects', objsFrame, cap);
  const tally: UnreadableTally = { count: 0, firstReason: undefined };
  let deps: DependencyMap;
  try {
    deps = readDependencies(depsBytes, ctx.descriptors.dependencies, tally);
  } catch (e) {
    throw asCorrupt(e, ctx.blockId, 'dependencies');
  }
  return { objects: new TransitBuffer(objsBytes), deps, tally };
}

function decompress(blockId: string, buffer: TransitBufferName, frame: Uint8Array, cap: number): Uint8Array {
  try {
    return decompressLz4Frame(frame, cap);
  } catch (e) {
    if (e instanceof Lz4FrameError) throw new NativeCorruptSegmentError(blockId, buffer, e.offset, `LZ4: ${e.reason}`);
    throw e;
  }
}

/** Framing errors of a transit buffer → the segment error; anything else passes through. */
export function asCorrupt(e: unknown, blockId: string, buffer: TransitBufferName): unknown {
  if (e instanceof TransitFramingError) return new NativeCorruptSegmentError(blockId, buffer, e.offset, e.reason);
  return e;
}

/** Reports the segment's unreadable/skipped counts to the context (once per segment). */
export function reportSegment(ctx: NativeDecodeContext, tally: UnreadableTally, skipped: number): void {
  if (ctx.stats) {
    ctx.stats.unreadableObjects += tally.count;
    ctx.stats.skippedObjects += skipped;
  }
  if (tally.count > 0 && ctx.warn) {
    ctx.warn(`block ${ctx.blockId}: ${tally.count} unreadable object(s) skipped; first: ${tally.firstReason}`);
  }
}
