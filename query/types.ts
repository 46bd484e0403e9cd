// Contracts between the engine and what it reads: table providers (views, catalog tables, test
// tables), the per-query context, and the memory budget.
import type { RecordBatch, Schema } from 'apache-arrow';
import type { Catalog } from '../lake/types.js';
import type { Expr } from './plan/expr.js';

/** Inclusive bounds in Unix ns; omitted = unbounded. */
export interface TimeRange {
  begin?: bigint;
  end?: bigint;
}

export interface ScanRequest {
  /** Column names to produce, in this order; null = every column. */
  projection: string[] | null;
  /** Pushed-down conjuncts the provider MAY use to skip data; the engine still applies them above the
   * scan. Column references carry the provider's column `name`. */
  filters: Expr[];
  /** Rows the engine will read at most (a hint: stop decoding once this many rows are out). */
  limit?: number;
  /** Bounds on the provider's time column, derived from the filters and the query range. */
  timeRange?: TimeRange;
  signal?: AbortSignal;
}

export interface TableProvider {
  readonly schema: Schema;
  /** The column query_range_begin/end bound and time predicates prune by (`time`, `start_time`). */
  readonly timeColumn?: string;
  scan(req: ScanRequest): AsyncIterable<RecordBatch>;
  /** One line for EXPLAIN after a scan (e.g. segments kept / pruned); optional. */
  describeScan?(req: ScanRequest): Promise<string>;
}

/** Where table names resolve. Names arrive already case-folded (unquoted identifiers lower-cased). */
export interface TableSource {
  /** `schema` is 'public' or 'information_schema' (unqualified names mean 'public'). */
  table(name: string, schema: string): TableProvider | undefined;
  tableNames(): { schema: string; name: string }[];
  /** `view_instance('thread_spans', id)` and other table functions; undefined = unknown function.
   * `query` carries the query range for providers whose range semantics is not a time column filter. */
  tableFunction?(name: string, args: unknown[], query?: { timeRange?: TimeRange }): Promise<TableProvider> | undefined;
}

export interface QueryContext {
  /** Tables the query can read. */
  tables: TableSource;
  /** Used by catalog-backed table sources; the engine itself does not read it. */
  catalog?: Catalog;
  /** Statement time (Unix ns) returned by now(); defaults to the wall clock at planning. */
  now?: bigint;
  /** Bounds every view's time column, like `WHERE time BETWEEN begin AND end` (query_range_*). */
  timeRange?: TimeRange;
  /** Caps the rows of the result (the `limit` header). */
  limit?: number;
  /** Bytes blocking operators (aggregate, sort) may hold; default 256 MiB. */
  memoryBudgetBytes?: number;
  /** Rows per output batch; default 8192. */
  batchRows?: number;
}

export const DEFAULT_MEMORY_BUDGET = 256 * 1024 * 1024;
export const DEFAULT_BATCH_ROWS = 8192;
