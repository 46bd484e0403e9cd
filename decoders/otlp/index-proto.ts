// Ingest-time index of a protobuf OTLP request (otlp-mapping §2.1, §3.2-3.4). One pass over the
// payload that validates the structure of every message and records, per Resource* entry holding
// records, where it lies, its resource attributes, time range, record count and rejections.
// Hot path rules: no BigInt and no strings per record; fixed64 times are compared as hi/lo uint32.
import { WireReader, WIRE_VARINT, WIRE_I64, WIRE_LEN, WIRE_I32, MAX_DEPTH } from '../protowire.js';
import type { OtlpIndex, OtlpSegmentIndex, OtlpSignal } from '../types.js';
import { anyValueToString, readKeyValue } from './any-value.js';
import {
  REJECT_REASON_COUNT, rejectMessage, expHistogramBoundsFinite,
  R_TIME_ZERO, R_NO_VALUE, R_BUCKET_COUNT_LENGTH, R_BOUNDS_NOT_INCREASING, R_SCALE_RANGE,
  R_BOUND_NOT_FINITE, R_COUNT_TOO_LARGE, R_TRACE_ID_LENGTH, R_SPAN_ID_LENGTH, R_START_TIME_ZERO,
  R_END_TIME_ZERO,
} from './index-common.js';

export function indexOtlpProto(signal: OtlpSignal, payload: Uint8Array): OtlpIndex {
  return new ProtoIndexScanner(payload).run(signal);
}

/** Expected wire type per field number of one message (undefined = unknown field). */
type WireTable = ReadonlyArray<number | undefined>;
function wires(fields: Record<number, number>): WireTable {
  const t: Array<number | undefined> = [];
  for (const [k, v] of Object.entries(fields)) t[Number(k)] = v;
  return t;
}
const V = WIRE_VARINT, I64 = WIRE_I64, L = WIRE_LEN, I32 = WIRE_I32;
const REQUEST = wires({ 1: L });
const RESOURCE_X = wires({ 1: L, 2: L, 3: L });
const RESOURCE = wires({ 1: L, 2: V, 3: L });
const ENTITY_REF = wires({ 1: L, 2: L, 3: L, 4: L });
const SCOPE_X = wires({ 1: L, 2: L, 3: L });
const SCOPE = wires({ 1: L, 2: L, 3: L, 4: V });
const KEY_VALUE = wires({ 1: L, 2: L, 3: V });
const ANY_VALUE = wires({ 1: L, 2: V, 3: V, 4: I64, 5: L, 6: L, 7: L, 8: V });
const LIST = wires({ 1: L });
const LOG_RECORD = wires({ 1: I64, 11: I64, 2: V, 3: L, 5: L, 6: L, 7: V, 8: I32, 9: L, 10: L, 12: L });
const METRIC = wires({ 1: L, 2: L, 3: L, 5: L, 7: L, 9: L, 10: L, 11: L, 12: L });
const SUM_DATA = wires({ 1: L, 2: V, 3: V });
const HISTOGRAM_DATA = wires({ 1: L, 2: V });
const NUMBER_POINT = wires({ 7: L, 2: I64, 3: I64, 4: I64, 6: I64, 5: L, 8: V });
const EXEMPLAR = wires({ 7: L, 2: I64, 3: I64, 6: I64, 4: L, 5: L });
const HISTOGRAM_POINT = wires({ 9: L, 2: I64, 3: I64, 4: I64, 5: I64, 6: I64, 7: I64, 8: L, 10: V, 11: I64, 12: I64 });
const EXP_POINT = wires({ 1: L, 2: I64, 3: I64, 4: I64, 5: I64, 6: V, 7: I64, 8: L, 9: L, 10: V, 11: L, 12: I64, 13: I64, 14: I64 });
// Repeated scalars also arrive packed (wire type 2); the switches handle that form first.
const BUCKETS = wires({ 1: V, 2: V });
const SUMMARY_POINT = wires({ 7: L, 2: I64, 3: I64, 4: I64, 5: I64, 6: L, 8: V });
const QUANTILE = wires({ 1: I64, 2: I64 });
const SPAN = wires({ 1: L, 2: L, 3: L, 4: L, 16: I32, 5: L, 6: V, 7: I64, 8: I64, 9: L, 10: V, 11: L, 12: V, 13: L, 14: V, 15: L });
const EVENT = wires({ 1: I64, 2: L, 3: L, 4: V });
const LINK = wires({ 1: L, 2: L, 3: L, 4: L, 5: V, 6: I32 });
const STATUS = wires({ 2: L, 3: V });

const NO_RECORDED_VALUE = 1;

class ProtoIndexScanner extends WireReader {
  // Current segment.
  private n = 0;
  private hasMin = false;
  private minHi = 0;
  private minLo = 0;
  private hasMax = false;
  private maxHi = 0;
  private maxLo = 0;
  // Whole request.
  private readonly rejects = new Float64Array(REJECT_REASON_COUNT);
  // Out-values of small helpers (avoid allocating result objects).
  private hi = 0;
  private lo = 0;
  private bucketOffset = 0;
  private bucketCount = 0;

  run(signal: OtlpSignal): OtlpIndex {
    const end = this.buf.length;
    const segments: OtlpSegmentIndex[] = [];
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag !== 0x0a) {
        this.other(tag, end, REQUEST, 'Export request');
        continue;
      }
      const stop = this.lengthDelimited(end);
      const start = this.pos;
      this.n = 0;
      this.hasMin = this.hasMax = false;
      const attrs = this.resourceX(signal, stop, 2);
      if (this.n > 0) {
        segments.push({
          byteOffset: start,
          byteLength: stop - start,
          resourceAttributes: attrs,
          beginTime: this.hasMin ? toBigInt(this.minHi, this.minLo) : null,
          endTime: this.hasMax ? toBigInt(this.maxHi, this.maxLo) : null,
          nbObjects: this.n,
        });
      }
    }
    let rejected = 0;
    for (const c of this.rejects) rejected += c;
    const index: OtlpIndex = { signal, segments, rejected };
    if (rejected > 0) index.rejectMessage = rejectMessage(signal, this.rejects);
    return index;
  }

  /** A field this message's switch did not handle: a known field here has the wrong wire type. */
  private other(tag: number, end: number, table: WireTable, message: string): void {
    const field = tag >>> 3;
    const wt = tag & 7;
    if (table[field] !== undefined) this.fail(`field ${field} of ${message} has wire type ${wt}`, this.pos - 1);
    this.skip(wt, end);
  }

  private enter(depth: number): void {
    if (depth > MAX_DEPTH) this.fail(`message nesting deeper than ${MAX_DEPTH}`);
  }

  private skipLen(end: number): void {
    this.pos = this.lengthDelimited(end);
  }

  /** Reads a fixed64 into this.hi / this.lo. */
  private fixed64Parts(end: number): void {
    const p = this.pos;
    if (p + 8 > end) this.fail('truncated fixed64');
    const b = this.buf;
    this.lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
    this.hi = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
    this.pos = p + 8;
  }

  private skip64(end: number): void {
    if (this.pos + 8 > end) this.fail('truncated fixed64');
    this.pos += 8;
  }

  private skip32(end: number): void {
    if (this.pos + 4 > end) this.fail('truncated fixed32');
    this.pos += 4;
  }

  /** Bit 0 of a varint is bit 0 of its first byte. */
  private varintLowBit(end: number): number {
    const bit = this.pos < end ? this.buf[this.pos] & 1 : 0;
    this.skipVarint(end);
    return bit;
  }

  private sint32(end: number): number {
    const v = Number(BigInt.asUintN(32, this.varint64(end)));
    return (v >>> 1) ^ -(v & 1);
  }

  private noteMin(hi: number, lo: number): void {
    if (!this.hasMin || hi < this.minHi || (hi === this.minHi && lo < this.minLo)) {
      this.hasMin = true;
      this.minHi = hi;
      this.minLo = lo;
    }
  }

  private noteMax(hi: number, lo: number): void {
    if (!this.hasMax || hi > this.maxHi || (hi === this.maxHi && lo > this.maxLo)) {
      this.hasMax = true;
      this.maxHi = hi;
      this.maxLo = lo;
    }
  }

  /** A record time: zero and values ≥ 2^63 are not usable (§3.4). */
  private noteTime(hi: number, lo: number): void {
    if (hi >= 0x80000000 || (hi | lo) === 0) return;
    this.noteMin(hi, lo);
    this.noteMax(hi, lo);
  }

  // ---- shared messages -------------------------------------------------------------------------

  private resourceX(signal: OtlpSignal, end: number, depth: number): Array<[string, string]> {
    this.enter(depth);
    const attrs: Array<[string, string]> = [];
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag === 0x0a) {
        const stop = this.lengthDelimited(end);
        this.resource(stop, depth + 1, attrs);
      } else if (tag === 0x12) {
        const stop = this.lengthDelimited(end);
        this.scopeX(signal, stop, depth + 1);
      } else if (tag === 0x1a) this.skipLen(end);
      else this.other(tag, end, RESOURCE_X, 'Resource entry');
    }
    return attrs;
  }

  private resource(end: number, depth: number, attrs: Array<[string, string]>): void {
    this.enter(depth);
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag === 0x0a) {
        const stop = this.lengthDelimited(end);
        const [k, v] = readKeyValue(this, stop, depth + 1);
        attrs.push([k, anyValueToString(v)]);
      } else if (tag === 0x10) this.skipVarint(end);
      else if (tag === 0x1a) {
        const stop = this.lengthDelimited(end);
        this.flatMessage(stop, depth + 1, ENTITY_REF, 'EntityRef');
      } else this.other(tag, end, RESOURCE, 'Resource');
    }
  }

  /** A message whose known fields are all scalars / strings (nothing nested to validate). */
  private flatMessage(end: number, depth: number, table: WireTable, message: string): void {
    this.enter(depth);
    while (this.pos < end) {
      const tag = this.tag(end);
      const expect = table[tag >>> 3];
      if (expect !== undefined && expect !== (tag & 7)) this.other(tag, end, table, message);
      else this.skip(tag & 7, end);
    }
  }

  private scopeX(signal: OtlpSignal, end: number, depth: number): void {
    this.enter(depth);
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag === 0x12) {
        const stop = this.lengthDelimited(end);
        if (signal === 'logs') this.logRecord(stop, depth + 1);
        else if (signal === 'metrics') this.metric(stop, depth + 1);
        else this.span(stop, depth + 1);
      } else if (tag === 0x0a) {
        const stop = this.lengthDelimited(end);
        this.scope(stop, depth + 1);
      } else if (tag === 0x1a) this.skipLen(end);
      else this.other(tag, end, SCOPE_X, 'Scope entry');
    }
  }

  private scope(end: number, depth: number): void {
    this.enter(depth);
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag === 0x1a) this.keyValue(this.lengthDelimited(end), depth + 1);
      else if (tag === 0x0a || tag === 0x12) this.skipLen(end);
      else if (tag === 0x20) this.skipVarint(end);
      else this.other(tag, end, SCOPE, 'InstrumentationScope');
    }
  }

  /** Validates a KeyValue; the caller has read its length, this.pos is at its first byte. */
  private keyValue(end: number, depth: number): void {
    this.enter(depth);
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag === 0x0a) this.skipLen(end);
      else if (tag === 0x12) this.anyValue(this.lengthDelimited(end), depth + 1);
      else if (tag === 0x18) this.skipVarint(end);
      else this.other(tag, end, KEY_VALUE, 'KeyValue');
    }
  }

  private anyValue(end: number, depth: number): void {
    this.enter(depth);
    while (this.pos < end) {
      const tag = this.tag(end);
      switch (tag) {
        case 0x0a: // string
        case 0x3a: // bytes
          this.skipLen(end);
          break;
        case 0x10: // bool
        case 0x18: // int
        case 0x40: // string-table index
          this.skipVarint(end);
          break;
        case 0x21: // double
          this.skip64(end);
          break;
        case 0x2a: // ArrayValue
          this.valueList(this.lengthDelimited(end), depth + 1, false);
          break;
        case 0x32: // KeyValueList
          this.valueList(this.lengthDelimited(end), depth + 1, true);
          break;
        default:
          this.other(tag, end, ANY_VALUE, 'AnyValue');
      }
    }
  }

  /** ArrayValue (field 1 = AnyValue) or KeyValueList (field 1 = KeyValue). */
  private valueList(end: number, depth: number, keyValues: boolean): void {
    this.enter(depth);
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag !== 0x0a) {
        this.other(tag, end, LIST, keyValues ? 'KeyValueList' : 'ArrayValue');
        continue;
      }
      const stop = this.lengthDelimited(end);
      if (keyValues) this.keyValue(stop, depth + 1);
      else this.anyValue(stop, depth + 1);
    }
  }

  // ---- logs ------------------------------------------------------------------------------------

  private logRecord(end: number, depth: number): void {
    this.enter(depth);
    let tHi = 0, tLo = 0, oHi = 0, oLo = 0;
    while (this.pos < end) {
      const tag = this.tag(end);
      switch (tag) {
        case 0x09: // time_unix_nano
          this.fixed64Parts(end);
          tHi = this.hi;
          tLo = this.lo;
          break;
        case 0x59: // observed_time_unix_nano
          this.fixed64Parts(end);
          oHi = this.hi;
          oLo = this.lo;
          break;
        case 0x10: // severity_number
        case 0x38: // dropped_attributes_count
          this.skipVarint(end);
          break;
        case 0x1a: // severity_text
        case 0x4a: // trace_id
        case 0x52: // span_id
        case 0x62: // event_name
          this.skipLen(end);
          break;
        case 0x2a: // body
          this.anyValue(this.lengthDelimited(end), depth + 1);
          break;
        case 0x32: // attributes
          this.keyValue(this.lengthDelimited(end), depth + 1);
          break;
        case 0x45: // flags
          this.skip32(end);
          break;
        default:
          this.other(tag, end, LOG_RECORD, 'LogRecord');
      }
    }
    this.n++;
    if (tHi >= 0x80000000) tHi = tLo = 0;
    if ((tHi | tLo) !== 0) this.noteTime(tHi, tLo);
    else this.noteTime(oHi, oLo);
  }

  // ---- metrics ---------------------------------------------------------------------------------

  private metric(end: number, depth: number): void {
    this.enter(depth);
    // `data` is a oneof: when a later member replaces an earlier one, the earlier points vanish.
    let kind = 0;
    const n0 = this.n, hasMin0 = this.hasMin, minHi0 = this.minHi, minLo0 = this.minLo;
    const hasMax0 = this.hasMax, maxHi0 = this.maxHi, maxLo0 = this.maxLo;
    let rejects0: Float64Array | undefined;
    while (this.pos < end) {
      const tag = this.tag(end);
      const field = tag >>> 3;
      if (tag === 0x0a || tag === 0x12 || tag === 0x1a) this.skipLen(end);
      else if (tag === 0x62) this.keyValue(this.lengthDelimited(end), depth + 1);
      else if ((tag & 7) === WIRE_LEN && (field === 5 || field === 7 || field === 9 || field === 10 || field === 11)) {
        if (kind === 0) rejects0 = this.rejects.slice();
        else if (kind !== field) {
          this.n = n0;
          this.hasMin = hasMin0; this.minHi = minHi0; this.minLo = minLo0;
          this.hasMax = hasMax0; this.maxHi = maxHi0; this.maxLo = maxLo0;
          this.rejects.set(rejects0!);
        }
        kind = field;
        this.metricData(field, this.lengthDelimited(end), depth + 1);
      } else this.other(tag, end, METRIC, 'Metric');
    }
  }

  private metricData(kind: number, end: number, depth: number): void {
    this.enter(depth);
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag === 0x0a) {
        const stop = this.lengthDelimited(end);
        if (kind === 5 || kind === 7) this.numberPoint(stop, depth + 1);
        else if (kind === 9) this.histogramPoint(stop, depth + 1);
        else if (kind === 10) this.expHistogramPoint(stop, depth + 1);
        else this.summaryPoint(stop, depth + 1);
      } else if (tag === 0x10 && kind !== 5 && kind !== 11) this.skipVarint(end); // aggregation_temporality
      else if (tag === 0x18 && kind === 7) this.skipVarint(end); // is_monotonic
      else this.other(tag, end, kind === 7 ? SUM_DATA : kind === 5 || kind === 11 ? LIST : HISTOGRAM_DATA, 'metric data');
    }
  }

  /** Counts a point, notes its time and decides whether it is rejected (reason) or not (-1). */
  private point(tHi: number, tLo: number, flags: number, reason: number): void {
    this.n++;
    this.noteTime(tHi, tLo);
    if (flags & NO_RECORDED_VALUE) return;
    if (tHi >= 0x80000000 || (tHi | tLo) === 0) this.rejects[R_TIME_ZERO]++;
    else if (reason >= 0) this.rejects[reason]++;
  }

  private numberPoint(end: number, depth: number): void {
    this.enter(depth);
    let tHi = 0, tLo = 0, flags = 0, hasValue = false;
    while (this.pos < end) {
      const tag = this.tag(end);
      switch (tag) {
        case 0x3a: // attributes
          this.keyValue(this.lengthDelimited(end), depth + 1);
          break;
        case 0x11: // start_time_unix_nano
          this.skip64(end);
          break;
        case 0x19: // time_unix_nano
          this.fixed64Parts(end);
          tHi = this.hi;
          tLo = this.lo;
          break;
        case 0x21: // as_double
        case 0x31: // as_int
          this.skip64(end);
          hasValue = true;
          break;
        case 0x2a: // exemplars
          this.exemplar(this.lengthDelimited(end), depth + 1);
          break;
        case 0x40: // flags
          flags = this.varintLowBit(end);
          break;
        default:
          this.other(tag, end, NUMBER_POINT, 'NumberDataPoint');
      }
    }
    this.point(tHi, tLo, flags, hasValue ? -1 : R_NO_VALUE);
  }

  private exemplar(end: number, depth: number): void {
    this.enter(depth);
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag === 0x3a) this.keyValue(this.lengthDelimited(end), depth + 1);
      else if (tag === 0x11 || tag === 0x19 || tag === 0x31) this.skip64(end);
      else if (tag === 0x22 || tag === 0x2a) this.skipLen(end);
      else this.other(tag, end, EXEMPLAR, 'Exemplar');
    }
  }

  private histogramPoint(end: number, depth: number): void {
    this.enter(depth);
    let tHi = 0, tLo = 0, flags = 0, countHi = 0;
    let nCounts = 0, nBounds = 0, increasing = true, last = 0;
    const dv = this.dataView;
    while (this.pos < end) {
      const tag = this.tag(end);
      switch (tag) {
        case 0x4a: // attributes
          this.keyValue(this.lengthDelimited(end), depth + 1);
          break;
        case 0x19: // time_unix_nano
          this.fixed64Parts(end);
          tHi = this.hi;
          tLo = this.lo;
          break;
        case 0x21: // count
          this.fixed64Parts(end);
          countHi = this.hi;
          break;
        case 0x11: // start_time_unix_nano
        case 0x29: // sum
        case 0x59: // min
        case 0x61: // max
          this.skip64(end);
          break;
        case 0x31: // bucket_counts, unpacked
          this.skip64(end);
          nCounts++;
          break;
        case 0x32: { // bucket_counts, packed
          const stop = this.lengthDelimited(end);
          if ((stop - this.pos) % 8 !== 0) this.fail('packed fixed64 length is not a multiple of 8');
          nCounts += (stop - this.pos) / 8;
          this.pos = stop;
          break;
        }
        case 0x39: // explicit_bounds, unpacked
        case 0x3a: { // explicit_bounds, packed
          const stop = tag === 0x39 ? this.pos + 8 : this.lengthDelimited(end);
          if (stop > end) this.fail('truncated double');
          if ((stop - this.pos) % 8 !== 0) this.fail('packed double length is not a multiple of 8');
          for (let p = this.pos; p < stop; p += 8) {
            const d = dv.getFloat64(p, true);
            if (nBounds > 0 && !(d > last)) increasing = false;
            last = d;
            nBounds++;
          }
          this.pos = stop;
          break;
        }
        case 0x42: // exemplars
          this.exemplar(this.lengthDelimited(end), depth + 1);
          break;
        case 0x50: // flags
          flags = this.varintLowBit(end);
          break;
        default:
          this.other(tag, end, HISTOGRAM_POINT, 'HistogramDataPoint');
      }
    }
    const reason =
      countHi >= 0x80000000 ? R_COUNT_TOO_LARGE
      : nCounts !== 0 && nCounts !== nBounds + 1 ? R_BUCKET_COUNT_LENGTH
      : !increasing ? R_BOUNDS_NOT_INCREASING
      : -1;
    this.point(tHi, tLo, flags, reason);
  }

  private expHistogramPoint(end: number, depth: number): void {
    this.enter(depth);
    let tHi = 0, tLo = 0, flags = 0, countHi = 0, scale = 0, zeroThreshold = 0;
    let negOffset = 0, negCount = 0, posOffset = 0, posCount = 0;
    while (this.pos < end) {
      const tag = this.tag(end);
      switch (tag) {
        case 0x0a: // attributes
          this.keyValue(this.lengthDelimited(end), depth + 1);
          break;
        case 0x19: // time_unix_nano
          this.fixed64Parts(end);
          tHi = this.hi;
          tLo = this.lo;
          break;
        case 0x21: // count
          this.fixed64Parts(end);
          countHi = this.hi;
          break;
        case 0x11: // start_time_unix_nano
        case 0x29: // sum
        case 0x39: // zero_count
        case 0x61: // min
        case 0x69: // max
          this.skip64(end);
          break;
        case 0x71: // zero_threshold
          zeroThreshold = this.double(end);
          break;
        case 0x30: // scale
          scale = this.sint32(end);
          break;
        case 0x42: // positive
          this.bucketOffset = posOffset;
          this.bucketCount = posCount;
          this.buckets(this.lengthDelimited(end), depth + 1);
          posOffset = this.bucketOffset;
          posCount = this.bucketCount;
          break;
        case 0x4a: // negative
          this.bucketOffset = negOffset;
          this.bucketCount = negCount;
          this.buckets(this.lengthDelimited(end), depth + 1);
          negOffset = this.bucketOffset;
          negCount = this.bucketCount;
          break;
        case 0x50: // flags
          flags = this.varintLowBit(end);
          break;
        case 0x5a: // exemplars
          this.exemplar(this.lengthDelimited(end), depth + 1);
          break;
        default:
          this.other(tag, end, EXP_POINT, 'ExponentialHistogramDataPoint');
      }
    }
    const reason =
      countHi >= 0x80000000 ? R_COUNT_TOO_LARGE
      : scale < -10 || scale > 20 ? R_SCALE_RANGE
      : !expHistogramBoundsFinite(scale, zeroThreshold, negOffset, negCount, posOffset, posCount) ? R_BOUND_NOT_FINITE
      : -1;
    this.point(tHi, tLo, flags, reason);
  }

  /** ExponentialHistogramDataPoint.Buckets: updates this.bucketOffset / this.bucketCount. */
  private buckets(end: number, depth: number): void {
    this.enter(depth);
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag === 0x08) this.bucketOffset = this.sint32(end);
      else if (tag === 0x10) {
        this.skipVarint(end);
        this.bucketCount++;
      } else if (tag === 0x12) {
        const stop = this.lengthDelimited(end);
        while (this.pos < stop) {
          this.skipVarint(stop);
          this.bucketCount++;
        }
      } else this.other(tag, end, BUCKETS, 'Buckets');
    }
  }

  private summaryPoint(end: number, depth: number): void {
    this.enter(depth);
    let tHi = 0, tLo = 0, flags = 0, countHi = 0;
    while (this.pos < end) {
      const tag = this.tag(end);
      switch (tag) {
        case 0x3a: // attributes
          this.keyValue(this.lengthDelimited(end), depth + 1);
          break;
        case 0x19: // time_unix_nano
          this.fixed64Parts(end);
          tHi = this.hi;
          tLo = this.lo;
          break;
        case 0x21: // count
          this.fixed64Parts(end);
          countHi = this.hi;
          break;
        case 0x11: // start_time_unix_nano
        case 0x29: // sum
          this.skip64(end);
          break;
        case 0x32: // quantile_values
          this.flatMessage(this.lengthDelimited(end), depth + 1, QUANTILE, 'ValueAtQuantile');
          break;
        case 0x40: // flags
          flags = this.varintLowBit(end);
          break;
        default:
          this.other(tag, end, SUMMARY_POINT, 'SummaryDataPoint');
      }
    }
    this.point(tHi, tLo, flags, countHi >= 0x80000000 ? R_COUNT_TOO_LARGE : -1);
  }

  // ---- traces ----------------------------------------------------------------------------------

  private span(end: number, depth: number): void {
    this.enter(depth);
    let sHi = 0, sLo = 0, eHi = 0, eLo = 0, traceIdLen = 0, spanIdLen = 0;
    while (this.pos < end) {
      const tag = this.tag(end);
      switch (tag) {
        case 0x0a: { // trace_id
          const stop = this.lengthDelimited(end);
          traceIdLen = stop - this.pos;
          this.pos = stop;
          break;
        }
        case 0x12: { // span_id
          const stop = this.lengthDelimited(end);
          spanIdLen = stop - this.pos;
          this.pos = stop;
          break;
        }
        case 0x1a: // trace_state
        case 0x22: // parent_span_id
        case 0x2a: // name
          this.skipLen(end);
          break;
        case 0x85: // flags (field 16, fixed32)
          this.skip32(end);
          break;
        case 0x30: // kind
        case 0x50: // dropped_attributes_count
        case 0x60: // dropped_events_count
        case 0x70: // dropped_links_count
          this.skipVarint(end);
          break;
        case 0x39: // start_time_unix_nano
          this.fixed64Parts(end);
          sHi = this.hi;
          sLo = this.lo;
          break;
        case 0x41: // end_time_unix_nano
          this.fixed64Parts(end);
          eHi = this.hi;
          eLo = this.lo;
          break;
        case 0x4a: // attributes
          this.keyValue(this.lengthDelimited(end), depth + 1);
          break;
        case 0x5a: // events
          this.event(this.lengthDelimited(end), depth + 1);
          break;
        case 0x6a: // links
          this.link(this.lengthDelimited(end), depth + 1);
          break;
        case 0x7a: // status
          this.flatMessage(this.lengthDelimited(end), depth + 1, STATUS, 'Status');
          break;
        default:
          this.other(tag, end, SPAN, 'Span');
      }
    }
    this.n++;
    if (sHi >= 0x80000000) sHi = sLo = 0;
    if (eHi >= 0x80000000) eHi = eLo = 0;
    if ((sHi | sLo) !== 0) this.noteMin(sHi, sLo);
    if ((eHi | eLo) !== 0) this.noteMax(eHi, eLo);
    if (traceIdLen !== 16) this.rejects[R_TRACE_ID_LENGTH]++;
    else if (spanIdLen !== 8) this.rejects[R_SPAN_ID_LENGTH]++;
    else if ((sHi | sLo) === 0) this.rejects[R_START_TIME_ZERO]++;
    else if ((eHi | eLo) === 0) this.rejects[R_END_TIME_ZERO]++;
  }

  private event(end: number, depth: number): void {
    this.enter(depth);
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag === 0x09) this.skip64(end);
      else if (tag === 0x12) this.skipLen(end);
      else if (tag === 0x1a) this.keyValue(this.lengthDelimited(end), depth + 1);
      else if (tag === 0x20) this.skipVarint(end);
      else this.other(tag, end, EVENT, 'Span.Event');
    }
  }

  private link(end: number, depth: number): void {
    this.enter(depth);
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag === 0x0a || tag === 0x12 || tag === 0x1a) this.skipLen(end);
      else if (tag === 0x22) this.keyValue(this.lengthDelimited(end), depth + 1);
      else if (tag === 0x28) this.skipVarint(end);
      else if (tag === 0x35) this.skip32(end);
      else this.other(tag, end, LINK, 'Span.Link');
    }
  }
}

function toBigInt(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}
