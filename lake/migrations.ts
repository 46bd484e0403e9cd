// The catalog schema, as an ordered list of migrations shared by SQLite and PostgreSQL.
// Applied versions are recorded in `schema_migrations`; never edit a released migration, add one.

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  name: string;
  /** Statements per dialect, run in order inside the migration transaction. */
  up: Record<Dialect, string[]>;
}

/** Same SQL for both dialects except the binary column type. */
function both(build: (t: { blob: string }) => string[]): Record<Dialect, string[]> {
  return { sqlite: build({ blob: 'BLOB' }), postgres: build({ blob: 'BYTEA' }) };
}

export const SCHEMA_MIGRATIONS_DDL =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'processes, streams, blocks, segments',
    up: both(({ blob }) => [
      `CREATE TABLE processes (
        process_id TEXT PRIMARY KEY,
        exe TEXT NOT NULL,
        username TEXT NOT NULL,
        realname TEXT NOT NULL,
        computer TEXT NOT NULL,
        distro TEXT NOT NULL,
        cpu_brand TEXT NOT NULL,
        tsc_frequency BIGINT NOT NULL,
        start_time BIGINT NOT NULL,
        start_ticks BIGINT NOT NULL,
        parent_process_id TEXT,
        insert_time BIGINT NOT NULL,
        properties TEXT NOT NULL
      )`,
      // kind: the view-feeding tag of the stream (log | metrics | trace | cpu), NULL when none
      `CREATE TABLE streams (
        stream_id TEXT PRIMARY KEY,
        process_id TEXT NOT NULL,
        tags TEXT NOT NULL,
        properties TEXT NOT NULL,
        format TEXT NOT NULL,
        dependencies_metadata ${blob},
        objects_metadata ${blob},
        insert_time BIGINT NOT NULL,
        kind TEXT
      )`,
      'CREATE INDEX streams_process ON streams (process_id)',
      `CREATE TABLE blocks (
        block_id TEXT PRIMARY KEY,
        format TEXT NOT NULL,
        blob_key TEXT NOT NULL,
        payload_size BIGINT NOT NULL,
        insert_time BIGINT NOT NULL,
        begin_time BIGINT NOT NULL,
        end_time BIGINT NOT NULL,
        nb_objects BIGINT NOT NULL
      )`,
      'CREATE INDEX blocks_insert_time ON blocks (insert_time)',
      // kind is denormalised from streams.kind (see catalog-sql.ts for why)
      `CREATE TABLE segments (
        block_id TEXT NOT NULL,
        segment_index INTEGER NOT NULL,
        process_id TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        byte_offset BIGINT NOT NULL,
        byte_length BIGINT NOT NULL,
        begin_time BIGINT NOT NULL,
        end_time BIGINT NOT NULL,
        nb_objects BIGINT NOT NULL,
        begin_ticks BIGINT,
        end_ticks BIGINT,
        object_offset BIGINT,
        kind TEXT,
        PRIMARY KEY (block_id, segment_index)
      )`,
      'CREATE INDEX segments_kind_begin ON segments (kind, begin_time)',
      'CREATE INDEX segments_stream_begin ON segments (stream_id, begin_time)',
      'CREATE INDEX segments_process_begin ON segments (process_id, begin_time)',
      // Upper bound of (end_time - begin_time) per kind, so that the overlap test can also bound
      // begin_time from below and scan a closed range of segments_kind_begin.
      'CREATE TABLE segment_kind_spans (kind TEXT PRIMARY KEY, max_duration BIGINT NOT NULL)',
    ]),
  },
];
