// ResourceSpans segment (protobuf) → `otel_spans` record batches (otlp-mapping §9).
import type { Data, Dictionary, Int32, RecordBatch, Utf8 } from 'apache-arrow';
import { WireReader, WIRE_VARINT, WIRE_I64, WIRE_LEN, WIRE_I32 } from '../protowire.js';
import { type DecodeContext, type DecodeOptions, batchRowsOf } from '../context.js';
import { Int64Column, Utf8Column, DictionaryColumn, FixedDictionaryColumn } from '../columns.js';
import { projectFields } from './schemas.js';
import {
  BatchAssembler, ScopeInfo, TimeHint, eachRecord, eachScope, returnJsonWriter, segmentBatches, takeJsonWriter,
} from './decode-common.js';
import { putUint, putUint64Words, writeHex, writeJsonString, utf8 } from './decode-json-text.js';
import type { JsonObjectWriter } from './decode-json-object.js';
import { equalWords, putHexWords } from './byte-words.js';

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUSES = ['UNSET', 'OK', 'ERROR'];
const K_TRACE_STATE = utf8('otel.trace_state');
const EVENT_ATTRIBUTES = utf8('{"attributes":');
const EVENT_NAME = utf8(',"name":');
const EVENT_TIME = utf8(',"time":');
const LINK_SPAN_ID = utf8(',"span_id":"');
const LINK_TRACE_ID = utf8('","trace_id":"');
const LINK_END = utf8('"}');

/** Wire type each Span field number must arrive with (undefined: not a Span field). */
const SPAN_WIRE: Array<number | undefined> = [
  undefined, WIRE_LEN, WIRE_LEN, WIRE_LEN, WIRE_LEN, WIRE_LEN, WIRE_VARINT, WIRE_I64, WIRE_I64, WIRE_LEN,
  WIRE_VARINT, WIRE_LEN, WIRE_VARINT, WIRE_LEN, WIRE_VARINT, WIRE_LEN, WIRE_I32,
];

/** Fails when a length-delimited field (`tag`, its bytes at `at`) is a Span field of another wire type. */
function checkSpanWireType(r: WireReader, tag: number, at: number): void {
  const expect = SPAN_WIRE[tag >>> 3];
  if (expect !== undefined && expect !== WIRE_LEN) r.fail(`field ${tag >>> 3} of Span has wire type ${WIRE_LEN}`, at);
}

/** A Span field the decoder does not read (dropped counts, flags, unknown fields): skipped, unless it
 * is a known field with the wrong wire type. */
function skipOtherSpanField(r: WireReader, tag: number, end: number): void {
  const f = tag >>> 3;
  const wt = tag & 7;
  const expect = SPAN_WIRE[f];
  if (expect !== undefined && wt !== expect) r.fail(`field ${f} of Span has wire type ${wt}`);
  r.skip(wt, end);
}

/** Appends `[]` (a span without events or links). */
function appendEmptyArray(col: Utf8Column): void {
  col.reserve(2);
  col.bytes[col.byteLength] = 0x5b;
  col.bytes[col.byteLength + 1] = 0x5d;
  col.byteLength += 2;
  col.endValue();
}

/** Stores (start, end) as pair `i` of `ranges`, regrown when full; returns the array. */
function pushRange(ranges: Int32Array, i: number, start: number, end: number): Int32Array {
  if (2 * i + 2 > ranges.length) {
    const grown = new Int32Array(ranges.length * 2);
    grown.set(ranges);
    ranges = grown;
  }
  ranges[2 * i] = start;
  ranges[2 * i + 1] = end;
  return ranges;
}

export function* decodeOtlpSpans(
  segment: Uint8Array,
  ctx: DecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
): Generator<RecordBatch, void, undefined> {
  const decoder = new SpansDecoder(segment, ctx, projection, opts);
  yield* segmentBatches(decoder.run(), ctx.blockId, () => decoder.returnWriters());
}

class SpansDecoder {
  private readonly r: WireReader;
  private readonly out: BatchAssembler;
  private readonly batchRows: number;
  private readonly hint: TimeHint;
  private rows = 0;

  private readonly traceId: Utf8Column | undefined;
  private readonly spanId: Utf8Column | undefined;
  private readonly parentSpanId: Utf8Column | undefined;
  private readonly startTime: Int64Column | undefined;
  private readonly endTime: Int64Column | undefined;
  private readonly duration: Int64Column | undefined;
  private readonly name: DictionaryColumn | undefined;
  private readonly kind: FixedDictionaryColumn | undefined;
  private readonly status: FixedDictionaryColumn | undefined;
  private readonly statusMessage: Utf8Column | undefined;
  private readonly properties: Utf8Column | undefined;
  private readonly events: Utf8Column | undefined;
  private readonly links: Utf8Column | undefined;
  /** Attribute writers of the properties, events and links columns (when projected). */
  private readonly props: JsonObjectWriter | undefined;
  private readonly nested: JsonObjectWriter | undefined;
  /** Links get their own writer so its key template survives the span's events. */
  private readonly linkAttrs: JsonObjectWriter | undefined;
  private readonly scope = new ScopeInfo();

  // The Span being decoded (positions into the segment; -1 = absent).
  private traceStart = -1;
  private traceEnd = -1;
  private spanStart = -1;
  private spanEnd = -1;
  private stateStart = -1;
  private stateEnd = -1;
  private parentStart = -1;
  private parentEnd = -1;
  private nameStart = -1;
  private nameEnd = -1;
  private kindCode = 0;
  private sLo = 0;
  private sHi = 0;
  private eLo = 0;
  private eHi = 0;
  private statusStart = -1;
  private statusEnd = -1;
  /** (start, end) pairs of the span's events and links, when those columns are projected. */
  private eventRanges: Int32Array = new Int32Array(16);
  private eventCount = 0;
  private linkRanges: Int32Array = new Int32Array(16);
  private linkCount = 0;
  /** Segment position of the trace id written as the batch's last trace_id value; -1 = none. */
  private prevTrace = -1;
  /** The segment seen through a DataView, for word loads. */
  private readonly sv: DataView;

  constructor(segment: Uint8Array, ctx: DecodeContext, projection: readonly string[] | null, opts: DecodeOptions | undefined) {
    const fields = projectFields('otel_spans', projection);
    this.r = new WireReader(segment);
    this.sv = this.r.dataView;
    this.out = new BatchAssembler(fields, ctx);
    this.batchRows = batchRowsOf(opts);
    this.hint = new TimeHint(opts);
    const type = (n: string) => fields.find((f) => f.name === n)?.type as Dictionary<Utf8, Int32> | undefined;
    const want = new Set(fields.map((f) => f.name));
    // Columns start empty: each scope presizes them for its spans (small segments are common, and
    // default-sized buffers would cost more than decoding their few spans).
    const text = (nullable = false) => new Utf8Column(nullable, 0, 0);
    this.traceId = want.has('trace_id') ? text() : undefined;
    this.spanId = want.has('span_id') ? text() : undefined;
    this.parentSpanId = want.has('parent_span_id') ? text(true) : undefined;
    this.startTime = want.has('start_time') ? new Int64Column('timestamp', false, 0) : undefined;
    this.endTime = want.has('end_time') ? new Int64Column('timestamp', false, 0) : undefined;
    this.duration = want.has('duration') ? new Int64Column('int64', false, 0) : undefined;
    this.name = want.has('name') ? new DictionaryColumn(type('name')!, false, 0) : undefined;
    this.kind = want.has('kind') ? new FixedDictionaryColumn(type('kind')!, KINDS, 0) : undefined;
    this.status = want.has('status') ? new FixedDictionaryColumn(type('status')!, STATUSES, 0) : undefined;
    this.statusMessage = want.has('status_message') ? text(true) : undefined;
    // A batch's properties text runs about the size of the segment (bounded: batches cap the rows).
    this.properties = want.has('properties') ? new Utf8Column(false, Math.min(segment.length, 1 << 24), 0) : undefined;
    this.events = want.has('events') ? text() : undefined;
    this.links = want.has('links') ? text() : undefined;
    this.props = this.properties ? takeJsonWriter('spans.properties', this.r) : undefined;
    this.nested = this.events ? takeJsonWriter('spans.events', this.r) : undefined;
    this.linkAttrs = this.links ? takeJsonWriter('spans.links', this.r) : undefined;
  }

  /** Gives the JSON writers back to the pool (once: the decoder uses them no more). */
  returnWriters(): void {
    if (this.props) returnJsonWriter('spans.properties', this.props);
    if (this.nested) returnJsonWriter('spans.events', this.nested);
    if (this.linkAttrs) returnJsonWriter('spans.links', this.linkAttrs);
  }

  *run(): Generator<RecordBatch, void, undefined> {
    const span = (start: number, end: number) => this.span(start, end);
    const full = () => (this.rows === this.batchRows ? this.flush() : undefined);
    yield* eachScope(this.r, 'ResourceSpans', (start, end) => {
      this.scope.read(this.r, start, end, this.properties !== undefined);
      this.presize(Math.min(this.scope.records, this.batchRows - this.rows));
      return eachRecord(this.r, start, end, 'ScopeSpans', span, full);
    });
    if (this.rows > 0) yield this.flush(true);
  }

  private presize(n: number): void {
    this.traceId?.presize(n, 32 * n);
    this.spanId?.presize(n, 16 * n);
    this.parentSpanId?.presize(n, 16 * n);
    this.startTime?.presize(n);
    this.endTime?.presize(n);
    this.duration?.presize(n);
    this.name?.presize(n);
    this.kind?.presize(n);
    this.status?.presize(n);
    this.statusMessage?.presize(n);
    this.properties?.presize(n);
    this.events?.presize(n, 2 * n);
    this.links?.presize(n, 2 * n);
  }

  private span(start: number, end: number): void {
    this.readSpan(start, end);
    // Rejected spans (§3.4): ids of the wrong length, a zero (or ≥ 2^63) start or end time.
    if (this.traceEnd - this.traceStart !== 16 || this.spanEnd - this.spanStart !== 8) return;
    if ((this.sLo === 0 && this.sHi === 0) || this.sHi >= 0x80000000) return;
    if ((this.eLo === 0 && this.eHi === 0) || this.eHi >= 0x80000000) return;
    if (this.hint.active && !this.hint.overlaps(this.sLo, this.sHi, this.eLo, this.eHi)) return;
    this.writeRow();
  }

  /** Notes where the Span message's fields lie (and adds its attributes to the properties). The common
   * one-byte tags and lengths are read inline; anything longer goes through the WireReader. */
  private readSpan(start: number, end: number): void {
    const r = this.r;
    const buf = r.buf;
    const sv = this.sv;
    this.traceStart = this.spanStart = this.stateStart = this.parentStart = this.nameStart = this.statusStart = -1;
    this.traceEnd = this.spanEnd = this.stateEnd = this.parentEnd = this.nameEnd = this.statusEnd = -1;
    this.kindCode = 0;
    this.eventCount = this.linkCount = 0;
    this.sLo = this.sHi = this.eLo = this.eHi = 0;
    const props = this.props;
    props?.reset();
    let p = start;
    while (p < end) {
      let tag = buf[p];
      if (tag < 0x80 && tag >= 8) p++;
      else {
        r.pos = p;
        tag = r.tag(end);
        p = r.pos;
      }
      if ((tag & 7) === WIRE_LEN && tag < 0x80) {
        // Fields 1–15 of wire type 2: the bytes [s, stop).
        const at = p;
        let s = p + 1;
        let stop = s + buf[p];
        if (p >= end || buf[p] >= 0x80 || stop > end) {
          r.pos = p;
          stop = r.lengthDelimited(end);
          s = r.pos;
        }
        p = stop;
        switch (tag >>> 3) {
          case 1:
            this.traceStart = s;
            this.traceEnd = stop;
            break;
          case 2:
            this.spanStart = s;
            this.spanEnd = stop;
            break;
          case 3:
            this.stateStart = s;
            this.stateEnd = stop;
            break;
          case 4:
            this.parentStart = s;
            this.parentEnd = stop;
            break;
          case 5:
            this.nameStart = s;
            this.nameEnd = stop;
            break;
          case 9:
            if (props) props.addKeyValue(s, stop);
            break;
          case 11:
            if (this.events) this.eventRanges = pushRange(this.eventRanges, this.eventCount++, s, stop);
            break;
          case 13:
            if (this.links) this.linkRanges = pushRange(this.linkRanges, this.linkCount++, s, stop);
            break;
          case 15:
            this.statusStart = s;
            this.statusEnd = stop;
            break;
          default:
            checkSpanWireType(r, tag, at);
        }
        continue;
      }
      if (tag === 0x39 || tag === 0x41) {
        // 7 start_time_unix_nano, 8 end_time_unix_nano
        if (p + 8 > end) r.fail('truncated fixed64', p);
        if (tag === 0x39) {
          this.sLo = sv.getUint32(p, true);
          this.sHi = sv.getUint32(p + 4, true);
        } else {
          this.eLo = sv.getUint32(p, true);
          this.eHi = sv.getUint32(p + 4, true);
        }
        p += 8;
        continue;
      }
      r.pos = p;
      if (tag === 0x30) this.kindCode = r.varint(end);
      else skipOtherSpanField(r, tag, end);
      p = r.pos;
    }
  }

  /** Appends the accepted span in the fields to every projected column. */
  private writeRow(): void {
    this.rows++;
    // In groups: each group's helpers then inline into it (one function would outgrow V8's
    // inlining budget and call most of them).
    this.writeIds();
    this.writeTimes();
    this.writeNameKindStatus();
    this.writeJsonColumns();
  }

  private writeIds(): void {
    const buf = this.r.buf;
    if (this.traceId) this.writeTraceId(this.traceId, buf, this.traceStart);
    if (this.spanId) {
      writeHex(this.spanId, buf, this.spanStart, this.spanEnd);
      this.spanId.endValue();
    }
    const parent = this.parentSpanId;
    if (parent) {
      const p = this.parentStart;
      if (this.parentEnd - p === 8 && (this.sv.getInt32(p, true) | this.sv.getInt32(p + 4, true)) !== 0) {
        writeHex(parent, buf, this.parentStart, this.parentEnd);
        parent.endValue();
      } else parent.appendNull();
    }
  }

  private writeTimes(): void {
    this.startTime?.appendWords(this.sLo, this.sHi);
    this.endTime?.appendWords(this.eLo, this.eHi);
    if (this.duration) {
      // end − start over (hi, lo) words, two's complement.
      const lo = (this.eLo - this.sLo) >>> 0;
      const borrow = this.eLo >>> 0 < this.sLo >>> 0 ? 1 : 0;
      this.duration.appendWords(lo, (this.eHi - this.sHi - borrow) | 0);
    }
  }

  private writeNameKindStatus(): void {
    if (this.name) {
      if (this.nameStart >= 0) this.name.appendUtf8(this.r.buf, this.nameStart, this.nameEnd);
      else this.name.appendUtf8(this.r.buf, 0, 0);
    }
    this.kind?.append(this.kindCode >= 0 && this.kindCode < KINDS.length ? this.kindCode : 0);
    if (this.status || this.statusMessage) this.writeStatus();
  }

  /** properties, events and links. */
  private writeJsonColumns(): void {
    const props = this.props;
    if (props) {
      const buf = this.r.buf;
      this.scope.addExtras(props);
      if (this.stateEnd > this.stateStart) props.addJsonString(K_TRACE_STATE, buf, this.stateStart, this.stateEnd);
      props.writeTo(this.properties!);
      this.properties!.endValue();
    }
    // Most spans have neither events nor links: `[]`.
    if (this.events) {
      if (this.eventCount === 0) appendEmptyArray(this.events);
      else this.writeNested(this.events, this.eventRanges, this.eventCount, true);
    }
    if (this.links) {
      if (this.linkCount === 0) appendEmptyArray(this.links);
      else this.writeNested(this.links, this.linkRanges, this.linkCount, false);
    }
  }

  /** trace_id as text. Spans of one trace usually arrive together: a trace id equal to the previous
   * row's is that row's 32 characters again, copied as words instead of re-encoded. */
  private writeTraceId(col: Utf8Column, buf: Uint8Array, start: number): void {
    const prev = this.prevTrace;
    this.prevTrace = start;
    col.reserve(32);
    const o = col.byteLength;
    const dv = col.dataView;
    if (prev >= 0 && equalWords(this.sv, buf, prev, start, 16)) {
      for (let k = 0; k < 32; k += 4) dv.setInt32(o + k, dv.getInt32(o - 32 + k, true), true);
      col.byteLength = o + 32;
    } else col.byteLength = putHexWords(dv, o, buf, start, start + 16);
    col.endValue();
  }

  private writeStatus(): void {
    const r = this.r;
    let code = 0;
    let ms = -1;
    let me = -1;
    if (this.statusStart >= 0) {
      const end = this.statusEnd;
      r.pos = this.statusStart;
      while (r.pos < end) {
        const tag = r.tag(end);
        const f = tag >>> 3;
        const wt = tag & 7;
        if (f === 2) {
          if (wt !== WIRE_LEN) r.fail(`field 2 of Status has wire type ${wt}`);
          me = r.lengthDelimited(end);
          ms = r.pos;
          r.pos = me;
        } else if (f === 3) {
          if (wt !== WIRE_VARINT) r.fail(`field 3 of Status has wire type ${wt}`);
          code = r.varint(end);
        } else r.skip(wt, end);
      }
    }
    this.status?.append(code >= 0 && code < STATUSES.length ? code : 0);
    const col = this.statusMessage;
    if (col) {
      if (me > ms) col.appendUtf8(r.buf, ms, me);
      else col.appendNull();
    }
  }

  /** The span's events or links (their message ranges) as a JSON array. */
  private writeNested(col: Utf8Column, ranges: Int32Array, count: number, events: boolean): void {
    col.writeByte(0x5b);
    for (let i = 0; i < count; i++) {
      if (i > 0) col.writeByte(0x2c);
      if (events) this.writeEvent(col, ranges[2 * i], ranges[2 * i + 1]);
      else this.writeLink(col, ranges[2 * i], ranges[2 * i + 1]);
    }
    col.writeByte(0x5d);
    col.endValue();
  }

  private writeEvent(col: Utf8Column, start: number, end: number): void {
    const r = this.r;
    const attrs = this.nested!;
    attrs.reset();
    let tLo = 0;
    let tHi = 0;
    let ns = 0;
    let ne = 0;
    r.pos = start;
    while (r.pos < end) {
      const tag = r.tag(end);
      const f = tag >>> 3;
      const wt = tag & 7;
      if (f === 1) {
        if (wt !== WIRE_I64) r.fail(`field 1 of Span.Event has wire type ${wt}`);
        const p = r.pos;
        if (p + 8 > end) r.fail('truncated fixed64');
        tLo = r.fixed64Lo(p);
        tHi = r.fixed64Lo(p + 4);
        r.pos = p + 8;
      } else if (f === 2 || f === 3) {
        if (wt !== WIRE_LEN) r.fail(`field ${f} of Span.Event has wire type ${wt}`);
        const stop = r.lengthDelimited(end);
        if (f === 2) {
          ns = r.pos;
          ne = stop;
        } else attrs.addKeyValue(r.pos, stop);
        r.pos = stop;
      } else r.skip(wt, end);
    }
    col.writeRaw(EVENT_ATTRIBUTES, 0, EVENT_ATTRIBUTES.length);
    attrs.writeTo(col);
    col.writeRaw(EVENT_NAME, 0, EVENT_NAME.length);
    writeJsonString(col, r.buf, ns, ne);
    col.writeRaw(EVENT_TIME, 0, EVENT_TIME.length);
    // A time ≥ 2^63 (negative as int64) is written as 0.
    col.reserve(21);
    const o = tHi >= 0x80000000 ? putUint(col.bytes, col.byteLength, 0) : putUint64Words(col.bytes, col.byteLength, tHi, tLo);
    col.bytes[o] = 0x7d;
    col.byteLength = o + 1;
  }

  private writeLink(col: Utf8Column, start: number, end: number): void {
    const r = this.r;
    const attrs = this.linkAttrs!;
    attrs.reset();
    let ts = 0;
    let te = 0;
    let ss = 0;
    let se = 0;
    r.pos = start;
    while (r.pos < end) {
      const tag = r.tag(end);
      const f = tag >>> 3;
      const wt = tag & 7;
      if (f === 1 || f === 2 || f === 4) {
        if (wt !== WIRE_LEN) r.fail(`field ${f} of Span.Link has wire type ${wt}`);
        const stop = r.lengthDelimited(end);
        if (f === 1) {
          ts = r.pos;
          te = stop;
        } else if (f === 2) {
          ss = r.pos;
          se = stop;
        } else attrs.addKeyValue(r.pos, stop);
        r.pos = stop;
      } else r.skip(wt, end);
    }
    col.writeRaw(EVENT_ATTRIBUTES, 0, EVENT_ATTRIBUTES.length);
    attrs.writeTo(col);
    col.writeRaw(LINK_SPAN_ID, 0, LINK_SPAN_ID.length);
    writeHex(col, r.buf, ss, se);
    col.writeRaw(LINK_TRACE_ID, 0, LINK_TRACE_ID.length);
    writeHex(col, r.buf, ts, te);
    col.writeRaw(LINK_END, 0, LINK_END.length);
  }

  /** `last`: no batch follows, so text columns need no buffers for a next one. */
  private flush(last = false): RecordBatch {
    const length = this.rows;
    this.rows = 0;
    this.prevTrace = -1;
    return this.out.batch(length, (name): Data => {
      switch (name) {
        case 'trace_id':
          return this.traceId!.finish(last);
        case 'span_id':
          return this.spanId!.finish(last);
        case 'parent_span_id':
          return this.parentSpanId!.finish(last);
        case 'start_time':
          return this.startTime!.finish(last);
        case 'end_time':
          return this.endTime!.finish(last);
        case 'duration':
          return this.duration!.finish(last);
        case 'name':
          return this.name!.finish(last);
        case 'kind':
          return this.kind!.finish(last);
        case 'status':
          return this.status!.finish(last);
        case 'status_message':
          return this.statusMessage!.finish(last);
        case 'properties':
          return this.properties!.finish(last);
        case 'events':
          return this.events!.finish(last);
        case 'links':
          return this.links!.finish(last);
      }
      throw new Error(`otel_spans decoder has no column ${name}`);
    });
  }
}
