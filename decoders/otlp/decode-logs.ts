// ResourceLogs segment (protobuf) → `log_entries` record batches (otlp-mapping §6).
import type { Data, Dictionary, Int32, RecordBatch, Utf8 } from 'apache-arrow';
import { WireReader, WIRE_VARINT, WIRE_I64, WIRE_LEN, WIRE_I32 } from '../protowire.js';
import { type DecodeContext, type DecodeOptions, batchRowsOf } from '../context.js';
import { Int32Column, Int64Column, Utf8Column, DictionaryColumn } from '../columns.js';
import { projectFields } from './schemas.js';
import { BatchAssembler, ScopeInfo, TimeHint, asCorruptSegment, eachRecord, eachScope } from './decode-common.js';
import { writeAnyValueText, utf8 } from './decode-json-text.js';
import { JsonObjectWriter } from './decode-json-object.js';

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
  try {
    yield* decoder.run();
  } catch (e) {
    throw asCorruptSegment(e, ctx.blockId);
  }
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
  private readonly props: JsonObjectWriter;
  private readonly scope = new ScopeInfo();

  // The LogRecord being decoded (positions into the segment; -1 = absent).
  private tLo = 0;
  private tHi = 0;
  private oLo = 0;
  private oHi = 0;
  private severity = 0;
  private sevTextStart = -1;
  private sevTextEnd = -1;
  private bodyStart = -1;
  private bodyEnd = -1;
  private traceStart = -1;
  private traceEnd = -1;
  private spanStart = -1;
  private spanEnd = -1;
  private eventStart = -1;
  private eventEnd = -1;

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
    this.time = want.has('time') ? new Int64Column('timestamp') : undefined;
    this.target = targetField ? new DictionaryColumn(targetField.type as Dictionary<Utf8, Int32>) : undefined;
    this.level = want.has('level') ? new Int32Column() : undefined;
    // Text columns of a batch run about the size of the segment (bounded: batches cap the rows).
    // Properties repeat scope extras and ids as text per record, so they usually outgrow the segment.
    const textBytes = Math.min(segment.length, 1 << 24);
    this.msg = want.has('msg') ? new Utf8Column(false, textBytes >> 1) : undefined;
    this.properties = want.has('properties') ? new Utf8Column(false, textBytes + (textBytes >> 1)) : undefined;
    this.props = new JsonObjectWriter(this.r);
  }

  *run(): Generator<RecordBatch, void, undefined> {
    const record = (start: number, end: number) => this.record(start, end);
    const full = () => (this.rows === this.batchRows ? this.flush() : undefined);
    yield* eachScope(this.r, 'ResourceLogs', (start, end) => {
      this.scope.read(this.r, start, end, this.properties !== undefined);
      return eachRecord(this.r, start, end, 'ScopeLogs', record, full);
    });
    if (this.rows > 0) yield this.flush(true);
  }

  /** Decodes one LogRecord in [start, end) and appends its row (unless the time hint excludes it). */
  private record(start: number, end: number): void {
    const r = this.r;
    const buf = r.buf;
    this.tLo = this.tHi = this.oLo = this.oHi = 0;
    this.severity = 0;
    this.sevTextStart = this.bodyStart = this.traceStart = this.spanStart = this.eventStart = -1;
    this.sevTextEnd = this.bodyEnd = this.traceEnd = this.spanEnd = this.eventEnd = -1;
    const props = this.properties ? this.props : undefined;
    props?.reset();
    r.pos = start;
    while (r.pos < end) {
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
          const lo = r.fixed64Lo(p);
          const hi = r.fixed64Lo(p + 4);
          if (f === 1) {
            this.tLo = lo;
            this.tHi = hi;
          } else {
            this.oLo = lo;
            this.oHi = hi;
          }
          break;
        }
        case 2:
          if (wt !== WIRE_VARINT) r.fail(`field 2 of LogRecord has wire type ${wt}`);
          this.severity = r.varint(end);
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
          if (f === 3) {
            this.sevTextStart = s;
            this.sevTextEnd = stop;
          } else if (f === 5) {
            this.bodyStart = s;
            this.bodyEnd = stop;
          } else if (f === 6) {
            if (props) {
              props.addKeyValue(s, stop);
            }
          } else if (f === 9) {
            this.traceStart = s;
            this.traceEnd = stop;
          } else if (f === 10) {
            this.spanStart = s;
            this.spanEnd = stop;
          } else {
            this.eventStart = s;
            this.eventEnd = stop;
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
    }

    // Effective time: time_unix_nano, else observed, else insert time; values ≥ 2^63 count as 0.
    let lo = this.tLo;
    let hi = this.tHi;
    if ((lo === 0 && hi === 0) || hi >= 0x80000000) {
      lo = this.oLo;
      hi = this.oHi;
      if ((lo === 0 && hi === 0) || hi >= 0x80000000) {
        lo = this.insertLo;
        hi = this.insertHi;
      }
    }
    if (this.hint.active && (this.hint.before(lo, hi) || this.hint.after(lo, hi))) return;

    this.rows++;
    this.time?.appendWords(lo, hi);
    this.target?.appendUtf8(buf, this.scope.nameStart, this.scope.nameEnd);
    if (this.level) {
      const s = this.severity;
      this.level.append(s >= 0 && s <= 24 ? LEVEL[s] : 4);
    }
    const msg = this.msg;
    if (msg) {
      const bs = this.bodyStart;
      const be = this.bodyEnd;
      // The usual body, a lone short string member, is copied straight (UTF-8 checked at finish()).
      if (bs >= 0 && buf[bs] === 0x0a && buf[bs + 1] < 0x80 && bs + 2 + buf[bs + 1] === be) msg.writeUtf8Deferred(buf, bs + 2, be);
      else if (bs >= 0) writeAnyValueText(msg, r, bs, be);
      msg.endValue();
    }
    if (props) this.writeProperties(props, this.properties!);
  }

  private writeProperties(props: JsonObjectWriter, col: Utf8Column): void {
    const buf = this.r.buf;
    this.scope.addExtras(props);
    if (this.traceEnd - this.traceStart === 16) props.addJsonHex(K_TRACE_ID, buf, this.traceStart, this.traceEnd);
    if (this.spanEnd - this.spanStart === 8) props.addJsonHex(K_SPAN_ID, buf, this.spanStart, this.spanEnd);
    if (this.sevTextEnd > this.sevTextStart) props.addJsonString(K_SEVERITY_TEXT, buf, this.sevTextStart, this.sevTextEnd);
    if (this.eventEnd > this.eventStart) props.addJsonString(K_EVENT_NAME, buf, this.eventStart, this.eventEnd);
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
