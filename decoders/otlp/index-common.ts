// What the protobuf and JSON OTLP indexers share: rejection reasons (otlp-mapping §3.4) and how
// they are summarised for partial_success.
import type { OtlpSignal } from '../types.js';

/** Rejection reasons; the numeric value indexes the per-reason counters both indexers keep. */
export const R_TIME_ZERO = 0;
export const R_NO_VALUE = 1;
export const R_BUCKET_COUNT_LENGTH = 2;
export const R_BOUNDS_NOT_INCREASING = 3;
export const R_SCALE_RANGE = 4;
export const R_BOUND_NOT_FINITE = 5;
export const R_COUNT_TOO_LARGE = 6;
export const R_TRACE_ID_LENGTH = 7;
export const R_SPAN_ID_LENGTH = 8;
export const R_START_TIME_ZERO = 9;
export const R_END_TIME_ZERO = 10;
export const REJECT_REASON_COUNT = 11;

export const REJECT_REASONS: readonly string[] = [
  'time_unix_nano is 0',
  'no value',
  'bucket_counts length mismatch',
  'explicit_bounds not strictly increasing',
  'scale outside [-10, 20]',
  'bucket bound not finite',
  'count >= 2^63',
  'trace_id must be 16 bytes',
  'span_id must be 8 bytes',
  'start_time_unix_nano is 0',
  'end_time_unix_nano is 0',
];

const NOUNS: Record<OtlpSignal, [string, string]> = {
  logs: ['log record', 'log records'],
  metrics: ['data point', 'data points'],
  traces: ['span', 'spans'],
};

export const MAX_REJECT_MESSAGE = 256;

/** `"3 data points rejected: time_unix_nano is 0"`; with several reasons each gets its count. */
export function rejectMessage(signal: OtlpSignal, counts: ArrayLike<number>): string | undefined {
  let total = 0;
  const parts: Array<[string, number]> = [];
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) {
      total += counts[i];
      parts.push([REJECT_REASONS[i], counts[i]]);
    }
  }
  if (total === 0) return undefined;
  const noun = NOUNS[signal][total === 1 ? 0 : 1];
  const reasons = parts.length === 1 ? parts[0][0] : parts.map(([r, n]) => `${r} (${n})`).join('; ');
  const msg = `${total} ${noun} rejected: ${reasons}`;
  return msg.length <= MAX_REJECT_MESSAGE ? msg : msg.slice(0, MAX_REJECT_MESSAGE - 1) + '…';
}

/** Snake-case spelling of an OTLP/JSON lowerCamelCase key (`timeUnixNano` → `time_unix_nano`). */
export function snakeCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

/** Largest exponent-histogram bound magnitude check of otlp-mapping §8.3: true when every bound
 * the conversion would push is finite. `n`/`p` are the negative/positive bucket counts. */
export function expHistogramBoundsFinite(
  scale: number,
  zeroThreshold: number,
  negOffset: number,
  n: number,
  posOffset: number,
  p: number,
): boolean {
  if (!Number.isFinite(zeroThreshold)) return false;
  const f = 2 ** -scale;
  if (n > 0 && (!Number.isFinite(2 ** ((negOffset + n) * f)) || !Number.isFinite(2 ** (negOffset * f)))) return false;
  if (p > 0 && (!Number.isFinite(2 ** ((posOffset + p) * f)) || !Number.isFinite(2 ** (posOffset * f)))) return false;
  return true;
}
