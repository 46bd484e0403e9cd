// Hash join: the right (build) input is buffered and hashed on its key columns, the left (probe)
// input is streamed. A NULL key never matches. LEFT joins emit probe rows that found no match with
// NULLs on the build side; FULL joins also emit, after the probe side, the build rows no probe row
// matched, with NULLs on the probe side. The build side is counted against the query's memory budget.
import { allocValues, batchBytes, constantCol, stringsOf, unusedCol, concatBatches, take, withValid, type Col, type ColumnBatch } from './column.js';
import { chunk, type BatchStream } from './operators.js';
import { selection } from './kernels.js';
import { plainValues } from '../functions/aggregates.js';
import type { Evaluator } from './expr-eval.js';
import type { Selector } from './select-direct.js';
import type { MemoryPool } from './memory.js';
import type { JoinType } from '../plan/logical.js';
import type { ScalarType } from '../plan/types.js';

export interface HashJoinSpec {
  joinType: JoinType;
  leftKeys: Evaluator[];
  rightKeys: Evaluator[];
  /** Evaluated on joined rows (left columns then right columns). */
  residual: Evaluator | null;
  rightTypes: ScalarType[];
  /** Probe column types: FULL joins emit NULL probe columns for unmatched build rows. */
  leftTypes?: ScalarType[];
  /** Joined columns (left then right) the consumer reads; null = all. Others are not gathered. */
  needed: readonly boolean[] | null;
  /** Inner joins: the probe side's filter, applied here so the probe rows are gathered once, by
   * the join, rather than by the filter and again by the join. */
  probeFilter: Selector | null;
}

/** Row key → first build row; `next` chains rows with the same key. */
class BuildTable {
  private readonly first = new Map<unknown, number>();
  readonly next: Int32Array;

  constructor(keyCols: Col[], n: number) {
    this.next = new Int32Array(n).fill(-1);
    const keys = keyOfRows(keyCols, n);
    // insert backwards so chains list rows in input order
    for (let i = n - 1; i >= 0; i--) {
      const k = keys[i];
      if (k === undefined) continue;
      const head = this.first.get(k);
      if (head !== undefined) this.next[i] = head;
      this.first.set(k, i);
    }
  }

  head(key: unknown): number {
    return this.first.get(key) ?? -1;
  }

  get bytes(): number {
    return this.first.size * 48 + this.next.byteLength;
  }
}

/** One hashable key per row (undefined where any key is NULL); composite keys become strings. */
function keyOfRows(keyCols: Col[], n: number): unknown[] {
  const out = new Array<unknown>(n);
  if (keyCols.length === 0) return out.fill(0);
  const vals = keyCols.map(plainValues);
  if (keyCols.length === 1) {
    const c = keyCols[0];
    const v = vals[0];
    for (let i = 0; i < n; i++) out[i] = c.valid !== null && c.valid[i] === 0 ? undefined : v[i];
    return out;
  }
  for (let i = 0; i < n; i++) {
    let key = '';
    for (let k = 0; k < keyCols.length; k++) {
      const c = keyCols[k];
      if (c.valid !== null && c.valid[i] === 0) {
        key = undefined as unknown as string;
        break;
      }
      const s = String(vals[k][i]);
      key += `${s.length}:${s}`;
    }
    out[i] = key;
  }
  return out;
}

/** First matching build row of every probe row, or of the rows `sel` when given (-1: none or NULL
 * key). A dictionary key is looked up once per entry and then mapped by code, instead of
 * materialising a string per row. */
function probeHeads(table: BuildTable, keyCols: Col[], n: number, sel: Uint32Array | null): Int32Array {
  const rows = sel === null ? n : sel.length;
  const heads = new Int32Array(rows);
  const c = keyCols[0];
  if (keyCols.length === 1 && c.dict) {
    const byCode = Int32Array.from(c.dict, (s) => table.head(s));
    const valid = c.valid;
    // a one-entry dictionary without NULLs (e.g. a segment's process_id): one head for every row
    if (byCode.length === 1 && valid === null) return heads.fill(byCode[0]);
    const codes = c.values as Int32Array;
    for (let r = 0; r < rows; r++) {
      const i = sel === null ? r : sel[r];
      heads[r] = valid !== null && valid[i] === 0 ? -1 : byCode[codes[i]];
    }
    return heads;
  }
  const keys = keyOfRows(keyCols, n);
  for (let r = 0; r < rows; r++) {
    const k = keys[sel === null ? r : sel[r]];
    heads[r] = k === undefined ? -1 : table.head(k);
  }
  return heads;
}

/** Plain text build columns as dictionaries with one entry per row, decoded once: the probe side
 * repeats build rows, so each joined row then carries a code (and a group-by over it resolves
 * every distinct entry once) instead of a string. */
function withRowDictionaries(build: ColumnBatch): ColumnBatch {
  const n = build.length;
  if (n === 0 || !build.cols.some((c) => c.type === 'utf8' && !c.dict)) return build;
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = i;
  return {
    length: n,
    cols: build.cols.map((c) => (c.type === 'utf8' && !c.dict ? { type: 'utf8', length: n, values: codes, dict: stringsOf(c), valid: c.valid } : c)),
  };
}

/** Rows `indices` of c where -1 means NULL. */
function takeOrNull(c: Col, indices: Int32Array): Col {
  const n = indices.length;
  const valid = new Uint8Array(n);
  const safe = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = indices[i];
    if (j >= 0) {
      safe[i] = j;
      valid[i] = c.valid === null ? 1 : c.valid[j];
    }
  }
  const t = c.length === 0 ? { ...c, values: c.dict ? new Int32Array(n) : allocValues(c.type, n), dict: c.dict ? [''] : undefined, length: n } : take(c, safe);
  return withValid(t, valid);
}

class PairBuffer {
  left: Int32Array;
  right: Int32Array;
  length = 0;
  /** Sized for one match per probe row, the common case of a join on a unique build key. */
  constructor(capacity: number) {
    this.left = new Int32Array(Math.max(16, capacity));
    this.right = new Int32Array(this.left.length);
  }
  push(l: number, r: number): void {
    if (this.length === this.left.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.left = grow(this.left);
      this.right = grow(this.right);
    }
    this.left[this.length] = l;
    this.right[this.length++] = r;
  }
}

function joined(probe: ColumnBatch, build: ColumnBatch, li: Int32Array, ri: Int32Array, nullable: boolean, needed: readonly boolean[] | null): ColumnBatch {
  const n = li.length;
  const width = probe.cols.length;
  const skip = (k: number) => needed !== null && !needed[k];
  return {
    length: n,
    cols: [
      ...probe.cols.map((c, k) => (skip(k) ? unusedCol(c.type, n) : take(c, li))),
      ...build.cols.map((c, k) => (skip(width + k) ? unusedCol(c.type, n) : nullable ? takeOrNull(c, ri) : take(c, ri))),
    ],
  };
}

export async function* hashJoinOp(left: BatchStream, right: BatchStream, spec: HashJoinSpec, pool: MemoryPool, batchRows: number): BatchStream {
  let reserved = 0;
  const reserve = (bytes: number) => {
    pool.resize('join build side', reserved, bytes);
    reserved = bytes;
  };
  try {
    const parts: ColumnBatch[] = [];
    let bytes = 0;
    for await (const b of right) {
      parts.push(b);
      bytes += batchBytes(b);
      reserve(bytes);
    }
    const build = withRowDictionaries(concatBatches(spec.rightTypes, parts));
    parts.length = 0;
    const table = new BuildTable(spec.rightKeys.map((k) => k(build)), build.length);
    reserve(batchBytes(build) + table.bytes);
    const isFull = spec.joinType === 'full';
    const isLeft = spec.joinType === 'left' || isFull;
    if (isLeft && spec.probeFilter !== null) throw new Error('a probe-side filter is only fused into inner joins');
    if (build.length === 0 && !isLeft) return;
    const buildMatched = isFull ? new Uint8Array(build.length) : null;
    for await (const probe of left) {
      const sel = spec.probeFilter === null ? null : spec.probeFilter(probe);
      if (sel !== null && sel.length === 0) continue;
      const heads = probeHeads(table, spec.leftKeys.map((k) => k(probe)), probe.length, sel);
      const pairs = new PairBuffer(heads.length);
      for (let r = 0; r < heads.length; r++) {
        const i = sel === null ? r : sel[r];
        for (let j = heads[r]; j >= 0; j = table.next[j]) pairs.push(i, j);
      }
      let li = pairs.left.subarray(0, pairs.length);
      let ri = pairs.right.subarray(0, pairs.length);
      let out = joined(probe, build, li, ri, false, spec.needed);
      if (spec.residual && out.length > 0) {
        const sel = selection(spec.residual(out));
        if (sel.length < out.length) {
          li = Int32Array.from(sel, (s) => li[s]);
          ri = Int32Array.from(sel, (s) => ri[s]);
          out = { length: sel.length, cols: out.cols.map((c) => take(c, sel)) };
        }
      }
      if (buildMatched !== null) for (let p = 0; p < ri.length; p++) buildMatched[ri[p]] = 1;
      if (isLeft) {
        const matched = new Uint8Array(probe.length);
        for (let p = 0; p < li.length; p++) matched[li[p]] = 1;
        const unmatched: number[] = [];
        for (let i = 0; i < probe.length; i++) if (matched[i] === 0) unmatched.push(i);
        if (unmatched.length > 0) {
          // keep probe order: merge matched pairs and unmatched rows by probe index
          const allL = new Int32Array(li.length + unmatched.length);
          const allR = new Int32Array(allL.length);
          let a = 0;
          let u = 0;
          for (let o = 0; o < allL.length; o++) {
            if (u < unmatched.length && (a >= li.length || unmatched[u] < li[a])) {
              allL[o] = unmatched[u++];
              allR[o] = -1;
            } else {
              allL[o] = li[a];
              allR[o] = ri[a++];
            }
          }
          out = joined(probe, build, allL, allR, true, spec.needed);
        }
      }
      yield* chunk(out, batchRows);
    }
    if (buildMatched !== null) yield* chunk(unmatchedBuildRows(build, buildMatched, spec), batchRows);
  } finally {
    pool.resize('join build side', reserved, 0);
  }
}

/** FULL joins: the build rows no probe row matched, with NULL probe columns. */
function unmatchedBuildRows(build: ColumnBatch, matched: Uint8Array, spec: HashJoinSpec): ColumnBatch {
  const rows: number[] = [];
  for (let j = 0; j < build.length; j++) if (matched[j] === 0) rows.push(j);
  const n = rows.length;
  const leftTypes = spec.leftTypes;
  if (!leftTypes) throw new Error('a FULL join needs its probe column types');
  const width = leftTypes.length;
  const skip = (k: number) => spec.needed !== null && !spec.needed[k];
  const ri = Int32Array.from(rows);
  return {
    length: n,
    cols: [
      ...leftTypes.map((t, k) => (skip(k) ? unusedCol(t, n) : constantCol(t, null, n))),
      ...build.cols.map((c, k) => (skip(width + k) ? unusedCol(c.type, n) : take(c, ri))),
    ],
  };
}
