// Hash aggregation: group keys (dictionary codes map once per batch dictionary) → dense group ids,
// then columnar accumulators per aggregate. State is counted against the query's memory budget.
import { colFromValues, type Col, type ColumnBatch } from './column.js';
import { chunk, takeNeeded, type BatchStream } from './operators.js';
import type { Selector } from './select-direct.js';
import type { Evaluator } from './expr-eval.js';
import type { MemoryPool } from './memory.js';
import type { GroupAccumulator } from '../functions/registry.js';
import type { ScalarType } from '../plan/types.js';
import { assignTimeBins, type TimeBin } from './time-bin-key.js';
import { KeyColumnCodes } from './group-key-codes.js';
import { CodeTupleTable } from './code-tuple-table.js';

export interface AggregateSpec {
  groupBy: Evaluator[];
  groupTypes: ScalarType[];
  /** The one group key is date_bin(constant stride, ts): groups are assigned from `ts` directly,
   * read through the filter's selection when `throughSelection` (ts is a plain column). */
  timeBin?: { bin: TimeBin; ts: Evaluator; throughSelection: boolean };
  /** The input's filter, applied here: only the selected rows of the columns marked in `gather`
   * are taken (the others are never read), instead of every column by a filter below. */
  filter?: { select: Selector; gather: readonly boolean[] };
  aggregates: { args: Evaluator[]; create: () => GroupAccumulator }[];
}

/** Group ids: each key column's values become per-query codes (KeyColumnCodes); one key's codes are
 * the group ids, several keys' code tuples are numbered by a CodeTupleTable. Groups keep first-seen order. */
class GroupTable {
  private readonly columns: KeyColumnCodes[];
  private readonly tuples: CodeTupleTable | null;
  private codeScratch: Int32Array[] = [];
  private global = false;

  constructor(private readonly width: number) {
    this.columns = Array.from({ length: width }, () => new KeyColumnCodes());
    this.tuples = width > 1 ? new CodeTupleTable(width) : null;
  }

  get size(): number {
    if (this.tuples) return this.tuples.size;
    return this.width === 1 ? this.columns[0].size : this.global ? 1 : 0;
  }

  get keyBytes(): number {
    return (this.tuples?.bytes() ?? 0) + this.columns.reduce((s, c) => s + c.bytes(), 0);
  }

  /** The values of key column k, one per group. */
  keyColumn(k: number): unknown[] {
    const values = this.columns[k].values;
    if (!this.tuples) return values;
    const w = this.width;
    const t = this.tuples.tuples;
    const out = new Array<unknown>(this.tuples.size);
    for (let g = 0; g < out.length; g++) out[g] = values[t[g * w + k]];
    return out;
  }

  /** Group id of every row. */
  assign(cols: Col[], n: number): Int32Array {
    const ids = new Int32Array(n);
    if (this.width === 0) {
      this.global = true;
      return ids;
    }
    if (this.width === 1) {
      this.columns[0].encode(cols[0], n, ids);
      return ids;
    }
    if (this.codeScratch.length === 0 || this.codeScratch[0].length < n) this.codeScratch = this.columns.map(() => new Int32Array(n));
    const codes = this.codeScratch;
    for (let k = 0; k < this.width; k++) this.columns[k].encode(cols[k], n, codes[k]);
    this.tuples!.assign(codes, n, ids);
    return ids;
  }

  /** Group ids of date_bin(stride, ts) over the rows of `ts` (its rows `sel` when given);
   * undefined when `ts` is not plain 64-bit. */
  assignTimeBin(bin: TimeBin, ts: Col, sel: Uint32Array | null, n: number): Int32Array | undefined {
    if (!(ts.values instanceof BigInt64Array) || ts.dict) return undefined;
    const ids = new Int32Array(n);
    const key = this.columns[0];
    assignTimeBins(bin, ts.values, ts.valid, sel, ids, (v) => key.codeOfValue(v));
    return ids;
  }
}

/** Group ids of the selected rows: `rows` are rows `sel` of batch b (all of b when sel is null). */
function groupIds(table: GroupTable, spec: AggregateSpec, b: ColumnBatch, rows: ColumnBatch, sel: Uint32Array | null): Int32Array {
  const bin = spec.timeBin;
  if (bin) {
    const ids = bin.throughSelection ? table.assignTimeBin(bin.bin, bin.ts(b), sel, rows.length) : table.assignTimeBin(bin.bin, bin.ts(rows), null, rows.length);
    if (ids) return ids;
    // not plain 64-bit timestamps: the generic path, which needs the key's column gathered too
    if (bin.throughSelection && sel !== null) rows = { length: sel.length, cols: takeNeeded(b.cols, sel, null) };
  }
  return table.assign(spec.groupBy.map((g) => g(rows)), rows.length);
}

export async function* aggregateOp(input: BatchStream, spec: AggregateSpec, pool: MemoryPool, batchRows: number): BatchStream {
  const table = new GroupTable(spec.groupBy.length);
  const accs = spec.aggregates.map((a) => a.create());
  let reserved = 0;
  try {
    for await (const b of input) {
      let rows = b;
      let sel: Uint32Array | null = null;
      if (spec.filter) {
        sel = spec.filter.select(b);
        if (sel.length === 0) continue;
        if (sel.length === b.length) sel = null;
        else rows = { length: sel.length, cols: takeNeeded(b.cols, sel, spec.filter.gather) };
      }
      const n = rows.length;
      const ids = groupIds(table, spec, b, rows, sel);
      spec.aggregates.forEach((a, j) => accs[j].update(ids, a.args.map((e) => e(rows)), n, table.size));
      const now = table.keyBytes + accs.reduce((s, a) => s + a.bytes(), 0);
      pool.resize('aggregate', reserved, now);
      reserved = now;
    }
    // a global aggregate over no rows still yields one row (count = 0, sum = NULL)
    if (spec.groupBy.length === 0 && table.size === 0) table.assign([], 0);
    const n = table.size;
    const cols: Col[] = [
      ...spec.groupTypes.map((t, k) => colFromValues(t, table.keyColumn(k))),
      ...accs.map((a) => a.finish(n)),
    ];
    const out: ColumnBatch = { length: n, cols };
    yield* chunk(out, batchRows);
  } finally {
    pool.resize('aggregate', reserved, 0);
  }
}
