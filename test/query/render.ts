// Renders query results as text rows for assertions: NULL, RFC 3339 timestamps, plain numbers.
import type { RecordBatch } from 'apache-arrow';
import { colFromArrow, scalarTypeOfArrow } from '../../query/exec/arrow-io.js';
import { valueAt } from '../../query/exec/column.js';
import { valueToText } from '../../query/exec/kernels.js';
import type { ScalarType } from '../../query/plan/types.js';

/** Every result cell (value or null, with its column's engine type) mapped by `cell`, row by row. */
export function mapResultCells<T>(batches: RecordBatch[], cell: (value: unknown, type: ScalarType) => T): T[][] {
  const rows: T[][] = [];
  for (const rb of batches) {
    // columns are read by position: result names may repeat
    const types = rb.schema.fields.map((f) => scalarTypeOfArrow(f.type)!);
    const cols = types.map((t, j) => colFromArrow(rb.data.children[j], t));
    for (let i = 0; i < rb.numRows; i++) rows.push(cols.map((c, j) => cell(valueAt(c, i), types[j])));
  }
  return rows;
}

export function renderRows(batches: RecordBatch[]): string[][] {
  return mapResultCells(batches, (v, type) => {
    if (v === null) return 'NULL';
    const text = valueToText(type, v);
    return text === '' ? '(empty)' : text;
  });
}
