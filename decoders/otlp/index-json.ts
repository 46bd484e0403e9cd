// Ingest-time index of an OTLP/JSON request (otlp-mapping §2.2, §3.2-3.4). A hand-written scanner
// over the bytes: JSON.parse would lose byte positions and 64-bit precision. It validates the JSON
// syntax of the whole payload and the OTLP value rules of every known field (unknown keys are
// skipped after a syntax check), and yields the same index as the protobuf scanner would.
import { decodeUtf8 } from '../protowire.js';
import { MalformedPayloadError, type OtlpIndex, type OtlpSegmentIndex, type OtlpSignal } from '../types.js';
import { anyValueToString, EMPTY_VALUE, type AnyValue } from './any-value.js';
import { hashEnd, hashStep, JsonKeyTable } from './json-keys.js';
import { below2p63, bigIntToParts, fitsInt64, fitsUint64, LO_BASE, partsToBigInt } from './json-int.js';
import { decodeJsonStringFrom, hexDigit } from './json-string.js';
import {
  REJECT_REASON_COUNT, rejectMessage, expHistogramBoundsFinite,
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
const KEYS = new JsonKeyTable([
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
]);

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

/** Records, usable time range and rejections of one part of a request (last duplicate key wins).
 * Times are kept as exact (hi, lo) pairs (json-int.ts) so records need no BigInt; -1 = none. */
class Tally {
  n = 0;
  minHi = -1;
  minLo = 0;
  maxHi = -1;
  maxLo = 0;
  readonly rejects = new Array<number>(REJECT_REASON_COUNT).fill(0);

  time(t: bigint): void {
    if (t === 0n || t >= TWO_63) return;
    const [hi, lo] = bigIntToParts(t);
    this.timeParts(hi, lo);
  }
  /** A usable time (non-zero, below 2^63) as parts. */
  timeParts(hi: number, lo: number): void {
    this.beginParts(hi, lo);
    this.endParts(hi, lo);
  }
  begin(t: bigint): void {
    const [hi, lo] = bigIntToParts(t);
    this.beginParts(hi, lo);
  }
  end(t: bigint): void {
    const [hi, lo] = bigIntToParts(t);
    this.endParts(hi, lo);
  }
  beginParts(hi: number, lo: number): void {
    if (this.minHi < 0 || hi < this.minHi || (hi === this.minHi && lo < this.minLo)) {
      this.minHi = hi;
      this.minLo = lo;
    }
  }
  endParts(hi: number, lo: number): void {
    if (this.maxHi < 0 || hi > this.maxHi || (hi === this.maxHi && lo > this.maxLo)) {
      this.maxHi = hi;
      this.maxLo = lo;
    }
  }
  get min(): bigint | null {
    return this.minHi < 0 ? null : partsToBigInt(this.minHi, this.minLo, false);
  }
  get max(): bigint | null {
    return this.maxHi < 0 ? null : partsToBigInt(this.maxHi, this.maxLo, false);
  }
  add(o: Tally): void {
    this.n += o.n;
    if (o.minHi >= 0) this.beginParts(o.minHi, o.minLo);
    if (o.maxHi >= 0) this.endParts(o.maxHi, o.maxLo);
    for (let i = 0; i < REJECT_REASON_COUNT; i++) this.rejects[i] += o.rejects[i];
  }
}

/** What openMessage/nextField return after the last field of an object (no key is empty). */
const END = '';
/** keyValue's result when the tree is not built. */
const NO_KEY_VALUE: [string, AnyValue] = ['', EMPTY_VALUE];

const usableParts = (hi: number, lo: number): boolean => (hi !== 0 || lo !== 0) && below2p63(hi, lo);
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

  // Hot paths are written as loops over fields (openMessage/nextField) and elements
  // (openArray/nextElement) rather than callbacks: no closure per value.

  private resourceX(signal: OtlpSignal): [Array<[string, string]>, Tally] {
    let attrs: Array<[string, string]> = [];
    let tally = new Tally();
    const scopesKey = signal === 'logs' ? 'scopeLogs' : signal === 'metrics' ? 'scopeMetrics' : 'scopeSpans';
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      if (k === 'resource') attrs = this.resource();
      else if (k === scopesKey) {
        const t = new Tally();
        for (let more = this.openArray(); more; more = this.nextElement()) this.scopeX(signal, t);
        tally = t;
      } else if (k === 'schemaUrl') this.skipStr();
      else this.skipValue();
    }
    return [attrs, tally];
  }

  private resource(): Array<[string, string]> {
    let attrs: Array<[string, string]> = [];
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      if (k === 'attributes') {
        const list: Array<[string, string]> = [];
        for (let more = this.openArray(); more; more = this.nextElement()) {
          const [key, v] = this.keyValue(true);
          list.push([key, anyValueToString(v)]);
        }
        attrs = list;
      } else if (k === 'droppedAttributesCount') this.int32(false);
      else if (k === 'entityRefs') { for (let more = this.openArray(); more; more = this.nextElement()) this.entityRef(); }
      else this.skipValue();
    }
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

  /** One Scope* element, added to `into` (the last duplicate records key wins within it). */
  private scopeX(signal: OtlpSignal, into: Tally): void {
    let tally = new Tally();
    const recordsKey = signal === 'logs' ? 'logRecords' : signal === 'metrics' ? 'metrics' : 'spans';
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      if (k === 'scope') this.scope();
      else if (k === recordsKey) {
        const t = new Tally();
        for (let more = this.openArray(); more; more = this.nextElement()) {
          if (signal === 'logs') this.logRecord(t);
          else if (signal === 'metrics') t.add(this.metric());
          else this.span(t);
        }
        tally = t;
      } else if (k === 'schemaUrl') this.skipStr();
      else this.skipValue();
    }
    into.add(tally);
  }

  private scope(): void {
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      if (k === 'name' || k === 'version') this.skipStr();
      else if (k === 'attributes') this.attributes();
      else if (k === 'droppedAttributesCount') this.int32(false);
      else this.skipValue();
    }
  }

  private attributes(): void {
    for (let more = this.openArray(); more; more = this.nextElement()) this.keyValue(false);
  }

  /** A KeyValue; the value tree is built only when `build` (resource attributes). */
  private keyValue(build: boolean): [string, AnyValue] {
    let key = '';
    let value: AnyValue = EMPTY_VALUE;
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      if (k === 'key') {
        if (build) key = this.str() ?? '';
        else this.skipStr();
      } else if (k === 'value') value = this.anyValue(build);
      else if (k === 'keyStrindex') this.int32(true);
      else this.skipValue();
    }
    return build ? [key, value] : NO_KEY_VALUE;
  }

  private anyValue(build: boolean): AnyValue {
    let v: AnyValue = EMPTY_VALUE;
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
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
          if (b !== undefined) v = build ? { kind: 'bool', value: b } : EMPTY_VALUE;
          break;
        }
        case 'intValue': {
          if (!build) {
            this.int64Parts(true);
            break;
          }
          const i = this.int64(true);
          if (i !== undefined) v = { kind: 'int', value: i };
          break;
        }
        case 'doubleValue': {
          const d = this.double(true, build);
          if (d !== undefined) v = build ? { kind: 'double', value: d } : EMPTY_VALUE;
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
          for (let kk = this.openMessage(); kk !== END; kk = this.nextField()) {
            if (kk !== 'values') {
              this.skipValue();
              continue;
            }
            values.length = 0;
            for (let more = this.openArray(); more; more = this.nextElement()) {
              const item = this.anyValue(build);
              if (build) values.push(item);
            }
          }
          v = { kind: 'array', value: build ? values : [] };
          break;
        }
        case 'kvlistValue': {
          if (this.null()) break;
          const values: Array<[string, AnyValue]> = [];
          for (let kk = this.openMessage(); kk !== END; kk = this.nextField()) {
            if (kk !== 'values') {
              this.skipValue();
              continue;
            }
            values.length = 0;
            for (let more = this.openArray(); more; more = this.nextElement()) {
              const item = this.keyValue(build);
              if (build) values.push(item);
            }
          }
          v = { kind: 'kvlist', value: build ? values : [] };
          break;
        }
        case 'stringValueStrindex':
          if (this.int32(true) !== undefined) v = EMPTY_VALUE;
          break;
        default:
          this.skipValue();
      }
    }
    return v;
  }

  private logRecord(tally: Tally): void {
    let timeHi = 0, timeLo = 0, obsHi = 0, obsLo = 0;
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      switch (k) {
        case 'timeUnixNano':
          if (this.int64Parts(false)) { timeHi = this.hi; timeLo = this.lo; } else { timeHi = 0; timeLo = 0; }
          break;
        case 'observedTimeUnixNano':
          if (this.int64Parts(false)) { obsHi = this.hi; obsLo = this.lo; } else { obsHi = 0; obsLo = 0; }
          break;
        case 'severityNumber': this.enumValue(SEVERITY_NUMBER); break;
        case 'severityText': case 'eventName': this.skipStr(); break;
        case 'body': this.anyValue(false); break;
        case 'attributes': this.attributes(); break;
        case 'droppedAttributesCount': case 'flags': this.int32(false); break;
        case 'traceId': case 'spanId': this.hexId(); break;
        default: this.skipValue();
      }
    }
    tally.n++;
    if (usableParts(timeHi, timeLo)) tally.timeParts(timeHi, timeLo);
    else if (usableParts(obsHi, obsLo)) tally.timeParts(obsHi, obsLo);
  }

  private metric(): Tally {
    let tally = new Tally();
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      switch (k) {
        case 'name': case 'description': case 'unit': this.skipStr(); break;
        case 'metadata': this.attributes(); break;
        case 'gauge': case 'sum': case 'histogram': case 'exponentialHistogram': case 'summary':
          if (!this.null()) tally = this.metricData(k);
          break;
        default: this.skipValue();
      }
    }
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
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      switch (k) {
        case 'attributes': this.attributes(); break;
        case 'startTimeUnixNano': this.int64Parts(false); break;
        case 'timeUnixNano': time = this.int64(false) ?? 0n; break;
        case 'asDouble': if (this.double(true, false) !== undefined) hasValue = true; break;
        case 'asInt': if (this.int64Parts(true)) hasValue = true; break;
        case 'exemplars': { for (let more = this.openArray(); more; more = this.nextElement()) this.exemplar(); } break;
        case 'flags': flags = this.int32(false) ?? 0; break;
        default: this.skipValue();
      }
    }
    this.point(tally, time, flags, hasValue ? -1 : R_NO_VALUE);
  }

  private exemplar(): void {
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      switch (k) {
        case 'filteredAttributes': this.attributes(); break;
        case 'timeUnixNano': this.int64Parts(false); break;
        case 'asDouble': this.double(); break;
        case 'asInt': this.int64Parts(true); break;
        case 'spanId': case 'traceId': this.hexId(); break;
        default: this.skipValue();
      }
    }
  }

  private histogramPoint(tally: Tally): void {
    let time = 0n, flags = 0, count = 0n, nCounts = 0, increasing = true;
    let nBounds = 0;
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      switch (k) {
        case 'attributes': this.attributes(); break;
        case 'startTimeUnixNano': this.int64Parts(false); break;
        case 'timeUnixNano': time = this.int64(false) ?? 0n; break;
        case 'count': count = this.int64(false) ?? 0n; break;
        case 'sum': case 'min': case 'max': this.double(); break;
        case 'bucketCounts': {
          let n = 0;
          this.repeated(() => {
            this.int64Parts(false, false);
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
        case 'exemplars': { for (let more = this.openArray(); more; more = this.nextElement()) this.exemplar(); } break;
        case 'flags': flags = this.int32(false) ?? 0; break;
        default: this.skipValue();
      }
    }
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
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      switch (k) {
        case 'attributes': this.attributes(); break;
        case 'startTimeUnixNano': case 'zeroCount': this.int64Parts(false); break;
        case 'timeUnixNano': time = this.int64(false) ?? 0n; break;
        case 'count': count = this.int64(false) ?? 0n; break;
        case 'sum': case 'min': case 'max': this.double(); break;
        case 'zeroThreshold': zeroThreshold = this.double() ?? 0; break;
        case 'scale': scale = this.int32(true) ?? 0; break;
        case 'positive': pos = this.buckets(); break;
        case 'negative': neg = this.buckets(); break;
        case 'exemplars': { for (let more = this.openArray(); more; more = this.nextElement()) this.exemplar(); } break;
        case 'flags': flags = this.int32(false) ?? 0; break;
        default: this.skipValue();
      }
    }
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
          this.int64Parts(false, false);
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
        case 'startTimeUnixNano': this.int64Parts(false); break;
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
    let startHi = 0, startLo = 0, endHi = 0, endLo = 0, traceIdLen = 0, spanIdLen = 0;
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      switch (k) {
        case 'traceId': traceIdLen = this.hexId(); break;
        case 'spanId': spanIdLen = this.hexId(); break;
        case 'parentSpanId': this.hexId(); break;
        case 'traceState': case 'name': this.skipStr(); break;
        case 'flags': case 'droppedAttributesCount': case 'droppedEventsCount': case 'droppedLinksCount':
          this.int32(false);
          break;
        case 'kind': this.enumValue(SPAN_KIND); break;
        case 'startTimeUnixNano':
          if (this.int64Parts(false)) { startHi = this.hi; startLo = this.lo; } else { startHi = 0; startLo = 0; }
          break;
        case 'endTimeUnixNano':
          if (this.int64Parts(false)) { endHi = this.hi; endLo = this.lo; } else { endHi = 0; endLo = 0; }
          break;
        case 'attributes': this.attributes(); break;
        case 'events': { for (let more = this.openArray(); more; more = this.nextElement()) this.event(); } break;
        case 'links': { for (let more = this.openArray(); more; more = this.nextElement()) this.link(); } break;
        case 'status': this.status(); break;
        default: this.skipValue();
      }
    }
    tally.n++;
    const startOk = usableParts(startHi, startLo), endOk = usableParts(endHi, endLo);
    if (startOk) tally.beginParts(startHi, startLo);
    if (endOk) tally.endParts(endHi, endLo);
    if (traceIdLen !== 16) tally.rejects[R_TRACE_ID_LENGTH]++;
    else if (spanIdLen !== 8) tally.rejects[R_SPAN_ID_LENGTH]++;
    else if (!startOk) tally.rejects[R_START_TIME_ZERO]++;
    else if (!endOk) tally.rejects[R_END_TIME_ZERO]++;
  }

  private event(): void {
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      switch (k) {
        case 'timeUnixNano': this.int64Parts(false); break;
        case 'name': this.skipStr(); break;
        case 'attributes': this.attributes(); break;
        case 'droppedAttributesCount': this.int32(false); break;
        default: this.skipValue();
      }
    }
  }

  private link(): void {
    for (let k = this.openMessage(); k !== END; k = this.nextField()) {
      switch (k) {
        case 'traceId': case 'spanId': this.hexId(); break;
        case 'traceState': this.skipStr(); break;
        case 'attributes': this.attributes(); break;
        case 'droppedAttributesCount': case 'flags': this.int32(false); break;
        default: this.skipValue();
      }
    }
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
   * does not know, which are then skipped. A `null` value is an absent field. For cold paths. */
  private message(field: (camelKey: string) => boolean): void {
    for (let k = this.openMessage(); k !== END; k = this.nextField()) if (!field(k)) this.skipValue();
  }

  /** Starts an object (or null = no fields) at pos; returns its first known, non-null field's
   * camelCase key with pos at the value, or END. Unknown keys and null values are skipped. */
  private openMessage(): string {
    if (this.null()) return END;
    const buf = this.buf;
    if (buf[this.pos] !== 0x7b) this.fail('expected an object');
    this.enter();
    this.ws();
    if (buf[this.pos] === 0x7d) {
      this.pos++;
      this.depth--;
      return END;
    }
    return this.field();
  }

  /** After a field's value: the next known field's key, or END (having consumed the `}`). */
  private nextField(): string {
    this.ws();
    const c = this.buf[this.pos++];
    if (c === 0x2c) return this.field();
    if (c === 0x7d) {
      this.depth--;
      return END;
    }
    this.fail("expected ',' or '}'", this.pos - 1);
  }

  /** `"key": ` at pos (after `{` or `,`), skipping unknown keys and null values. */
  private field(): string {
    const buf = this.buf;
    for (;;) {
      this.ws();
      const k = this.key();
      this.ws();
      if (buf[this.pos] !== 0x3a) this.fail("expected ':'");
      this.pos++;
      this.ws();
      if (k !== undefined && !this.peekNull()) return k;
      this.skipValue();
      this.ws();
      const c = buf[this.pos++];
      if (c === 0x7d) {
        this.depth--;
        return END;
      }
      if (c !== 0x2c) this.fail("expected ',' or '}'", this.pos - 1);
    }
  }

  /** Starts an array (or null = empty) at pos; true with pos at its first element. Elements may
   * not be null. */
  private openArray(): boolean {
    if (this.null()) return false;
    if (this.buf[this.pos] !== 0x5b) this.fail('expected an array');
    this.enter();
    this.ws();
    if (this.buf[this.pos] === 0x5d) {
      this.pos++;
      this.depth--;
      return false;
    }
    if (this.peekNull()) this.fail('null array element');
    return true;
  }

  /** After an element: true with pos at the next element, false having consumed the `]`. */
  private nextElement(): boolean {
    this.ws();
    const c = this.buf[this.pos++];
    if (c === 0x2c) {
      this.ws();
      if (this.peekNull()) this.fail('null array element');
      return true;
    }
    if (c === 0x5d) {
      this.depth--;
      return false;
    }
    this.fail("expected ',' or ']'", this.pos - 1);
  }

  /** An object key at pos, as its known camelCase name (undefined: unknown), without decoding it
   * to a string unless it contains escapes. */
  private key(): string | undefined {
    const buf = this.buf;
    const at = this.pos;
    if (buf[at] !== 0x22) this.fail('expected a key');
    let p = at + 1;
    let h = 0;
    for (;;) {
      const c = buf[p];
      if (c === 0x22) {
        this.pos = p + 1;
        return KEYS.lookupHashed(hashEnd(h, p - at - 1), buf, at + 1, p);
      }
      if (c === 0x5c || c < 0x20 || c === undefined) break;
      h = hashStep(h, c);
      p++;
    }
    return KEYS.lookupString(this.string());
  }

  /** An array (or null = empty); elements may not be null. For cold paths. */
  private repeated(item: () => void): void {
    for (let more = this.openArray(); more; more = this.nextElement()) item();
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

  // The last integer read by int64Parts: |value| = hi * 10^9 + lo, sign in neg.
  private hi = 0;
  private lo = 0;
  private neg = false;

  /** A 64-bit integer from a decimal string or a JSON number, exactly. */
  private int64(signed: boolean, nullable = true): bigint | undefined {
    return this.int64Parts(signed, nullable) ? partsToBigInt(this.hi, this.lo, this.neg) : undefined;
  }

  /** Reads a 64-bit integer into hi/lo/neg (range checked); false for null. */
  private int64Parts(signed: boolean, nullable = true): boolean {
    if (nullable && this.null()) return false;
    const at = this.pos;
    if (this.plainInteger()) {
      if (signed ? fitsInt64(this.hi, this.lo, this.neg, true) : fitsInt64(this.hi, this.lo, this.neg, false) && fitsUint64(this.hi, this.lo)) {
        return true;
      }
      this.fail(`integer out of range: ${clip(latin1(this.buf, at, this.pos))}`, at);
    }
    const text = this.numberText(false);
    const v = parseInteger(text);
    if (v === undefined) this.fail(`not an integer: ${clip(text)}`, at);
    if (signed ? v < I64_MIN || v > I64_MAX : v < 0n || v > U64_MAX) this.fail(`integer out of range: ${clip(text)}`, at);
    [this.hi, this.lo] = bigIntToParts(v);
    this.neg = v < 0n;
    return true;
  }

  /** Fast path for the common forms `123` / `"123"` (at most 20 digits, no leading zero): sets
   * hi/lo/neg and moves past it; false (pos unchanged) for anything else. */
  private plainInteger(): boolean {
    const buf = this.buf;
    const quoted = buf[this.pos] === 0x22;
    let p = quoted ? this.pos + 1 : this.pos;
    const neg = buf[p] === 0x2d;
    if (neg) p++;
    const digits = p;
    while (buf[p] >= 0x30 && buf[p] <= 0x39) p++;
    const n = p - digits;
    if (n === 0 || n > 20 || (n > 1 && buf[digits] === 0x30)) return false;
    if (quoted ? buf[p] !== 0x22 : buf[p] === 0x2e || buf[p] === 0x65 || buf[p] === 0x45) return false;
    const split = p - 9;
    let hi = 0, lo = 0;
    for (let i = digits; i < p; i++) {
      if (i < split) hi = hi * 10 + (buf[i] - 0x30);
      else lo = lo * 10 + (buf[i] - 0x30);
    }
    this.hi = hi;
    this.lo = lo;
    this.neg = neg;
    this.pos = quoted ? p + 1 : p;
    return true;
  }

  private int32(signed: boolean): number | undefined {
    if (this.null()) return undefined;
    const at = this.pos;
    // Fast path: an unquoted plain integer of at most 9 digits needs no text.
    const buf = this.buf;
    let p = at;
    const neg = buf[p] === 0x2d;
    if (neg) p++;
    const digits = p;
    let v = 0;
    while (buf[p] >= 0x30 && buf[p] <= 0x39) v = v * 10 + (buf[p++] - 0x30);
    const n = p - digits;
    if (n > 0 && n <= 9 && !(n > 1 && buf[digits] === 0x30) && buf[p] !== 0x2e && buf[p] !== 0x65 && buf[p] !== 0x45 && buf[p] !== 0x22) {
      if (neg) v = -v;
      if (signed || !neg || v === 0) {
        this.pos = p;
        return v;
      }
    }
    const text = this.numberText(false);
    const big = parseInteger(text);
    if (big === undefined) this.fail(`not an integer: ${clip(text)}`, at);
    if (signed ? big < -(2n ** 31n) || big >= 2n ** 31n : big < 0n || big >= 2n ** 32n) this.fail(`integer out of range: ${clip(text)}`, at);
    return Number(big);
  }

  /** A double; `want` = false only validates it (and yields 0). */
  private double(nullable = true, want = true): number | undefined {
    if (nullable && this.null()) return undefined;
    const c = this.buf[this.pos];
    if (!want && c !== 0x22) {
      if (c !== 0x2d && !(c >= 0x30 && c <= 0x39)) this.fail('expected a number');
      this.number();
      return 0;
    }
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
    while (IS_HEX[this.buf[p]] === 1) p++;
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
    if (buf[p] > 0x20) return; // compact JSON: nothing to skip
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
    const b = this.buf, p = this.pos;
    if (b[p] !== 0x6e || b[p + 1] !== 0x75 || b[p + 2] !== 0x6c || b[p + 3] !== 0x6c) return false;
    this.pos = p + 4;
    return true;
  }

  private peekNull(): boolean {
    const b = this.buf, p = this.pos;
    return b[p] === 0x6e && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c;
  }

  private enter(): void {
    if (++this.depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH}`);
    this.pos++;
  }

  /** Skips the object at pos (keys validated, not decoded). */
  private object(): void {
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
      this.skipString();
      this.ws();
      if (this.buf[this.pos] !== 0x3a) this.fail("expected ':'");
      this.pos++;
      this.ws();
      this.skipValue();
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
    if (c === 0x7b) this.object();
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
      while (STRING_PLAIN[buf[p]] === 1) p++; // the bulk of a string: no quote, backslash or control
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
    const [out, after] = decodeJsonStringFrom(buf, start, p, decodeUtf8(buf, start, p), (reason, at) => this.fail(reason, at));
    this.pos = after;
    return out;
  }
}

/** 1 for bytes that may appear unescaped inside a JSON string without ending or escaping it. */
const STRING_PLAIN = new Uint8Array(256);
/** 1 for hex digits (either case). */
const IS_HEX = new Uint8Array(256);
for (let c = 0; c < 256; c++) if (hexDigit(c) >= 0) IS_HEX[c] = 1;
for (let c = 0x20; c < 256; c++) if (c !== 0x22 && c !== 0x5c) STRING_PLAIN[c] = 1;

const NUMBER_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

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
