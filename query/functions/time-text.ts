// Text forms of timestamps and intervals: RFC 3339 (and `YYYY-MM-DD[ HH:MM:SS]`, read as UTC) to Unix
// ns, ns to RFC 3339, and interval literals (`'1 minute'`, `'2 hours 30 minutes'`, Grafana's `'10s'`).
import { parseRfc3339Ns } from '../../decoders/rfc3339.js';

const NS_PER_SECOND = 1_000_000_000n;

/** Unix ns of a timestamp text; undefined when it is not one. */
export function parseTimestampText(text: string): bigint | undefined {
  let t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) t += 'T00:00:00Z';
  else if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t)) t += 'Z';
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}([Zz]|[+-])/.test(t)) t = t.slice(0, 16) + ':00' + t.slice(16);
  t = t.replace(/([+-]\d{2})$/, '$1:00').replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return parseRfc3339Ns(t);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** RFC 3339 in UTC with the fraction trimmed: 2024-01-02T03:04:05Z, 2024-01-02T03:04:05.5Z. */
export function formatTimestamp(ns: bigint): string {
  let secs = ns / NS_PER_SECOND;
  let frac = ns % NS_PER_SECOND;
  if (frac < 0n) {
    frac += NS_PER_SECOND;
    secs -= 1n;
  }
  const d = new Date(Number(secs) * 1000);
  const y = d.getUTCFullYear();
  const base = `${y < 0 ? '-' + pad(-y, 4) : pad(y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (frac === 0n) return base + 'Z';
  return `${base}.${frac.toString().padStart(9, '0').replace(/0+$/, '')}Z`;
}

const UNIT_NS: Record<string, bigint> = {
  ns: 1n, nanosecond: 1n,
  us: 1_000n, microsecond: 1_000n,
  ms: 1_000_000n, millisecond: 1_000_000n,
  s: NS_PER_SECOND, sec: NS_PER_SECOND, second: NS_PER_SECOND,
  m: 60n * NS_PER_SECOND, min: 60n * NS_PER_SECOND, minute: 60n * NS_PER_SECOND,
  h: 3600n * NS_PER_SECOND, hr: 3600n * NS_PER_SECOND, hour: 3600n * NS_PER_SECOND,
  d: 86400n * NS_PER_SECOND, day: 86400n * NS_PER_SECOND,
  w: 7n * 86400n * NS_PER_SECOND, week: 7n * 86400n * NS_PER_SECOND,
};

export function unitNs(unit: string): bigint | undefined {
  const u = unit.toLowerCase();
  return UNIT_NS[u] ?? UNIT_NS[u.replace(/s$/, '')];
}

/** Nanoseconds of an interval text; undefined when not understood (months and years included:
 * they have no fixed length). */
export function parseIntervalText(text: string): bigint | undefined {
  const t = text.trim().toLowerCase();
  if (t === '') return undefined;
  const re = /\s*(-?\d+(?:\.\d+)?)\s*([a-z]+)\s*/y;
  let total = 0n;
  let at = 0;
  while (at < t.length) {
    re.lastIndex = at;
    const m = re.exec(t);
    if (!m) return undefined;
    const unit = unitNs(m[2]);
    if (unit === undefined) return undefined;
    const [whole, fraction = ''] = m[1].split('.');
    total += BigInt(whole) * unit;
    if (fraction) {
      const scale = 10n ** BigInt(fraction.length);
      total += ((whole.startsWith('-') ? -1n : 1n) * BigInt(fraction) * unit) / scale;
    }
    at = re.lastIndex;
  }
  return total;
}

/** `1 hour 30 minutes`-style text of an interval. */
export function formatInterval(ns: bigint): string {
  if (ns === 0n) return '0 seconds';
  const parts: string[] = [];
  let rest = ns < 0n ? -ns : ns;
  for (const [name, size] of [['day', UNIT_NS.day], ['hour', UNIT_NS.hour], ['minute', UNIT_NS.minute]] as const) {
    const q = rest / size;
    if (q > 0n) parts.push(`${q} ${name}${q === 1n ? '' : 's'}`);
    rest %= size;
  }
  if (rest > 0n) {
    const s = Number(rest) / 1e9;
    parts.push(`${s} second${s === 1 ? '' : 's'}`);
  }
  return (ns < 0n ? '-' : '') + parts.join(' ');
}
