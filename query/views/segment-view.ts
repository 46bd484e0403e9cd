// A telemetry view (log_entries, measures, …) as a table provider: segments are resolved through the
// catalog with the pushed-down time range and process/stream ids, read as byte ranges of their blobs,
// and decoded with the projection; decoding stops once the scan's LIMIT is reached.
import type { RecordBatch, Schema } from 'apache-arrow';
import type { BlobFormat, BlobStore, Catalog, ProcessRow, SegmentRef, SegmentView } from '../../lake/types.js';
import type { DecodeContext, DecodeOptions } from '../../decoders/context.js';
import type { Expr } from '../plan/expr.js';
import type { ScanRequest, TableProvider } from '../types.js';

export type SegmentDecoder = (
  format: BlobFormat,
  view: SegmentView,
  bytes: Uint8Array,
  ctx: DecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
) => AsyncIterable<RecordBatch>;

export interface LakeAccess {
  catalog: Catalog;
  blobs: BlobStore;
  decode: SegmentDecoder;
}

/** Values `column` must take according to the conjuncts (`col = 'x'`, `col IN ('x', 'y')`); undefined
 * when unconstrained. Several constraints intersect. */
export function allowedValues(filters: Expr[], column: string): string[] | undefined {
  let allowed: Set<string> | undefined;
  for (const f of filters) {
    let values: string[] | undefined;
    if (f.kind === 'binary' && f.op === '=') {
      const [c, l] = f.left.kind === 'column' ? [f.left, f.right] : [f.right, f.left];
      if (c.kind === 'column' && c.name === column && l.kind === 'literal' && typeof l.value === 'string') values = [l.value];
    } else if (f.kind === 'in_list' && !f.negated && f.arg.kind === 'column' && f.arg.name === column) {
      if (f.list.every((x) => x.kind === 'literal' && typeof x.value === 'string')) values = f.list.map((x) => (x as { value: string }).value);
    }
    if (values) allowed = allowed ? new Set(values.filter((v) => allowed!.has(v))) : new Set(values);
  }
  return allowed ? [...allowed] : undefined;
}

export class SegmentViewTable implements TableProvider {
  constructor(
    readonly view: SegmentView,
    readonly schema: Schema,
    readonly timeColumn: string,
    private readonly lake: LakeAccess,
  ) {}

  resolveSegments(req: Pick<ScanRequest, 'filters' | 'timeRange'>): Promise<SegmentRef[]> {
    return this.lake.catalog.findSegments({
      view: this.view,
      begin: req.timeRange?.begin,
      end: req.timeRange?.end,
      processIds: allowedValues(req.filters, 'process_id'),
      streamIds: allowedValues(req.filters, 'stream_id'),
    });
  }

  async describeScan(req: ScanRequest): Promise<string> {
    const kept = await this.resolveSegments(req);
    const all = await this.lake.catalog.findSegments({ view: this.view });
    return `segments=${kept.length} pruned=${all.length - kept.length}`;
  }

  async *scan(req: ScanRequest): AsyncIterable<RecordBatch> {
    const segments = await this.resolveSegments(req);
    const processes = new Map<string, Promise<ProcessRow | undefined>>();
    let rows = 0;
    for (const seg of segments) {
      if (req.signal?.aborted) return;
      if (req.limit !== undefined && rows >= req.limit) return;
      let process = processes.get(seg.process_id);
      if (!process) processes.set(seg.process_id, (process = this.lake.catalog.getProcess(seg.process_id)));
      const bytes = await this.lake.blobs.getRange(seg.blob_key, seg.byte_offset, seg.byte_length);
      const ctx: DecodeContext = { blockId: seg.block_id, processId: seg.process_id, streamId: seg.stream_id, insertTime: seg.insert_time, process: await process };
      for await (const rb of this.lake.decode(seg.format, this.view, bytes, ctx, req.projection, { timeRange: req.timeRange })) {
        yield rb;
        rows += rb.numRows;
        if (req.limit !== undefined && rows >= req.limit) return;
      }
    }
  }
}
