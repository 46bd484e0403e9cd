// ResourceMetrics segment (protobuf) → `measures` (Gauge, Sum, Summary; otlp-mapping §7) or
// `histograms` (Histogram, ExponentialHistogram; §8) record batches. One walker serves both views;
// each skips the metric kinds of the other.
import type { Data, Dictionary, Int32, List, Float64, Int64, RecordBatch, Utf8 } from 'apache-arrow';
import { WireReader, WIRE_VARINT, WIRE_I64, WIRE_LEN, WIRE_I32 } from '../protowire.js';
import { type DecodeContext, type DecodeOptions, batchRowsOf } from '../context.js';
import { Int32Column, Int64Column, Float64Column, Utf8Column, DictionaryColumn, FixedDictionaryColumn, ListColumn } from '../columns.js';
import { projectFields, type OtlpView } from './schemas.js';
import { BatchAssembler, ScopeInfo, TimeHint, eachScope, expectWireType, returnJsonWriter, segmentBatches, takeJsonWriter } from './decode-common.js';
import { utf8 } from './decode-json-text.js';
import type { JsonObjectWriter } from './decode-json-object.js';
import { jsonDouble } from './any-value.js';
import { expHistogramBoundsFinite } from './index-common.js';

const GAUGE = 5;
const SUM = 7;
const HISTOGRAM = 9;
const EXP_HISTOGRAM = 10;
const SUMMARY = 11;
const NO_RECORDED_VALUE = 1;

const TEMPORALITIES = ['unspecified', 'delta', 'cumulative'];
const HISTOGRAM_KINDS = ['histogram', 'exponential_histogram'];

const K_KIND = utf8('otel.metric.kind');
const K_TEMPORALITY = utf8('otel.metric.aggregation_temporality');
const K_MONOTONIC = utf8('otel.metric.is_monotonic');
const K_QUANTILE = utf8('otel.summary.quantile');
const V_SUM = utf8('"sum"');
const V_GAUGE = utf8('"gauge"');
const V_SUMMARY = utf8('"summary"');
const V_TRUE = utf8('true');
const V_FALSE = utf8('false');
const V_TEMPORALITY = [utf8('0'), utf8('1'), utf8('2')];
const SUFFIX_COUNT = utf8('_count');
const SUFFIX_SUM = utf8('_sum');
const SUFFIX_MIN = utf8('_min');
const SUFFIX_MAX = utf8('_max');

export function* decodeOtlpMeasures(
  segment: Uint8Array,
  ctx: DecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
): Generator<RecordBatch, void, undefined> {
  yield* decodeMetrics('measures', segment, ctx, projection, opts);
}

export function* decodeOtlpHistograms(
  segment: Uint8Array,
  ctx: DecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
): Generator<RecordBatch, void, undefined> {
  yield* decodeMetrics('histograms', segment, ctx, projection, opts);
}

function* decodeMetrics(
  view: 'measures' | 'histograms',
  segment: Uint8Array,
  ctx: DecodeContext,
  projection: readonly string[] | null,
  opts: DecodeOptions | undefined,
): Generator<RecordBatch, void, undefined> {
  const decoder = new MetricsDecoder(view, segment, ctx, projection, opts);
  yield* segmentBatches(decoder.run(), ctx.blockId, () => returnJsonWriter(`${view}.properties`, decoder.props));
}

/** Reads a fixed64 at r.pos as (lo, hi) words into `w`. */
function fixed64Words(r: WireReader, end: number, w: Uint32Array, at: number): void {
  const p = r.pos;
  if (p + 8 > end) r.fail('truncated fixed64');
  w[at] = r.fixed64Lo(p);
  w[at + 1] = r.fixed64Lo(p + 4);
  r.pos = p + 8;
}


class MetricsDecoder {
  private readonly r: WireReader;
  private readonly out: BatchAssembler;
  private readonly batchRows: number;
  private readonly hint: TimeHint;
  private rows = 0;
  private readonly scope = new ScopeInfo();
  readonly props: JsonObjectWriter;
  private readonly scratch = new Utf8Column(false, 64, 0);
  /** time (0,1), start (2,3), count (4,5), zero_count (6,7) as words of the current point. */
  private readonly w = new Uint32Array(8);

  private readonly time: Int64Column | undefined;
  private readonly target: DictionaryColumn | undefined;
  private readonly name: DictionaryColumn | undefined;
  private readonly unit: DictionaryColumn | undefined;
  private readonly properties: Utf8Column | undefined;
  // measures
  private readonly value: Float64Column | undefined;
  // histograms
  private readonly startTime: Int64Column | undefined;
  private readonly kind: FixedDictionaryColumn | undefined;
  private readonly temporality: FixedDictionaryColumn | undefined;
  private readonly count: Int64Column | undefined;
  private readonly sum: Float64Column | undefined;
  private readonly min: Float64Column | undefined;
  private readonly max: Float64Column | undefined;
  private readonly scale: Int32Column | undefined;
  private readonly zeroCount: Int64Column | undefined;
  private readonly bounds: ListColumn | undefined;
  private readonly counts: ListColumn | undefined;

  // The metric being decoded.
  private nameStart = 0;
  private nameEnd = 0;
  private unitStart = 0;
  private unitEnd = 0;
  private aggTemporality = 0;
  /** The metric's aggregation_temporality as JSON text (the same bytes for all its points). */
  private temporalityJson: Uint8Array = V_TEMPORALITY[0];
  private monotonic = false;

  constructor(
    private readonly view: 'measures' | 'histograms',
    segment: Uint8Array,
    ctx: DecodeContext,
    projection: readonly string[] | null,
    opts: DecodeOptions | undefined,
  ) {
    const fields = projectFields(view as OtlpView, projection);
    this.r = new WireReader(segment);
    this.out = new BatchAssembler(fields, ctx);
    this.batchRows = batchRowsOf(opts);
    this.hint = new TimeHint(opts);
    this.props = takeJsonWriter(`${view}.properties`, this.r);
    const type = (n: string) => fields.find((f) => f.name === n)?.type;
    const has = (n: string) => type(n) !== undefined;
    const dict = (n: string) => (has(n) ? new DictionaryColumn(type(n) as Dictionary<Utf8, Int32>) : undefined);
    this.time = has('time') ? new Int64Column('timestamp') : undefined;
    this.target = dict('target');
    this.name = dict('name');
    this.unit = dict('unit');
    // Point properties text runs a few times the segment size (attributes are repeated per point).
    this.properties = has('properties') ? new Utf8Column(false, Math.min(segment.length * 2, 1 << 24)) : undefined;
    this.value = has('value') ? new Float64Column() : undefined;
    this.startTime = has('start_time') ? new Int64Column('timestamp', true) : undefined;
    this.kind = has('kind') ? new FixedDictionaryColumn(type('kind') as Dictionary<Utf8, Int32>, HISTOGRAM_KINDS) : undefined;
    this.temporality = has('temporality')
      ? new FixedDictionaryColumn(type('temporality') as Dictionary<Utf8, Int32>, TEMPORALITIES)
      : undefined;
    this.count = has('count') ? new Int64Column('int64') : undefined;
    this.sum = has('sum') ? new Float64Column(true) : undefined;
    this.min = has('min') ? new Float64Column(true) : undefined;
    this.max = has('max') ? new Float64Column(true) : undefined;
    this.scale = has('scale') ? new Int32Column(true) : undefined;
    this.zeroCount = has('zero_count') ? new Int64Column('int64', true) : undefined;
    this.bounds = has('bucket_bounds') ? new ListColumn(type('bucket_bounds') as List<Float64>) : undefined;
    this.counts = has('bucket_counts') ? new ListColumn(type('bucket_counts') as List<Int64>) : undefined;
  }

  *run(): Generator<RecordBatch, void, undefined> {
    yield* eachScope(this.r, 'ResourceMetrics', (start, end) => this.scopeMetrics(start, end));
    if (this.rows > 0) yield this.flush(true);
  }

  private *scopeMetrics(start: number, end: number): Generator<RecordBatch, void, undefined> {
    const r = this.r;
    this.scope.read(r, start, end, false);
    r.pos = start;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag >>> 3 !== 2) {
        r.skip(tag & 7, end);
        continue;
      }
      expectWireType(r, tag & 7, WIRE_LEN, 2, 'ScopeMetrics');
      const stop = r.lengthDelimited(end);
      yield* this.metric(r.pos, stop);
      r.pos = stop;
    }
  }

  private *metric(start: number, end: number): Generator<RecordBatch, void, undefined> {
    const r = this.r;
    this.nameStart = this.nameEnd = this.unitStart = this.unitEnd = 0;
    let kind = 0;
    let dataStart = 0;
    let dataEnd = 0;
    r.pos = start;
    while (r.pos < end) {
      const tag = r.tag(end);
      const f = tag >>> 3;
      const wt = tag & 7;
      if (f === 1 || f === 2 || f === 3 || f === GAUGE || f === SUM || f === HISTOGRAM || f === EXP_HISTOGRAM || f === SUMMARY || f === 12) {
        expectWireType(r, wt, WIRE_LEN, f, 'Metric');
        const stop = r.lengthDelimited(end);
        if (f === 1) {
          this.nameStart = r.pos;
          this.nameEnd = stop;
        } else if (f === 3) {
          this.unitStart = r.pos;
          this.unitEnd = stop;
        } else if (f !== 2 && f !== 12) {
          kind = f; // the data oneof: the last member wins
          dataStart = r.pos;
          dataEnd = stop;
        }
        r.pos = stop;
      } else r.skip(wt, end);
    }
    const measures = this.view === 'measures';
    if (kind === 0 || measures !== (kind === GAUGE || kind === SUM || kind === SUMMARY)) return;

    // Data message: 1 data_points, 2 aggregation_temporality, 3 is_monotonic.
    this.aggTemporality = 0;
    this.monotonic = false;
    r.pos = dataStart;
    while (r.pos < dataEnd) {
      const tag = r.tag(dataEnd);
      const f = tag >>> 3;
      const wt = tag & 7;
      if (f === 2 && kind !== GAUGE && kind !== SUMMARY) {
        expectWireType(r, wt, WIRE_VARINT, 2, 'metric data');
        this.aggTemporality = r.varint(dataEnd);
      } else if (f === 3 && kind === SUM) {
        expectWireType(r, wt, WIRE_VARINT, 3, 'Sum');
        this.monotonic = r.varint(dataEnd) !== 0;
      } else {
        if (f === 1) expectWireType(r, wt, WIRE_LEN, 1, 'metric data');
        r.skip(wt, dataEnd);
      }
    }
    const t = this.aggTemporality;
    this.temporalityJson = t >= 0 && t <= 2 ? V_TEMPORALITY[t] : utf8(String(t));
    r.pos = dataStart;
    while (r.pos < dataEnd) {
      const tag = r.tag(dataEnd);
      if (tag >>> 3 !== 1) {
        r.skip(tag & 7, dataEnd);
        continue;
      }
      const stop = r.lengthDelimited(dataEnd);
      const s = r.pos;
      if (kind === SUMMARY) yield* this.summaryPoint(s, stop);
      else {
        if (kind === HISTOGRAM) this.histogramPoint(s, stop);
        else if (kind === EXP_HISTOGRAM) this.expHistogramPoint(s, stop);
        else this.numberPoint(s, stop, kind);
        if (this.rows === this.batchRows) yield this.flush();
      }
      r.pos = stop;
    }
  }

  /** False when the point's time is zero (or ≥ 2^63) or outside the time hint. */
  private timeUsable(): boolean {
    const lo = this.w[0];
    const hi = this.w[1];
    if ((lo === 0 && hi === 0) || hi >= 0x80000000) return false;
    return !this.hint.active || !(this.hint.before(lo, hi) || this.hint.after(lo, hi));
  }

  /** Common columns of a row: time, target, name (+ suffix), unit. */
  private commonColumns(suffix: Uint8Array | undefined, withUnit: boolean): void {
    const buf = this.r.buf;
    this.rows++;
    this.time?.appendWords(this.w[0], this.w[1]);
    this.target?.appendUtf8(buf, this.scope.nameStart, this.scope.nameEnd);
    if (this.name) {
      if (suffix) {
        const s = this.scratch;
        s.byteLength = 0;
        s.writeUtf8(buf, this.nameStart, this.nameEnd);
        s.writeRaw(suffix, 0, suffix.length);
        this.name.appendCode(this.name.codeOf(s.bytes, 0, s.byteLength));
      } else this.name.appendUtf8(buf, this.nameStart, this.nameEnd);
    }
    if (this.unit) {
      if (withUnit) this.unit.appendUtf8(buf, this.unitStart, this.unitEnd);
      else this.unit.appendUtf8(buf, 0, 0);
    }
  }

  /** Collects the point's attributes (repeated field `field`) into the properties writer. */
  private pointAttributes(start: number, end: number, field: number): void {
    const r = this.r;
    const props = this.props;
    props.reset();
    r.pos = start;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag >>> 3 !== field) {
        r.skip(tag & 7, end);
        continue;
      }
      const stop = r.lengthDelimited(end);
      props.addKeyValue(r.pos, stop);
      r.pos = stop;
    }
  }

  private numberPoint(start: number, end: number, kind: number): void {
    const r = this.r;
    const w = this.w;
    w[0] = w[1] = 0;
    let flags = 0;
    let valueKind = 0; // 4 = as_double, 6 = as_int
    let valueAt = 0;
    // Attributes go to the properties writer in this same pass (dropped if the point is).
    const props = this.properties ? this.props : undefined;
    props?.reset();
    r.pos = start;
    while (r.pos < end) {
      const tag = r.tag(end);
      const f = tag >>> 3;
      const wt = tag & 7;
      switch (f) {
        case 2:
        case 3:
        case 4:
        case 6:
          expectWireType(r, wt, WIRE_I64, f, 'NumberDataPoint');
          if (f === 3) fixed64Words(r, end, w, 0);
          else {
            if (f !== 2) {
              valueKind = f;
              valueAt = r.pos;
            }
            r.skip(wt, end);
          }
          break;
        case 5:
        case 7:
          expectWireType(r, wt, WIRE_LEN, f, 'NumberDataPoint');
          if (f === 7 && props) {
            const stop = r.lengthDelimited(end);
            props.addKeyValue(r.pos, stop);
            r.pos = stop;
          } else r.skip(wt, end);
          break;
        case 8:
          expectWireType(r, wt, WIRE_VARINT, 8, 'NumberDataPoint');
          flags = r.varint(end);
          break;
        default:
          r.skip(wt, end);
      }
    }
    if (flags % 2 === NO_RECORDED_VALUE || valueKind === 0 || !this.timeUsable()) return;
    this.commonColumns(undefined, true);
    if (this.value) {
      const dv = r.dataView;
      let v: number;
      if (valueKind === 4) v = dv.getFloat64(valueAt, true);
      else {
        const hi = dv.getInt32(valueAt + 4, true);
        // |value| < 2^53 is exact in double arithmetic; beyond, let BigInt round once.
        v = hi >= -0x200000 && hi < 0x200000 ? hi * 4294967296 + dv.getUint32(valueAt, true) : Number(dv.getBigInt64(valueAt, true));
      }
      this.value.append(v);
    }
    if (this.properties) {
      this.props.addJson(K_KIND, kind === SUM ? V_SUM : V_GAUGE);
      if (kind === SUM) {
        this.props.addJson(K_TEMPORALITY, this.temporalityJson);
        this.props.addJson(K_MONOTONIC, this.monotonic ? V_TRUE : V_FALSE);
      }
      this.props.writeTo(this.properties);
      this.properties.endValue();
    }
  }

  private *summaryPoint(start: number, end: number): Generator<RecordBatch, void, undefined> {
    const r = this.r;
    const w = this.w;
    w[0] = w[1] = w[4] = w[5] = 0;
    let flags = 0;
    let sum = 0;
    r.pos = start;
    while (r.pos < end) {
      const tag = r.tag(end);
      const f = tag >>> 3;
      const wt = tag & 7;
      if (f >= 2 && f <= 5) {
        expectWireType(r, wt, WIRE_I64, f, 'SummaryDataPoint');
        if (f === 3) fixed64Words(r, end, w, 0);
        else if (f === 4) fixed64Words(r, end, w, 4);
        else if (f === 5) sum = r.double(end);
        else r.skip(wt, end);
      } else if (f === 6 || f === 7) {
        expectWireType(r, wt, WIRE_LEN, f, 'SummaryDataPoint');
        r.skip(wt, end);
      } else if (f === 8) {
        expectWireType(r, wt, WIRE_VARINT, 8, 'SummaryDataPoint');
        flags = r.varint(end);
      } else r.skip(wt, end);
    }
    if (flags % 2 === NO_RECORDED_VALUE || w[5] >= 0x80000000 || !this.timeUsable()) return;
    const count = w[5] * 4294967296 + w[4];

    // Quantiles, in payload order; min/max are the first at exactly 0 and 1.
    const quantiles: number[] = [];
    const values: number[] = [];
    r.pos = start;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag >>> 3 !== 6) {
        r.skip(tag & 7, end);
        continue;
      }
      const stop = r.lengthDelimited(end);
      let q = 0;
      let v = 0;
      while (r.pos < stop) {
        const t = r.tag(stop);
        if (t >>> 3 === 1 || t >>> 3 === 2) {
          expectWireType(r, t & 7, WIRE_I64, t >>> 3, 'ValueAtQuantile');
          if (t >>> 3 === 1) q = r.double(stop);
          else v = r.double(stop);
        } else r.skip(t & 7, stop);
      }
      quantiles.push(q);
      values.push(v);
    }
    const minAt = quantiles.indexOf(0);
    const maxAt = quantiles.indexOf(1);
    const emit = (suffix: Uint8Array | undefined, withUnit: boolean, value: number, quantile: number | undefined): void => {
      this.commonColumns(suffix, withUnit);
      this.value?.append(value);
      if (this.properties) {
        this.pointAttributes(start, end, 7);
        this.props.addJson(K_KIND, V_SUMMARY);
        if (quantile !== undefined) this.props.addJson(K_QUANTILE, utf8(jsonDouble(quantile)));
        this.props.writeTo(this.properties);
        this.properties.endValue();
      }
    };
    emit(SUFFIX_COUNT, false, count, undefined);
    if (this.rows === this.batchRows) yield this.flush();
    emit(SUFFIX_SUM, true, sum, undefined);
    if (this.rows === this.batchRows) yield this.flush();
    if (minAt >= 0) {
      emit(SUFFIX_MIN, true, values[minAt], undefined);
      if (this.rows === this.batchRows) yield this.flush();
    }
    if (maxAt >= 0) {
      emit(SUFFIX_MAX, true, values[maxAt], undefined);
      if (this.rows === this.batchRows) yield this.flush();
    }
    for (let i = 0; i < quantiles.length; i++) {
      emit(undefined, true, values[i], quantiles[i]);
      if (this.rows === this.batchRows) yield this.flush();
    }
  }

  private histogramPoint(start: number, end: number): void {
    const r = this.r;
    const w = this.w;
    w.fill(0);
    let flags = 0;
    let sumAt = -1;
    let minAt = -1;
    let maxAt = -1;
    let nCounts = 0;
    let nBounds = 0;
    let increasing = true;
    let last = 0;
    const dv = r.dataView;
    r.pos = start;
    while (r.pos < end) {
      const tag = r.tag(end);
      const f = tag >>> 3;
      const wt = tag & 7;
      switch (f) {
        case 2:
        case 3:
        case 4:
        case 5:
        case 11:
        case 12:
          expectWireType(r, wt, WIRE_I64, f, 'HistogramDataPoint');
          if (f === 2) fixed64Words(r, end, w, 2);
          else if (f === 3) fixed64Words(r, end, w, 0);
          else if (f === 4) fixed64Words(r, end, w, 4);
          else {
            if (f === 5) sumAt = r.pos;
            else if (f === 11) minAt = r.pos;
            else maxAt = r.pos;
            r.skip(wt, end);
          }
          break;
        case 6:
        case 7: {
          // Packed (LEN) or one element (I64).
          let stop: number;
          if (wt === WIRE_LEN) stop = r.lengthDelimited(end);
          else {
            expectWireType(r, wt, WIRE_I64, f, 'HistogramDataPoint');
            stop = r.pos + 8;
            if (stop > end) r.fail('truncated fixed64');
          }
          if ((stop - r.pos) % 8 !== 0) r.fail('packed 64-bit field length is not a multiple of 8');
          if (f === 6) nCounts += (stop - r.pos) / 8;
          else {
            for (let p = r.pos; p < stop; p += 8) {
              const d = dv.getFloat64(p, true);
              if (nBounds > 0 && !(d > last)) increasing = false;
              last = d;
              nBounds++;
            }
          }
          r.pos = stop;
          break;
        }
        case 8:
        case 9:
          expectWireType(r, wt, WIRE_LEN, f, 'HistogramDataPoint');
          r.skip(wt, end);
          break;
        case 10:
          expectWireType(r, wt, WIRE_VARINT, 10, 'HistogramDataPoint');
          flags = r.varint(end);
          break;
        default:
          r.skip(wt, end);
      }
    }
    if (flags % 2 === NO_RECORDED_VALUE || !this.timeUsable()) return;
    if (w[5] >= 0x80000000 || (nCounts !== 0 && nCounts !== nBounds + 1) || !increasing) return;
    this.histogramCommon(0, sumAt, minAt, maxAt);
    this.scale?.appendNull();
    this.zeroCount?.appendNull();
    if (this.bounds || this.counts) {
      // Second pass: copy bounds and counts (both empty when there are no counts).
      r.pos = start;
      while (nCounts > 0 && r.pos < end) {
        const tag = r.tag(end);
        const f = tag >>> 3;
        const wt = tag & 7;
        if (f !== 6 && f !== 7) {
          r.skip(wt, end);
          continue;
        }
        const stop = wt === WIRE_LEN ? r.lengthDelimited(end) : r.pos + 8;
        for (let p = r.pos; p < stop; p += 8) {
          if (f === 6) (this.counts?.items as Int64Column | undefined)?.appendWords(r.fixed64Lo(p), r.fixed64Lo(p + 4));
          else (this.bounds?.items as Float64Column | undefined)?.append(dv.getFloat64(p, true));
        }
        r.pos = stop;
      }
      this.bounds?.endList();
      this.counts?.endList();
    }
    this.histogramProperties(start, end, 9);
  }

  private expHistogramPoint(start: number, end: number): void {
    const r = this.r;
    const w = this.w;
    w.fill(0);
    let flags = 0;
    let sumAt = -1;
    let minAt = -1;
    let maxAt = -1;
    let scale = 0;
    let zeroThreshold = 0;
    let posStart = -1;
    let posEnd = -1;
    let negStart = -1;
    let negEnd = -1;
    r.pos = start;
    while (r.pos < end) {
      const tag = r.tag(end);
      const f = tag >>> 3;
      const wt = tag & 7;
      switch (f) {
        case 2:
        case 3:
        case 4:
        case 5:
        case 7:
        case 12:
        case 13:
        case 14:
          expectWireType(r, wt, WIRE_I64, f, 'ExponentialHistogramDataPoint');
          if (f === 2) fixed64Words(r, end, w, 2);
          else if (f === 3) fixed64Words(r, end, w, 0);
          else if (f === 4) fixed64Words(r, end, w, 4);
          else if (f === 7) fixed64Words(r, end, w, 6);
          else if (f === 14) zeroThreshold = r.double(end);
          else {
            if (f === 5) sumAt = r.pos;
            else if (f === 12) minAt = r.pos;
            else maxAt = r.pos;
            r.skip(wt, end);
          }
          break;
        case 6: {
          expectWireType(r, wt, WIRE_VARINT, 6, 'ExponentialHistogramDataPoint');
          const z = r.varint(end) % 4294967296; // sint32: low 32 bits, zigzag
          scale = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
          break;
        }
        case 1:
        case 8:
        case 9:
        case 11: {
          expectWireType(r, wt, WIRE_LEN, f, 'ExponentialHistogramDataPoint');
          const stop = r.lengthDelimited(end);
          if (f === 8) {
            posStart = r.pos;
            posEnd = stop;
          } else if (f === 9) {
            negStart = r.pos;
            negEnd = stop;
          }
          r.pos = stop;
          break;
        }
        case 10:
          expectWireType(r, wt, WIRE_VARINT, 10, 'ExponentialHistogramDataPoint');
          flags = r.varint(end);
          break;
        default:
          r.skip(wt, end);
      }
    }
    if (flags % 2 === NO_RECORDED_VALUE || !this.timeUsable()) return;
    const pos = this.buckets(posStart, posEnd);
    const neg = this.buckets(negStart, negEnd);
    if (w[5] >= 0x80000000 || scale < -10 || scale > 20) return;
    if (!expHistogramBoundsFinite(scale, zeroThreshold, neg.offset, neg.counts.length, pos.offset, pos.counts.length)) return;
    this.histogramCommon(1, sumAt, minAt, maxAt);
    this.scale?.append(scale);
    this.zeroCount?.appendWords(w[6], w[7]);
    if (this.bounds || this.counts) {
      const zeroCount = (BigInt(w[7]) << 32n) | BigInt(w[6]);
      const { bounds, counts } = exponentialToExplicit(scale, zeroThreshold, zeroCount, neg.offset, neg.counts, pos.offset, pos.counts);
      const bi = this.bounds?.items as Float64Column | undefined;
      const ci = this.counts?.items as Int64Column | undefined;
      if (bi) for (const b of bounds) bi.append(b);
      if (ci) for (const c of counts) ci.appendBigInt(c);
      this.bounds?.endList();
      this.counts?.endList();
    }
    this.histogramProperties(start, end, 1);
  }

  /** ExponentialHistogramDataPoint.Buckets in [start, end): offset (sint32) and uint64 counts. */
  private buckets(start: number, end: number): { offset: number; counts: bigint[] } {
    const r = this.r;
    let offset = 0;
    const counts: bigint[] = [];
    if (start < 0) return { offset, counts };
    r.pos = start;
    while (r.pos < end) {
      const tag = r.tag(end);
      const f = tag >>> 3;
      const wt = tag & 7;
      if (f === 1) {
        expectWireType(r, wt, WIRE_VARINT, 1, 'Buckets');
        const z = r.varint(end) % 4294967296;
        offset = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      } else if (f === 2) {
        if (wt === WIRE_LEN) {
          const stop = r.lengthDelimited(end);
          while (r.pos < stop) counts.push(r.varint64(stop));
        } else {
          expectWireType(r, wt, WIRE_VARINT, 2, 'Buckets');
          counts.push(r.varint64(end));
        }
      } else r.skip(wt, end);
    }
    return { offset, counts };
  }

  private histogramCommon(kind: number, sumAt: number, minAt: number, maxAt: number): void {
    const w = this.w;
    const dv = this.r.dataView;
    this.commonColumns(undefined, true);
    if (this.startTime) {
      if ((w[2] === 0 && w[3] === 0) || w[3] >= 0x80000000) this.startTime.appendNull();
      else this.startTime.appendWords(w[2], w[3]);
    }
    this.kind?.append(kind);
    const t = this.aggTemporality;
    this.temporality?.append(t >= 0 && t <= 2 ? t : 0);
    this.count?.appendWords(w[4], w[5]);
    for (const [col, at] of [[this.sum, sumAt], [this.min, minAt], [this.max, maxAt]] as const) {
      if (!col) continue;
      if (at < 0) col.appendNull();
      else col.append(dv.getFloat64(at, true));
    }
  }

  private histogramProperties(start: number, end: number, field: number): void {
    if (!this.properties) return;
    this.pointAttributes(start, end, field);
    this.props.writeTo(this.properties);
    this.properties.endValue();
  }

  /** `last`: no batch follows, so text columns need no buffers for a next one. */
  private flush(last = false): RecordBatch {
    const length = this.rows;
    this.rows = 0;
    const cols: Record<string, { finish(last?: boolean): Data } | undefined> = {
      time: this.time, target: this.target, name: this.name, unit: this.unit, properties: this.properties,
      value: this.value, start_time: this.startTime, kind: this.kind, temporality: this.temporality,
      count: this.count, sum: this.sum, min: this.min, max: this.max, scale: this.scale,
      zero_count: this.zeroCount, bucket_bounds: this.bounds, bucket_counts: this.counts,
    };
    return this.out.batch(length, (name): Data => {
      const col = cols[name];
      if (!col) throw new Error(`${this.view} decoder has no column ${name}`);
      return col.finish(last);
    });
  }
}

/** otlp-mapping §8.3: exponential buckets as explicit upper bounds and counts, ascending. */
export function exponentialToExplicit(
  scale: number,
  zeroThreshold: number,
  zeroCount: bigint,
  negOffset: number,
  neg: readonly bigint[],
  posOffset: number,
  pos: readonly bigint[],
): { bounds: number[]; counts: bigint[] } {
  const f = 2 ** -scale;
  const power = (i: number): number => 2 ** (i * f);
  const bounds: number[] = [];
  const counts: bigint[] = [];
  const push = (bound: number, count: bigint): void => {
    const n = bounds.length;
    if (n > 0 && !(bound > bounds[n - 1])) counts[n - 1] += count;
    else {
      bounds.push(bound);
      counts.push(count);
    }
  };
  const n = neg.length;
  if (n > 0) {
    push(-power(negOffset + n), 0n);
    for (let k = n - 1; k >= 0; k--) push(-power(negOffset + k), neg[k]);
  }
  push(zeroThreshold, zeroCount);
  if (pos.length > 0) {
    if (power(posOffset) > zeroThreshold) push(power(posOffset), 0n);
    for (let k = 0; k < pos.length; k++) push(power(posOffset + k + 1), pos[k]);
  }
  counts.push(0n);
  return { bounds, counts };
}
