// A telemetry view (log_entries, measures, …) as a table provider: segments are resolved through the
// catalog with the pushed-down time range and process/stream ids, read as byte ranges of their blobs
// (the next few while one decodes), and decoded with the projection; decoding stops once the scan's
// LIMIT is reached. Unreadable segments (corrupt, or native ones whose stream/process is not
// registered yet) are skipped with a warning; strict mode fails the query instead.
import type { RecordBatch, Schema } from 'apache-arrow';
import type { BlobFormat, BlobStore, Catalog, ProcessRow, SegmentRef, SegmentView } from '../../lake/types.js';
import type { DecodeOptions } from '../../decoders/context.js';
import { CorruptSegmentError } from '../../decoders/context.js';
import { UnregisteredSegmentError, type SegmentDecodeContext } from '../../decoders/index.js';
import type { Expr } from '../plan/expr.js';
import type { ScanRequest, TableProvider } from '../types.js';
import { QueryError } from '../errors.js';
import type { SegmentCache, SegmentCacheKey } from '../segment-cache.js';
import { SegmentMetadata } from './segment-metadata.js';
import type { CatalogRows } from './catalog-rows.js';
import { ReadAhead } from './read-ahead.js';

export type SegmentDecoder = (
  format: BlobFormat,
  view: SegmentView,
  bytes: Uint8Array,
  ctx: SegmentDecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
) => AsyncIterable<RecordBatch>;

export interface LakeAccess {
  catalog: Catalog;
  blobs: BlobStore;
  decode: SegmentDecoder;
  /** Decoded segments shared by the queries of a server; none = decode every time. */
  cache?: SegmentCache;
  /** Process rows shared by the queries over this catalog (lakeTableSource sets it). */
  rows?: CatalogRows;
}

/** How a query treats segments it cannot read. */
export interface LakeScanOptions {
  /** Fail the query (DATA_LOSS) on a corrupt segment instead of skipping it. */
  strict?: boolean;
  /** Receives one message per skipped segment (and per segment with unreadable objects). */
  onWarning?: (message: string) => void;
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

function intersect(a: string[] | undefined, b: readonly string[] | undefined): string[] | undefined {
  if (!b) return a;
  if (!a) return [...b];
  return a.filter((x) => b.includes(x));
}

/** Columns copied from the process row into every row of a segment. */
const PROCESS_COLUMNS = ['exe', 'username', 'computer'] as const;

/** A process column and the values the query's filters allow for it. */
type ProcessFilter = readonly [(typeof PROCESS_COLUMNS)[number], Set<string>];

function passes(process: ProcessRow | undefined, filters: readonly ProcessFilter[]): boolean {
  return filters.every(([c, allowed]) => allowed.has(process?.[c] ?? ''));
}

/** Segments whose blob ranges are read while an earlier one decodes. */
const READ_AHEAD = 4;

export function warnOf(opts: LakeScanOptions): (message: string) => void {
  return opts.onWarning ?? ((m) => console.warn(`contrail query warning: ${m}`));
}

export class SegmentViewTable implements TableProvider {
  constructor(
    readonly view: SegmentView,
    readonly schema: Schema,
    readonly timeColumn: string,
    private readonly lake: LakeAccess,
    private readonly opts: LakeScanOptions & {
      /** view_instance(view, process_id): only these processes' segments. */
      processIds?: readonly string[];
    } = {},
  ) {}

  resolveSegments(req: Pick<ScanRequest, 'filters' | 'timeRange'>): Promise<SegmentRef[]> {
    return this.lake.catalog.findSegments({
      view: this.view,
      begin: req.timeRange?.begin,
      end: req.timeRange?.end,
      processIds: intersect(allowedValues(req.filters, 'process_id'), this.opts.processIds),
      streamIds: allowedValues(req.filters, 'stream_id'),
    });
  }

  async describeScan(req: ScanRequest): Promise<string> {
    const kept = await this.resolveSegments(req);
    const all = await this.lake.catalog.findSegments({ view: this.view, processIds: this.opts.processIds ? [...this.opts.processIds] : undefined });
    return `segments=${kept.length} pruned=${all.length - kept.length}`;
  }

  async *scan(req: ScanRequest): AsyncIterable<RecordBatch> {
    const segments = await this.resolveSegments(req);
    const meta = new SegmentMetadata(this.lake.catalog, this.lake.rows);
    const processFilters: ProcessFilter[] = PROCESS_COLUMNS.flatMap((c) => {
      const allowed = this.schema.fields.some((f) => f.name === c) ? allowedValues(req.filters, c) : undefined;
      return allowed ? [[c, new Set(allowed)] as const] : [];
    });
    const reads = new ReadAhead(this.lake.blobs);
    let rows = 0;
    for (let s = 0; s < segments.length; s++) {
      const seg = segments[s];
      if (req.signal?.aborted) return;
      if (req.limit !== undefined && rows >= req.limit) return;
      if (processFilters.length > 0) {
        // exe / username / computer are constant per segment (the process row's): skip it unread
        const process = meta.knownProcess(seg.process_id) ?? (await meta.process(seg.process_id));
        if (!passes(process, processFilters)) continue;
      }
      // a cached OTLP segment is served without waiting on anything (its key needs no catalog row)
      let batches = this.cachedOtlpBatches(seg, req);
      if (batches === undefined) {
        for (let next = s + 1; next < segments.length && next <= s + READ_AHEAD; next++) {
          if (this.willRead(segments[next], req, processFilters, meta)) reads.start(segments[next]);
        }
        batches = await this.segmentBatches(seg, req, meta, reads);
        reads.forget(seg);
      }
      for (const rb of batches) {
        yield rb;
        rows += rb.numRows;
        if (req.limit !== undefined && rows >= req.limit) return;
      }
    }
  }

  /** Whether the scan will (as far as is known without waiting) read this segment's blob. */
  private willRead(seg: SegmentRef, req: ScanRequest, processFilters: ProcessFilter[], meta: SegmentMetadata): boolean {
    if (processFilters.length > 0) {
      const process = meta.knownProcess(seg.process_id);
      if (!process || !passes(process, processFilters)) return false;
    }
    if (!this.lake.cache) return true;
    // a native segment's cache key needs its process's tick frequency: not read ahead
    if (seg.format === 'native-transit') return false;
    return !this.wholeSegment(seg, req.timeRange) || !this.lake.cache.has(this.cacheKey(seg, req, undefined));
  }

  private cacheKey(seg: SegmentRef, req: ScanRequest, frequency: number | undefined): SegmentCacheKey {
    return { view: this.view, blockId: seg.block_id, segmentIndex: seg.segment_index, projection: req.projection, variant: frequency?.toString() };
  }

  /** Whether the segment lies entirely within the scan's time range (then it is decoded in full and cached). */
  private wholeSegment(seg: SegmentRef, range: ScanRequest['timeRange']): boolean {
    return !range || ((range.begin === undefined || seg.begin_time >= range.begin) && (range.end === undefined || seg.end_time <= range.end));
  }

  private cachedOtlpBatches(seg: SegmentRef, req: ScanRequest): RecordBatch[] | undefined {
    if (!this.lake.cache || seg.format === 'native-transit' || !this.wholeSegment(seg, req.timeRange)) return undefined;
    return this.lake.cache.get(this.cacheKey(seg, req, undefined));
  }

  /** One segment's batches, from the cache or decoded in full (a segment is all or nothing: a corrupt
   * one contributes no rows, and only complete decodes are cached). */
  private async segmentBatches(seg: SegmentRef, req: ScanRequest, meta: SegmentMetadata, reads: ReadAhead): Promise<RecordBatch[]> {
    const warn = warnOf(this.opts);
    const native = seg.format === 'native-transit';
    const process = await meta.process(seg.process_id);
    const stream = native ? await meta.stream(seg.stream_id) : undefined;
    let frequency: number | undefined;
    if (native && process && stream && process.tsc_frequency <= 0n) {
      try {
        frequency = await meta.estimatedFrequency(process);
      } catch (e) {
        return this.unreadable(new CorruptSegmentError(seg.block_id, 0, e instanceof Error ? e.message : String(e)), warn);
      }
    }
    const range = req.timeRange;
    const wholeSegment = this.wholeSegment(seg, range);
    // A partially covered segment is decoded with the range hint (fewer rows) and not cached.
    const cache = wholeSegment ? this.lake.cache : undefined;
    const key = this.cacheKey(seg, req, frequency);
    // an OTLP segment's lookup already happened (and missed) in cachedOtlpBatches
    const cached = native ? cache?.get(key) : undefined;
    if (cached) return cached;

    const ctx: SegmentDecodeContext = {
      blockId: seg.block_id,
      processId: seg.process_id,
      streamId: seg.stream_id,
      insertTime: seg.insert_time,
      process,
      stream,
      objectOffset: seg.object_offset ?? 0n,
      frequency,
      warn,
    };
    const batches: RecordBatch[] = [];
    try {
      const bytes = await reads.take(seg);
      const opts: DecodeOptions = wholeSegment ? {} : { timeRange: range };
      for await (const rb of this.lake.decode(seg.format, this.view, bytes, ctx, req.projection, opts)) {
        if (req.signal?.aborted) return [];
        batches.push(rb);
      }
    } catch (e) {
      if (e instanceof CorruptSegmentError || e instanceof UnregisteredSegmentError) return this.unreadable(e, warn);
      throw e;
    }
    if (req.signal?.aborted) return [];
    cache?.put(key, batches);
    return batches;
  }

  private unreadable(e: CorruptSegmentError | UnregisteredSegmentError, warn: (m: string) => void): RecordBatch[] {
    if (e instanceof CorruptSegmentError && this.opts.strict) throw new QueryError('DATA_LOSS', `${this.view}: ${e.message}`);
    warn(`${this.view}: segment skipped: ${e.message}`);
    return [];
  }
}
