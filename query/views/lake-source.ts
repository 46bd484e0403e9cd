// The tables of a Contrail lake: the OTLP telemetry views over segments and the catalog views
// processes, streams and blocks (read from the catalog at scan time).
import { Int64, Int32, TimestampNanosecond, Utf8, type RecordBatch, type Schema } from 'apache-arrow';
import { OTLP_VIEW_SCHEMAS } from '../../decoders/otlp/schemas.js';
import { asyncEventsSchema } from '../../decoders/native/schemas.js';
import type { ProcessRow, SegmentView } from '../../lake/types.js';
import { MemoryTable } from '../memory-table.js';
import { invalid } from '../errors.js';
import { SegmentViewTable, type LakeAccess, type LakeScanOptions } from './segment-view.js';
import { ThreadSpansTable } from './thread-spans.js';
import type { ScanRequest, TableProvider, TableSource, TimeRange } from '../types.js';
import { withStorageErrors } from './storage-errors.js';
import { catalogRowsOf, type CatalogRows } from './catalog-rows.js';

/** A provider whose rows are computed when scanned (catalog listings). */
class ComputedTable implements TableProvider {
  constructor(
    readonly schema: Schema,
    private readonly load: () => Promise<MemoryTable>,
  ) {}
  async *scan(req: ScanRequest): AsyncIterable<RecordBatch> {
    yield* (await this.load()).scan(req);
  }
}

const ts = () => new TimestampNanosecond('UTC');
const ms = (ns: bigint) => Number(ns / 1_000_000n); // vectorFromArray reads timestamps as ms numbers

function processesTable(rows: ProcessRow[]): MemoryTable {
  return MemoryTable.fromColumns([
    { name: 'process_id', type: new Utf8(), values: rows.map((r) => r.process_id), nullable: false },
    { name: 'exe', type: new Utf8(), values: rows.map((r) => r.exe), nullable: false },
    { name: 'username', type: new Utf8(), values: rows.map((r) => r.username), nullable: false },
    { name: 'realname', type: new Utf8(), values: rows.map((r) => r.realname), nullable: false },
    { name: 'computer', type: new Utf8(), values: rows.map((r) => r.computer), nullable: false },
    { name: 'distro', type: new Utf8(), values: rows.map((r) => r.distro), nullable: false },
    { name: 'cpu_brand', type: new Utf8(), values: rows.map((r) => r.cpu_brand), nullable: false },
    { name: 'tsc_frequency', type: new Int64(), values: rows.map((r) => r.tsc_frequency), nullable: false },
    { name: 'start_time', type: ts(), values: rows.map((r) => ms(r.start_time)), nullable: false },
    { name: 'start_ticks', type: new Int64(), values: rows.map((r) => r.start_ticks), nullable: false },
    { name: 'parent_process_id', type: new Utf8(), values: rows.map((r) => r.parent_process_id) },
    { name: 'insert_time', type: ts(), values: rows.map((r) => ms(r.insert_time)), nullable: false },
    { name: 'properties', type: new Utf8(), values: rows.map((r) => JSON.stringify(sortKeys(r.properties))), nullable: false },
  ]);
}

function catalogTables(lake: LakeAccess, known: CatalogRows): Record<string, TableProvider> {
  const processes = () => known.processesTable(lake.catalog, processesTable);
  const streams = async () => {
    const rows = await lake.catalog.listStreams();
    return MemoryTable.fromColumns([
      { name: 'stream_id', type: new Utf8(), values: rows.map((r) => r.stream_id), nullable: false },
      { name: 'process_id', type: new Utf8(), values: rows.map((r) => r.process_id), nullable: false },
      { name: 'tags', type: new Utf8(), values: rows.map((r) => JSON.stringify(r.tags)), nullable: false },
      { name: 'properties', type: new Utf8(), values: rows.map((r) => JSON.stringify(sortKeys(r.properties))), nullable: false },
      { name: 'format', type: new Utf8(), values: rows.map((r) => r.format), nullable: false },
      { name: 'insert_time', type: ts(), values: rows.map((r) => ms(r.insert_time)), nullable: false },
    ]);
  };
  const blocks = async () => {
    const rows = await lake.catalog.listBlocks();
    return MemoryTable.fromColumns([
      { name: 'block_id', type: new Utf8(), values: rows.map((r) => r.block_id), nullable: false },
      { name: 'format', type: new Utf8(), values: rows.map((r) => r.format), nullable: false },
      { name: 'payload_size', type: new Int64(), values: rows.map((r) => BigInt(r.payload_size)), nullable: false },
      { name: 'insert_time', type: ts(), values: rows.map((r) => ms(r.insert_time)), nullable: false },
      { name: 'begin_time', type: ts(), values: rows.map((r) => ms(r.begin_time)), nullable: false },
      { name: 'end_time', type: ts(), values: rows.map((r) => ms(r.end_time)), nullable: false },
      { name: 'nb_objects', type: new Int32(), values: rows.map((r) => r.nb_objects), nullable: false },
    ]);
  };
  return {
    processes: new ComputedTable(PROCESSES_SCHEMA, processes),
    streams: new ComputedTable(STREAMS_SCHEMA, streams),
    blocks: new ComputedTable(BLOCKS_SCHEMA, blocks),
  };
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// Schemas of the catalog views, known before any row is read (planning needs them).
const empty = (cols: [string, 'utf8' | 'i64' | 'i32' | 'ts', boolean?][]) =>
  MemoryTable.fromColumns(cols.map(([name, t, nullable]) => ({
    name, type: t === 'utf8' ? new Utf8() : t === 'i64' ? new Int64() : t === 'i32' ? new Int32() : ts(), values: [], nullable: nullable ?? false,
  }))).schema;

const PROCESSES_SCHEMA = empty([
  ['process_id', 'utf8'], ['exe', 'utf8'], ['username', 'utf8'], ['realname', 'utf8'], ['computer', 'utf8'], ['distro', 'utf8'],
  ['cpu_brand', 'utf8'], ['tsc_frequency', 'i64'], ['start_time', 'ts'], ['start_ticks', 'i64'], ['parent_process_id', 'utf8', true],
  ['insert_time', 'ts'], ['properties', 'utf8'],
]);
const STREAMS_SCHEMA = empty([['stream_id', 'utf8'], ['process_id', 'utf8'], ['tags', 'utf8'], ['properties', 'utf8'], ['format', 'utf8'], ['insert_time', 'ts']]);
const BLOCKS_SCHEMA = empty([
  ['block_id', 'utf8'], ['format', 'utf8'], ['payload_size', 'i64'], ['insert_time', 'ts'], ['begin_time', 'ts'], ['end_time', 'ts'], ['nb_objects', 'i32'],
]);

/** The per-process views view_instance() accepts, with their schema and time column. */
const INSTANCE_VIEWS: Partial<Record<SegmentView, [Schema, string]>> = {
  log_entries: [OTLP_VIEW_SCHEMAS.log_entries, 'time'],
  measures: [OTLP_VIEW_SCHEMAS.measures, 'time'],
  histograms: [OTLP_VIEW_SCHEMAS.histograms, 'time'],
  otel_spans: [OTLP_VIEW_SCHEMAS.otel_spans, 'start_time'],
  async_events: [asyncEventsSchema, 'time'],
};

/** `view_instance(view, id)`: thread_spans of one stream, or another view restricted to one process. */
function viewInstance(lake: LakeAccess, args: unknown[], range: TimeRange | undefined, opts: LakeScanOptions): TableProvider {
  const [view, id] = args;
  if (args.length !== 2 || typeof view !== 'string' || typeof id !== 'string') {
    throw invalid("view_instance expects a view name and an id, e.g. view_instance('thread_spans', '<stream_id>')");
  }
  if (view === 'thread_spans') return new ThreadSpansTable(id, lake, range, opts);
  const instance = Object.hasOwn(INSTANCE_VIEWS, view) ? INSTANCE_VIEWS[view as SegmentView] : undefined;
  if (!instance) throw invalid(`view_instance: unknown view ${JSON.stringify(view)} (expected thread_spans, async_events, log_entries, measures, histograms or otel_spans)`);
  return new SegmentViewTable(view as SegmentView, instance[0], instance[1], lake, { ...opts, processIds: [id] });
}

/** Every table of the lake, for QueryContext.tables. Build one per query when `opts` carries a
 * per-query warning sink; `lake.cache` is what queries share. */
export function lakeTableSource(unguarded: LakeAccess, opts: LakeScanOptions = {}): TableSource {
  const rows = unguarded.rows ?? catalogRowsOf(unguarded.catalog);
  const lake: LakeAccess = { ...withStorageErrors(unguarded), rows };
  const view = (name: SegmentView, time: string) => new SegmentViewTable(name, OTLP_VIEW_SCHEMAS[name as keyof typeof OTLP_VIEW_SCHEMAS], time, lake, opts);
  const tables: Record<string, TableProvider> = {
    log_entries: view('log_entries', 'time'),
    measures: view('measures', 'time'),
    histograms: view('histograms', 'time'),
    otel_spans: view('otel_spans', 'start_time'),
    ...catalogTables(lake, rows),
  };
  return {
    table: (name, schema) => (schema === 'public' && Object.hasOwn(tables, name) ? tables[name] : undefined),
    tableNames: () => Object.keys(tables).sort().map((name) => ({ schema: 'public', name })),
    tableFunction: (name, args, query) => (name === 'view_instance' ? Promise.resolve().then(() => viewInstance(lake, args, query?.timeRange, opts)) : undefined),
  };
}
