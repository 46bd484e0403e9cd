// `contrail query "SELECT …"`: runs SQL against a Flight SQL server and prints the result as a table
// (default), CSV, JSON lines or an Arrow IPC stream, with row count and elapsed time on stderr.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RecordBatchStreamWriter, type RecordBatch, type Schema } from 'apache-arrow';
import { FlightSqlClient } from '../flightsql/client.js';
import { UsageError } from './config.js';

export const QUERY_HELP = `Usage: contrail query [flags] "SELECT …"

Runs SQL on a Contrail Flight SQL server and prints the result.

Flags:
  --server HOST:PORT   Flight SQL server (default 127.0.0.1:50051; env CONTRAIL_SERVER)
  --token TOKEN        API key or OIDC token sent as "authorization: Bearer" (env CONTRAIL_TOKEN)
  --begin TIME         query_range_begin: RFC 3339, or relative to now: 30m, 1h, 7d, 90s
  --end TIME           query_range_end: same forms (default: unbounded)
  --limit N            cap the rows returned (limit header)
  --format FMT         table (default), csv, json (one object per line), arrow (IPC stream to stdout)
  --tls                dial TLS, trusting the system's CA roots
  --tls-ca FILE        dial TLS, trusting this PEM CA (e.g. the server's self-signed certificate)
  -h, --help           this text
`;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** RFC 3339 passes through; `1h`, `30m`, `7d` mean that long before `now`. */
export function parseTimeArg(flag: string, value: string, now = Date.now()): string {
  const rel = /^(\d+)([smhdw])$/.exec(value.trim());
  if (rel) return new Date(now - Number(rel[1]) * UNITS[rel[2]]).toISOString();
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/.test(value.trim())) return value.trim();
  throw new UsageError(`invalid --${flag} "${value}": expected RFC 3339 (2024-01-01T00:00:00Z) or a duration like 30m, 1h, 7d`);
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'object' && v !== null && 'toJSON' in v) return JSON.stringify(v, jsonReplacer);
  return String(v);
}

const jsonReplacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

/** Column values for display: timestamps as RFC 3339. */
function rowsOf(schema: Schema, batches: RecordBatch[]): string[][] {
  const out: string[][] = [];
  for (const b of batches) {
    for (let r = 0; r < b.numRows; r++) {
      out.push(schema.fields.map((f, c) => {
        const v = b.getChildAt(c)!.get(r);
        if (v !== null && String(f.type).startsWith('Timestamp')) {
          const ns = typeof v === 'bigint' ? v : BigInt(Math.round(Number(v) * 1e6));
          return new Date(Number(ns / 1_000_000n)).toISOString();
        }
        return cell(v);
      }));
    }
  }
  return out;
}

export function formatTable(schema: Schema, batches: RecordBatch[]): string {
  const head = schema.fields.map((f) => f.name);
  const rows = rowsOf(schema, batches);
  const widths = head.map((h, i) => Math.min(80, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (c.length > widths[i] ? c.slice(0, widths[i] - 1) + '…' : c.padEnd(widths[i]))).join(' | ') + ' |';
  const sep = '+-' + widths.map((w) => '-'.repeat(w)).join('-+-') + '-+';
  return [sep, line(head), sep, ...rows.map(line), sep].join('\n') + '\n';
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export async function runQuery(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        server: { type: 'string' }, token: { type: 'string' }, begin: { type: 'string' }, end: { type: 'string' },
        limit: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        tls: { type: 'boolean' }, 'tls-ca': { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]}; see 'contrail query --help'`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(QUERY_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one SQL argument; see 'contrail query --help'`);
  const format = values.format ?? 'table';
  if (!['table', 'csv', 'json', 'arrow'].includes(format)) throw new UsageError(`invalid --format "${format}": expected table, csv, json or arrow`);
  const headers: Record<string, string> = { 'x-client-type': 'contrail-cli' };
  const token = values.token ?? env.CONTRAIL_TOKEN;
  if (token) headers.authorization = `Bearer ${token}`;
  if (values.begin) headers.query_range_begin = parseTimeArg('begin', values.begin);
  if (values.end) headers.query_range_end = parseTimeArg('end', values.end);
  if (values.limit !== undefined) {
    if (!/^\d+$/.test(values.limit)) throw new UsageError(`invalid --limit "${values.limit}": expected a non-negative integer`);
    headers.limit = values.limit;
  }
  let tls: boolean | Buffer = values.tls ?? false;
  if (values['tls-ca'] !== undefined) {
    try {
      tls = readFileSync(values['tls-ca']);
    } catch (e) {
      throw new UsageError(`cannot read --tls-ca ${values['tls-ca']}: ${(e as Error).message}`);
    }
  }
  const client = new FlightSqlClient(values.server ?? env.CONTRAIL_SERVER ?? '127.0.0.1:50051', { headers, maxReceiveBytes: 64 * 1024 * 1024, tls });
  const started = performance.now();
  try {
    const { schema, batches } = await client.query(positionals[0]);
    const rowCount = batches.reduce((n, b) => n + b.numRows, 0);
    if (format === 'arrow') {
      process.stdout.write(RecordBatchStreamWriter.writeAll(batches.length > 0 ? batches : []).toUint8Array(true));
    } else if (format === 'json') {
      for (const b of batches) for (const r of b.toArray()) process.stdout.write(JSON.stringify(r.toJSON(), jsonReplacer) + '\n');
    } else if (format === 'csv') {
      process.stdout.write(schema.fields.map((f) => csvCell(f.name)).join(',') + '\n');
      for (const r of rowsOf(schema, batches)) process.stdout.write(r.map(csvCell).join(',') + '\n');
    } else {
      process.stdout.write(formatTable(schema, batches));
    }
    process.stderr.write(`${rowCount} row${rowCount === 1 ? '' : 's'} in ${((performance.now() - started) / 1000).toFixed(3)} s\n`);
    return 0;
  } catch (e) {
    const err = e as { code?: number; details?: string; message?: string };
    // grpc-js appends resolver diagnostics ("Resolution note: …") that mean nothing to a user.
    const reason = (err.details ?? err.message ?? String(e)).replace(/\s*Resolution note:.*$/s, '');
    process.stderr.write(`contrail: query failed: ${reason}\n`);
    return 1;
  } finally {
    client.close();
  }
}
