// Hash aggregation: group keys (dictionary codes map once per batch dictionary) → dense group ids,
// then columnar accumulators per aggregate. State is counted against the query's memory budget.
import { colFromValues, valueAt, type Col, type ColumnBatch } from './column.js';
import { chunk, takeNeeded, type BatchStream } from './operators.js';
import type { Selector } from './select-direct.js';
import { isWordKey, wordsOf } from './numeric-cast.js';
import type { Evaluator } from './expr-eval.js';
import type { MemoryPool } from './memory.js';
import type { GroupAccumulator } from '../functions/registry.js';
import type { ScalarType } from '../plan/types.js';
import { assignTimeBins, type TimeBin } from './time-bin-key.js';

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

const NULL_KEY = Symbol('null');

class GroupTable {
  readonly keys: unknown[][];
  private readonly single = new Map<unknown, number>();
  private readonly composite = new Map<string, number>();
  size = 0;
  keyBytes = 0;

  constructor(private readonly width: number) {
    this.keys = Array.from({ length: width }, () => []);
  }

  private add(values: unknown[]): number {
    const id = this.size++;
    for (let k = 0; k < this.width; k++) this.keys[k].push(values[k]);
    this.keyBytes += 16 + this.width * 24;
    return id;
  }

  /** Group id of every row. */
  assign(cols: Col[], n: number): Int32Array {
    const ids = new Int32Array(n);
    if (this.width === 0) {
      if (this.size === 0) this.add([]);
      return ids;
    }
    if (this.width === 1) {
      const c = cols[0];
      if (c.dict) return this.assignCodes(c, c.dict, n, ids);
      if (isWordKey(c)) return this.assignRuns(c, n, ids);
      for (let i = 0; i < n; i++) {
        const v = valueAt(c, i);
        ids[i] = this.lookup(v === null ? NULL_KEY : v, v);
      }
      return ids;
    }
    const row = new Array<unknown>(this.width);
    for (let i = 0; i < n; i++) {
      let key = '';
      for (let k = 0; k < this.width; k++) {
        const v = valueAt(cols[k], i);
        row[k] = v;
        key += v === null ? '\u0001' : `${typeof v === 'string' ? 's' : 'v'}${String(v).length}:${String(v)}`;
      }
      let g = this.composite.get(key);
      if (g === undefined) {
        g = this.add(row);
        this.composite.set(key, g);
      }
      ids[i] = g;
    }
    return ids;
  }

  /** A dictionary key: each entry is resolved once (on its first row, so groups keep first-seen
   * order), then rows map codes. */
  private assignCodes(c: Col, dict: string[], n: number, ids: Int32Array): Int32Array {
    const codes = c.values as Int32Array;
    const valid = c.valid;
    if (n > 0 && dict.length === 1 && valid === null) return ids.fill(this.lookup(dict[0], dict[0])); // e.g. a segment's exe
    const byCode = new Int32Array(dict.length).fill(-1);
    let nullGroup = -1;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) {
        ids[i] = nullGroup >= 0 ? nullGroup : (nullGroup = this.lookup(NULL_KEY, null));
        continue;
      }
      const code = codes[i];
      let g = byCode[code];
      if (g < 0) g = byCode[code] = this.lookup(dict[code], dict[code]);
      ids[i] = g;
    }
    return ids;
  }

  /** Group ids of date_bin(stride, ts) over the rows of `ts` (its rows `sel` when given);
   * undefined when `ts` is not plain 64-bit. */
  assignTimeBin(bin: TimeBin, ts: Col, sel: Uint32Array | null, n: number): Int32Array | undefined {
    if (!(ts.values instanceof BigInt64Array) || ts.dict) return undefined;
    const ids = new Int32Array(n);
    assignTimeBins(bin, ts.values, ts.valid, sel, ids, (v) => (v === null ? this.lookup(NULL_KEY, null) : this.lookup(v, v)));
    return ids;
  }

  /** 64-bit keys (time bins) come in runs: reuse the previous row's group while the words match,
   * so the Map (and a BigInt) is touched once per run rather than once per row. */
  private assignRuns(c: Col, n: number, ids: Int32Array): Int32Array {
    const w = wordsOf(c.values as BigInt64Array);
    const valid = c.valid;
    let prevLo = 0;
    let prevHi = 0;
    let prevGroup = -1;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) {
        ids[i] = this.lookup(NULL_KEY, null);
        continue;
      }
      const lo = w[2 * i];
      const hi = w[2 * i + 1];
      if (prevGroup < 0 || lo !== prevLo || hi !== prevHi) {
        const v = (c.values as BigInt64Array)[i];
        prevGroup = this.lookup(v, v);
        prevLo = lo;
        prevHi = hi;
      }
      ids[i] = prevGroup;
    }
    return ids;
  }

  private lookup(key: unknown, value: unknown): number {
    let g = this.single.get(key);
    if (g === undefined) {
      g = this.add([value]);
      this.single.set(key, g);
    }
    return g;
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
      spec.aggregates.forEach((a, j) => accs[j].update(ids, a.args.map((e) => e(rows)), n));
      const now = table.keyBytes + accs.reduce((s, a) => s + a.bytes(), 0);
      pool.resize('aggregate', reserved, now);
      reserved = now;
    }
    // a global aggregate over no rows still yields one row (count = 0, sum = NULL)
    if (spec.groupBy.length === 0 && table.size === 0) table.assign([], 0);
    const n = table.size;
    const cols: Col[] = [
      ...spec.groupTypes.map((t, k) => colFromValues(t, table.keys[k])),
      ...accs.map((a) => a.finish(n)),
    ];
    const out: ColumnBatch = { length: n, cols };
    yield* chunk(out, batchRows);
  } finally {
    pool.resize('aggregate', reserved, 0);
  }
}
