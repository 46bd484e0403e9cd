// SQL and row mapping shared by SqliteCatalog and PostgresCatalog. Statements use `?` placeholders;
// the PostgreSQL catalog numbers them with toPgPlaceholders().
//
// Segment lookup by view. Each view is fed by streams of one kind (their tag), so segments carry a
// denormalised `kind` copied from streams.kind: at insert through a subquery on the stream row,
// and, when the stream is registered after its blocks, by an UPDATE of that stream's segments
// (indexed by stream_id) in the transaction that registers it. A query for view V over [t0, t1]
// is then a range scan of the index (kind, begin_time):
//   begin_time BETWEEN t0 - maxDuration(kind) - pad AND t1 + pad
// where maxDuration comes from segment_kind_spans (an upper bound of end_time - begin_time kept up
// to date at insert). The exact overlap test (with the 1 s native padding) and the block join
// filter the few rows that range returns. Process / stream filters use their own indexes
// (process_id|stream_id, begin_time) when the planner finds them more selective. A join with
// streams at query time would instead scan every stream of the kind (one per thread for `cpu`).
import type {
  BlobFormat,
  BlockRow,
  IngestRecord,
  ProcessRow,
  SegmentQuery,
  SegmentRef,
  SegmentRow,
  SegmentView,
  StreamRow,
} from './types.js';

/** Native segment times come from the envelope and may drift from event times (native-format §5.2). */
export const NATIVE_PADDING_NS = 1_000_000_000n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Stream tags that feed views, in the order a multi-tagged stream picks its kind. */
const STREAM_KINDS = ['log', 'metrics', 'trace', 'cpu'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

export function streamKind(tags: readonly string[]): StreamKind | null {
  for (const t of tags) if ((STREAM_KINDS as readonly string[]).includes(t)) return t as StreamKind;
  return null;
}

const OTLP_METRICS: BlobFormat[] = ['otlp-metrics-proto', 'otlp-metrics-json'];

export const VIEW_SOURCES: Record<SegmentView, { kind: StreamKind; formats?: BlobFormat[] }> = {
  log_entries: { kind: 'log' },
  measures: { kind: 'metrics' },
  histograms: { kind: 'metrics', formats: OTLP_METRICS },
  otel_spans: { kind: 'trace' },
  thread_spans: { kind: 'cpu', formats: ['native-transit'] },
  async_events: { kind: 'cpu', formats: ['native-transit'] },
};

export function sortedJson(obj: Record<string, string>): string {
  const out: Record<string, string> = {};
  for (const k of Object.keys(obj).sort()) out[k] = obj[k];
  return JSON.stringify(out);
}

export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** `INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING` for `rows` rows of `cols`; a column may carry
 * a value expression instead of a bare placeholder. */
function insertIgnore(table: string, cols: readonly string[], rows: number, exprs: Record<string, string> = {}, returning = ''): string {
  const tuple = `(${cols.map((c) => exprs[c] ?? '?').join(', ')})`;
  const values = Array.from({ length: rows }, () => tuple).join(', ');
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values} ON CONFLICT DO NOTHING${returning ? ` RETURNING ${returning}` : ''}`;
}

const PROCESS_COLS = [
  'process_id', 'exe', 'username', 'realname', 'computer', 'distro', 'cpu_brand', 'tsc_frequency',
  'start_time', 'start_ticks', 'parent_process_id', 'insert_time', 'properties',
] as const;
const STREAM_COLS = [
  'stream_id', 'process_id', 'tags', 'properties', 'format', 'dependencies_metadata', 'objects_metadata',
  'insert_time', 'kind',
] as const;
const BLOCK_COLS = [
  'block_id', 'format', 'blob_key', 'payload_size', 'insert_time', 'begin_time', 'end_time', 'nb_objects',
] as const;
const SEGMENT_COLS = [
  'block_id', 'segment_index', 'process_id', 'stream_id', 'byte_offset', 'byte_length', 'begin_time',
  'end_time', 'nb_objects', 'begin_ticks', 'end_ticks', 'object_offset', 'kind',
] as const;

export type SqlValue = string | number | bigint | null | Uint8Array;

function bytes(b: Uint8Array | null): Uint8Array | null {
  return b === null ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export const insertProcessesSql = (n: number) => insertIgnore('processes', PROCESS_COLS, n);
export function processParams(p: ProcessRow): SqlValue[] {
  return [
    p.process_id, p.exe, p.username, p.realname, p.computer, p.distro, p.cpu_brand, p.tsc_frequency,
    p.start_time, p.start_ticks, p.parent_process_id, p.insert_time, sortedJson(p.properties),
  ];
}

/** Returns the streams actually inserted, with their kind. */
export const insertStreamsSql = (n: number) => insertIgnore('streams', STREAM_COLS, n, {}, 'stream_id, kind');
export function streamParams(s: StreamRow): SqlValue[] {
  return [
    s.stream_id, s.process_id, JSON.stringify(s.tags), sortedJson(s.properties), s.format,
    bytes(s.dependencies_metadata), bytes(s.objects_metadata), s.insert_time, streamKind(s.tags),
  ];
}

export const insertBlockSql = insertIgnore('blocks', BLOCK_COLS, 1);
export function blockParams(b: BlockRow): SqlValue[] {
  return [b.block_id, b.format, b.blob_key, b.payload_size, b.insert_time, b.begin_time, b.end_time, b.nb_objects];
}

/** Returns the kind and duration of the segments actually inserted. */
export const insertSegmentsSql = (n: number) =>
  insertIgnore('segments', SEGMENT_COLS, n, { kind: '(SELECT kind FROM streams WHERE stream_id = ?)' },
    'kind, end_time - begin_time AS duration');
export function segmentParams(s: SegmentRow): SqlValue[] {
  return [
    s.block_id, s.segment_index, s.process_id, s.stream_id, s.byte_offset, s.byte_length, s.begin_time,
    s.end_time, s.nb_objects, s.begin_ticks, s.end_ticks, s.object_offset, s.stream_id,
  ];
}

/** Segments that arrived before their stream registration get its kind now. Params: kind, stream_id. */
export const adoptStreamKindSql =
  'UPDATE segments SET kind = ? WHERE stream_id = ? AND kind IS NULL RETURNING kind, end_time - begin_time AS duration';

export const selectKindSpanSql = 'SELECT max_duration FROM segment_kind_spans WHERE kind = ?';

/** Params: kind, duration. */
export function upsertKindSpanSql(dialect: 'sqlite' | 'postgres'): string {
  const max = dialect === 'sqlite' ? 'max' : 'GREATEST';
  return `INSERT INTO segment_kind_spans (kind, max_duration) VALUES (?, ?)
    ON CONFLICT (kind) DO UPDATE SET max_duration = ${max}(segment_kind_spans.max_duration, excluded.max_duration)`;
}

/** Largest duration per kind among rows returned by insertSegmentsSql / adoptStreamKindSql. */
export function maxDurations(rows: Iterable<Record<string, unknown>>, into = new Map<string, bigint>()): Map<string, bigint> {
  for (const r of rows) {
    if (r.kind === null || r.kind === undefined) continue;
    const kind = String(r.kind);
    const d = BigInt(r.duration as bigint);
    const prev = into.get(kind);
    if (prev === undefined || d > prev) into.set(kind, d);
  }
  return into;
}

/** Orders rows by a key so concurrent writers take row locks in the same order (no deadlocks). */
export function byKey<T>(rows: readonly T[], key: (r: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    if (!seen.has(k)) seen.set(k, r); // first registration wins
  }
  return [...seen.keys()].sort().map((k) => seen.get(k)!);
}

/** Rows of several records, each table deduplicated (first registration wins, in record order) and
 * sorted by key, for one grouped transaction: concurrent writers still lock keys in the same order. */
export function mergeRecords(recs: readonly IngestRecord[]): {
  processes: ProcessRow[];
  streams: StreamRow[];
  blocks: BlockRow[];
  segments: SegmentRow[];
} {
  if (recs.length === 1) {
    const r = recs[0];
    return {
      processes: byKey(r.processes, processKey),
      streams: byKey(r.streams, streamKey),
      blocks: r.block ? [r.block] : [],
      segments: byKey(r.segments, segmentKey),
    };
  }
  return {
    processes: byKey(recs.flatMap((r) => r.processes), processKey),
    streams: byKey(recs.flatMap((r) => r.streams), streamKey),
    blocks: byKey(recs.flatMap((r) => (r.block ? [r.block] : [])), blockKey),
    segments: byKey(recs.flatMap((r) => r.segments), segmentKey),
  };
}

const processKey = (p: ProcessRow): string => p.process_id;
const streamKey = (s: StreamRow): string => s.stream_id;
const blockKey = (b: BlockRow): string => b.block_id;
const segmentKey = (s: SegmentRow): string => `${s.block_id}\u0000${String(s.segment_index).padStart(10, '0')}`;

function clamp(v: bigint): bigint {
  return v < INT64_MIN ? INT64_MIN : v > INT64_MAX ? INT64_MAX : v;
}

export function viewKind(view: SegmentView): StreamKind {
  const source = VIEW_SOURCES[view];
  if (!source) throw new Error(`unknown view: ${String(view)}`);
  return source.kind;
}

/** The findSegments statement; `maxDuration` is segment_kind_spans.max_duration for the view's kind. */
export function findSegmentsSql(q: SegmentQuery, maxDuration: bigint): { sql: string; params: SqlValue[] } {
  const source = VIEW_SOURCES[q.view];
  const where: string[] = ['s.kind = ?'];
  const params: SqlValue[] = [viewKind(q.view)];
  const pad = `(CASE WHEN b.format = 'native-transit' THEN ${NATIVE_PADDING_NS} ELSE 0 END)`;
  if (q.end !== undefined) {
    where.push('s.begin_time <= ?', `s.begin_time - ${pad} <= ?`);
    params.push(clamp(q.end + NATIVE_PADDING_NS), clamp(q.end));
  }
  if (q.begin !== undefined) {
    const span = maxDuration > 0n ? maxDuration : 0n;
    where.push('s.begin_time >= ?', `s.end_time + ${pad} >= ?`);
    params.push(clamp(q.begin - span - NATIVE_PADDING_NS), clamp(q.begin));
  }
  if (source.formats) {
    where.push(`b.format IN (${source.formats.map(() => '?').join(', ')})`);
    params.push(...source.formats);
  }
  for (const [col, ids] of [['s.process_id', q.processIds], ['s.stream_id', q.streamIds]] as const) {
    if (ids === undefined) continue;
    if (ids.length === 0) return { sql: 'SELECT NULL WHERE 1 = 0', params: [] };
    where.push(`${col} IN (${ids.map(() => '?').join(', ')})`);
    params.push(...ids);
  }
  const sql = `SELECT ${SEGMENT_COLS.filter((c) => c !== 'kind').map((c) => `s.${c}`).join(', ')},
      b.format, b.blob_key, b.insert_time, b.payload_size
    FROM segments s JOIN blocks b ON b.block_id = s.block_id
    WHERE ${where.join(' AND ')}
    ORDER BY s.begin_time, s.block_id, s.segment_index`;
  return { sql, params };
}

type Row = Record<string, unknown>;

const big = (v: unknown): bigint => BigInt(v as bigint | number | string);
const num = (v: unknown): number => Number(v);
const bigOrNull = (v: unknown): bigint | null => (v === null || v === undefined ? null : big(v));
const bytesOrNull = (v: unknown): Uint8Array | null => (v === null || v === undefined ? null : new Uint8Array(v as Uint8Array));

export function toProcessRow(r: Row): ProcessRow {
  return {
    process_id: String(r.process_id),
    exe: String(r.exe),
    username: String(r.username),
    realname: String(r.realname),
    computer: String(r.computer),
    distro: String(r.distro),
    cpu_brand: String(r.cpu_brand),
    tsc_frequency: big(r.tsc_frequency),
    start_time: big(r.start_time),
    start_ticks: big(r.start_ticks),
    parent_process_id: r.parent_process_id === null ? null : String(r.parent_process_id),
    insert_time: big(r.insert_time),
    properties: JSON.parse(String(r.properties)) as Record<string, string>,
  };
}

export function toStreamRow(r: Row): StreamRow {
  return {
    stream_id: String(r.stream_id),
    process_id: String(r.process_id),
    tags: JSON.parse(String(r.tags)) as string[],
    properties: JSON.parse(String(r.properties)) as Record<string, string>,
    format: String(r.format),
    dependencies_metadata: bytesOrNull(r.dependencies_metadata),
    objects_metadata: bytesOrNull(r.objects_metadata),
    insert_time: big(r.insert_time),
  };
}

export function toBlockRow(r: Row): BlockRow {
  return {
    block_id: String(r.block_id),
    format: String(r.format) as BlobFormat,
    blob_key: String(r.blob_key),
    payload_size: num(r.payload_size),
    insert_time: big(r.insert_time),
    begin_time: big(r.begin_time),
    end_time: big(r.end_time),
    nb_objects: num(r.nb_objects),
  };
}

export function toSegmentRef(r: Row): SegmentRef {
  return {
    block_id: String(r.block_id),
    segment_index: num(r.segment_index),
    process_id: String(r.process_id),
    stream_id: String(r.stream_id),
    byte_offset: num(r.byte_offset),
    byte_length: num(r.byte_length),
    begin_time: big(r.begin_time),
    end_time: big(r.end_time),
    nb_objects: num(r.nb_objects),
    begin_ticks: bigOrNull(r.begin_ticks),
    end_ticks: bigOrNull(r.end_ticks),
    object_offset: bigOrNull(r.object_offset),
    format: String(r.format) as BlobFormat,
    blob_key: String(r.blob_key),
    insert_time: big(r.insert_time),
    payload_size: num(r.payload_size),
  };
}

export const SELECT_PROCESS = 'SELECT * FROM processes WHERE process_id = ?';
export const SELECT_STREAM = 'SELECT * FROM streams WHERE stream_id = ?';
export const SELECT_BLOCK = 'SELECT * FROM blocks WHERE block_id = ?';
export const HAS_BLOCK = 'SELECT 1 AS one FROM blocks WHERE block_id = ?';
export const LIST_PROCESSES = 'SELECT * FROM processes ORDER BY insert_time, process_id';
export const LIST_STREAMS = 'SELECT * FROM streams ORDER BY insert_time, stream_id';
export const LIST_BLOCKS = 'SELECT * FROM blocks ORDER BY insert_time, block_id';

/** How many rows go in one multi-row INSERT (keeps parameter counts well under both limits). */
export const INSERT_BATCH = 50;

export function chunks<T>(rows: readonly T[], size = INSERT_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
