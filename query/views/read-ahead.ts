// The blob ranges of the segments a scan will decode next, read while the current one decodes
// (a cold scan otherwise waits on every read in turn). A read started but never used (the scan
// stopped at its LIMIT, or the segment turned out unreadable) is dropped and its failure ignored;
// a used read fails the scan exactly as reading it then would have.
import type { BlobStore, SegmentRef } from '../../lake/types.js';

export class ReadAhead {
  private readonly pending = new Map<SegmentRef, Promise<Uint8Array>>();

  constructor(private readonly blobs: BlobStore) {}

  start(seg: SegmentRef): void {
    if (this.pending.has(seg)) return;
    const bytes = this.read(seg);
    bytes.catch(() => {}); // observed here so an unused failed read is not an unhandled rejection
    this.pending.set(seg, bytes);
  }

  /** The segment's bytes: the read already started, or a new one. */
  take(seg: SegmentRef): Promise<Uint8Array> {
    const bytes = this.pending.get(seg);
    if (bytes === undefined) return this.read(seg);
    this.pending.delete(seg);
    return bytes;
  }

  forget(seg: SegmentRef): void {
    this.pending.delete(seg);
  }

  private read(seg: SegmentRef): Promise<Uint8Array> {
    return this.blobs.getRange(seg.blob_key, seg.byte_offset, seg.byte_length);
  }
}
