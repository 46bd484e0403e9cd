// Reads what a server stored, through the public lake API (catalog + blob store), for assertions.
import assert from 'node:assert/strict';
import { openBlobStore, openCatalog, type LakeOptions } from '../../../lake/open.js';
import type { BlobStore, BlockRow, Catalog, SegmentRef, SegmentView } from '../../../lake/types.js';

export interface OpenedLake {
  catalog: Catalog;
  blobs: BlobStore;
  close(): Promise<void>;
}

export async function openLake(catalogSpec: string | undefined, blobsSpec: string | undefined, opts: LakeOptions): Promise<OpenedLake> {
  const catalog = await openCatalog(catalogSpec, opts);
  let blobs: BlobStore;
  try {
    blobs = await openBlobStore(blobsSpec, opts);
  } catch (err) {
    await catalog.close();
    throw err;
  }
  return {
    catalog,
    blobs,
    async close() {
      await blobs.close();
      await catalog.close();
    },
  };
}

const ALL_VIEWS: SegmentView[] = ['log_entries', 'measures', 'histograms', 'otel_spans', 'thread_spans', 'async_events'];

/** Every segment in the catalog, once each (a segment may feed several views). */
export async function allSegments(catalog: Catalog): Promise<SegmentRef[]> {
  const seen = new Map<string, SegmentRef>();
  for (const view of ALL_VIEWS) {
    for (const s of await catalog.findSegments({ view })) seen.set(`${s.block_id}/${s.segment_index}`, s);
  }
  return [...seen.values()];
}

/**
 * Checks that every block's blob exists with exactly payload_size bytes and that every segment lies
 * inside its blob and belongs to a known block. Returns the blobs by block id.
 */
export async function assertLakeConsistent(lake: OpenedLake): Promise<{ blocks: BlockRow[]; segments: SegmentRef[]; blobsById: Map<string, Uint8Array> }> {
  const blocks = await lake.catalog.listBlocks();
  const segments = await allSegments(lake.catalog);
  const blobsById = new Map<string, Uint8Array>();
  for (const b of blocks) {
    assert.ok(await lake.blobs.exists(b.blob_key), `block ${b.block_id} points to a missing blob ${b.blob_key}`);
    const bytes = await lake.blobs.get(b.blob_key);
    assert.equal(bytes.length, b.payload_size, `blob size of ${b.block_id}`);
    blobsById.set(b.block_id, bytes);
  }
  for (const s of segments) {
    const blob = blobsById.get(s.block_id);
    assert.ok(blob, `segment ${s.block_id}/${s.segment_index} has no block row`);
    assert.ok(s.byte_offset >= 0 && s.byte_length > 0, `segment range ${s.byte_offset}+${s.byte_length}`);
    assert.ok(s.byte_offset + s.byte_length <= blob.length, `segment ${s.block_id}/${s.segment_index} ends past its blob`);
  }
  for (const b of blocks) {
    const own = segments.filter((s) => s.block_id === b.block_id);
    assert.ok(own.length > 0, `block ${b.block_id} has no segments`);
    assert.equal(own.reduce((n, s) => n + s.nb_objects, 0), b.nb_objects, `nb_objects of block ${b.block_id} = sum over segments`);
  }
  return { blocks, segments, blobsById };
}

export function segmentBytes(blob: Uint8Array, s: { byte_offset: number; byte_length: number }): Uint8Array {
  return blob.subarray(s.byte_offset, s.byte_offset + s.byte_length);
}
