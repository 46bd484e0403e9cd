// OTLP/JSON segment (one element of `resourceLogs` / `resourceMetrics` / `resourceSpans`) →
// the equivalent protobuf `Resource*` message, which the protobuf decoders then turn into batches.
// Going through protobuf makes JSON and protobuf payloads decode to identical batches by
// construction. Parsing is exact (otlp-mapping §2.2): 64-bit integers keep their digits, ids are
// hex, bytes base64, enums by number or name; unknown keys are ignored, null is absent, the last
// duplicate key wins. The Resource itself is not transcoded: decoders take process columns from
// the catalog.
import { MalformedPayloadError } from '../types.js';
import { parseInteger } from './index-json.js';
import { snakeCase } from './index-common.js';
import { DUPLICATE_FIELD, transcodeStreaming } from './json-transcode.js';
import { decodeJsonStringFrom } from './json-string.js';

type JsonValue = string | number | boolean | null | JsonNumber | JsonValue[] | JsonObject;
class JsonNumber {
  constructor(readonly text: string) {}
}
type JsonObject = Map<string, JsonValue>;

const MAX_DEPTH = 64;
const utf8Encoder = new TextEncoder();

/** Minimal exact JSON parser: numbers stay as text, objects are Maps (the last duplicate wins). */
class JsonParser {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}

  fail(reason: string, at = this.pos): never {
    throw new MalformedPayloadError(`malformed JSON at byte ${at}: ${reason}`, at);
  }

  parseDocument(): JsonValue {
    const v = this.value(0);
    this.ws();
    if (this.pos !== this.b.length) this.fail('trailing characters');
    return v;
  }

  private ws(): void {
    const b = this.b;
    while (this.pos < b.length) {
      const c = b[this.pos];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  private value(depth: number): JsonValue {
    this.ws();
    const b = this.b;
    if (this.pos >= b.length) this.fail('unexpected end');
    const c = b[this.pos];
    if (c === 0x7b) return this.object(depth + 1);
    if (c === 0x5b) return this.array(depth + 1);
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (this.literal('true')) return true;
    if (this.literal('false')) return false;
    if (this.literal('null')) return null;
    this.fail('unexpected character');
  }

  private literal(word: string): boolean {
    for (let i = 0; i < word.length; i++) if (this.b[this.pos + i] !== word.charCodeAt(i)) return false;
    this.pos += word.length;
    return true;
  }

  private object(depth: number): JsonObject {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const m: JsonObject = new Map();
    this.pos++;
    this.ws();
    if (this.b[this.pos] === 0x7d) {
      this.pos++;
      return m;
    }
    for (;;) {
      this.ws();
      if (this.b[this.pos] !== 0x22) this.fail('expected a key');
      const key = this.string();
      this.ws();
      if (this.b[this.pos] !== 0x3a) this.fail("expected ':'");
      this.pos++;
      const v = this.value(depth);
      m.delete(key);
      m.set(key, v);
      this.ws();
      const c = this.b[this.pos++];
      if (c === 0x7d) return m;
      if (c !== 0x2c) this.fail("expected ',' or '}'", this.pos - 1);
    }
  }

  private array(depth: number): JsonValue[] {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const out: JsonValue[] = [];
    this.pos++;
    this.ws();
    if (this.b[this.pos] === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      this.ws();
      const c = this.b[this.pos++];
      if (c === 0x5d) return out;
      if (c !== 0x2c) this.fail("expected ',' or ']'", this.pos - 1);
    }
  }

  private number(): JsonNumber {
    const b = this.b;
    const start = this.pos;
    while (this.pos < b.length) {
      const c = b[this.pos];
      if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) this.pos++;
      else break;
    }
    let text = '';
    for (let i = start; i < this.pos; i++) text += String.fromCharCode(b[i]);
    if (!/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text)) this.fail('invalid number', start);
    return new JsonNumber(text);
  }

  string(): string {
    const start = ++this.pos;
    const [out, after] = decodeJsonStringFrom(this.b, start, start, '', (reason, at) => this.fail(reason, at));
    this.pos = after;
    return out;
  }
}

/** The JSON string whose opening quote is at `pos`, decoded, and the position after it. */
export function readJsonString(b: Uint8Array, pos: number): [string, number] {
  const p = new JsonParser(b);
  p.pos = pos;
  const s = p.string();
  return [s, p.pos];
}

/** Growable protobuf writer. */
class ProtoWriter {
  buf = new Uint8Array(1024);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  varint(v: bigint | number): void {
    let x = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (x >= 0x80n) {
      this.buf[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.len++] = Number(x);
  }
  tag(field: number, wt: number): void {
    this.varint((field << 3) | wt);
  }
  fixed64(v: bigint): void {
    this.ensure(8);
    new DataView(this.buf.buffer).setBigUint64(this.len, BigInt.asUintN(64, v), true);
    this.len += 8;
  }
  double(v: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer).setFloat64(this.len, v, true);
    this.len += 8;
  }
  fixed32(v: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer).setUint32(this.len, v >>> 0, true);
    this.len += 4;
  }
  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  /** Writes a length-delimited sub-message produced by `body`. */
  message(body: () => void): void {
    this.ensure(10);
    const lenAt = this.len;
    this.len += 10;
    body();
    const size = this.len - lenAt - 10;
    let n = 1;
    for (let x = size; x >= 0x80; x = Math.floor(x / 128)) n++;
    this.buf.copyWithin(lenAt + n, lenAt + 10, this.len);
    this.len = lenAt;
    this.varint(size);
    this.len = lenAt + n + size;
  }
}

// Field kinds of the OTLP messages the decoders read.
export type Kind =
  | 'string' | 'hex' | 'base64' | 'bool' | 'int64' | 'uint64' | 'fixed64' | 'sfixed64' | 'double' | 'int32'
  | 'uint32' | 'sint32' | 'fixed32' | { enum: ReadonlyMap<string, number> } | { message: string };
export interface FieldDef {
  no: number;
  kind: Kind;
  repeated?: boolean;
}
export type MessageDef = ReadonlyMap<string, FieldDef>;

function enumNames(prefix: string, names: string[]): ReadonlyMap<string, number> {
  return new Map(names.map((n, i) => [prefix + n, i]));
}
const SEVERITY = enumNames('SEVERITY_NUMBER_', ['UNSPECIFIED',
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((s) => [s, s + '2', s + '3', s + '4'])]);
const SPAN_KIND = enumNames('SPAN_KIND_', ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER']);
const STATUS_CODE = enumNames('STATUS_CODE_', ['UNSET', 'OK', 'ERROR']);
const TEMPORALITY = enumNames('AGGREGATION_TEMPORALITY_', ['UNSPECIFIED', 'DELTA', 'CUMULATIVE']);

const msg = (name: string): Kind => ({ message: name });
const rep = (no: number, kind: Kind): FieldDef => ({ no, kind, repeated: true });
const one = (no: number, kind: Kind): FieldDef => ({ no, kind });

function def(fields: Record<string, FieldDef>): MessageDef {
  const m = new Map<string, FieldDef>();
  for (const [camel, f] of Object.entries(fields)) {
    m.set(camel, f);
    m.set(snakeCase(camel), f);
  }
  return m;
}

const SCOPE_FIELDS = { scope: one(1, msg('InstrumentationScope')), schemaUrl: one(3, 'string') };
export const MESSAGES: Record<string, MessageDef> = {
  ResourceLogs: def({ scopeLogs: rep(2, msg('ScopeLogs')), schemaUrl: one(3, 'string') }),
  ResourceMetrics: def({ scopeMetrics: rep(2, msg('ScopeMetrics')), schemaUrl: one(3, 'string') }),
  ResourceSpans: def({ scopeSpans: rep(2, msg('ScopeSpans')), schemaUrl: one(3, 'string') }),
  ScopeLogs: def({ ...SCOPE_FIELDS, logRecords: rep(2, msg('LogRecord')) }),
  ScopeMetrics: def({ ...SCOPE_FIELDS, metrics: rep(2, msg('Metric')) }),
  ScopeSpans: def({ ...SCOPE_FIELDS, spans: rep(2, msg('Span')) }),
  InstrumentationScope: def({ name: one(1, 'string'), version: one(2, 'string'), attributes: rep(3, msg('KeyValue')) }),
  KeyValue: def({ key: one(1, 'string'), value: one(2, msg('AnyValue')) }),
  AnyValue: def({
    stringValue: one(1, 'string'), boolValue: one(2, 'bool'), intValue: one(3, 'int64'), doubleValue: one(4, 'double'),
    arrayValue: one(5, msg('ArrayValue')), kvlistValue: one(6, msg('KeyValueList')), bytesValue: one(7, 'base64'),
  }),
  ArrayValue: def({ values: rep(1, msg('AnyValue')) }),
  KeyValueList: def({ values: rep(1, msg('KeyValue')) }),
  LogRecord: def({
    timeUnixNano: one(1, 'fixed64'), observedTimeUnixNano: one(11, 'fixed64'), severityNumber: one(2, { enum: SEVERITY }),
    severityText: one(3, 'string'), body: one(5, msg('AnyValue')), attributes: rep(6, msg('KeyValue')),
    flags: one(8, 'fixed32'), traceId: one(9, 'hex'), spanId: one(10, 'hex'), eventName: one(12, 'string'),
  }),
  Metric: def({
    name: one(1, 'string'), unit: one(3, 'string'), gauge: one(5, msg('Gauge')), sum: one(7, msg('Sum')),
    histogram: one(9, msg('Histogram')), exponentialHistogram: one(10, msg('ExponentialHistogram')), summary: one(11, msg('Summary')),
  }),
  Gauge: def({ dataPoints: rep(1, msg('NumberDataPoint')) }),
  Sum: def({ dataPoints: rep(1, msg('NumberDataPoint')), aggregationTemporality: one(2, { enum: TEMPORALITY }), isMonotonic: one(3, 'bool') }),
  Histogram: def({ dataPoints: rep(1, msg('HistogramDataPoint')), aggregationTemporality: one(2, { enum: TEMPORALITY }) }),
  ExponentialHistogram: def({ dataPoints: rep(1, msg('ExponentialHistogramDataPoint')), aggregationTemporality: one(2, { enum: TEMPORALITY }) }),
  Summary: def({ dataPoints: rep(1, msg('SummaryDataPoint')) }),
  NumberDataPoint: def({
    attributes: rep(7, msg('KeyValue')), startTimeUnixNano: one(2, 'fixed64'), timeUnixNano: one(3, 'fixed64'),
    asDouble: one(4, 'double'), asInt: one(6, 'sfixed64'), flags: one(8, 'uint32'),
  }),
  HistogramDataPoint: def({
    attributes: rep(9, msg('KeyValue')), startTimeUnixNano: one(2, 'fixed64'), timeUnixNano: one(3, 'fixed64'),
    count: one(4, 'fixed64'), sum: one(5, 'double'), bucketCounts: rep(6, 'fixed64'), explicitBounds: rep(7, 'double'),
    flags: one(10, 'uint32'), min: one(11, 'double'), max: one(12, 'double'),
  }),
  ExponentialHistogramDataPoint: def({
    attributes: rep(1, msg('KeyValue')), startTimeUnixNano: one(2, 'fixed64'), timeUnixNano: one(3, 'fixed64'),
    count: one(4, 'fixed64'), sum: one(5, 'double'), scale: one(6, 'sint32'), zeroCount: one(7, 'fixed64'),
    positive: one(8, msg('Buckets')), negative: one(9, msg('Buckets')), flags: one(10, 'uint32'), min: one(12, 'double'),
    max: one(13, 'double'), zeroThreshold: one(14, 'double'),
  }),
  Buckets: def({ offset: one(1, 'sint32'), bucketCounts: rep(2, 'uint64') }),
  SummaryDataPoint: def({
    attributes: rep(7, msg('KeyValue')), startTimeUnixNano: one(2, 'fixed64'), timeUnixNano: one(3, 'fixed64'),
    count: one(4, 'fixed64'), sum: one(5, 'double'), quantileValues: rep(6, msg('ValueAtQuantile')), flags: one(8, 'uint32'),
  }),
  ValueAtQuantile: def({ quantile: one(1, 'double'), value: one(2, 'double') }),
  Span: def({
    traceId: one(1, 'hex'), spanId: one(2, 'hex'), traceState: one(3, 'string'), parentSpanId: one(4, 'hex'),
    flags: one(16, 'fixed32'), name: one(5, 'string'), kind: one(6, { enum: SPAN_KIND }), startTimeUnixNano: one(7, 'fixed64'),
    endTimeUnixNano: one(8, 'fixed64'), attributes: rep(9, msg('KeyValue')), events: rep(11, msg('Event')),
    links: rep(13, msg('Link')), status: one(15, msg('Status')),
  }),
  Event: def({ timeUnixNano: one(1, 'fixed64'), name: one(2, 'string'), attributes: rep(3, msg('KeyValue')) }),
  Link: def({ traceId: one(1, 'hex'), spanId: one(2, 'hex'), attributes: rep(4, msg('KeyValue')) }),
  Status: def({ message: one(2, 'string'), code: one(3, { enum: STATUS_CODE }) }),
};

export const ROOT = { logs: 'ResourceLogs', metrics: 'ResourceMetrics', traces: 'ResourceSpans' } as const;

/** Transcodes one OTLP/JSON resource element to its protobuf Resource* message: in one streaming
 * pass (json-transcode.ts), or through a JSON tree when an object repeats a field. */
export function transcodeOtlpJsonSegment(signal: 'logs' | 'metrics' | 'traces', json: Uint8Array): Uint8Array {
  try {
    return transcodeStreaming(ROOT[signal], json);
  } catch (e) {
    if (e !== DUPLICATE_FIELD) throw e;
  }
  return transcodeOtlpJsonSegmentTree(signal, json);
}

/** The reference transcoder: parse to a tree (the last duplicate key wins), then write. */
export function transcodeOtlpJsonSegmentTree(signal: 'logs' | 'metrics' | 'traces', json: Uint8Array): Uint8Array {
  const root = new JsonParser(json).parseDocument();
  if (!(root instanceof Map)) throw new MalformedPayloadError('malformed JSON: a resource element must be an object', 0);
  const w = new ProtoWriter();
  writeMessage(w, MESSAGES[ROOT[signal]], root);
  return w.buf.slice(0, w.len);
}

function bad(what: string): never {
  throw new MalformedPayloadError(`malformed OTLP/JSON: ${what}`);
}

function writeMessage(w: ProtoWriter, d: MessageDef, obj: JsonObject): void {
  // Two spellings of one field (camel and snake) are the same field: keep only the later one.
  const seen = new Map<number, [FieldDef, JsonValue]>();
  for (const [key, value] of obj) {
    const f = d.get(key);
    if (!f || value === null) continue;
    seen.delete(f.no);
    seen.set(f.no, [f, value]);
  }
  for (const [f, value] of seen.values()) {
    if (f.repeated) {
      if (!Array.isArray(value)) bad(`expected an array for field ${f.no}`);
      for (const v of value) if (v !== null) writeField(w, f, v);
    } else writeField(w, f, value);
  }
}

function integer(v: JsonValue, min: bigint, max: bigint, what: string): bigint {
  const text = v instanceof JsonNumber ? v.text : typeof v === 'string' ? v.trim() : undefined;
  if (text === undefined) bad(`${what} must be an integer`);
  const n = parseInteger(text);
  if (n === undefined || n < min || n > max) bad(`${what} out of range: ${text.slice(0, 30)}`);
  return n;
}

function double(v: JsonValue): number {
  if (v instanceof JsonNumber) return Number(v.text);
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(v)) return Number(v);
  }
  bad('expected a double');
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function writeField(w: ProtoWriter, f: FieldDef, v: JsonValue): void {
  const k = f.kind;
  if (typeof k === 'object' && 'message' in k) {
    if (!(v instanceof Map)) bad(`field ${f.no} must be an object`);
    w.tag(f.no, 2);
    w.message(() => writeMessage(w, MESSAGES[k.message], v));
    return;
  }
  if (typeof k === 'object') {
    let n: number;
    if (typeof v === 'string' && k.enum.has(v)) n = k.enum.get(v)!;
    else n = Number(integer(v, -(1n << 31n), (1n << 31n) - 1n, 'enum'));
    w.tag(f.no, 0);
    w.varint(n);
    return;
  }
  switch (k) {
    case 'string':
      if (typeof v !== 'string') bad(`field ${f.no} must be a string`);
      w.tag(f.no, 2);
      w.bytes(utf8Encoder.encode(v));
      return;
    case 'hex': {
      if (typeof v !== 'string') bad('ids must be hex strings');
      if (v === '') return;
      if (v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v)) bad('invalid hex id');
      w.tag(f.no, 2);
      w.bytes(Buffer.from(v, 'hex'));
      return;
    }
    case 'base64':
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(v)) bad('invalid base64');
      w.tag(f.no, 2);
      w.bytes(Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
      return;
    case 'bool':
      if (typeof v !== 'boolean') bad('expected a boolean');
      w.tag(f.no, 0);
      w.varint(v ? 1 : 0);
      return;
    case 'int64':
      w.tag(f.no, 0);
      w.varint(integer(v, I64_MIN, I64_MAX, 'int64'));
      return;
    case 'uint64':
      w.tag(f.no, 0);
      w.varint(integer(v, 0n, U64_MAX, 'uint64'));
      return;
    case 'fixed64':
      w.tag(f.no, 1);
      w.fixed64(integer(v, 0n, U64_MAX, 'uint64'));
      return;
    case 'sfixed64':
      w.tag(f.no, 1);
      w.fixed64(integer(v, I64_MIN, I64_MAX, 'int64'));
      return;
    case 'double':
      w.tag(f.no, 1);
      w.double(double(v));
      return;
    case 'int32':
      w.tag(f.no, 0);
      w.varint(integer(v, -(1n << 31n), (1n << 31n) - 1n, 'int32'));
      return;
    case 'uint32':
      w.tag(f.no, 0);
      w.varint(integer(v, 0n, 0xffffffffn, 'uint32'));
      return;
    case 'sint32': {
      const n = Number(integer(v, -(1n << 31n), (1n << 31n) - 1n, 'sint32'));
      w.tag(f.no, 0);
      w.varint(n >= 0 ? n * 2 : -n * 2 - 1);
      return;
    }
    case 'fixed32':
      w.tag(f.no, 5);
      w.fixed32(Number(integer(v, 0n, 0xffffffffn, 'fixed32')));
      return;
  }
}
