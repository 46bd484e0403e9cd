// Decoded segments kept across the queries of one server: an LRU bounded by the memory of the Arrow
// buffers it holds. An entry is the complete batch list of one segment decoded for one view and
// projection; callers insert only after a segment decoded to the end, so a query cancelled or cut
// short by LIMIT never leaves a partial entry behind.
import type { Data, RecordBatch } from 'apache-arrow';

export const DEFAULT_SEGMENT_CACHE_BYTES = 256 * 1024 * 1024;

/** What makes two decodes of a segment give the same batches. */
export interface SegmentCacheKey {
  view: string;
  blockId: string;
  segmentIndex: number;
  /** Column names in output order; null = every column. */
  projection: readonly string[] | null;
  /** Anything else the batches depend on (e.g. a native process's estimated tick frequency). */
  variant?: string;
}

export interface SegmentCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
  evictions: number;
}

interface Entry {
  batches: RecordBatch[];
  /** The distinct memory regions the batches keep alive. */
  buffers: ArrayBufferLike[];
}

export class SegmentCache {
  // Map iteration order is insertion order: the first key is the least recently used.
  private readonly entries = new Map<string, Entry>();
  // What the cache keeps alive is whole ArrayBuffers, not the used part of each view: decoders' builders
  // grow by doubling, and entries may share one buffer (a zero-filled codes buffer, a dictionary), so
  // each ArrayBuffer is counted once, for as long as some entry references it.
  private readonly bufferRefs = new Map<ArrayBufferLike, number>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(readonly maxBytes: number = DEFAULT_SEGMENT_CACHE_BYTES) {}

  static keyOf(k: SegmentCacheKey): string {
    const projection = projectionKey(k.projection);
    return `${k.view}\u0000${k.blockId}\u0000${k.segmentIndex}\u0000${projection}\u0000${k.variant ?? ''}`;
  }

  get(key: SegmentCacheKey): RecordBatch[] | undefined {
    const id = SegmentCache.keyOf(key);
    const e = this.entries.get(id);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(id);
    this.entries.set(id, e);
    return e.batches;
  }

  /** Whether the entry is held, without counting a hit or a miss or making it recently used. */
  has(key: SegmentCacheKey): boolean {
    return this.entries.has(SegmentCache.keyOf(key));
  }

  /** Whether an entry of this size can be held at all (larger ones are not collected). */
  admits(bytes: number): boolean {
    return bytes <= this.maxBytes;
  }

  put(key: SegmentCacheKey, batches: RecordBatch[]): void {
    const buffers = batchBuffers(batches);
    let bytes = 0;
    for (const b of buffers) bytes += b.byteLength;
    if (!this.admits(bytes)) return;
    const id = SegmentCache.keyOf(key);
    const old = this.entries.get(id);
    if (old) this.remove(id, old);
    this.entries.set(id, { batches, buffers });
    for (const b of buffers) {
      const refs = this.bufferRefs.get(b) ?? 0;
      if (refs === 0) this.bytes += b.byteLength;
      this.bufferRefs.set(b, refs + 1);
    }
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(k, e);
      this.evictions++;
    }
  }

  private remove(id: string, e: Entry): void {
    this.entries.delete(id);
    for (const b of e.buffers) {
      const refs = this.bufferRefs.get(b)!;
      if (refs === 1) {
        this.bufferRefs.delete(b);
        this.bytes -= b.byteLength;
      } else this.bufferRefs.set(b, refs - 1);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bufferRefs.clear();
    this.bytes = 0;
  }

  stats(): SegmentCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, bytes: this.bytes, evictions: this.evictions };
  }
}

// a scan asks with one projection array for each of its segments (never changed once a scan has
// it): encode it once
const projectionKeys = new WeakMap<readonly string[], string>();

function projectionKey(projection: readonly string[] | null): string {
  if (projection === null) return '*';
  let key = projectionKeys.get(projection);
  if (key === undefined) projectionKeys.set(projection, (key = projection.map((c) => JSON.stringify(c)).join(',')));
  return key;
}

/** The distinct ArrayBuffers under a segment's batches (what holding them keeps alive). */
export function batchBuffers(batches: readonly RecordBatch[]): ArrayBufferLike[] {
  const seen = new Set<ArrayBufferLike>();
  for (const b of batches) collectBuffers(b.data, seen);
  return [...seen];
}

/** Bytes of memory a segment's batches keep alive (each ArrayBuffer counted once, whole). */
export function batchesBytes(batches: readonly RecordBatch[]): number {
  let n = 0;
  for (const b of batchBuffers(batches)) n += b.byteLength;
  return n;
}

function collectBuffers(d: Data, seen: Set<ArrayBufferLike>): void {
  for (const buf of [d.values, d.valueOffsets, d.nullBitmap, d.typeIds] as (ArrayBufferView | undefined)[]) {
    if (buf) seen.add(buf.buffer);
  }
  for (const c of d.children) collectBuffers(c, seen);
  if (d.dictionary) for (const c of d.dictionary.data) collectBuffers(c, seen);
}
