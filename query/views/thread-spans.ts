// `view_instance('thread_spans', stream_id)`: one cpu stream's spans (native-format §10.3). Spans
// pair begin/end events across the blocks of a chain, so every block of the stream is read (no time
// pruning); the query range applies as an overlap (begin ≤ range end AND end ≥ range begin).
import type { RecordBatch } from 'apache-arrow';
import { CorruptSegmentError } from '../../decoders/context.js';
import { nativeContextOf } from '../../decoders/index.js';
import { decodeThreadSpans, threadSpansSchema, type NativeSpanBlock } from '../../decoders/native/index.js';
import { QueryError } from '../errors.js';
import type { ScanRequest, TableProvider, TimeRange } from '../types.js';
import type { LakeAccess, LakeScanOptions } from './segment-view.js';
import { warnOf } from './segment-view.js';
import { SegmentMetadata } from './segment-metadata.js';

export class ThreadSpansTable implements TableProvider {
  readonly schema = threadSpansSchema;

  constructor(
    readonly streamId: string,
    private readonly lake: LakeAccess,
    private readonly range: TimeRange | undefined,
    private readonly opts: LakeScanOptions = {},
  ) {}

  async describeScan(): Promise<string> {
    const segments = await this.lake.catalog.findSegments({ view: 'thread_spans', streamIds: [this.streamId] });
    return `stream=${this.streamId} segments=${segments.length}`;
  }

  async *scan(req: ScanRequest): AsyncIterable<RecordBatch> {
    const warn = warnOf(this.opts);
    const meta = new SegmentMetadata(this.lake.catalog, this.lake.rows);
    const stream = await meta.stream(this.streamId);
    const segments = await this.lake.catalog.findSegments({ view: 'thread_spans', streamIds: [this.streamId] });
    if (segments.length === 0) return;
    if (!stream) return warn(`thread_spans: stream ${this.streamId} is not registered yet; its ${segments.length} segment(s) are skipped`);
    const process = await meta.process(stream.process_id);
    if (!process) return warn(`thread_spans: process ${stream.process_id} is not registered yet; stream ${this.streamId} is skipped`);
    const onCorrupt = (e: CorruptSegmentError) => {
      if (this.opts.strict) throw new QueryError('DATA_LOSS', `thread_spans: ${e.message}`);
      warn(`thread_spans: segment skipped: ${e.message}`);
    };
    let frequency: number | undefined;
    try {
      if (process.tsc_frequency <= 0n) frequency = await meta.estimatedFrequency(process);
    } catch (e) {
      return onCorrupt(new CorruptSegmentError(this.streamId, 0, e instanceof Error ? e.message : String(e)));
    }
    const blocks: NativeSpanBlock[] = [];
    try {
      for (const seg of segments) {
        if (req.signal?.aborted) return;
        if (seg.begin_ticks === null || seg.end_ticks === null) continue;
        const objectOffset = seg.object_offset ?? 0n;
        const ctx = nativeContextOf({
          blockId: seg.block_id, processId: seg.process_id, streamId: seg.stream_id, insertTime: seg.insert_time,
          process, stream, objectOffset, frequency, warn,
        });
        const payload = await this.lake.blobs.getRange(seg.blob_key, seg.byte_offset, seg.byte_length);
        blocks.push({ payload, ctx, beginTicks: seg.begin_ticks, endTicks: seg.end_ticks, objectOffset });
      }
      yield* decodeThreadSpans(blocks, stream, process, req.projection, { timeRange: this.range, onCorruptSegment: onCorrupt });
    } catch (e) {
      // unusable descriptors, or a span end that does not match its begin (§10.3 step 5): the whole
      // stream is unreadable
      if (e instanceof CorruptSegmentError) return onCorrupt(e);
      throw e;
    }
  }
}
