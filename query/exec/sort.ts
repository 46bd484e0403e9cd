// Sort: buffers its input (within the memory budget) and sorts a row permutation by the key columns.
// With a fetch (ORDER BY … LIMIT n) it keeps only the best n rows, compacting as batches arrive.
import { batchBytes, concatBatches, take, type Col, type ColumnBatch } from './column.js';
import { chunk, type BatchStream } from './operators.js';
import type { Evaluator } from './expr-eval.js';
import type { MemoryPool } from './memory.js';
import { plainValues } from '../functions/aggregates.js';
import type { ScalarType } from '../plan/types.js';

export interface SortSpec {
  keys: { eval: Evaluator; descending: boolean; nullsFirst: boolean }[];
  types: ScalarType[];
  fetch?: number;
}

/** Row comparator over evaluated key columns (ties return 0). */
export function compareKeys(keyCols: Col[], spec: Pick<SortSpec, 'keys'>): (a: number, b: number) => number {
  const vals = keyCols.map(plainValues);
  return (a, b) => {
    for (let k = 0; k < keyCols.length; k++) {
      const c = keyCols[k];
      const an = c.valid !== null && c.valid[a] === 0;
      const bn = c.valid !== null && c.valid[b] === 0;
      const { descending, nullsFirst } = spec.keys[k];
      if (an || bn) {
        if (an && bn) continue;
        return an === nullsFirst ? -1 : 1;
      }
      const x = vals[k][a] as number;
      const y = vals[k][b] as number;
      if (x === y || (x !== x && y !== y)) continue;
      const r = x < y ? -1 : x > y ? 1 : x !== x ? 1 : -1; // NaN sorts after numbers
      return descending ? -r : r;
    }
    return 0;
  };
}

/** Rows of `b` in sorted order (stable: ties keep input order), at most `limit` of them. */
function sortBatch(b: ColumnBatch, spec: SortSpec, limit: number): ColumnBatch {
  const keyCols = spec.keys.map((k) => k.eval(b));
  const perm = Array.from({ length: b.length }, (_, i) => i);
  perm.sort(compareKeys(keyCols, spec));
  const idx = perm.length > limit ? perm.slice(0, limit) : perm;
  return { length: idx.length, cols: b.cols.map((c) => take(c, idx)) };
}

export async function* sortOp(input: BatchStream, spec: SortSpec, pool: MemoryPool, batchRows: number): BatchStream {
  const limit = spec.fetch ?? Infinity;
  let buffered: ColumnBatch[] = [];
  let rows = 0;
  let reserved = 0;
  try {
    for await (const b of input) {
      buffered.push(b);
      rows += b.length;
      if (limit !== Infinity && rows >= Math.max(2 * limit, 4096)) {
        const top = sortBatch(concatBatches(spec.types, buffered), spec, limit);
        buffered = [top];
        rows = top.length;
      }
      const now = buffered.reduce((s, x) => s + batchBytes(x), 0);
      pool.resize('sort', reserved, now);
      reserved = now;
    }
    if (rows === 0 || limit === 0) return;
    yield* chunk(sortBatch(concatBatches(spec.types, buffered), spec, limit), batchRows);
  } finally {
    pool.resize('sort', reserved, 0);
  }
}
