// Catalog on PostgreSQL (distributed mode): a pg Pool whose connections all use one schema.
import pg from 'pg';
import type { BlockRow, Catalog, IngestRecord, ProcessRow, SegmentQuery, SegmentRef, StreamRow } from './types.js';
import { MIGRATIONS, SCHEMA_MIGRATIONS_DDL } from './migrations.js';
import { GroupCommitter } from './group-commit.js';
import {
  HAS_BLOCK, LIST_BLOCKS, LIST_PROCESSES, LIST_STREAMS, SELECT_BLOCK, SELECT_PROCESS, SELECT_STREAM,
  adoptStreamKindSql, blockParams, chunks, mergeRecords, findSegmentsSql, insertBlockSql, insertProcessesSql,
  insertSegmentsSql, insertStreamsSql, maxDurations, processParams, segmentParams, selectKindSpanSql,
  streamParams, toBlockRow, toPgPlaceholders, toProcessRow, toSegmentRef, toStreamRow, upsertKindSpanSql,
  viewKind, type SqlValue,
} from './catalog-sql.js';

const INT8_OID = 20;
const SCHEMA_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** BIGINT → bigint for this pool only; pg's global parsers stay untouched. */
const poolTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => BigInt(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

export interface PostgresCatalogOptions {
  /** Schema for every table (created if missing); also accepted as `?schema=` in the URL. */
  schema?: string;
  poolSize?: number;
}

type Row = Record<string, unknown>;
type Queryable = Pick<pg.PoolClient, 'query'>;

async function q(db: Queryable, sql: string, params: SqlValue[] = []): Promise<Row[]> {
  return (await db.query<Row>(toPgPlaceholders(sql), params)).rows;
}

export class PostgresCatalog implements Catalog {
  /** Per-kind durations already known to be stored, to skip most segment_kind_spans writes. */
  private readonly knownSpans = new Map<string, bigint>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string | undefined,
    readonly description: string,
  ) {}

  static async open(url: string, opts: PostgresCatalogOptions = {}): Promise<PostgresCatalog> {
    const parsed = new URL(url);
    const schema = opts.schema ?? (parsed.searchParams.get('schema') || undefined);
    parsed.searchParams.delete('schema');
    if (schema !== undefined && !SCHEMA_RE.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);

    const shown = new URL(parsed.toString());
    shown.password = '';
    if (schema) shown.searchParams.set('schema', schema);

    const pool = new pg.Pool({
      connectionString: parsed.toString(),
      max: opts.poolSize ?? 10,
      types: poolTypes,
      // search_path is set at connection startup, so every pooled connection uses the schema
      ...(schema ? { options: `-c search_path="${schema}"` } : {}),
    });
    pool.on('error', () => {}); // an idle client dropped by the server; the next query reconnects
    const catalog = new PostgresCatalog(pool, schema, shown.toString());
    try {
      await catalog.ping();
    } catch (err) {
      await pool.end();
      throw err;
    }
    return catalog;
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async migrate(): Promise<void> {
    await this.tx(async (c) => {
      // Serialises servers migrating the same schema; released at COMMIT.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`contrail.migrate:${this.schema ?? 'public'}`]);
      if (this.schema) await c.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await c.query(SCHEMA_MIGRATIONS_DDL);
      const applied = new Set((await q(c, 'SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const sql of m.up.postgres) await c.query(sql);
        await q(c, 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          m.version, m.name, BigInt(Date.now()) * 1_000_000n,
        ]);
      }
    });
  }

  async hasBlock(blockId: string): Promise<boolean> {
    return (await q(this.pool, HAS_BLOCK, [blockId])).length > 0;
  }

  /** Grouped commits: record() calls arriving while a commit is running join the next group, which
   * is written in one transaction (one commit) with all its rows sorted by key. */
  private readonly group = new GroupCommitter<IngestRecord>((recs) => this.commitRecords(recs), {
    maxBatch: 256,
    maxInFlight: 2,
  });

  async record(rec: IngestRecord): Promise<void> {
    return this.group.submit(rec);
  }

  private async commitRecords(recs: IngestRecord[]): Promise<void> {
    const { processes, streams, blocks, segments } = mergeRecords(recs);
    const spans = await this.tx(async (c) => {
      // rows sorted by key: concurrent records lock conflicting keys in the same order
      for (const batch of chunks(processes)) {
        await q(c, insertProcessesSql(batch.length), batch.flatMap(processParams));
      }
      const spans = new Map<string, bigint>();
      for (const batch of chunks(streams)) {
        for (const s of await q(c, insertStreamsSql(batch.length), batch.flatMap(streamParams))) {
          if (s.kind !== null) maxDurations(await q(c, adoptStreamKindSql, [String(s.kind), String(s.stream_id)]), spans);
        }
      }
      for (const b of blocks) await q(c, insertBlockSql, blockParams(b));
      for (const batch of chunks(segments)) {
        maxDurations(await q(c, insertSegmentsSql(batch.length), batch.flatMap(segmentParams)), spans);
      }
      for (const [kind, duration] of [...spans].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const known = this.knownSpans.get(kind);
        if (known !== undefined && duration <= known) continue; // stored bound already covers it
        await q(c, upsertKindSpanSql('postgres'), [kind, duration]);
      }
      return spans;
    });
    for (const [kind, duration] of spans) {
      const known = this.knownSpans.get(kind);
      if (known === undefined || duration > known) this.knownSpans.set(kind, duration);
    }
  }

  async getProcess(processId: string): Promise<ProcessRow | undefined> {
    const [r] = await q(this.pool, SELECT_PROCESS, [processId]);
    return r && toProcessRow(r);
  }

  async getStream(streamId: string): Promise<StreamRow | undefined> {
    const [r] = await q(this.pool, SELECT_STREAM, [streamId]);
    return r && toStreamRow(r);
  }

  async getBlock(blockId: string): Promise<BlockRow | undefined> {
    const [r] = await q(this.pool, SELECT_BLOCK, [blockId]);
    return r && toBlockRow(r);
  }

  async findSegments(query: SegmentQuery): Promise<SegmentRef[]> {
    // REPEATABLE READ: the span bound and the rows come from one snapshot
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const [span] = await q(client, selectKindSpanSql, [viewKind(query.view)]);
        const { sql, params } = findSegmentsSql(query, span ? BigInt(span.max_duration as bigint) : 0n);
        return (await q(client, sql, params)).map(toSegmentRef);
      } finally {
        await client.query('COMMIT').catch(() => {});
      }
    } finally {
      client.release();
    }
  }

  async listProcesses(): Promise<ProcessRow[]> {
    return (await q(this.pool, LIST_PROCESSES)).map(toProcessRow);
  }

  async listStreams(): Promise<StreamRow[]> {
    return (await q(this.pool, LIST_STREAMS)).map(toStreamRow);
  }

  async listBlocks(): Promise<BlockRow[]> {
    return (await q(this.pool, LIST_BLOCKS)).map(toBlockRow);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.group.drain();
    if (!this.pool.ended) await this.pool.end();
  }
}
