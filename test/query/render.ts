// Renders query results as text rows for assertions: NULL, RFC 3339 timestamps, plain numbers.
import type { RecordBatch } from 'apache-arrow';
import { colFromArrow, scalarTypeOfArrow } from '../../query/exec/arrow-io.js';
import { valueAt } from '../../query/exec/column.js';
import { valueToText } from '../../query/exec/kernels.js';

export function renderRows(batches: RecordBatch[]): string[][] {
  const rows: string[][] = [];
  for (const rb of batches) {
    // columns are read by position: result names may repeat
    const types = rb.schema.fields.map((f) => scalarTypeOfArrow(f.type)!);
    const cols = types.map((t, j) => colFromArrow(rb.data.children[j], t));
    for (let i = 0; i < rb.numRows; i++) {
      rows.push(cols.map((c, j) => {
        const v = valueAt(c, i);
        if (v === null) return 'NULL';
        const text = valueToText(types[j], v);
        return text === '' ? '(empty)' : text;
      }));
    }
  }
  return rows;
}
