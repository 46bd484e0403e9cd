// Process rows remembered across queries. A process row never changes once inserted (the catalogs
// insert-or-ignore and never update or delete one), so a found row can be reused by every later
// query; a process not registered yet is asked again next time. The `processes` table is rebuilt
// only when the catalog's list of processes differs from the one it was built from.
import type { Catalog, ProcessRow } from '../../lake/types.js';
import type { MemoryTable } from '../memory-table.js';

/** Beyond this many remembered rows the oldest are forgotten (a server may see many processes). */
const MAX_PROCESS_ROWS = 100_000;

export class CatalogRows {
  private readonly processes = new Map<string, ProcessRow>();
  private processTable: { ids: string[]; table: MemoryTable } | undefined;

  /** A row already read, without asking the catalog. */
  knownProcess(id: string): ProcessRow | undefined {
    return this.processes.get(id);
  }

  async process(catalog: Catalog, id: string): Promise<ProcessRow | undefined> {
    const known = this.processes.get(id);
    if (known) return known;
    const row = await catalog.getProcess(id);
    if (row) this.remember(row);
    return row;
  }

  /** The `processes` table over the catalog's current list, built by `build` when the list changed. */
  async processesTable(catalog: Catalog, build: (rows: ProcessRow[]) => MemoryTable): Promise<MemoryTable> {
    const rows = await catalog.listProcesses();
    const cached = this.processTable;
    if (cached && cached.ids.length === rows.length && rows.every((r, i) => r.process_id === cached.ids[i])) return cached.table;
    const table = build(rows);
    this.processTable = { ids: rows.map((r) => r.process_id), table };
    for (const r of rows) if (this.processes.size < MAX_PROCESS_ROWS) this.processes.set(r.process_id, r);
    return table;
  }

  private remember(row: ProcessRow): void {
    if (this.processes.size >= MAX_PROCESS_ROWS) this.processes.delete(this.processes.keys().next().value!);
    this.processes.set(row.process_id, row);
  }
}

const byCatalog = new WeakMap<Catalog, CatalogRows>();

/** The rows remembered for one catalog (shared by every table source over it). */
export function catalogRowsOf(catalog: Catalog): CatalogRows {
  let rows = byCatalog.get(catalog);
  if (!rows) byCatalog.set(catalog, (rows = new CatalogRows()));
  return rows;
}
