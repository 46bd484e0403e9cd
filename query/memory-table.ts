// A TableProvider over record batches held in memory: the engine's test double for views, and the
// backing of small metadata tables.
import { RecordBatch, Schema, vectorFromArray, type DataType, Field, Struct, makeData } from 'apache-arrow';
import type { ScanRequest, TableProvider } from './types.js';

export class MemoryTable implements TableProvider {
  /** Scans the last request seen, for tests of pushdown. */
  lastScan: ScanRequest | undefined;
  /** Batches handed out by the last scan (LIMIT pushdown stops early). */
  batchesRead = 0;

  constructor(
    readonly schema: Schema,
    readonly batches: RecordBatch[],
    readonly timeColumn?: string,
  ) {}

  /** A table from column arrays with explicit Arrow types, cut into batches of `batchRows`. */
  static fromColumns(columns: { name: string; type: DataType; values: unknown[]; nullable?: boolean }[], opts: { batchRows?: number; timeColumn?: string } = {}): MemoryTable {
    const schema = new Schema(columns.map((c) => new Field(c.name, c.type, c.nullable ?? true)));
    const n = columns[0]?.values.length ?? 0;
    const size = Math.max(1, opts.batchRows ?? Math.max(n, 1));
    const batches: RecordBatch[] = [];
    for (let at = 0; at < n; at += size) {
      const end = Math.min(n, at + size);
      const children = columns.map((c) => vectorFromArray(c.values.slice(at, end), c.type).data[0]);
      batches.push(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: end - at, nullCount: 0, children })));
    }
    return new MemoryTable(schema, batches, opts.timeColumn);
  }

  async *scan(req: ScanRequest): AsyncIterable<RecordBatch> {
    this.lastScan = req;
    this.batchesRead = 0;
    let rows = 0;
    for (const b of this.batches) {
      if (req.signal?.aborted) return;
      if (req.limit !== undefined && rows >= req.limit) return;
      this.batchesRead++;
      rows += b.numRows;
      yield req.projection === null ? b : project(b, req.projection);
    }
  }
}


/** The named columns of a batch, in that order (RecordBatch.select loses buffers in Arrow 21). */
export function project(b: RecordBatch, names: string[]): RecordBatch {
  const idx = names.map((n) => {
    const i = b.schema.fields.findIndex((f) => f.name === n);
    if (i < 0) throw new Error(`no column ${n}`);
    return i;
  });
  const schema = new Schema(idx.map((i) => b.schema.fields[i]));
  const children = idx.map((i) => b.data.children[i]);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: b.numRows, nullCount: 0, children }));
}
