// Catalog in one SQLite file (embedded mode). better-sqlite3 is synchronous: each method runs to
// completion inside one event-loop turn, so transactions never interleave on the connection.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BlockRow, Catalog, IngestRecord, ProcessRow, SegmentQuery, SegmentRef, StreamRow } from './types.js';
import { MIGRATIONS, SCHEMA_MIGRATIONS_DDL } from './migrations.js';
import {
  HAS_BLOCK, LIST_BLOCKS, LIST_PROCESSES, LIST_STREAMS, SELECT_BLOCK, SELECT_PROCESS, SELECT_STREAM,
  adoptStreamKindSql, blockParams, byKey, chunks, findSegmentsSql, insertBlockSql, insertProcessesSql,
  insertSegmentsSql, insertStreamsSql, maxDurations, processParams, segmentParams, selectKindSpanSql,
  streamParams, toBlockRow, toProcessRow, toSegmentRef, toStreamRow, upsertKindSpanSql, viewKind, type SqlValue,
} from './catalog-sql.js';

type Row = Record<string, unknown>;

export class SqliteCatalog implements Catalog {
  readonly description: string;
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(private readonly db: Database.Database, path: string) {
    this.description = `sqlite:${path}`;
  }

  static open(path: string): SqliteCatalog {
    const full = path === ':memory:' ? path : resolve(path);
    if (full !== ':memory:') mkdirSync(dirname(full), { recursive: true });
    const db = new Database(full);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL'); // an acknowledged record survives power loss
      db.pragma('busy_timeout = 10000');
      db.defaultSafeIntegers(true); // 64-bit ns timestamps come back as exact bigints
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteCatalog(db, full);
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private all(sql: string, params: SqlValue[] = []): Row[] {
    return this.stmt(sql).all(...params) as Row[];
  }

  private get(sql: string, params: SqlValue[]): Row | undefined {
    return this.stmt(sql).get(...params) as Row | undefined;
  }

  async migrate(): Promise<void> {
    // IMMEDIATE takes the write lock up front: a second process waits (busy_timeout), then sees
    // the versions the first one recorded.
    this.db.transaction(() => {
      this.db.exec(SCHEMA_MIGRATIONS_DDL);
      const applied = new Set(
        (this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) => Number(r.version)),
      );
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const sql of m.up.sqlite) this.db.exec(sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, BigInt(Date.now()) * 1_000_000n);
      }
    }).immediate();
    this.statements.clear(); // prepared against the old schema
  }

  async hasBlock(blockId: string): Promise<boolean> {
    return this.get(HAS_BLOCK, [blockId]) !== undefined;
  }

  async record(rec: IngestRecord): Promise<void> {
    this.db.transaction(() => {
      for (const batch of chunks(byKey(rec.processes, (p) => p.process_id))) {
        this.stmt(insertProcessesSql(batch.length)).run(...batch.flatMap(processParams));
      }
      const spans = new Map<string, bigint>();
      for (const batch of chunks(byKey(rec.streams, (s) => s.stream_id))) {
        const inserted = this.stmt(insertStreamsSql(batch.length)).all(...batch.flatMap(streamParams)) as Row[];
        for (const s of inserted) {
          if (s.kind === null) continue;
          maxDurations(this.stmt(adoptStreamKindSql).all(s.kind, s.stream_id) as Row[], spans);
        }
      }
      if (rec.block) this.stmt(insertBlockSql).run(...blockParams(rec.block));
      const segments = byKey(rec.segments, (s) => `${s.block_id}\u0000${String(s.segment_index).padStart(10, '0')}`);
      for (const batch of chunks(segments)) {
        const inserted = this.stmt(insertSegmentsSql(batch.length)).all(...batch.flatMap(segmentParams)) as Row[];
        maxDurations(inserted, spans);
      }
      for (const [kind, duration] of spans) this.stmt(upsertKindSpanSql('sqlite')).run(kind, duration);
    }).immediate();
  }

  async getProcess(processId: string): Promise<ProcessRow | undefined> {
    const r = this.get(SELECT_PROCESS, [processId]);
    return r && toProcessRow(r);
  }

  async getStream(streamId: string): Promise<StreamRow | undefined> {
    const r = this.get(SELECT_STREAM, [streamId]);
    return r && toStreamRow(r);
  }

  async getBlock(blockId: string): Promise<BlockRow | undefined> {
    const r = this.get(SELECT_BLOCK, [blockId]);
    return r && toBlockRow(r);
  }

  async findSegments(q: SegmentQuery): Promise<SegmentRef[]> {
    // one read transaction, so the span bound and the rows come from the same snapshot
    return this.db.transaction(() => {
      const span = this.get(selectKindSpanSql, [viewKind(q.view)]);
      const { sql, params } = findSegmentsSql(q, span ? BigInt(span.max_duration as bigint) : 0n);
      return this.all(sql, params).map(toSegmentRef);
    }).deferred();
  }

  async listProcesses(): Promise<ProcessRow[]> {
    return this.all(LIST_PROCESSES).map(toProcessRow);
  }

  async listStreams(): Promise<StreamRow[]> {
    return this.all(LIST_STREAMS).map(toStreamRow);
  }

  async listBlocks(): Promise<BlockRow[]> {
    return this.all(LIST_BLOCKS).map(toBlockRow);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
