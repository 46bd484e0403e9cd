// What a segment decoder needs besides the bytes, shared by the OTLP and native decoders.
import type { ProcessRow } from '../lake/types.js';

export interface DecodeContext {
  blockId: string;
  processId: string;
  streamId: string;
  /** The block's insert time, Unix ns. */
  insertTime: bigint;
  /** The catalog's process row (exe, username, computer, properties); undefined → empty strings, `{}`. */
  process: ProcessRow | undefined;
}

export interface DecodeOptions {
  /** Maximum rows per batch; clamped to [1, 65536]. Default 65536. */
  batchRows?: number;
  /** Inclusive time bounds in Unix ns. A hint only: a decoder may skip rows outside the range, callers
   * must still filter. */
  timeRange?: { begin?: bigint; end?: bigint };
}

export const MAX_BATCH_ROWS = 65536;

export function batchRowsOf(opts: DecodeOptions | undefined): number {
  const n = opts?.batchRows ?? MAX_BATCH_ROWS;
  if (!Number.isFinite(n)) return MAX_BATCH_ROWS;
  return Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(n)));
}

/** A stored segment the decoder cannot read. `offset` is relative to the segment's first byte. */
export class CorruptSegmentError extends Error {
  constructor(
    readonly blockId: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`corrupt segment in block ${blockId} at byte ${offset}: ${reason}`);
    this.name = 'CorruptSegmentError';
  }
}
