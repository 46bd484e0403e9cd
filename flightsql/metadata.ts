// The Flight SQL metadata commands: exact result schemas (arrow-go schema_ref / Java
// FlightSqlProducer.Schemas, no field metadata) and their single result batch.
import { Binary, Bool, DataType, Field, Int32, List, RecordBatch, Schema, Type, Uint8, Utf8 } from 'apache-arrow';
import { batchOf } from './arrow-build.js';
import { schemaBytes } from './ipc.js';
import { SQL_INFO_SCHEMA, sqlInfoBatch } from './sql-info.js';

const utf8 = (name: string, nullable: boolean) => new Field(name, new Utf8(), nullable);
const i32 = (name: string, nullable: boolean) => new Field(name, new Int32(), nullable);
const bool = (name: string, nullable: boolean) => new Field(name, new Bool(), nullable);

export const CATALOGS_SCHEMA = new Schema([utf8('catalog_name', false)]);
export const DB_SCHEMAS_SCHEMA = new Schema([utf8('catalog_name', true), utf8('db_schema_name', false)]);
const TABLE_FIELDS = [utf8('catalog_name', true), utf8('db_schema_name', true), utf8('table_name', false), utf8('table_type', false)];
export const TABLES_SCHEMA = new Schema(TABLE_FIELDS);
export const TABLES_WITH_SCHEMA_SCHEMA = new Schema([...TABLE_FIELDS, new Field('table_schema', new Binary(), false)]);
export const TABLE_TYPES_SCHEMA = new Schema([utf8('table_type', false)]);
export const PRIMARY_KEYS_SCHEMA = new Schema([
  utf8('catalog_name', true), utf8('db_schema_name', true), utf8('table_name', false), utf8('column_name', false), i32('key_sequence', false), utf8('key_name', true),
]);
export const KEYS_SCHEMA = new Schema([
  utf8('pk_catalog_name', true), utf8('pk_db_schema_name', true), utf8('pk_table_name', false), utf8('pk_column_name', false),
  utf8('fk_catalog_name', true), utf8('fk_db_schema_name', true), utf8('fk_table_name', false), utf8('fk_column_name', false),
  i32('key_sequence', false), utf8('fk_key_name', true), utf8('pk_key_name', true),
  new Field('update_rule', new Uint8(), false), new Field('delete_rule', new Uint8(), false),
]);
export const XDBC_TYPE_INFO_SCHEMA = new Schema([
  utf8('type_name', false), i32('data_type', false), i32('column_size', true), utf8('literal_prefix', true), utf8('literal_suffix', true),
  new Field('create_params', new List(new Field('item', new Utf8(), false)), true), i32('nullable', false), bool('case_sensitive', false),
  i32('searchable', false), bool('unsigned_attribute', true), bool('fixed_prec_scale', false), bool('auto_increment', true),
  utf8('local_type_name', true), i32('minimum_scale', true), i32('maximum_scale', true), i32('sql_data_type', false),
  i32('datetime_subcode', true), i32('num_prec_radix', true), i32('interval_precision', true),
]);

export const METADATA_COMMANDS = [
  'CommandGetCatalogs', 'CommandGetDbSchemas', 'CommandGetTables', 'CommandGetTableTypes', 'CommandGetSqlInfo', 'CommandGetXdbcTypeInfo',
  'CommandGetPrimaryKeys', 'CommandGetExportedKeys', 'CommandGetImportedKeys', 'CommandGetCrossReference',
] as const;
export type MetadataCommand = (typeof METADATA_COMMANDS)[number];

export function isMetadataCommand(name: string): name is MetadataCommand {
  return (METADATA_COMMANDS as readonly string[]).includes(name);
}

/** Where the metadata comes from: the tables and their default wire schemas. */
export interface MetadataSource {
  tableNames(): { schema: string; name: string }[];
  /** The schema `SELECT * FROM schema.name` returns with default headers. */
  tableSchema(schema: string, name: string): Promise<Schema>;
  serverVersion: string;
}

/** The fixed result schema of a metadata command. */
export function metadataSchema(name: MetadataCommand, cmd: Record<string, unknown>): Schema {
  switch (name) {
    case 'CommandGetCatalogs':
      return CATALOGS_SCHEMA;
    case 'CommandGetDbSchemas':
      return DB_SCHEMAS_SCHEMA;
    case 'CommandGetTables':
      return cmd.include_schema ? TABLES_WITH_SCHEMA_SCHEMA : TABLES_SCHEMA;
    case 'CommandGetTableTypes':
      return TABLE_TYPES_SCHEMA;
    case 'CommandGetSqlInfo':
      return SQL_INFO_SCHEMA;
    case 'CommandGetXdbcTypeInfo':
      return XDBC_TYPE_INFO_SCHEMA;
    case 'CommandGetPrimaryKeys':
      return PRIMARY_KEYS_SCHEMA;
    default:
      return KEYS_SCHEMA;
  }
}

/** SQL LIKE with `%`, `_` and `\` escapes; absent = match all; "" matches only "". */
export function likeMatcher(pattern: string | undefined): (s: string) => boolean {
  if (pattern === undefined) return () => true;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]);
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += escapeRe(c);
  }
  const rx = new RegExp(`^${re}$`);
  return (s) => rx.test(s);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `catalog` filter: absent → all, "" → Contrail's (null-catalog) objects, anything else → none. */
function catalogMatches(catalog: unknown): boolean {
  return catalog === undefined || catalog === null || catalog === '';
}

const tableType = (schema: string) => (schema === 'information_schema' ? 'VIEW' : 'TABLE');

function typeMatcher(types: unknown): (t: string) => boolean {
  const list = Array.isArray(types) ? (types as string[]) : [];
  if (list.length === 0) return () => true;
  const wanted = new Set(list.map((t) => t.trim().toUpperCase()).map((t) => (t === 'BASE TABLE' ? 'TABLE' : t)));
  return (t) => wanted.has(t);
}

const XDBC_ROWS: unknown[][] = [
  // type_name, data_type, column_size, prefix, suffix, case_sensitive, searchable, unsigned, min_scale, max_scale, sql_data_type, subcode, radix
  ['BOOLEAN', -7, 1, null, null, false, 2, null, null, null, -7, null, null],
  ['BIGINT', -5, 19, null, null, false, 2, false, null, null, -5, null, 10],
  ['INTEGER', 4, 10, null, null, false, 2, false, null, null, 4, null, 10],
  ['DOUBLE', 8, 53, null, null, false, 2, false, null, null, 8, null, 2],
  ['VARCHAR', 12, null, "'", "'", true, 3, null, null, null, 12, null, null],
  ['TIMESTAMP', 93, 35, "TIMESTAMP '", "'", false, 2, null, 0, 9, 9, 3, null],
];

function xdbcBatch(dataType: unknown): RecordBatch {
  const rows = XDBC_ROWS.filter((r) => typeof dataType !== 'number' || r[1] === dataType).sort((a, b) => (a[1] as number) - (b[1] as number) || String(a[0]).localeCompare(String(b[0])));
  const col = (i: number) => rows.map((r) => r[i]);
  const n = rows.length;
  const fill = (v: unknown) => rows.map(() => v);
  return batchOf(XDBC_TYPE_INFO_SCHEMA, [
    col(0), col(1), col(2), col(3), col(4), fill(null), fill(1), col(5), col(6), col(7), fill(false), fill(null), fill(null),
    col(8), col(9), col(10), col(11), col(12), Array.from({ length: n }, () => null),
  ]);
}

/** ARROW:FLIGHT:SQL:* field metadata for GetTables' table_schema (used by JDBC getColumns). */
export function withColumnMetadata(schema: Schema): Schema {
  return new Schema(
    schema.fields.map((f) => {
      const md = new Map<string, string>([
        ['ARROW:FLIGHT:SQL:TYPE_NAME', sqlTypeName(f.type)],
        ['ARROW:FLIGHT:SQL:IS_READ_ONLY', '1'],
        ['ARROW:FLIGHT:SQL:IS_SEARCHABLE', '1'],
        ['ARROW:FLIGHT:SQL:IS_AUTO_INCREMENT', '0'],
        ['ARROW:FLIGHT:SQL:IS_CASE_SENSITIVE', isString(f.type) ? '1' : '0'],
      ]);
      return new Field(f.name, f.type, f.nullable, md);
    }),
  );
}

function isString(t: DataType): boolean {
  return t.typeId === Type.Utf8 || t.typeId === Type.LargeUtf8 || (DataType.isDictionary(t) && isString(t.dictionary));
}

export function sqlTypeName(t: DataType): string {
  if (DataType.isDictionary(t)) return sqlTypeName(t.dictionary);
  switch (t.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'VARCHAR';
    case Type.Int:
      return (t as unknown as { bitWidth: number }).bitWidth === 64 ? 'BIGINT' : 'INTEGER';
    case Type.Float:
      return 'DOUBLE';
    case Type.Bool:
      return 'BOOLEAN';
    case Type.Timestamp:
      return 'TIMESTAMP';
    case Type.Interval:
    case Type.Duration:
      return 'INTERVAL';
    case Type.List:
      return 'ARRAY';
    default:
      return 'OTHER';
  }
}

/** The one result batch of a metadata command. */
export async function metadataBatch(name: MetadataCommand, cmd: Record<string, unknown>, src: MetadataSource): Promise<RecordBatch> {
  switch (name) {
    case 'CommandGetCatalogs':
      return batchOf(CATALOGS_SCHEMA, [[]]);
    case 'CommandGetDbSchemas': {
      const like = likeMatcher(cmd.db_schema_filter_pattern as string | undefined);
      const schemas = catalogMatches(cmd.catalog) ? ['information_schema', 'public'].filter(like) : [];
      return batchOf(DB_SCHEMAS_SCHEMA, [schemas.map(() => null), schemas]);
    }
    case 'CommandGetTables': {
      const schemaLike = likeMatcher(cmd.db_schema_filter_pattern as string | undefined);
      const tableLike = likeMatcher(cmd.table_name_filter_pattern as string | undefined);
      const typeOk = typeMatcher(cmd.table_types);
      const rows = catalogMatches(cmd.catalog)
        ? src.tableNames().filter((t) => schemaLike(t.schema) && tableLike(t.name) && typeOk(tableType(t.schema)))
        : [];
      rows.sort((a, b) => (a.schema < b.schema ? -1 : a.schema > b.schema ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const cols: unknown[][] = [rows.map(() => null), rows.map((r) => r.schema), rows.map((r) => r.name), rows.map((r) => tableType(r.schema))];
      if (!cmd.include_schema) return batchOf(TABLES_SCHEMA, cols);
      const schemas = await Promise.all(rows.map(async (r) => schemaBytes(withColumnMetadata(await src.tableSchema(r.schema, r.name)))));
      return batchOf(TABLES_WITH_SCHEMA_SCHEMA, [...cols, schemas.map((b) => new Uint8Array(b))]);
    }
    case 'CommandGetTableTypes':
      return batchOf(TABLE_TYPES_SCHEMA, [['TABLE', 'VIEW']]);
    case 'CommandGetSqlInfo':
      return sqlInfoBatch(((cmd.info as number[] | undefined) ?? []).map(Number), src.serverVersion);
    case 'CommandGetXdbcTypeInfo':
      return xdbcBatch(cmd.data_type);
    case 'CommandGetPrimaryKeys':
      return batchOf(PRIMARY_KEYS_SCHEMA, PRIMARY_KEYS_SCHEMA.fields.map(() => []));
    default:
      return batchOf(KEYS_SCHEMA, KEYS_SCHEMA.fields.map(() => []));
  }
}
