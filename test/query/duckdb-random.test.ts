// Randomized differential test: for each fixed seed, generate two tables (Int32/Int64/Float64/Utf8/
// Bool/Timestamp with NULLs, empty strings, duplicates, negatives), load identical rows into
// MemoryTables and DuckDB (the oracle), then run generated queries (random-sql.ts) on both and
// compare normalised results row by row (every query orders by all of its output columns).
// A mismatch reports the seed, the query index and the SQL; rerun one seed by editing SEEDS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import { runQuery } from '../../query/engine.js';
import { mapResultCells } from './render.js';
import { tableSourceOf } from '../../query/views/information-schema.js';
import type { QueryContext } from '../../query/types.js';
import { Rng, duckLoadStatements, generateQuery, generateTables, toMemoryTable } from './random-sql.js';

const SEEDS = process.env.RANDOM_SQL_SEEDS ? process.env.RANDOM_SQL_SEEDS.split(",").map(Number) : [1, 2, 3];
const QUERIES_PER_SEED = 60;
const RELATIVE_TOLERANCE = 1e-9;

/** Normalised cell: numbers (all integers and floats), strings, booleans, `ts:<ns>` or null. */
type Cell = number | string | boolean | null;

function engineRows(batches: RecordBatch[]): Cell[][] {
  return mapResultCells<Cell>(batches, (v, type) => {
    if (v === null) return null;
    if (type === 'timestamp') return `ts:${String(v)}`;
    return normaliseScalar(v);
  });
}

function normaliseScalar(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  throw new Error(`unexpected value ${String(v)}`);
}

function duckCell(v: unknown): Cell {
  if (v !== null && typeof v === 'object' && 'micros' in v) return `ts:${String((v as { micros: bigint }).micros * 1000n)}`;
  return normaliseScalar(v);
}

function cellsEqual(a: Cell, b: Cell): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return true;
    return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
}

function firstDifference(ours: Cell[][], theirs: Cell[][]): string | undefined {
  if (ours.length !== theirs.length) return `row count ${ours.length} (engine) vs ${theirs.length} (DuckDB)`;
  for (let r = 0; r < ours.length; r++) {
    const same = ours[r].length === theirs[r].length && ours[r].every((c, j) => cellsEqual(c, theirs[r][j]));
    if (!same) return `row ${r}: ${JSON.stringify(ours[r])} (engine) vs ${JSON.stringify(theirs[r])} (DuckDB)`;
  }
  return undefined;
}

for (const seed of SEEDS) {
  test(`random queries agree with DuckDB (seed ${seed})`, async () => {
    const rng = new Rng(seed);
    const tables = generateTables(rng);
    const batchRows = rng.int(3, 8);
    const ctx: QueryContext = {
      tables: tableSourceOf(Object.fromEntries(tables.map((t) => [t.name, toMemoryTable(t, batchRows)]))),
      now: 0n,
    };
    const instance = await DuckDBInstance.create(':memory:');
    const duck = await instance.connect();
    try {
      for (const t of tables) for (const stmt of duckLoadStatements(t)) await duck.run(stmt);
      const failures: string[] = [];
      for (let q = 0; q < QUERIES_PER_SEED; q++) {
        const sql = generateQuery(rng, tables);
        const where = `seed ${seed} query ${q}: ${sql}`;
        let theirs: Cell[][];
        try {
          theirs = (await duck.runAndReadAll(sql)).getRows().map((r) => r.map(duckCell));
        } catch (e) {
          failures.push(`${where}\n  DuckDB rejected it (generator bug): ${(e as Error).message.split('\n')[0]}`);
          continue;
        }
        let ours: Cell[][];
        try {
          ours = engineRows((await runQuery(sql, ctx)).batches);
        } catch (e) {
          failures.push(`${where}\n  engine failed: ${(e as Error).message}`);
          continue;
        }
        const diff = firstDifference(ours, theirs);
        if (diff) failures.push(`${where}\n  ${diff}`);
      }
      assert.deepEqual(failures, [], `${failures.length} mismatches:\n${failures.join('\n')}`);
    } finally {
      duck.closeSync();
      instance.closeSync();
    }
  });
}
