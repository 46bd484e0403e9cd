// Time scalar functions over Timestamp(ns, UTC) columns (BigInt64Array of Unix ns).
import { allocValues, constantCol, stringsOf, valueAt, type Col } from '../exec/column.js';
import { andValid } from '../exec/kernels.js';
import { fixed } from './signature.js';
import { registerScalar } from './registry.js';
import { invalid } from '../errors.js';
import { parseTimestampText, unitNs } from './time-text.js';
import { dateBinUniform, uniformValue } from './date-bin-fast.js';

const NS_PER_MS = 1_000_000n;
const NS_PER_DAY = 86_400_000_000_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** The one value of an argument that must be constant per query (a unit name, an interval). */
function constantArg(c: Col, what: string): unknown {
  if (c.length === 0) return null;
  const v = valueAt(c, 0);
  for (let i = 1; i < c.length; i++) if (valueAt(c, i) !== v) throw invalid(`${what} must be a constant`);
  return v;
}

function timestampResult(n: number, values: BigInt64Array, valid: Uint8Array | null): Col {
  return { type: 'timestamp', length: n, values, valid };
}

registerScalar({
  name: 'now',
  bind: fixed('now', [], 'timestamp'),
  eval: (_args, n, ctx) => constantCol('timestamp', ctx.now, n),
}, 'current_timestamp');

/** date_bin(stride, ts[, origin]): the start of the stride-wide bin holding ts; a zero stride
 * returns ts unchanged (Grafana sends `interval '0 second'` for sub-second dashboards). */
registerScalar({
  name: 'date_bin',
  bind: fixed('date_bin', ['interval', 'timestamp', 'timestamp'], 'timestamp', 1),
  eval([stride, ts, origin], n) {
    const valid = andValid(n, ...(origin ? [stride, ts, origin] : [stride, ts]));
    const sv = stride.values as BigInt64Array;
    const tv = ts.values as BigInt64Array;
    const ov = origin ? (origin.values as BigInt64Array) : undefined;
    const s0 = uniformValue(sv, n);
    const o0 = ov ? uniformValue(ov, n) : 0n;
    const fast = s0 !== undefined && o0 !== undefined ? dateBinUniform(tv, n, s0, o0) : undefined;
    if (fast) return timestampResult(n, fast, valid);
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const s = sv[i];
      const t = tv[i];
      if (s < 0n) throw invalid('date_bin stride must be positive');
      if (s === 0n) {
        out[i] = t;
        continue;
      }
      const o = ov ? ov[i] : 0n;
      out[i] = floorDiv(t - o, s) * s + o;
    }
    return timestampResult(n, out, valid);
  },
});

const CALENDAR_UNITS = ['year', 'quarter', 'month', 'week'];

function normalizeUnit(u: string): string {
  const x = u.toLowerCase().trim();
  const aliases: Record<string, string> = {
    years: 'year', quarters: 'quarter', months: 'month', weeks: 'week', days: 'day', hours: 'hour',
    minutes: 'minute', seconds: 'second', milliseconds: 'millisecond', microseconds: 'microsecond',
    nanoseconds: 'nanosecond', ms: 'millisecond', us: 'microsecond', ns: 'nanosecond',
  };
  return aliases[x] ?? x;
}

function truncCalendar(t: bigint, unit: string): bigint {
  const day = floorDiv(t, NS_PER_DAY);
  const d = new Date(Number(day) * 86_400_000);
  const y = d.getUTCFullYear();
  let m = d.getUTCMonth();
  if (unit === 'week') {
    const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
    return (day - BigInt(dow)) * NS_PER_DAY;
  }
  if (unit === 'year') m = 0;
  if (unit === 'quarter') m = m - (m % 3);
  return BigInt(Date.UTC(y, m, 1)) * NS_PER_MS;
}

registerScalar({
  name: 'date_trunc',
  bind: fixed('date_trunc', ['utf8', 'timestamp'], 'timestamp'),
  eval([unitCol, ts], n) {
    const unit = normalizeUnit(String(constantArg(unitCol, 'date_trunc unit') ?? 'second'));
    const tv = ts.values as BigInt64Array;
    const out = new BigInt64Array(n);
    if (CALENDAR_UNITS.includes(unit)) {
      for (let i = 0; i < n; i++) out[i] = truncCalendar(tv[i], unit);
    } else {
      const size = unitNs(unit);
      if (size === undefined) throw invalid(`date_trunc: unknown unit '${unit}'`);
      for (let i = 0; i < n; i++) out[i] = floorDiv(tv[i], size) * size;
    }
    return timestampResult(n, out, andValid(n, unitCol, ts));
  },
});

function datePart(unit: string, t: bigint): number {
  const day = floorDiv(t, NS_PER_DAY);
  const nsOfDay = t - day * NS_PER_DAY;
  const d = new Date(Number(day) * 86_400_000);
  const secondsOfMinute = Number(nsOfDay % 60_000_000_000n) / 1e9;
  switch (unit) {
    case 'year': return d.getUTCFullYear();
    case 'quarter': return Math.floor(d.getUTCMonth() / 3) + 1;
    case 'month': return d.getUTCMonth() + 1;
    case 'week': {
      // ISO week number
      const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 3 - ((d.getUTCDay() + 6) % 7)));
      const firstThursday = new Date(Date.UTC(target.getUTCFullYear(), 0, 4));
      return 1 + Math.round(((target.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
    }
    case 'day': return d.getUTCDate();
    case 'dow': return d.getUTCDay();
    case 'isodow': return ((d.getUTCDay() + 6) % 7) + 1;
    case 'doy': return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
    case 'hour': return Number(nsOfDay / 3_600_000_000_000n);
    case 'minute': return Number((nsOfDay / 60_000_000_000n) % 60n);
    case 'second': return secondsOfMinute;
    case 'millisecond': return secondsOfMinute * 1e3;
    case 'microsecond': return secondsOfMinute * 1e6;
    case 'nanosecond': return Number(nsOfDay % 60_000_000_000n);
    case 'epoch': return Number(t) / 1e9;
    default:
      throw invalid(`date_part: unknown unit '${unit}'`);
  }
}

/** date_part of an Interval (held as ns: a day is 24 hours, fields truncate toward zero). */
function intervalPart(unit: string, ns: bigint): number {
  switch (unit) {
    case 'epoch': return Number(ns) / 1e9;
    case 'day': return Number(ns / NS_PER_DAY);
    case 'hour': return Number((ns % NS_PER_DAY) / 3_600_000_000_000n);
    case 'minute': return Number((ns % 3_600_000_000_000n) / 60_000_000_000n);
    case 'second': return Number(ns % 60_000_000_000n) / 1e9;
    case 'millisecond': return Number(ns % 60_000_000_000n) / 1e6;
    case 'microsecond': return Number(ns % 60_000_000_000n) / 1e3;
    default:
      throw invalid(`date_part: unit '${unit}' is not supported for Interval values (epoch, day, hour, minute, second, millisecond, microsecond are)`);
  }
}

const datePartOfTimestamp = fixed('date_part', ['utf8', 'timestamp'], 'float64');

/** date_part / datepart / EXTRACT: Float64 like PostgreSQL (`second` keeps its fraction). */
registerScalar({
  name: 'date_part',
  bind: (t) => (t.length === 2 && t[1] === 'interval' ? { args: ['utf8', 'interval'], returns: 'float64' } : datePartOfTimestamp(t)),
  eval([unitCol, ts], n) {
    const unit = normalizeUnit(String(constantArg(unitCol, 'date_part unit') ?? 'second'));
    const tv = ts.values as BigInt64Array;
    const out = new Float64Array(n);
    const part = ts.type === 'interval' ? intervalPart : datePart;
    for (let i = 0; i < n; i++) out[i] = ts.valid && !ts.valid[i] ? 0 : part(unit, tv[i]);
    return { type: 'float64', length: n, values: out, valid: andValid(n, unitCol, ts) };
  },
}, 'datepart');

function scaledToTimestamp(name: string, nsPerUnit: bigint) {
  registerScalar({
    name,
    bind: (argTypes) => {
      if (argTypes.length !== 1) return `${name} expects 1 argument, got ${argTypes.length}`;
      const t = argTypes[0];
      if (t === 'utf8' || t === 'timestamp') return { args: [t], returns: 'timestamp' };
      if (t === 'float64') return { args: ['float64'], returns: 'timestamp' };
      if (t === 'null' || t.startsWith('int') || t.startsWith('uint')) return { args: ['int64'], returns: 'timestamp' };
      return `${name} expects a number or text, got ${t}`;
    },
    eval([a], n) {
      if (a.type === 'timestamp') return a;
      const out = new BigInt64Array(n);
      if (a.type === 'utf8') {
        const s = stringsOf(a);
        for (let i = 0; i < n; i++) {
          if (a.valid && !a.valid[i]) continue;
          const ns = parseTimestampText(s[i]);
          if (ns === undefined) throw invalid(`${name}: cannot parse '${s[i]}' as a timestamp`);
          out[i] = ns;
        }
      } else if (a.type === 'float64') {
        const v = a.values as Float64Array;
        for (let i = 0; i < n; i++) out[i] = BigInt(Math.round(v[i] * Number(nsPerUnit)));
      } else {
        const v = a.values as BigInt64Array;
        for (let i = 0; i < n; i++) out[i] = v[i] * nsPerUnit;
      }
      return timestampResult(n, out, a.valid);
    },
  });
}

scaledToTimestamp('to_timestamp', 1_000_000_000n);
scaledToTimestamp('to_timestamp_seconds', 1_000_000_000n);
scaledToTimestamp('to_timestamp_millis', NS_PER_MS);
scaledToTimestamp('to_timestamp_micros', 1_000n);
scaledToTimestamp('to_timestamp_nanos', 1n);

registerScalar({
  name: 'from_unixtime',
  bind: fixed('from_unixtime', ['int64'], 'timestamp'),
  eval([a], n) {
    const v = a.values as BigInt64Array;
    const out = allocValues('timestamp', n) as BigInt64Array;
    for (let i = 0; i < n; i++) out[i] = v[i] * 1_000_000_000n;
    return timestampResult(n, out, a.valid);
  },
});
