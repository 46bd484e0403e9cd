// Contrail statement handles: self-contained (any replica can redeem one), never secret.
// Layout: 0x00, ASCII "CTRL", version byte, then the statement as UTF-8 JSON.
import { QueryError } from '../query/errors.js';

const MARKER = Buffer.from([0x00, 0x43, 0x54, 0x52, 0x4c]);
const VERSION = 1;

/** A JSON-safe parameter value (int64 travels as `{ i64: "…" }`). */
export type ParamValue = string | number | boolean | null | { i64: string };

export interface StatementHandle {
  sql: string;
  /** Bound parameter sets, one per row of the DoPut batches. */
  params?: ParamValue[][];
  begin?: string;
  end?: string;
  limit?: number;
  preserveDictionary?: boolean;
}

export function encodeHandle(h: StatementHandle): Buffer {
  return Buffer.concat([MARKER, Buffer.from([VERSION]), Buffer.from(JSON.stringify(h), 'utf8')]);
}

/** The statement of a Contrail handle, or of raw UTF-8 SQL (a handle without the marker). */
export function decodeHandle(bytes: Uint8Array): { handle: StatementHandle; raw: boolean } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 6 && b.subarray(0, 5).equals(MARKER)) {
    if (b[5] !== VERSION) throw new QueryError('INVALID_ARGUMENT', `unrecognized statement handle version ${b[5]}`);
    try {
      const h = JSON.parse(b.subarray(6).toString('utf8')) as StatementHandle;
      if (typeof h.sql !== 'string') throw new Error('no sql');
      return { handle: h, raw: false };
    } catch {
      throw new QueryError('INVALID_ARGUMENT', 'unrecognized statement handle');
    }
  }
  let sql: string;
  try {
    sql = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    throw new QueryError('INVALID_ARGUMENT', 'unrecognized ticket: statement handle is neither a Contrail handle nor UTF-8 SQL');
  }
  if (sql.trim() === '') throw new QueryError('INVALID_ARGUMENT', 'unrecognized ticket: empty statement');
  return { handle: { sql }, raw: true };
}
