// Ingest-time index of an OTLP/JSON request (otlp-mapping §2.2, §3.2-3.4). A hand-written scanner
// over the bytes: JSON.parse would lose byte positions and 64-bit precision. It validates the JSON
// syntax of the whole payload and the OTLP value rules of every known field (unknown keys are
// skipped after a syntax check), and yields the same index as the protobuf scanner would.
import { decodeUtf8 } from '../protowire.js';
import { MalformedPayloadError, type OtlpIndex, type OtlpSegmentIndex, type OtlpSignal } from '../types.js';
import { anyValueToString, EMPTY_VALUE, type AnyValue } from './any-value.js';
import {
  REJECT_REASON_COUNT, rejectMessage, snakeCase, expHistogramBoundsFinite,
  R_TIME_ZERO, R_NO_VALUE, R_BUCKET_COUNT_LENGTH, R_BOUNDS_NOT_INCREASING, R_SCALE_RANGE,
  R_BOUND_NOT_FINITE, R_COUNT_TOO_LARGE, R_TRACE_ID_LENGTH, R_SPAN_ID_LENGTH, R_START_TIME_ZERO,
  R_END_TIME_ZERO,
} from './index-common.js';

export function indexOtlpJson(signal: OtlpSignal, payload: Uint8Array): OtlpIndex {
  return new JsonIndexScanner(payload).run(signal);
}

/** Maximum nesting of JSON objects and arrays (otlp-mapping §1.1). */
export const MAX_JSON_DEPTH = 64;

const TWO_63 = 1n << 63n;
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -TWO_63;
const I64_MAX = TWO_63 - 1n;

/** OTLP/JSON keys: each lowerCamelCase name also answers to its snake_case original. */
const KEYS = new Map<string, string>();
for (const camel of [
  'resourceLogs', 'resourceMetrics', 'resourceSpans', 'resource', 'scopeLogs', 'scopeMetrics', 'scopeSpans',
  'schemaUrl', 'scope', 'logRecords', 'metrics', 'spans', 'attributes', 'droppedAttributesCount', 'entityRefs',
  'type', 'idKeys', 'descriptionKeys', 'name', 'version', 'key', 'value', 'keyStrindex', 'stringValue',
  'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue', 'stringValueStrindex',
  'values', 'timeUnixNano', 'observedTimeUnixNano', 'severityNumber', 'severityText', 'body', 'flags',
  'traceId', 'spanId', 'eventName', 'description', 'unit', 'gauge', 'sum', 'histogram',
  'exponentialHistogram', 'summary', 'metadata', 'dataPoints', 'aggregationTemporality', 'isMonotonic',
  'startTimeUnixNano', 'asDouble', 'asInt', 'exemplars', 'filteredAttributes', 'count', 'bucketCounts',
  'explicitBounds', 'min', 'max', 'scale', 'zeroCount', 'positive', 'negative', 'offset', 'zeroThreshold',
  'quantileValues', 'quantile', 'traceState', 'parentSpanId', 'kind', 'endTimeUnixNano', 'events',
  'droppedEventsCount', 'links', 'droppedLinksCount', 'status', 'message', 'code',
]) {
  KEYS.set(camel, camel);
  KEYS.set(snakeCase(camel), camel);
}

function enumNames(prefix: string, names: string[]): Map<string, number> {
  return new Map(names.map((n, i) => [prefix + n, i]));
}
const SEVERITY_NUMBER = enumNames('SEVERITY_NUMBER_', ['UNSPECIFIED',
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((s) => [s, s + '2', s + '3', s + '4'])]);
const SPAN_KIND = enumNames('SPAN_KIND_', ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER']);
const STATUS_CODE = enumNames('STATUS_CODE_', ['UNSET', 'OK', 'ERROR']);
const AGGREGATION_TEMPORALITY = enumNames('AGGREGATION_TEMPORALITY_', ['UNSPECIFIED', 'DELTA', 'CUMULATIVE']);

const INTEGER_RE = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/;
const HEX_RE = /^[0-9a-fA-F]*$/;
const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Records, usable time range and rejections of one part of a request (last duplicate key wins). */
class Tally {
  n = 0;
  min: bigint | null = null;
  max: bigint | null = null;
  readonly rejects = new Array<number>(REJECT_REASON_COUNT).fill(0);

  time(t: bigint): void {
    if (t === 0n || t >= TWO_63) return;
    this.begin(t);
    this.end(t);
  }
  begin(t: bigint): void {
    if (this.min === null || t < this.min) this.min = t;
  }
  end(t: bigint): void {
    if (this.max === null || t > this.max) this.max = t;
  }
  add(o: Tally): void {
    this.n += o.n;
    if (o.min !== null) this.begin(o.min);
    if (o.max !== null) this.end(o.max);
    for (let i = 0; i < REJECT_REASON_COUNT; i++) this.rejects[i] += o.rejects[i];
  }
}

const usable = (t: bigint): boolean => t !== 0n && t < TWO_63;

class JsonIndexScanner {
  private pos = 0;
  private depth = 0;

  constructor(private readonly buf: Uint8Array) {}

  run(signal: OtlpSignal): OtlpIndex {
    const listKey = signal === 'logs' ? 'resourceLogs' : signal === 'metrics' ? 'resourceMetrics' : 'resourceSpans';
    let segments: OtlpSegmentIndex[] = [];
    const rejects = new Array<number>(REJECT_REASON_COUNT).fill(0);
    let segmentRejects: number[][] = [];
    this.ws();
    if (this.buf[this.pos] !== 0x7b) this.fail('expected a JSON object');
    this.message((key) => {
      if (key !== listKey) return false;
      const list: OtlpSegmentIndex[] = [];
      const listRejects: number[][] = [];
      this.repeated(() => {
        if (this.buf[this.pos] !== 0x7b) this.fail(`expected an object in ${listKey}`);
        const start = this.pos;
        const [attrs, tally] = this.resourceX(signal);
        listRejects.push(tally.rejects);
        if (tally.n > 0) {
          list.push({
            byteOffset: start,
            byteLength: this.pos - start,
            resourceAttributes: attrs,
            beginTime: tally.min,
            endTime: tally.max,
            nbObjects: tally.n,
          });
        }
      });
      segments = list;
      segmentRejects = listRejects;
      return true;
    });
    this.ws();
    if (this.pos !== this.buf.length) this.fail('unexpected data after the JSON value');
    for (const r of segmentRejects) for (let i = 0; i < REJECT_REASON_COUNT; i++) rejects[i] += r[i];
    const rejected = rejects.reduce((a, b) => a + b, 0);
    const index: OtlpIndex = { signal, segments, rejected };
    if (rejected > 0) index.rejectMessage = rejectMessage(signal, rejects);
    return index;
  }

  // ---- OTLP messages ---------------------------------------------------------------------------

  private resourceX(signal: OtlpSignal): [Array<[string, string]>, Tally] {
    let attrs: Array<[string, string]> = [];
    let tally = new Tally();
    const scopesKey = signal === 'logs' ? 'scopeLogs' : signal === 'metrics' ? 'scopeMetrics' : 'scopeSpans';
    this.message((k) => {
      if (k === 'resource') attrs = this.resource();
      else if (k === scopesKey) {
        const t = new Tally();
        this.repeated(() => t.add(this.scopeX(signal)));
        tally = t;
      } else if (k === 'schemaUrl') this.skipStr();
      else return false;
      return true;
    });
    return [attrs, tally];
  }

  private resource(): Array<[string, string]> {
    let attrs: Array<[string, string]> = [];
    this.message((k) => {
      if (k === 'attributes') {
        const list: Array<[string, string]> = [];
        this.repeated(() => {
          const [key, v] = this.keyValue(true);
          list.push([key, anyValueToString(v)]);
        });
        attrs = list;
      } else if (k === 'droppedAttributesCount') this.int32(false);
      else if (k === 'entityRefs') this.repeated(() => this.entityRef());
      else return false;
      return true;
    });
    return attrs;
  }

  private entityRef(): void {
    this.message((k) => {
      if (k === 'schemaUrl' || k === 'type') this.str();
      else if (k === 'idKeys' || k === 'descriptionKeys') this.repeated(() => this.str(false));
      else return false;
      return true;
    });
  }

  private scopeX(signal: OtlpSignal): Tally {
    let tally = new Tally();
    const recordsKey = signal === 'logs' ? 'logRecords' : signal === 'metrics' ? 'metrics' : 'spans';
    this.message((k) => {
      if (k === 'scope') this.scope();
      else if (k === recordsKey) {
        const t = new Tally();
        if (signal === 'logs') this.repeated(() => this.logRecord(t));
        else if (signal === 'metrics') this.repeated(() => t.add(this.metric()));
        else this.repeated(() => this.span(t));
        tally = t;
      } else if (k === 'schemaUrl') this.skipStr();
      else return false;
      return true;
    });
    return tally;
  }

  private scope(): void {
    this.message((k) => {
      if (k === 'name' || k === 'version') this.skipStr();
      else if (k === 'attributes') this.attributes();
      else if (k === 'droppedAttributesCount') this.int32(false);
      else return false;
      return true;
    });
  }

  private attributes(): void {
    this.repeated(() => this.keyValue(false));
  }

  /** A KeyValue; the value tree is built only when `build` (resource attributes). */
  private keyValue(build: boolean): [string, AnyValue] {
    let key = '';
    let value: AnyValue = EMPTY_VALUE;
    this.message((k) => {
      if (k === 'key') {
        if (build) key = this.str() ?? '';
        else this.skipStr();
      }
      else if (k === 'value') value = this.anyValue(build);
      else if (k === 'keyStrindex') this.int32(true);
      else return false;
      return true;
    });
    return [key, value];
  }

  private anyValue(build: boolean): AnyValue {
    let v: AnyValue = EMPTY_VALUE;
    if (this.null()) return v;
    this.message((k) => {
      switch (k) {
        case 'stringValue': {
          if (!build) {
            this.skipStr();
            v = EMPTY_VALUE;
            break;
          }
          const s = this.str();
          if (s !== undefined) v = { kind: 'string', value: s };
          break;
        }
        case 'boolValue': {
          const b = this.bool();
          if (b !== undefined) v = { kind: 'bool', value: b };
          break;
        }
        case 'intValue': {
          const i = this.int64(true);
          if (i !== undefined) v = { kind: 'int', value: i };
          break;
        }
        case 'doubleValue': {
          const d = this.double();
          if (d !== undefined) v = { kind: 'double', value: d };
          break;
        }
        case 'bytesValue': {
          const b = this.base64();
          if (b !== undefined) v = { kind: 'bytes', value: b };
          break;
        }
        case 'arrayValue': {
          if (this.null()) break;
          const values: AnyValue[] = [];
          this.message((kk) => {
            if (kk !== 'values') return false;
            values.length = 0;
            this.repeated(() => values.push(this.anyValue(build)));
            return true;
          });
          v = { kind: 'array', value: build ? values : [] };
          break;
        }
        case 'kvlistValue': {
          if (this.null()) break;
          const values: Array<[string, AnyValue]> = [];
          this.message((kk) => {
            if (kk !== 'values') return false;
            values.length = 0;
            this.repeated(() => values.push(this.keyValue(build)));
            return true;
          });
          v = { kind: 'kvlist', value: build ? values : [] };
          break;
        }
        case 'stringValueStrindex':
          if (this.int32(true) !== undefined) v = EMPTY_VALUE;
          break;
        default:
          return false;
      }
      return true;
    });
    return v;
  }

  private logRecord(tally: Tally): void {
    let time = 0n;
    let observed = 0n;
    this.message((k) => {
      switch (k) {
        case 'timeUnixNano': time = this.int64(false) ?? 0n; break;
        case 'observedTimeUnixNano': observed = this.int64(false) ?? 0n; break;
        case 'severityNumber': this.enumValue(SEVERITY_NUMBER); break;
        case 'severityText': case 'eventName': this.skipStr(); break;
        case 'body': this.anyValue(false); break;
        case 'attributes': this.attributes(); break;
        case 'droppedAttributesCount': case 'flags': this.int32(false); break;
        case 'traceId': case 'spanId': this.hexId(); break;
        default: return false;
      }
      return true;
    });
    tally.n++;
    tally.time(usable(time) ? time : observed);
  }

  private metric(): Tally {
    let tally = new Tally();
    this.message((k) => {
      switch (k) {
        case 'name': case 'description': case 'unit': this.skipStr(); break;
        case 'metadata': this.attributes(); break;
        case 'gauge': case 'sum': case 'histogram': case 'exponentialHistogram': case 'summary':
          if (!this.null()) tally = this.metricData(k);
          break;
        default: return false;
      }
      return true;
    });
    return tally;
  }

  private metricData(kind: string): Tally {
    let tally = new Tally();
    this.message((k) => {
      if (k === 'dataPoints') {
        const t = new Tally();
        if (kind === 'gauge' || kind === 'sum') this.repeated(() => this.numberPoint(t));
        else if (kind === 'histogram') this.repeated(() => this.histogramPoint(t));
        else if (kind === 'exponentialHistogram') this.repeated(() => this.expHistogramPoint(t));
        else this.repeated(() => this.summaryPoint(t));
        tally = t;
      } else if (k === 'aggregationTemporality' && kind !== 'gauge' && kind !== 'summary') {
        this.enumValue(AGGREGATION_TEMPORALITY);
      } else if (k === 'isMonotonic' && kind === 'sum') this.bool();
      else return false;
      return true;
    });
    return tally;
  }

  /** Counts a point, notes its time and its rejection reason (-1: none) unless it has no value flagged. */
  private point(tally: Tally, time: bigint, flags: number, reason: number): void {
    tally.n++;
    tally.time(time);
    if (flags & 1) return;
    if (!usable(time)) tally.rejects[R_TIME_ZERO]++;
    else if (reason >= 0) tally.rejects[reason]++;
  }

  private numberPoint(tally: Tally): void {
    let time = 0n, flags = 0, hasValue = false;
    this.message((k) => {
      switch (k) {
        case 'attributes': this.attributes(); break;
        case 'startTimeUnixNano': this.int64(false); break;
        case 'timeUnixNano': time = this.int64(false) ?? 0n; break;
        case 'asDouble': if (this.double() !== undefined) hasValue = true; break;
        case 'asInt': if (this.int64(true) !== undefined) hasValue = true; break;
        case 'exemplars': this.repeated(() => this.exemplar()); break;
        case 'flags': flags = this.int32(false) ?? 0; break;
        default: return false;
      }
      return true;
    });
    this.point(tally, time, flags, hasValue ? -1 : R_NO_VALUE);
  }

  private exemplar(): void {
    this.message((k) => {
      switch (k) {
        case 'filteredAttributes': this.attributes(); break;
        case 'timeUnixNano': this.int64(false); break;
        case 'asDouble': this.double(); break;
        case 'asInt': this.int64(true); break;
        case 'spanId': case 'traceId': this.hexId(); break;
        default: return false;
      }
      return true;
    });
  }

  private histogramPoint(tally: Tally): void {
    let time = 0n, flags = 0, count = 0n, nCounts = 0, increasing = true;
    let nBounds = 0;
    this.message((k) => {
      switch (k) {
        case 'attributes': this.attributes(); break;
        case 'startTimeUnixNano': this.int64(false); break;
        case 'timeUnixNano': time = this.int64(false) ?? 0n; break;
        case 'count': count = this.int64(false) ?? 0n; break;
        case 'sum': case 'min': case 'max': this.double(); break;
        case 'bucketCounts': {
          let n = 0;
          this.repeated(() => {
            this.int64(false, false);
            n++;
          });
          nCounts = n;
          break;
        }
        case 'explicitBounds': {
          let n = 0, last = 0, inc = true;
          this.repeated(() => {
            const d = this.double(false)!;
            if (n > 0 && !(d > last)) inc = false;
            last = d;
            n++;
          });
          nBounds = n;
          increasing = inc;
          break;
        }
        case 'exemplars': this.repeated(() => this.exemplar()); break;
        case 'flags': flags = this.int32(false) ?? 0; break;
        default: return false;
      }
      return true;
    });
    const reason =
      count >= TWO_63 ? R_COUNT_TOO_LARGE
      : nCounts !== 0 && nCounts !== nBounds + 1 ? R_BUCKET_COUNT_LENGTH
      : !increasing ? R_BOUNDS_NOT_INCREASING
      : -1;
    this.point(tally, time, flags, reason);
  }

  private expHistogramPoint(tally: Tally): void {
    let time = 0n, flags = 0, count = 0n, scale = 0, zeroThreshold = 0;
    let neg: [number, number] = [0, 0];
    let pos: [number, number] = [0, 0];
    this.message((k) => {
      switch (k) {
        case 'attributes': this.attributes(); break;
        case 'startTimeUnixNano': case 'zeroCount': this.int64(false); break;
        case 'timeUnixNano': time = this.int64(false) ?? 0n; break;
        case 'count': count = this.int64(false) ?? 0n; break;
        case 'sum': case 'min': case 'max': this.double(); break;
        case 'zeroThreshold': zeroThreshold = this.double() ?? 0; break;
        case 'scale': scale = this.int32(true) ?? 0; break;
        case 'positive': pos = this.buckets(); break;
        case 'negative': neg = this.buckets(); break;
        case 'exemplars': this.repeated(() => this.exemplar()); break;
        case 'flags': flags = this.int32(false) ?? 0; break;
        default: return false;
      }
      return true;
    });
    const reason =
      count >= TWO_63 ? R_COUNT_TOO_LARGE
      : scale < -10 || scale > 20 ? R_SCALE_RANGE
      : !expHistogramBoundsFinite(scale, zeroThreshold, neg[0], neg[1], pos[0], pos[1]) ? R_BOUND_NOT_FINITE
      : -1;
    this.point(tally, time, flags, reason);
  }

  /** Buckets → [offset, number of bucket counts]. */
  private buckets(): [number, number] {
    let offset = 0, n = 0;
    if (this.null()) return [0, 0];
    this.message((k) => {
      if (k === 'offset') offset = this.int32(true) ?? 0;
      else if (k === 'bucketCounts') {
        let c = 0;
        this.repeated(() => {
          this.int64(false, false);
          c++;
        });
        n = c;
      } else return false;
      return true;
    });
    return [offset, n];
  }

  private summaryPoint(tally: Tally): void {
    let time = 0n, flags = 0, count = 0n;
    this.message((k) => {
      switch (k) {
        case 'attributes': this.attributes(); break;
        case 'startTimeUnixNano': this.int64(false); break;
        case 'timeUnixNano': time = this.int64(false) ?? 0n; break;
        case 'count': count = this.int64(false) ?? 0n; break;
        case 'sum': this.double(); break;
        case 'quantileValues':
          this.repeated(() =>
            this.message((kk) => {
              if (kk !== 'quantile' && kk !== 'value') return false;
              this.double();
              return true;
            }),
          );
          break;
        case 'flags': flags = this.int32(false) ?? 0; break;
        default: return false;
      }
      return true;
    });
    this.point(tally, time, flags, count >= TWO_63 ? R_COUNT_TOO_LARGE : -1);
  }

  private span(tally: Tally): void {
    let start = 0n, end = 0n, traceIdLen = 0, spanIdLen = 0;
    this.message((k) => {
      switch (k) {
        case 'traceId': traceIdLen = this.hexId(); break;
        case 'spanId': spanIdLen = this.hexId(); break;
        case 'parentSpanId': this.hexId(); break;
        case 'traceState': case 'name': this.skipStr(); break;
        case 'flags': case 'droppedAttributesCount': case 'droppedEventsCount': case 'droppedLinksCount':
          this.int32(false);
          break;
        case 'kind': this.enumValue(SPAN_KIND); break;
        case 'startTimeUnixNano': start = this.int64(false) ?? 0n; break;
        case 'endTimeUnixNano': end = this.int64(false) ?? 0n; break;
        case 'attributes': this.attributes(); break;
        case 'events': this.repeated(() => this.event()); break;
        case 'links': this.repeated(() => this.link()); break;
        case 'status': this.status(); break;
        default: return false;
      }
      return true;
    });
    tally.n++;
    if (usable(start)) tally.begin(start);
    if (usable(end)) tally.end(end);
    if (traceIdLen !== 16) tally.rejects[R_TRACE_ID_LENGTH]++;
    else if (spanIdLen !== 8) tally.rejects[R_SPAN_ID_LENGTH]++;
    else if (!usable(start)) tally.rejects[R_START_TIME_ZERO]++;
    else if (!usable(end)) tally.rejects[R_END_TIME_ZERO]++;
  }

  private event(): void {
    this.message((k) => {
      switch (k) {
        case 'timeUnixNano': this.int64(false); break;
        case 'name': this.skipStr(); break;
        case 'attributes': this.attributes(); break;
        case 'droppedAttributesCount': this.int32(false); break;
        default: return false;
      }
      return true;
    });
  }

  private link(): void {
    this.message((k) => {
      switch (k) {
        case 'traceId': case 'spanId': this.hexId(); break;
        case 'traceState': this.skipStr(); break;
        case 'attributes': this.attributes(); break;
        case 'droppedAttributesCount': case 'flags': this.int32(false); break;
        default: return false;
      }
      return true;
    });
  }

  private status(): void {
    if (this.null()) return;
    this.message((k) => {
      if (k === 'message') this.skipStr();
      else if (k === 'code') this.enumValue(STATUS_CODE);
      else return false;
      return true;
    });
  }

  // ---- OTLP value rules ------------------------------------------------------------------------

  /** An object (or null) whose keys are normalised to camelCase; `field` returns false for keys it
   * does not know, which are then skipped. A `null` value is an absent field. */
  private message(field: (camelKey: string) => boolean): void {
    if (this.null()) return;
    if (this.buf[this.pos] !== 0x7b) this.fail('expected an object');
    this.object((key) => {
      const k = KEYS.get(key);
      if (k === undefined || this.peekNull()) return this.skipValue();
      if (!field(k)) this.skipValue();
    });
  }

  /** An array (or null = empty); elements may not be null. */
  private repeated(item: () => void): void {
    if (this.null()) return;
    if (this.buf[this.pos] !== 0x5b) this.fail('expected an array');
    this.array(() => {
      if (this.peekNull()) this.fail('null array element');
      item();
    });
  }

  /** A string field; undefined for null. */
  private str(nullable = true): string | undefined {
    if (nullable && this.null()) return undefined;
    if (this.buf[this.pos] !== 0x22) this.fail('expected a string');
    return this.string();
  }

  /** A string field whose value the index does not need: validated, not decoded. */
  private skipStr(): void {
    if (this.null()) return;
    if (this.buf[this.pos] !== 0x22) this.fail('expected a string');
    this.skipString();
  }

  private bool(): boolean | undefined {
    if (this.null()) return undefined;
    if (this.literal('true')) return true;
    if (this.literal('false')) return false;
    this.fail('expected true or false');
  }

  /** A 64-bit integer from a decimal string or a JSON number, exactly. */
  private int64(signed: boolean, nullable = true): bigint | undefined {
    if (nullable && this.null()) return undefined;
    const at = this.pos;
    let v = this.plainInteger();
    let text = '';
    if (v === undefined) {
      text = this.numberText(false);
      v = parseInteger(text);
      if (v === undefined) this.fail(`not an integer: ${clip(text)}`, at);
    } else if (!(signed ? v <= I64_MAX : v >= 0n)) text = latin1(this.buf, at, this.pos);
    if (signed ? v < I64_MIN || v > I64_MAX : v < 0n || v > U64_MAX) this.fail(`integer out of range: ${clip(text)}`, at);
    return v;
  }

  /** Fast path for the common forms `123` / `"123"` (at most 19 digits, within ±10^19);
   * undefined (pos unchanged) for anything else. */
  private plainInteger(): bigint | undefined {
    const buf = this.buf;
    const quoted = buf[this.pos] === 0x22;
    let p = quoted ? this.pos + 1 : this.pos;
    const start = p;
    if (buf[p] === 0x2d) p++;
    const digits = p;
    while (buf[p] >= 0x30 && buf[p] <= 0x39) p++;
    const n = p - digits;
    if (n === 0 || n > 19 || (n > 1 && buf[digits] === 0x30)) return undefined;
    if (quoted ? buf[p] !== 0x22 : buf[p] === 0x2e || buf[p] === 0x65 || buf[p] === 0x45) return undefined;
    this.pos = quoted ? p + 1 : p;
    return BigInt(latin1(buf, start, p));
  }

  private int32(signed: boolean): number | undefined {
    if (this.null()) return undefined;
    const at = this.pos;
    const text = this.numberText(false);
    const v = parseInteger(text);
    if (v === undefined) this.fail(`not an integer: ${clip(text)}`, at);
    if (signed ? v < -(2n ** 31n) || v >= 2n ** 31n : v < 0n || v >= 2n ** 32n) this.fail(`integer out of range: ${clip(text)}`, at);
    return Number(v);
  }

  private double(nullable = true): number | undefined {
    if (nullable && this.null()) return undefined;
    const text = this.numberText(true);
    return text === 'NaN' ? NaN : text === 'Infinity' ? Infinity : text === '-Infinity' ? -Infinity : Number(text);
  }

  private enumValue(names: Map<string, number>): number | undefined {
    if (this.null()) return undefined;
    if (this.buf[this.pos] === 0x22) {
      const at = this.pos;
      const s = this.string();
      const v = names.get(s);
      if (v !== undefined) return v;
      if (!INTEGER_RE.test(s)) this.fail(`unknown enum value ${JSON.stringify(clip(s))}`, at);
      this.pos = at;
    }
    return this.int32(true);
  }

  /** A hex id (traceId, spanId, parentSpanId): returns its byte length; "" is absent (0). */
  private hexId(): number {
    if (this.null()) return 0;
    const at = this.pos;
    if (this.buf[at] !== 0x22) this.fail('expected a hex string');
    let p = at + 1;
    while (hexDigit(this.buf[p]) >= 0) p++;
    if (this.buf[p] === 0x22) {
      if ((p - at - 1) % 2 !== 0) this.fail('invalid hex id', at);
      this.pos = p + 1;
      return (p - at - 1) / 2;
    }
    const s = this.string(); // escapes or invalid characters: decide on the decoded text
    if (s.length % 2 !== 0 || !HEX_RE.test(s)) this.fail('invalid hex id', at);
    return s.length / 2;
  }

  private base64(): Uint8Array | undefined {
    if (this.null()) return undefined;
    const at = this.pos;
    const s = this.str(false)!;
    if (!BASE64_RE.test(s) || s.replace(/=+$/, '').length % 4 === 1) this.fail('invalid base64', at);
    return new Uint8Array(Buffer.from(s, 'base64'));
  }

  /** The text of a number given as a JSON number or a JSON string (validated against the JSON
   * number grammar; `NaN`/`Infinity`/`-Infinity` allowed in strings when `specials`). */
  private numberText(specials: boolean): string {
    const c = this.buf[this.pos];
    if (c === 0x22) {
      const at = this.pos;
      const s = this.string();
      if (specials && (s === 'NaN' || s === 'Infinity' || s === '-Infinity')) return s;
      if (!NUMBER_RE.test(s)) this.fail(`not a number: ${JSON.stringify(clip(s))}`, at);
      return s;
    }
    if (c !== 0x2d && !(c >= 0x30 && c <= 0x39)) this.fail('expected a number');
    const start = this.pos;
    this.number();
    return latin1(this.buf, start, this.pos);
  }

  // ---- JSON syntax -----------------------------------------------------------------------------

  private fail(reason: string, at = this.pos): never {
    throw new MalformedPayloadError(`malformed JSON at byte ${at}: ${reason}`, at);
  }

  private ws(): void {
    const buf = this.buf;
    let p = this.pos;
    while (p < buf.length) {
      const c = buf[p];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
  }

  private literal(word: string): boolean {
    const p = this.pos;
    for (let i = 0; i < word.length; i++) if (this.buf[p + i] !== word.charCodeAt(i)) return false;
    this.pos = p + word.length;
    return true;
  }

  /** Consumes `null` when it is the next value. */
  private null(): boolean {
    return this.literal('null');
  }

  private peekNull(): boolean {
    const b = this.buf, p = this.pos;
    return b[p] === 0x6e && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c;
  }

  private enter(): void {
    if (++this.depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH}`);
    this.pos++;
  }

  /** `{` … `}` at pos; `value(key)` must consume exactly one value. */
  private object(value: (key: string) => void): void {
    this.enter();
    this.ws();
    if (this.buf[this.pos] === 0x7d) {
      this.pos++;
      this.depth--;
      return;
    }
    for (;;) {
      this.ws();
      if (this.buf[this.pos] !== 0x22) this.fail('expected a key');
      const key = this.string();
      this.ws();
      if (this.buf[this.pos] !== 0x3a) this.fail("expected ':'");
      this.pos++;
      this.ws();
      value(key);
      this.ws();
      const c = this.buf[this.pos];
      this.pos++;
      if (c === 0x2c) continue;
      if (c === 0x7d) break;
      this.fail("expected ',' or '}'", this.pos - 1);
    }
    this.depth--;
  }

  /** `[` … `]` at pos; `value()` must consume exactly one value. */
  private array(value: () => void): void {
    this.enter();
    this.ws();
    if (this.buf[this.pos] === 0x5d) {
      this.pos++;
      this.depth--;
      return;
    }
    for (;;) {
      this.ws();
      value();
      this.ws();
      const c = this.buf[this.pos];
      this.pos++;
      if (c === 0x2c) continue;
      if (c === 0x5d) break;
      this.fail("expected ',' or ']'", this.pos - 1);
    }
    this.depth--;
  }

  private skipValue(): void {
    const c = this.buf[this.pos];
    if (c === 0x7b) this.object(() => this.skipValue());
    else if (c === 0x5b) this.array(() => this.skipValue());
    else if (c === 0x22) this.skipString();
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) this.number();
    else if (!this.literal('true') && !this.literal('false') && !this.literal('null')) this.fail('expected a JSON value');
  }

  /** A JSON number per RFC 8259 grammar. */
  private number(): void {
    const buf = this.buf;
    let p = this.pos;
    const digits = (): void => {
      const s = p;
      while (buf[p] >= 0x30 && buf[p] <= 0x39) p++;
      if (p === s) this.fail('invalid number', p);
    };
    if (buf[p] === 0x2d) p++;
    if (buf[p] === 0x30) p++;
    else digits();
    if (buf[p] === 0x2e) {
      p++;
      digits();
    }
    if (buf[p] === 0x65 || buf[p] === 0x45) {
      p++;
      if (buf[p] === 0x2b || buf[p] === 0x2d) p++;
      digits();
    }
    this.pos = p;
  }

  /** Validates the JSON string at pos (the opening quote) and moves past it. */
  private skipString(): void {
    const buf = this.buf;
    const start = this.pos;
    let p = start + 1;
    for (;;) {
      if (p >= buf.length) this.fail('unterminated string', start);
      const c = buf[p];
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in string', p);
      if (c === 0x5c) {
        const e = buf[p + 1];
        if (e === 0x75) {
          for (let i = 2; i < 6; i++) if (hexDigit(buf[p + i]) < 0) this.fail('invalid \\u escape', p);
          p += 6;
          continue;
        }
        if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) {
          this.fail('invalid escape', p);
        }
        p += 2;
        continue;
      }
      p++;
    }
    this.pos = p + 1;
  }

  /** A JSON string at pos (the opening quote), decoded; invalid UTF-8 becomes U+FFFD. */
  private string(): string {
    const buf = this.buf;
    const start = ++this.pos;
    let p = start;
    for (;;) {
      if (p >= buf.length) this.fail('unterminated string', start - 1);
      const c = buf[p];
      if (c === 0x22) {
        this.pos = p + 1;
        return decodeUtf8(buf, start, p);
      }
      if (c === 0x5c) break;
      if (c < 0x20) this.fail('control character in string', p);
      p++;
    }
    // Escapes present: collect pieces.
    let out = decodeUtf8(buf, start, p);
    let run = p;
    for (;;) {
      if (p >= buf.length) this.fail('unterminated string', start - 1);
      const c = buf[p];
      if (c === 0x22) {
        out += decodeUtf8(buf, run, p);
        this.pos = p + 1;
        return out;
      }
      if (c < 0x20) this.fail('control character in string', p);
      if (c !== 0x5c) {
        p++;
        continue;
      }
      out += decodeUtf8(buf, run, p);
      const e = buf[p + 1];
      p += 2;
      switch (e) {
        case 0x22: out += '"'; break;
        case 0x5c: out += '\\'; break;
        case 0x2f: out += '/'; break;
        case 0x62: out += '\b'; break;
        case 0x66: out += '\f'; break;
        case 0x6e: out += '\n'; break;
        case 0x72: out += '\r'; break;
        case 0x74: out += '\t'; break;
        case 0x75: {
          let code = 0;
          for (let i = 0; i < 4; i++) {
            const h = hexDigit(buf[p + i]);
            if (h < 0) this.fail('invalid \\u escape', p - 2);
            code = code * 16 + h;
          }
          p += 4;
          out += String.fromCharCode(code);
          break;
        }
        default:
          this.fail('invalid escape', p - 2);
      }
      run = p;
    }
  }
}

const NUMBER_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]);
  return s;
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}

/** Exact integer value of a JSON number text, or undefined when it is not integral. Values whose
 * magnitude is far beyond 64 bits come back as a sentinel just outside the uint64 range. */
export function parseInteger(text: string): bigint | undefined {
  const m = INTEGER_RE.exec(text);
  if (!m) return undefined;
  const [, sign, int, frac = '', expText = '0'] = m;
  let digits = (int + frac).replace(/^0+/, '');
  let exp = Number(expText) - frac.length;
  if (digits === '') return 0n;
  if (exp < 0) {
    const cut = -exp;
    const tail = cut >= digits.length ? digits : digits.slice(digits.length - cut);
    if (/[^0]/.test(tail)) return undefined;
    digits = cut >= digits.length ? '0' : digits.slice(0, digits.length - cut);
    exp = 0;
  }
  if (digits.length + exp > 21) return sign ? -(1n << 65n) : 1n << 65n;
  const v = BigInt(digits) * 10n ** BigInt(exp);
  return sign ? -v : v;
}
