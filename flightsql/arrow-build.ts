// Small builders for the fixed-schema metadata results: one record batch from column arrays.
import { RecordBatch, Schema, Struct, makeData, vectorFromArray, type Data } from 'apache-arrow';

/** One batch with `schema` whose column i holds `columns[i]` (a prebuilt Data or plain values). */
export function batchOf(schema: Schema, columns: (unknown[] | Data)[]): RecordBatch {
  const length = columns.length === 0 ? 0 : Array.isArray(columns[0]) ? columns[0].length : columns[0].length;
  const children = schema.fields.map((f, i) => {
    const c = columns[i];
    return Array.isArray(c) ? vectorFromArray(c, f.type).data[0] : c;
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}
