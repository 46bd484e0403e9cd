// ResourceLogs segment (protobuf) → `log_entries` record batches (otlp-mapping §6).
import type { Data, Dictionary, Int32, RecordBatch, Utf8 } from 'apache-arrow';
import { WireReader, WIRE_VARINT, WIRE_I64, WIRE_LEN, WIRE_I32 } from '../protowire.js';
import { type DecodeContext, type DecodeOptions, batchRowsOf } from '../context.js';
import { Int32Column, Int64Column, Utf8Column, DictionaryColumn } from '../columns.js';
import { projectFields } from './schemas.js';
import { BatchAssembler, ScopeInfo, TimeHint, eachRecord, eachScope, returnJsonWriter, segmentBatches, takeJsonWriter } from './decode-common.js';
import { writeAnyValueText, utf8 } from './decode-json-text.js';
import type { JsonObjectWriter } from './decode-json-object.js';

/** severity_number → level (1 fatal … 6 trace); 0 and out-of-range → 4 (info). */
const LEVEL = new Int32Array(25);
for (let s = 0; s <= 24; s++) LEVEL[s] = s === 0 ? 4 : 6 - Math.floor((s - 1) / 4);

const K_TRACE_ID = utf8('otel.trace_id');
const K_SPAN_ID = utf8('otel.span_id');
const K_SEVERITY_TEXT = utf8('otel.severity_text');
const K_EVENT_NAME = utf8('otel.event_name');

export function* decodeOtlpLogs(
  segment: Uint8Array,
  ctx: DecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
): Generator<RecordBatch, void, undefined> {
  const decoder = new LogsDecoder(segment, ctx, projection, opts);
  yield* segmentBatches(decoder.run(), ctx.blockId, () => returnJsonWriter('logs.properties', decoder.props));
}

class LogsDecoder {
  private readonly r: WireReader;
  private readonly out: BatchAssembler;
  private readonly batchRows: number;
  private readonly hint: TimeHint;
  private readonly insertLo: number;
  private readonly insertHi: number;
  private rows = 0;

  // Builders exist only for projected columns.
  private readonly time: Int64Column | undefined;
  private readonly target: DictionaryColumn | undefined;
  private readonly level: Int32Column | undefined;
  private readonly msg: Utf8Column | undefined;
  private readonly properties: Utf8Column | undefined;
  readonly props: JsonObjectWriter;
  private readonly scope = new ScopeInfo();

  constructor(
    segment: Uint8Array,
    ctx: DecodeContext,
    projection: readonly string[] | null,
    opts: DecodeOptions | undefined,
  ) {
    const fields = projectFields('log_entries', projection);
    this.r = new WireReader(segment);
    this.out = new BatchAssembler(fields, ctx);
    this.batchRows = batchRowsOf(opts);
    this.hint = new TimeHint(opts);
    const it = ctx.insertTime < 0n || ctx.insertTime >= 1n << 63n ? 0n : ctx.insertTime;
    this.insertLo = Number(it & 0xffffffffn);
    this.insertHi = Number(it >> 32n);
    const want = new Set(fields.map((f) => f.name));
    const targetField = fields.find((f) => f.name === 'target');
    // Row buffers start empty: each scope presizes them for its records (no regrowth copies).
    this.time = want.has('time') ? new Int64Column('timestamp', false, 0) : undefined;
    this.target = targetField ? new DictionaryColumn(targetField.type as Dictionary<Utf8, Int32>, false, 0) : undefined;
    this.level = want.has('level') ? new Int32Column() : undefined;
    // Text columns of a batch run about the size of the segment (bounded: batches cap the rows).
    // Properties repeat scope extras and ids as text per record, so they usually outgrow the segment.
    const textBytes = Math.min(segment.length, 1 << 24);
    this.msg = want.has('msg') ? new Utf8Column(false, textBytes >> 1, 0) : undefined;
    this.properties = want.has('properties') ? new Utf8Column(false, textBytes + (textBytes >> 1), 0) : undefined;
    this.props = takeJsonWriter('logs.properties', this.r);
  }

  *run(): Generator<RecordBatch, void, undefined> {
    const record = (start: number, end: number) => this.record(start, end);
    const full = () => (this.rows === this.batchRows ? this.flush() : undefined);
    yield* eachScope(this.r, 'ResourceLogs', (start, end) => {
      this.scope.read(this.r, start, end, this.properties !== undefined);
      this.presize(Math.min(this.scope.records, this.batchRows - this.rows));
      return eachRecord(this.r, start, end, 'ScopeLogs', record, full);
    });
    if (this.rows > 0) yield this.flush(true);
  }

  private presize(n: number): void {
    this.time?.presize(n);
    this.target?.presize(n);
    this.level?.presize(n);
    this.msg?.presize(n);
    this.properties?.presize(n);
  }

  /** Decodes one LogRecord in [start, end) and appends its row (unless the time hint excludes it).
   * Field ranges are positions into the segment, -1 when absent; kept in locals (registers). */
  private record(start: number, end: number): void {
    const r = this.r;
    const buf = r.buf;
    const view = r.dataView;
    let tLo = 0;
    let tHi = 0;
    let oLo = 0;
    let oHi = 0;
    let severity = 0;
    let sevTextStart = -1;
    let sevTextEnd = -1;
    let bodyStart = -1;
    let bodyEnd = -1;
    let traceStart = -1;
    let traceEnd = -1;
    let spanStart = -1;
    let spanEnd = -1;
    let eventStart = -1;
    let eventEnd = -1;
    const props = this.properties ? this.props : undefined;
    props?.reset();
    let p = start;
    while (p < end) {
      // The usual encoding of each field — one-byte tag of the expected wire type, one-byte length
      // or varint — read in place; anything else goes through the general reader below.
      const t = buf[p];
      if ((t & 7) === WIRE_LEN) {
        const len = buf[p + 1];
        if (len < 0x80 && p + 2 + len <= end) {
          const s = p + 2;
          const stop = s + len;
          if (t === 0x32) {
            if (props) props.addKeyValue(s, stop);
            p = stop;
            continue;
          }
          if (t === 0x1a) {
            sevTextStart = s;
            sevTextEnd = stop;
            p = stop;
            continue;
          }
          if (t === 0x2a) {
            bodyStart = s;
            bodyEnd = stop;
            p = stop;
            continue;
          }
          if (t === 0x4a) {
            traceStart = s;
            traceEnd = stop;
            p = stop;
            continue;
          }
          if (t === 0x52) {
            spanStart = s;
            spanEnd = stop;
            p = stop;
            continue;
          }
        }
      } else if (t === 0x09 || t === 0x59) {
        if (p + 9 <= end) {
          if (t === 0x09) {
            tLo = view.getUint32(p + 1, true);
            tHi = view.getUint32(p + 5, true);
          } else {
            oLo = view.getUint32(p + 1, true);
            oHi = view.getUint32(p + 5, true);
          }
          p += 9;
          continue;
        }
      } else if (t === 0x10) {
        const v = buf[p + 1];
        if (v < 0x80 && p + 2 <= end) {
          severity = v;
          p += 2;
          continue;
        }
      } else if (t === 0x45 && p + 5 <= end) {
        p += 5; // flags
        continue;
      }
      r.pos = p;
      const tag = r.tag(end);
      const f = tag >>> 3;
      const wt = tag & 7;
      switch (f) {
        case 1:
        case 11: {
          if (wt !== WIRE_I64) r.fail(`field ${f} of LogRecord has wire type ${wt}`);
          const p = r.pos;
          if (p + 8 > end) r.fail('truncated fixed64');
          r.pos = p + 8;
          if (f === 1) {
            tLo = r.fixed64Lo(p);
            tHi = r.fixed64Lo(p + 4);
          } else {
            oLo = r.fixed64Lo(p);
            oHi = r.fixed64Lo(p + 4);
          }
          break;
        }
        case 2:
          if (wt !== WIRE_VARINT) r.fail(`field 2 of LogRecord has wire type ${wt}`);
          severity = r.varint(end);
          break;
        case 3:
        case 5:
        case 6:
        case 9:
        case 10:
        case 12: {
          if (wt !== WIRE_LEN) r.fail(`field ${f} of LogRecord has wire type ${wt}`);
          const stop = r.lengthDelimited(end);
          const s = r.pos;
          if (f === 6) {
            if (props) props.addKeyValue(s, stop);
          } else if (f === 3) {
            sevTextStart = s;
            sevTextEnd = stop;
          } else if (f === 5) {
            bodyStart = s;
            bodyEnd = stop;
          } else if (f === 9) {
            traceStart = s;
            traceEnd = stop;
          } else if (f === 10) {
            spanStart = s;
            spanEnd = stop;
          } else {
            eventStart = s;
            eventEnd = stop;
          }
          r.pos = stop;
          break;
        }
        case 7:
          if (wt !== WIRE_VARINT) r.fail(`field 7 of LogRecord has wire type ${wt}`);
          r.skipVarint(end);
          break;
        case 8:
          if (wt !== WIRE_I32) r.fail(`field 8 of LogRecord has wire type ${wt}`);
          r.skip(wt, end);
          break;
        default:
          r.skip(wt, end);
      }
      p = r.pos;
    }

    // Effective time: time_unix_nano, else observed, else insert time; values ≥ 2^63 count as 0.
    let lo = tLo;
    let hi = tHi;
    if ((lo === 0 && hi === 0) || hi >= 0x80000000) {
      lo = oLo;
      hi = oHi;
      if ((lo === 0 && hi === 0) || hi >= 0x80000000) {
        lo = this.insertLo;
        hi = this.insertHi;
      }
    }
    if (this.hint.active && (this.hint.before(lo, hi) || this.hint.after(lo, hi))) return;

    this.rows++;
    this.appendColumns(lo, hi, severity, bodyStart, bodyEnd);
    if (props) this.appendProperties(props, traceStart, traceEnd, spanStart, spanEnd, sevTextStart, sevTextEnd, eventStart, eventEnd);
  }

  // The row's appends live apart from record(): each method gets its own inlining budget in V8, so
  // record() keeps the budget for the per-attribute addKeyValue calls.

  /** Appends time, target, level and msg (those projected) of the row. */
  private appendColumns(lo: number, hi: number, severity: number, bodyStart: number, bodyEnd: number): void {
    const buf = this.r.buf;
    this.time?.appendWords(lo, hi);
    this.target?.appendUtf8(buf, this.scope.nameStart, this.scope.nameEnd);
    if (this.level) this.level.append(severity >= 0 && severity <= 24 ? LEVEL[severity] : 4);
    const msg = this.msg;
    if (msg) {
      // The usual body, a lone short string member, is copied straight (UTF-8 checked at finish()).
      if (bodyStart >= 0 && buf[bodyStart] === 0x0a && buf[bodyStart + 1] < 0x80 && bodyStart + 2 + buf[bodyStart + 1] === bodyEnd) {
        msg.writeUtf8Deferred(buf, bodyStart + 2, bodyEnd);
      } else if (bodyStart >= 0) writeAnyValueText(msg, this.r, bodyStart, bodyEnd);
      msg.endValue();
    }
  }

  /** Adds the §6 extras after the row's attributes (so they win over equal keys) — scope, ids,
   * severity text, event name — and appends the properties object. Ranges are -1 when absent. */
  private appendProperties(
    props: JsonObjectWriter,
    traceStart: number,
    traceEnd: number,
    spanStart: number,
    spanEnd: number,
    sevTextStart: number,
    sevTextEnd: number,
    eventStart: number,
    eventEnd: number,
  ): void {
    const buf = this.r.buf;
    this.scope.addExtras(props);
    if (traceEnd - traceStart === 16) props.addJsonHex(K_TRACE_ID, buf, traceStart, traceEnd);
    if (spanEnd - spanStart === 8) props.addJsonHex(K_SPAN_ID, buf, spanStart, spanEnd);
    if (sevTextEnd > sevTextStart) props.addJsonString(K_SEVERITY_TEXT, buf, sevTextStart, sevTextEnd);
    if (eventEnd > eventStart) props.addJsonString(K_EVENT_NAME, buf, eventStart, eventEnd);
    const col = this.properties!;
    props.writeTo(col);
    col.endValue();
  }

  /** `last`: no batch follows, so text columns need no buffers for a next one. */
  private flush(last = false): RecordBatch {
    const length = this.rows;
    this.rows = 0;
    return this.out.batch(length, (name): Data => {
      switch (name) {
        case 'time':
          return this.time!.finish();
        case 'target':
          return this.target!.finish();
        case 'level':
          return this.level!.finish();
        case 'msg':
          return this.msg!.finish(last);
        case 'properties':
          return this.properties!.finish(last);
      }
      throw new Error(`log_entries decoder has no column ${name}`);
    });
  }
}
