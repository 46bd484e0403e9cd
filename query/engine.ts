// The engine's entry point: SQL text + QueryContext → result schema now, record batches on demand.
// Planning (parse, bind, optimize, compile) happens in planQuery so errors surface before streaming.
import { DataType, Dictionary, Field, Int32, RecordBatch, Schema, Utf8 } from 'apache-arrow';
import { parseSql, type Statement } from './sql/parse.js';
import { PlanBinder } from './plan/binder.js';
import { optimize } from './plan/optimize.js';
import { explainLines } from './plan/explain.js';
import type { LogicalPlan } from './plan/logical.js';
import { toArrowSchema, type PlanSchema } from './plan/types.js';
import { execute } from './exec/physical.js';
import { batchToArrow } from './exec/arrow-io.js';
import { MemoryPool } from './exec/memory.js';
import { QueryError, invalid } from './errors.js';
import { MemoryTable } from './memory-table.js';
import { withInformationSchema } from './views/information-schema.js';
import { DEFAULT_BATCH_ROWS, DEFAULT_MEMORY_BUDGET, type QueryContext } from './types.js';

export interface PlannedQuery {
  schema: Schema;
  /** The optimized logical plan (for tests and EXPLAIN). */
  plan: LogicalPlan;
  execute(signal?: AbortSignal): AsyncIterable<RecordBatch>;
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Any failure as a QueryError: engine errors keep their code, anything else is INTERNAL (no stack). */
export function asQueryError(e: unknown): QueryError {
  if (e instanceof QueryError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new QueryError('INTERNAL', `internal error: ${message.split('\n')[0]}`);
}

export interface PlanOptions {
  /** Result columns passed through unchanged from a view's dictionary-encoded string column are
   * Dictionary(Int32, Utf8) (each batch carries its own full dictionary) instead of Utf8. */
  preserveDictionaries?: boolean;
}

// Dashboards send the same SQL again and again, and parsing costs more than binding and planning:
// recent statements are kept, and each use gets its own copy (the AST is plain data).
const PARSED_STATEMENTS = 256;
const PARSED_SQL_MAX_LENGTH = 64 * 1024;
const parsed = new Map<string, Statement>();

function parseCached(sql: string): Statement {
  if (sql.length > PARSED_SQL_MAX_LENGTH) return parseSql(sql);
  let stmt = parsed.get(sql);
  if (stmt === undefined) {
    stmt = parseSql(sql);
    if (parsed.size >= PARSED_STATEMENTS) parsed.delete(parsed.keys().next().value!);
  } else parsed.delete(sql); // most recently used goes last
  parsed.set(sql, stmt);
  try {
    return structuredClone(stmt);
  } catch {
    parsed.delete(sql); // not plain data after all: parse it every time
    return parseSql(sql);
  }
}

export async function planQuery(sql: string, ctx: QueryContext, opts: PlanOptions = {}): Promise<PlannedQuery> {
  try {
    return await planStatement(sql, parseCached(sql), ctx, opts);
  } catch (e) {
    throw asQueryError(e);
  }
}

async function planStatement(sql: string, stmt: Statement, ctx: QueryContext, opts: PlanOptions = {}): Promise<PlannedQuery> {
  const tables = withInformationSchema(ctx.tables);
  const qctx: QueryContext = { ...ctx, tables };
  const evalCtx = { now: ctx.now ?? nowNs() };
  switch (stmt.kind) {
    case 'show_tables':
      return planStatement(sql, parseSql('SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables'), ctx, opts);
    case 'describe': {
      if (!tables.table(stmt.table, stmt.schema)) throw invalid(`table "${stmt.table}" does not exist`);
      const q = `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = '${stmt.schema}' AND table_name = '${stmt.table.replaceAll("'", "''")}' ORDER BY ordinal_position`;
      return planStatement(sql, parseSql(q), ctx, opts);
    }
    case 'explain': {
      const inner = await planStatement(sql, stmt.inner, ctx);
      const lines = await explainLines(inner.plan);
      const table = MemoryTable.fromColumns([
        { name: 'plan_type', type: new Utf8(), values: lines.map((_, i) => (i === 0 ? 'logical_plan' : '')), nullable: false },
        { name: 'plan', type: new Utf8(), values: lines, nullable: false },
      ]);
      return planStatement(sql, parseSql('SELECT plan_type, plan FROM explain_output'), { ...ctx, tables: { table: (n) => (n === 'explain_output' ? table : undefined), tableNames: () => [] }, limit: undefined });
    }
    case 'query':
      break;
  }
  let nextId = 1;
  const binder = new PlanBinder({ sql, ctx: evalCtx, newId: () => nextId++ }, qctx);
  let plan = await binder.bindQuery(stmt.ast);
  if (ctx.limit !== undefined) plan = { kind: 'limit', input: plan, skip: 0, fetch: ctx.limit, schema: plan.schema };
  plan = optimize(plan);
  const fields = uniqueNames(plan.schema);
  const schema = opts.preserveDictionaries ? withDictionaries(toArrowSchema(fields), fields, dictionaryFieldIds(plan)) : toArrowSchema(fields);
  const finalPlan = plan;
  return {
    schema,
    plan: finalPlan,
    async *execute(signal?: AbortSignal): AsyncIterable<RecordBatch> {
      const env = {
        eval: evalCtx,
        pool: new MemoryPool(ctx.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET),
        batchRows: ctx.batchRows ?? DEFAULT_BATCH_ROWS,
        signal,
      };
      try {
        for await (const b of execute(finalPlan, env)) {
          if (signal?.aborted) throw new QueryError('CANCELLED', 'query cancelled');
          yield batchToArrow(schema, fields, b);
        }
        // a provider may end its stream quietly when aborted: the result is still incomplete
        if (signal?.aborted) throw new QueryError('CANCELLED', 'query cancelled');
      } catch (e) {
        throw asQueryError(e);
      }
    },
  };
}

/** Result column names made unique (`count`, `count_1`): Arrow record batches and most clients
 * (Grafana frames, pandas) address columns by name. */
function uniqueNames(schema: PlanSchema): PlanSchema {
  const used = new Set<string>();
  return schema.map((f) => {
    let name = f.name;
    for (let k = 1; used.has(name); k++) name = `${f.name}_${k}`;
    used.add(name);
    return name === f.name ? f : { ...f, name };
  });
}

/** Ids of scanned fields whose provider column is dictionary-encoded (ids survive projections). */
function dictionaryFieldIds(plan: LogicalPlan, out = new Set<number>()): Set<number> {
  if (plan.kind === 'scan') {
    for (const f of plan.schema) {
      const source = plan.provider.schema.fields.find((x) => x.name === f.name);
      if (f.type === 'utf8' && source && DataType.isDictionary(source.type)) out.add(f.id);
    }
  }
  const node = plan as Partial<Record<'input' | 'left' | 'right', LogicalPlan>> & { inputs?: LogicalPlan[] };
  for (const child of [node.input, node.left, node.right, ...(node.inputs ?? [])]) if (child) dictionaryFieldIds(child, out);
  return out;
}

/** The schema with the fields of `ids` as Dictionary(Int32, Utf8), dictionary id = column index. */
function withDictionaries(schema: Schema, fields: PlanSchema, ids: Set<number>): Schema {
  return new Schema(schema.fields.map((f, i) => (ids.has(fields[i].id) ? new Field(f.name, new Dictionary(new Utf8(), new Int32(), i), f.nullable) : f)));
}

/** Runs a query to completion (tests, CLI): the schema and every batch. */
export async function runQuery(sql: string, ctx: QueryContext): Promise<{ schema: Schema; batches: RecordBatch[] }> {
  const q = await planQuery(sql, ctx);
  const batches: RecordBatch[] = [];
  for await (const b of q.execute()) batches.push(b);
  return { schema: q.schema, batches };
}
