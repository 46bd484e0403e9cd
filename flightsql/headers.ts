// Flight SQL request headers → query options (query_range_*, limit, preserve_dictionary) and the
// attribution fields logged with each query.
import type { Metadata } from '@grpc/grpc-js';
import { parseRfc3339Ns } from '../decoders/rfc3339.js';
import { QueryError } from '../query/errors.js';
import type { TimeRange } from '../query/types.js';

export interface RequestOptions {
  begin?: string;
  end?: string;
  limit?: number;
  preserveDictionary?: boolean;
}

export function header(md: Metadata, name: string): string | undefined {
  const v = md.get(name)[0];
  return v === undefined ? undefined : typeof v === 'string' ? v : v.toString('utf8');
}

const bad = (name: string, value: string, why: string) => new QueryError('INVALID_ARGUMENT', `invalid ${name} header "${value.slice(0, 64)}": ${why}`);

/** RFC 3339 → Unix ns; a value without offset is UTC. */
function parseInstant(name: string, value: string): bigint {
  const v = value.trim();
  const ns = parseRfc3339Ns(v) ?? (/[Zz]|[+-]\d{2}:\d{2}$/.test(v) ? undefined : parseRfc3339Ns(v + 'Z'));
  if (ns === undefined) throw bad(name, value, 'expected an RFC 3339 date-time');
  return ns;
}

/** Options from the request headers (only those present); throws INVALID_ARGUMENT on bad values. */
export function requestOptions(md: Metadata): RequestOptions {
  const o: RequestOptions = {};
  const begin = header(md, 'query_range_begin');
  const end = header(md, 'query_range_end');
  if (begin !== undefined && begin.trim() !== '') {
    parseInstant('query_range_begin', begin);
    o.begin = begin.trim();
  }
  if (end !== undefined && end.trim() !== '') {
    parseInstant('query_range_end', end);
    o.end = end.trim();
  }
  if (o.begin && o.end && parseInstant('query_range_begin', o.begin) > parseInstant('query_range_end', o.end)) {
    throw bad('query_range_begin', o.begin, 'after query_range_end');
  }
  const limit = header(md, 'limit');
  if (limit !== undefined && limit.trim() !== '') {
    if (!/^\d+$/.test(limit.trim()) || !Number.isSafeInteger(Number(limit.trim()))) throw bad('limit', limit, 'expected a non-negative integer');
    o.limit = Number(limit.trim());
  }
  const pd = header(md, 'preserve_dictionary');
  if (pd !== undefined) o.preserveDictionary = pd.trim().toLowerCase() === 'true';
  return o;
}

export function timeRangeOf(o: RequestOptions): TimeRange | undefined {
  if (o.begin === undefined && o.end === undefined) return undefined;
  return {
    ...(o.begin !== undefined ? { begin: parseInstant('query_range_begin', o.begin) } : {}),
    ...(o.end !== undefined ? { end: parseInstant('query_range_end', o.end) } : {}),
  };
}

const ATTRIBUTION = ['x-client-type', 'x-client-agent', 'x-client-entrypoint', 'x-client-session', 'x-client-notebook', 'x-client-cell', 'x-user-id', 'x-user-email', 'x-user-name'];

/** The attribution headers present, x-user-* percent-decoded (raw when invalid). */
export function attribution(md: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ATTRIBUTION) {
    const v = header(md, name);
    if (v === undefined) continue;
    if (name.startsWith('x-user-')) {
      try {
        out[name] = decodeURIComponent(v);
      } catch {
        out[name] = v;
      }
    } else out[name] = v;
  }
  return out;
}
