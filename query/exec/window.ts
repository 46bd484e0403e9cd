// Window functions: buffers its input (within the memory budget), sorts a row permutation by
// (PARTITION BY, ORDER BY) per call, and computes one result per row. Without an explicit ROWS frame
// the frame is SQL's default: with ORDER BY, the partition's rows up to the current row's last
// peer; without, the partition.
import { batchBytes, colFromValues, concatBatches, type Col, type ColumnBatch } from './column.js';
import { chunk, type BatchStream } from './operators.js';
import { compareKeys } from './sort.js';
import type { Evaluator } from './expr-eval.js';
import type { MemoryPool } from './memory.js';
import { plainValues } from '../functions/aggregates.js';
import type { GroupAccumulator } from '../functions/registry.js';
import { invalid } from '../errors.js';
import type { ScalarType } from '../plan/types.js';

export interface WindowCallSpec {
  name: string;
  args: Evaluator[];
  partitionBy: Evaluator[];
  orderBy: { eval: Evaluator; descending: boolean; nullsFirst: boolean }[];
  type: ScalarType;
  /** Aggregates: a fresh accumulator (whole-partition frames). */
  createAccumulator?: () => GroupAccumulator;
  /** Explicit ROWS frame: offsets from the current row, null = unbounded. */
  frame?: { start: number | null; end: number | null };
}

export interface WindowSpec {
  calls: WindowCallSpec[];
  inputTypes: ScalarType[];
}

/** Partition and peer boundaries of rows sorted by one call's keys. */
interface Layout {
  perm: number[];
  /** partitionStart[k]: start (in perm order) of the partition holding perm[k]. */
  partitionStart: Int32Array;
  partitionEnd: Int32Array;
  /** peerEnd[k]: one past the last row (in perm order) that ties with perm[k] on ORDER BY. */
  peerEnd: Int32Array;
  peerStart: Int32Array;
}

/** Dense partition id per row (ids in order of first appearance). */
function partitionIds(partCols: Col[], n: number): { ids: Int32Array; count: number } {
  const ids = new Int32Array(n);
  if (partCols.length === 0) return { ids, count: n > 0 ? 1 : 0 };
  const seen = new Map<unknown, number>();
  const NULL = Symbol('null');
  const idOf = (key: unknown) => {
    let id = seen.get(key);
    if (id === undefined) seen.set(key, (id = seen.size));
    return id;
  };
  if (partCols.length === 1 && partCols[0].dict) {
    // one lookup per dictionary entry, then codes
    const c = partCols[0];
    const byCode = new Int32Array(c.dict!.length).fill(-1);
    const codes = c.values as Int32Array;
    for (let i = 0; i < n; i++) {
      if (c.valid !== null && c.valid[i] === 0) ids[i] = idOf(NULL);
      else ids[i] = byCode[codes[i]] >= 0 ? byCode[codes[i]] : (byCode[codes[i]] = idOf(c.dict![codes[i]]));
    }
    return { ids, count: seen.size };
  }
  const vals = partCols.map(plainValues);
  for (let i = 0; i < n; i++) {
    let key: unknown;
    if (partCols.length === 1) key = isNull(partCols[0], i) ? NULL : vals[0][i];
    else {
      let text = '';
      for (let k = 0; k < partCols.length; k++) {
        // List values (JS arrays) compare by content; every part is length-prefixed
        const v = isNull(partCols[k], i) ? '\u0001' : JSON.stringify(vals[k][i], (_x, y) => (typeof y === 'bigint' ? `${y}n` : y));
        text += `${v.length}:${v}`;
      }
      key = text;
    }
    if (Array.isArray(key)) key = JSON.stringify(key, (_x, y) => (typeof y === 'bigint' ? `${y}n` : y));
    ids[i] = idOf(key);
  }
  return { ids, count: seen.size };
}

function layout(b: ColumnBatch, call: WindowCallSpec): Layout {
  const n = b.length;
  const partCols = call.partitionBy.map((p) => p(b));
  const orderCols = call.orderBy.map((o) => o.eval(b));
  const samePeer = compareKeys(orderCols, { keys: call.orderBy });
  // rows grouped by partition (a stable counting sort), then each partition sorted by ORDER BY;
  // partitions are independent, so their relative order does not matter
  const { ids, count } = partitionIds(partCols, n);
  const starts = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) starts[ids[i] + 1]++;
  for (let p = 0; p < count; p++) starts[p + 1] += starts[p];
  const perm = new Array<number>(n);
  const fill = starts.slice(0, count);
  for (let i = 0; i < n; i++) perm[fill[ids[i]]++] = i;
  if (orderCols.length > 0) {
    for (let p = 0; p < count; p++) {
      if (starts[p + 1] - starts[p] < 2) continue;
      const part = perm.slice(starts[p], starts[p + 1]).sort(samePeer);
      for (let j = 0; j < part.length; j++) perm[starts[p] + j] = part[j];
    }
  }
  const samePartition = (x: number, y: number) => ids[x] - ids[y];
  const partitionStart = new Int32Array(n);
  const partitionEnd = new Int32Array(n);
  const peerStart = new Int32Array(n);
  const peerEnd = new Int32Array(n);
  let p0 = 0;
  for (let k = 1; k <= n; k++) {
    if (k < n && samePartition(perm[k - 1], perm[k]) === 0) continue;
    let q0 = p0;
    for (let j = p0 + 1; j <= k; j++) {
      if (j < k && samePeer(perm[j - 1], perm[j]) === 0) continue;
      for (let r = q0; r < j; r++) {
        peerStart[r] = q0;
        peerEnd[r] = j;
      }
      q0 = j;
    }
    for (let r = p0; r < k; r++) {
      partitionStart[r] = p0;
      partitionEnd[r] = k;
    }
    p0 = k;
  }
  return { perm, partitionStart, partitionEnd, peerStart, peerEnd };
}

const isNull = (c: Col, i: number) => c.valid !== null && c.valid[i] === 0;

function constantArg(c: Col | undefined, fallback: number, what: string): number {
  if (!c || c.length === 0) return fallback;
  if (isNull(c, 0)) throw invalid(`${what} must not be NULL`);
  return Number(plainValues(c)[0]);
}

/** Result per input row (index = original row). */
function computeCall(b: ColumnBatch, call: WindowCallSpec): unknown[] {
  const n = b.length;
  const out = new Array<unknown>(n).fill(null);
  const L = layout(b, call);
  const args = call.args.map((a) => a(b));
  const { perm } = L;
  switch (call.name) {
    case 'row_number':
      for (let k = 0; k < n; k++) out[perm[k]] = BigInt(k - L.partitionStart[k] + 1);
      return out;
    case 'rank':
      for (let k = 0; k < n; k++) out[perm[k]] = BigInt(L.peerStart[k] - L.partitionStart[k] + 1);
      return out;
    case 'dense_rank': {
      let rank = 0;
      for (let k = 0; k < n; k++) {
        if (k === L.partitionStart[k]) rank = 0;
        if (k === L.peerStart[k]) rank++;
        out[perm[k]] = BigInt(rank);
      }
      return out;
    }
    case 'lag':
    case 'lead': {
      const offset = constantArg(args[1], 1, `${call.name} offset`);
      const v = plainValues(args[0]);
      const dflt = args[2];
      const dv = dflt ? plainValues(dflt) : null;
      for (let k = 0; k < n; k++) {
        const t = call.name === 'lag' ? k - offset : k + offset;
        const row = perm[k];
        if (t >= L.partitionStart[k] && t < L.partitionEnd[k]) out[row] = isNull(args[0], perm[t]) ? null : v[perm[t]];
        else out[row] = dflt && !isNull(dflt, row) ? dv![row] : null;
      }
      return out;
    }
    case 'ntile': {
      const buckets = constantArg(args[0], 1, 'ntile bucket count');
      for (let k = 0; k < n; k++) {
        const size = L.partitionEnd[k] - L.partitionStart[k];
        const i = k - L.partitionStart[k];
        // the first (size % buckets) buckets hold one row more
        const q = Math.floor(size / buckets);
        const big = (size % buckets) * (q + 1);
        out[perm[k]] = BigInt(i < big ? Math.floor(i / (q + 1)) + 1 : Math.floor((i - big) / q) + (size % buckets) + 1);
      }
      return out;
    }
    case 'percent_rank':
      for (let k = 0; k < n; k++) {
        const size = L.partitionEnd[k] - L.partitionStart[k];
        out[perm[k]] = size <= 1 ? 0 : (L.peerStart[k] - L.partitionStart[k]) / (size - 1);
      }
      return out;
    case 'cume_dist':
      for (let k = 0; k < n; k++) out[perm[k]] = (L.peerEnd[k] - L.partitionStart[k]) / (L.partitionEnd[k] - L.partitionStart[k]);
      return out;
    case 'first_value':
    case 'last_value': {
      const v = plainValues(args[0]);
      for (let k = 0; k < n; k++) {
        const [lo, hi] = call.frame ? frameOf(call.frame, L, k) : [L.partitionStart[k], (call.orderBy.length ? L.peerEnd[k] : L.partitionEnd[k]) - 1];
        if (lo > hi) continue; // an empty frame
        const src = call.name === 'first_value' ? lo : hi;
        out[perm[k]] = isNull(args[0], perm[src]) ? null : v[perm[src]];
      }
      return out;
    }
  }
  if (call.frame) {
    if (call.frame.start === null && call.frame.end === null) return wholePartition(call, args, L, n);
    return framed(call, call.frame, args, L, n);
  }
  if (call.orderBy.length === 0) return wholePartition(call, args, L, n);
  return running(call, args, L, n);
}

/** First and last row (in perm order, inclusive) of row k's ROWS frame; lo > hi when empty. */
function frameOf(frame: { start: number | null; end: number | null }, L: Layout, k: number): [number, number] {
  const lo = frame.start === null ? L.partitionStart[k] : Math.max(L.partitionStart[k], k + frame.start);
  const hi = frame.end === null ? L.partitionEnd[k] - 1 : Math.min(L.partitionEnd[k] - 1, k + frame.end);
  return [lo, hi];
}

/** count/sum/avg/min/max over a set of rows, added one at a time. */
class FrameAggregate {
  count = 0;
  acc: number | bigint | null = null;
  sum = 0;
  constructor(private readonly name: string, private readonly arg: Col | undefined, private readonly v: ArrayLike<unknown> | null) {}
  reset(): void {
    this.count = 0;
    this.acc = null;
    this.sum = 0;
  }
  add(row: number): void {
    if (this.arg && isNull(this.arg, row)) return;
    this.count++;
    if (!this.v) return;
    const x = this.v[row] as number;
    switch (this.name) {
      case 'sum': this.acc = this.acc === null ? x : (this.acc as number) + x; break;
      case 'avg': this.sum += x; break;
      case 'min': if (this.acc === null || x < (this.acc as number)) this.acc = x; break;
      case 'max': if (this.acc === null || x > (this.acc as number)) this.acc = x; break;
    }
  }
  value(): unknown {
    switch (this.name) {
      case 'count': return BigInt(this.count);
      case 'avg': return this.count ? this.sum / this.count : null;
      default: return this.acc;
    }
  }
}

/** count/sum/avg/min/max over explicit ROWS frames. A frame open at one end grows (or shrinks) by
 * whole rows as the current row moves, so it is accumulated incrementally in the direction where it
 * only grows; a frame bounded at both ends is summed row by row (frames are short in practice). */
function framed(call: WindowCallSpec, frame: { start: number | null; end: number | null }, args: Col[], L: Layout, n: number): unknown[] {
  const out = new Array<unknown>(n).fill(null);
  const a = args[0];
  const agg = new FrameAggregate(call.name, a, a ? plainValues(a) : null);
  const { perm } = L;
  if (frame.start === null || frame.end === null) {
    const forward = frame.start === null;
    for (let p = 0; p < n; p = L.partitionEnd[p]) {
      const ps = p;
      const pe = L.partitionEnd[p];
      agg.reset();
      // forward: the frame is [ps, hi] and hi never decreases; backward: [lo, pe - 1] and lo never increases
      let next = forward ? ps : pe - 1;
      for (let step = 0; step < pe - ps; step++) {
        const k = forward ? ps + step : pe - 1 - step;
        const [lo, hi] = frameOf(frame, L, k);
        if (forward) while (next <= hi) agg.add(perm[next++]);
        else while (next >= lo) agg.add(perm[next--]);
        out[perm[k]] = agg.value(); // rows outside the frame were never added (an empty frame: none)
      }
    }
    return out;
  }
  for (let k = 0; k < n; k++) {
    const [lo, hi] = frameOf(frame, L, k);
    agg.reset();
    for (let j = lo; j <= hi; j++) agg.add(perm[j]);
    out[perm[k]] = agg.value();
  }
  return out;
}

/** Any aggregate over each whole partition: one group per partition. */
function wholePartition(call: WindowCallSpec, args: Col[], L: Layout, n: number): unknown[] {
  const acc = call.createAccumulator!();
  const groups = new Int32Array(n);
  let g = -1;
  for (let k = 0; k < n; k++) {
    if (k === L.partitionStart[k]) g++;
    groups[L.perm[k]] = g;
  }
  acc.update(groups, args, n);
  const result = acc.finish(g + 1);
  const rv = plainValues(result);
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = isNull(result, groups[i]) ? null : rv[groups[i]];
  return out;
}

/** Running count/sum/avg/min/max up to the current row's last peer. */
function running(call: WindowCallSpec, args: Col[], L: Layout, n: number): unknown[] {
  const out = new Array<unknown>(n);
  const a = args[0];
  const v = a ? plainValues(a) : null;
  let count = 0;
  let acc: number | bigint | null = null;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    if (k === L.partitionStart[k]) {
      count = 0;
      acc = null;
      sum = 0;
    }
    if (k === L.peerStart[k]) {
      for (let j = k; j < L.peerEnd[k]; j++) {
        const row = L.perm[j];
        if (a && isNull(a, row)) continue;
        count++;
        if (!v) continue;
        const x = v[row] as number;
        switch (call.name) {
          case 'sum': acc = acc === null ? x : (acc as number) + x; break;
          case 'avg': sum += x; break;
          case 'min': if (acc === null || x < (acc as number)) acc = x; break;
          case 'max': if (acc === null || x > (acc as number)) acc = x; break;
        }
      }
    }
    const row = L.perm[k];
    switch (call.name) {
      case 'count': out[row] = BigInt(count); break;
      case 'avg': out[row] = count ? sum / count : null; break;
      default: out[row] = acc;
    }
  }
  return out;
}

export const RUNNING_AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max']);

export async function* windowOp(input: BatchStream, spec: WindowSpec, pool: MemoryPool, batchRows: number): BatchStream {
  const parts: ColumnBatch[] = [];
  let reserved = 0;
  try {
    for await (const b of input) {
      parts.push(b);
      const now = reserved + batchBytes(b);
      pool.resize('window', reserved, now);
      reserved = now;
    }
    const all = concatBatches(spec.inputTypes, parts);
    if (all.length === 0) return;
    const cols = [...all.cols];
    for (const call of spec.calls) {
      const values = computeCall(all, call);
      const c = colFromValues(call.type, values);
      const now = reserved + batchBytes({ length: c.length, cols: [c] });
      pool.resize('window', reserved, now);
      reserved = now;
      cols.push(c);
    }
    yield* chunk({ length: all.length, cols }, batchRows);
  } finally {
    pool.resize('window', reserved, 0);
  }
}
