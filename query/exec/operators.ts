// Streaming physical operators: each is an async generator of ColumnBatches over its input.
import { sliceBatch, unusedCol, take, type Col, type ColumnBatch } from './column.js';
import { batchFromArrow } from './arrow-io.js';
import type { Evaluator } from './expr-eval.js';
import type { Selector } from './select-direct.js';
import type { PlanSchema } from '../plan/types.js';
import type { ScanRequest, TableProvider } from '../types.js';
import { QueryError } from '../errors.js';

export type BatchStream = AsyncIterable<ColumnBatch>;

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new QueryError('CANCELLED', 'query cancelled');
}

export async function* scanOp(provider: TableProvider, fields: PlanSchema, req: ScanRequest): BatchStream {
  let rows = 0;
  for await (const rb of provider.scan(req)) {
    checkAborted(req.signal);
    if (rb.numRows === 0) continue;
    let b = batchFromArrow(rb, fields);
    if (req.limit !== undefined && rows + b.length > req.limit) b = sliceBatch(b, 0, req.limit - rows);
    rows += b.length;
    yield b;
    if (req.limit !== undefined && rows >= req.limit) return;
  }
}

export async function* oneRowOp(): BatchStream {
  yield { length: 1, cols: [] };
}

/** `needed[k]` false: the consumer never reads column k, so it is not gathered (an all-NULL
 * column of the right type and length stands in). */
export async function* filterOp(input: BatchStream, select: Selector, needed: readonly boolean[] | null = null): BatchStream {
  for await (const b of input) {
    const sel = select(b);
    if (sel.length === 0) continue;
    if (sel.length === b.length) yield b;
    else yield { length: sel.length, cols: takeNeeded(b.cols, sel, needed) };
  }
}

/** Rows `sel` of the needed columns; the others become placeholders. */
export function takeNeeded(cols: readonly Col[], sel: ArrayLike<number>, needed: readonly boolean[] | null): Col[] {
  return cols.map((c, k) => (needed === null || needed[k] ? take(c, sel) : unusedCol(c.type, sel.length)));
}

export async function* projectOp(input: BatchStream, exprs: Evaluator[]): BatchStream {
  for await (const b of input) yield { length: b.length, cols: exprs.map((e) => e(b)) };
}

export async function* limitOp(input: BatchStream, skip: number, fetch: number | null): BatchStream {
  let toSkip = skip;
  let left = fetch ?? Infinity;
  if (left === 0) return;
  for await (const b of input) {
    let begin = 0;
    if (toSkip > 0) {
      begin = Math.min(toSkip, b.length);
      toSkip -= begin;
    }
    const end = Math.min(b.length, begin + left);
    if (end > begin) {
      yield begin === 0 && end === b.length ? b : sliceBatch(b, begin, end);
      left -= end - begin;
    }
    // returning closes the input iterators, which stops the scan and its decoders
    if (left <= 0) return;
  }
}

export async function* unionOp(inputs: BatchStream[]): BatchStream {
  for (const i of inputs) yield* i;
}

/** Re-cuts the output of blocking operators into batches of at most `rows`. */
export function* chunk(b: ColumnBatch, rows: number): Iterable<ColumnBatch> {
  if (b.length <= rows) {
    if (b.length > 0) yield b;
    return;
  }
  for (let at = 0; at < b.length; at += rows) yield sliceBatch(b, at, Math.min(b.length, at + rows));
}
