// information_schema.tables / .columns over a TableSource, as in PostgreSQL (no catalog: NULL).
import { Utf8, Int32 } from 'apache-arrow';
import { MemoryTable } from '../memory-table.js';
import type { TableProvider, TableSource } from '../types.js';
import { scalarTypeOfArrow } from '../exec/arrow-io.js';
import { typeName } from '../plan/types.js';

function tablesTable(source: TableSource): MemoryTable {
  const names = allNames(source);
  return MemoryTable.fromColumns([
    { name: 'table_catalog', type: new Utf8(), values: names.map(() => null) },
    { name: 'table_schema', type: new Utf8(), values: names.map((n) => n.schema), nullable: false },
    { name: 'table_name', type: new Utf8(), values: names.map((n) => n.name), nullable: false },
    { name: 'table_type', type: new Utf8(), values: names.map((n) => (n.schema === 'information_schema' ? 'VIEW' : 'BASE TABLE')), nullable: false },
  ]);
}

function allNames(source: TableSource): { schema: string; name: string }[] {
  return [
    ...source.tableNames(),
    { schema: 'information_schema', name: 'columns' },
    { schema: 'information_schema', name: 'tables' },
  ].sort((a, b) => (a.schema + '.' + a.name < b.schema + '.' + b.name ? -1 : 1));
}

function columnsTable(source: TableSource): MemoryTable {
  const rows: { schema: string; table: string; column: string; position: number; type: string; nullable: string }[] = [];
  for (const n of allNames(source)) {
    const provider = n.schema === 'information_schema' ? undefined : source.table(n.name, n.schema);
    provider?.schema.fields.forEach((f, i) => {
      const t = scalarTypeOfArrow(f.type);
      rows.push({ schema: n.schema, table: n.name, column: f.name, position: i + 1, type: t ? typeName(t) : String(f.type), nullable: f.nullable ? 'YES' : 'NO' });
    });
  }
  return MemoryTable.fromColumns([
    { name: 'table_catalog', type: new Utf8(), values: rows.map(() => null) },
    { name: 'table_schema', type: new Utf8(), values: rows.map((r) => r.schema), nullable: false },
    { name: 'table_name', type: new Utf8(), values: rows.map((r) => r.table), nullable: false },
    { name: 'column_name', type: new Utf8(), values: rows.map((r) => r.column), nullable: false },
    { name: 'ordinal_position', type: new Int32(), values: rows.map((r) => r.position), nullable: false },
    { name: 'data_type', type: new Utf8(), values: rows.map((r) => r.type), nullable: false },
    { name: 'is_nullable', type: new Utf8(), values: rows.map((r) => r.nullable), nullable: false },
  ]);
}

/** The source plus its information_schema tables. */
export function withInformationSchema(source: TableSource): TableSource {
  return {
    table(name: string, schema: string): TableProvider | undefined {
      if (schema === 'information_schema') {
        if (name === 'tables') return tablesTable(source);
        if (name === 'columns') return columnsTable(source);
        return undefined;
      }
      return source.table(name, schema);
    },
    tableNames: () => allNames(source),
    tableFunction: source.tableFunction?.bind(source),
  };
}

/** A TableSource over named in-memory (or any) providers in schema `public`. */
export function tableSourceOf(tables: Record<string, TableProvider>): TableSource {
  return {
    table: (name, schema) => (schema === 'public' && Object.hasOwn(tables, name) ? tables[name] : undefined),
    tableNames: () => Object.keys(tables).map((name) => ({ schema: 'public', name })),
  };
}
