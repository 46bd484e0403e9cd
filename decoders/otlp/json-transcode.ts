// Streaming OTLP/JSON segment → protobuf transcoder: one pass over the bytes writing protobuf as it
// goes, with no intermediate JSON tree. Produces the same bytes as the tree-based transcoder in
// decode-json-input.ts, which stays the reference and the fallback for what a single pass cannot
// express: a field given twice in one object (the last wins, so the earlier bytes would have to go).
import { MalformedPayloadError } from '../types.js';
import { MESSAGES, readJsonString, type FieldDef, type MessageDef } from './decode-json-input.js';
import { JsonKeyMap, hashEnd, hashStep } from './json-keys.js';
import { JsonProtoWriter } from './json-proto-writer.js';
import { fitsInt64, fitsUint64 } from './json-int.js';
import { parseInteger } from './index-json.js';

/** Thrown (and caught by the caller) when an object repeats a field: use the tree transcoder. */
export const DUPLICATE_FIELD = Symbol('duplicate OTLP/JSON field');

const MAX_DEPTH = 64;
const TWO_32 = 4294967296;

// Integer ranges of the protobuf scalar kinds.
const U64 = 0, I64 = 1, U32 = 2, I32 = 3;

/** A field resolved for the streaming path: tag, how to write it, its message when nested. */
interface FastField {
  def: FieldDef;
  bit: number;
  tag: number;
  message: FastMessage | undefined;
}
/** A message's fields by key bytes (both spellings). */
type FastMessage = JsonKeyMap<FastField>;

const fastMessages = new Map<string, FastMessage>();

/** Built on first use: decode-json-input.ts imports this module, so MESSAGES is not ready at load.
 * Filled after it is cached so that recursive messages (AnyValue) resolve. */
function fastMessage(name: string): FastMessage {
  const cached = fastMessages.get(name);
  if (cached) return cached;
  const fields: Array<[string, FastField]> = [];
  const m = new JsonKeyMap<FastField>(fields);
  fastMessages.set(name, m);
  const def: MessageDef = MESSAGES[name];
  for (const [key, f] of def) {
    if (/_/.test(key)) continue; // the snake_case spelling is added with its camelCase one
    const k = f.kind;
    const wireType = typeof k === 'object' && 'message' in k ? 2
      : typeof k === 'object' ? 0
      : k === 'string' || k === 'hex' || k === 'base64' ? 2
      : k === 'fixed64' || k === 'sfixed64' || k === 'double' ? 1
      : k === 'fixed32' ? 5 : 0;
    fields.push([key, { def: f, bit: 2 ** f.no, tag: (f.no << 3) | wireType, message: undefined }]);
  }
  m.addAll(fields);
  for (const [, field] of fields) {
    const k = field.def.kind;
    if (typeof k === 'object' && 'message' in k) field.message = fastMessage(k.message);
  }
  return m;
}

/** 1 for bytes copied verbatim inside a string: printable ASCII other than `"` and `\`. */
const ASCII_PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) if (c !== 0x22 && c !== 0x5c) ASCII_PLAIN[c] = 1;
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) HEX[0x61 + c] = HEX[0x41 + c] = 10 + c;

const utf8Encoder = new TextEncoder();
const NUMBER_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

// Output of decimalToHalves.
let halfLo = 0, halfHi = 0;

/** hi9 * 10^9 + lo9 (hi9 < 2^37, lo9 < 10^9) as uint32 halves, mod 2^64, in exact double steps. */
function decimalToHalves(hi9: number, lo9: number): void {
  if (hi9 < 9_000_000) {
    const v = hi9 * 1e9 + lo9; // < 2^53: exact
    halfHi = Math.floor(v / TWO_32);
    halfLo = v - halfHi * TWO_32;
    return;
  }
  // hi9 = a * 2^20 + c: c * 10^9 + lo9 < 2^50 and a * 10^9 < 2^47 stay exact.
  const a = Math.floor(hi9 / 1048576), c = hi9 - a * 1048576;
  const t1 = c * 1e9 + lo9;
  const t1hi = Math.floor(t1 / TWO_32);
  const t2 = a * 1e9; // contributes t2 * 2^20
  const t2hi = Math.floor(t2 / 4096);
  let low = t1 - t1hi * TWO_32 + (t2 - t2hi * 4096) * 1048576;
  const carry = low >= TWO_32 ? 1 : 0;
  low -= carry * TWO_32;
  halfLo = low;
  halfHi = (t1hi + t2hi + carry) % TWO_32;
}

function bad(what: string): never {
  throw new MalformedPayloadError(`malformed OTLP/JSON: ${what}`);
}

/** Transcodes one resource element (an object) to its protobuf message; throws DUPLICATE_FIELD. */
export function transcodeStreaming(rootMessage: string, json: Uint8Array): Uint8Array {
  const t = new StreamingTranscoder(json);
  return t.run(fastMessage(rootMessage));
}

class StreamingTranscoder {
  private pos = 0;
  private depth = 0;
  private readonly w: JsonProtoWriter;
  // The last integer read: two's-complement uint32 halves, and its value when 32-bit.
  private lo32 = 0;
  private hi32 = 0;
  private small = 0;

  constructor(private readonly b: Uint8Array) {
    this.w = new JsonProtoWriter(b.length >> 1);
  }

  run(root: FastMessage): Uint8Array {
    this.ws();
    if (this.b[this.pos] !== 0x7b) {
      this.skipValue();
      this.ws();
      if (this.pos !== this.b.length) this.fail('trailing characters');
      throw new MalformedPayloadError('malformed JSON: a resource element must be an object', 0);
    }
    this.message(root);
    this.ws();
    if (this.pos !== this.b.length) this.fail('trailing characters');
    return this.w.buf.slice(0, this.w.len);
  }

  private fail(reason: string, at = this.pos): never {
    throw new MalformedPayloadError(`malformed JSON at byte ${at}: ${reason}`, at);
  }

  private ws(): void {
    const b = this.b;
    let p = this.pos;
    for (;;) {
      const c = b[p];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    this.pos++;
  }

  /** The object at pos; its known fields are written to the current message. */
  private message(m: FastMessage): void {
    const b = this.b;
    this.enter();
    this.ws();
    if (b[this.pos] === 0x7d) {
      this.pos++;
      this.depth--;
      return;
    }
    let seen = 0;
    for (;;) {
      this.ws();
      const f = this.key(m);
      this.ws();
      if (b[this.pos] !== 0x3a) this.fail("expected ':'");
      this.pos++;
      this.ws();
      if (f === undefined) this.skipValue();
      else {
        // Any repeat (null included) changes which value wins: leave it to the tree transcoder.
        if ((seen & f.bit) !== 0) throw DUPLICATE_FIELD;
        seen |= f.bit;
        if (b[this.pos] === 0x6e) this.literal('null');
        else if (f.def.repeated) this.repeated(f);
        else this.field(f);
      }
      this.ws();
      const c = b[this.pos++];
      if (c === 0x2c) continue;
      if (c === 0x7d) break;
      this.fail("expected ',' or '}'", this.pos - 1);
    }
    this.depth--;
  }

  private key(m: FastMessage): FastField | undefined {
    const b = this.b;
    const at = this.pos;
    if (b[at] !== 0x22) this.fail('expected a key');
    let p = at + 1;
    let h = 0;
    for (;;) {
      const c = b[p];
      if (c === 0x22) {
        this.pos = p + 1;
        return m.lookupHashed(hashEnd(h, p - at - 1), b, at + 1, p);
      }
      if (ASCII_PLAIN[c] !== 1) break;
      h = hashStep(h, c);
      p++;
    }
    return m.lookupString(this.string());
  }

  private repeated(f: FastField): void {
    if (this.b[this.pos] !== 0x5b) bad(`expected an array for field ${f.def.no}`);
    this.enter();
    this.ws();
    if (this.b[this.pos] === 0x5d) {
      this.pos++;
      this.depth--;
      return;
    }
    for (;;) {
      this.ws();
      if (this.b[this.pos] === 0x6e) this.literal('null');
      else this.field(f);
      this.ws();
      const c = this.b[this.pos++];
      if (c === 0x2c) continue;
      if (c === 0x5d) break;
      this.fail("expected ',' or ']'", this.pos - 1);
    }
    this.depth--;
  }

  private field(f: FastField): void {
    const w = this.w;
    const b = this.b;
    if (f.message !== undefined) {
      if (b[this.pos] !== 0x7b) {
        this.skipValue();
        bad(`field ${f.def.no} must be an object`);
      }
      w.varint32(f.tag);
      const at = w.begin();
      this.message(f.message);
      w.end(at);
      return;
    }
    const k = f.def.kind;
    if (typeof k === 'object' && 'enum' in k) {
      // An enum: its name, or an int32 sign-extended to 64 bits like any negative varint.
      if (b[this.pos] === 0x22) {
        const at = this.pos;
        const n = k.enum.get(this.string());
        if (n !== undefined) {
          w.varint32(f.tag);
          w.varint32(n);
          return;
        }
        this.pos = at;
      }
      this.integer(I32, 'enum');
      w.varint32(f.tag);
      w.varint64(this.lo32, this.hi32);
      return;
    }
    switch (k) {
      case 'string': this.stringField(f); return;
      case 'hex': this.hexField(f); return;
      case 'base64': {
        if (b[this.pos] !== 0x22) bad('invalid base64');
        const v = this.string();
        if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(v)) bad('invalid base64');
        const bytes = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
        w.varint32(f.tag);
        w.bytes(bytes, 0, bytes.length);
        return;
      }
      case 'bool': {
        let v: boolean;
        if (this.literal('true')) v = true;
        else if (this.literal('false')) v = false;
        else bad('expected a boolean');
        w.varint32(f.tag);
        w.varint32(v ? 1 : 0);
        return;
      }
      case 'double': {
        const v = this.double();
        w.varint32(f.tag);
        w.double(v);
        return;
      }
      case 'int64': case 'uint64': case 'int32': case 'uint32':
        this.integer(k === 'int64' ? I64 : k === 'uint64' ? U64 : k === 'int32' ? I32 : U32, k);
        w.varint32(f.tag);
        w.varint64(this.lo32, this.hi32);
        return;
      case 'fixed64': case 'sfixed64':
        this.integer(k === 'fixed64' ? U64 : I64, k === 'fixed64' ? 'uint64' : 'int64');
        w.varint32(f.tag);
        w.fixed64(this.lo32, this.hi32);
        return;
      case 'sint32':
        this.integer(I32, 'sint32');
        w.varint32(f.tag);
        w.varint32(this.small >= 0 ? this.small * 2 : -this.small * 2 - 1);
        return;
      case 'fixed32':
        this.integer(U32, 'fixed32');
        w.varint32(f.tag);
        w.fixed32(this.lo32);
        return;
    }
  }

  /** A string field: printable ASCII without escapes is copied as is; anything else is decoded
   * and re-encoded exactly as the tree transcoder does (invalid UTF-8 → U+FFFD). */
  private stringField(f: FastField): void {
    const b = this.b;
    if (b[this.pos] !== 0x22) {
      this.skipValue();
      bad(`field ${f.def.no} must be a string`);
    }
    const start = this.pos + 1;
    let p = start;
    while (ASCII_PLAIN[b[p]] === 1) p++;
    this.w.varint32(f.tag);
    if (b[p] === 0x22) {
      this.pos = p + 1;
      this.w.bytes(b, start, p);
      return;
    }
    const bytes = utf8Encoder.encode(this.string());
    this.w.bytes(bytes, 0, bytes.length);
  }

  private hexField(f: FastField): void {
    const b = this.b;
    if (b[this.pos] !== 0x22) {
      this.skipValue();
      bad('ids must be hex strings');
    }
    const start = this.pos + 1;
    let p = start;
    while (HEX[b[p]] >= 0) p++;
    let text: string | undefined;
    if (b[p] === 0x22) this.pos = p + 1;
    else {
      text = this.string(); // escapes or other characters: judge the decoded text
      if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) bad('invalid hex id');
    }
    if (text === undefined && (p - start) % 2 !== 0) bad('invalid hex id');
    const n = text === undefined ? (p - start) / 2 : text.length / 2;
    if (n === 0) return;
    const w = this.w;
    w.varint32(f.tag);
    w.varint32(n);
    w.ensure(n);
    if (text === undefined) {
      for (let i = 0; i < n; i++) w.buf[w.len++] = HEX[b[start + 2 * i]] * 16 + HEX[b[start + 2 * i + 1]];
    } else {
      const bytes = Buffer.from(text, 'hex');
      w.buf.set(bytes, w.len);
      w.len += bytes.length;
    }
  }

  /** An integer (number or numeric string) in `range`, into lo32/hi32 (and small for 32-bit). */
  private integer(range: number, what: string): void {
    const b = this.b;
    const quoted = b[this.pos] === 0x22;
    let p = quoted ? this.pos + 1 : this.pos;
    const neg = b[p] === 0x2d;
    if (neg) p++;
    const digits = p;
    while (b[p] >= 0x30 && b[p] <= 0x39) p++;
    const n = p - digits;
    const plain = n > 0 && n <= 20 && !(n > 1 && b[digits] === 0x30)
      && (quoted ? b[p] === 0x22 : b[p] !== 0x2e && b[p] !== 0x65 && b[p] !== 0x45);
    if (!plain) return this.integerSlow(range, what);
    // Decimal halves for the range check, binary halves for the wire.
    let hi9 = 0, lo9 = 0;
    const split = p - 9;
    for (let i = digits; i < split; i++) hi9 = hi9 * 10 + (b[i] - 0x30);
    for (let i = split > digits ? split : digits; i < p; i++) lo9 = lo9 * 10 + (b[i] - 0x30);
    decimalToHalves(hi9, lo9);
    let lo = halfLo, hi = halfHi;
    const zero = hi9 === 0 && lo9 === 0;
    const ok =
      range === U64 ? (!neg || zero) && fitsUint64(hi9, lo9)
      : range === I64 ? fitsInt64(hi9, lo9, neg, true)
      : range === U32 ? (!neg || zero) && hi === 0
      : hi === 0 && (neg ? lo <= 0x80000000 : lo < 0x80000000);
    if (!ok) return this.integerSlow(range, what);
    this.pos = quoted ? p + 1 : p;
    this.small = neg ? -lo : lo;
    if (neg && !zero) {
      // Two's complement of hi:lo.
      const nlo = (TWO_32 - lo) % TWO_32;
      hi = (TWO_32 - hi - (lo === 0 ? 0 : 1)) % TWO_32;
      lo = nlo;
    }
    this.lo32 = lo;
    this.hi32 = hi;
  }

  /** Exotic forms (exponents, fractions, whitespace in strings) and range errors, like the tree transcoder. */
  private integerSlow(range: number, what: string): void {
    const b = this.b;
    let text: string;
    if (b[this.pos] === 0x22) text = this.string().trim();
    else {
      const c = b[this.pos];
      if (c !== 0x2d && !(c >= 0x30 && c <= 0x39)) {
        this.skipValue();
        bad(`${what} must be an integer`);
      }
      text = this.numberText();
    }
    const [min, max] =
      range === U64 ? [0n, (1n << 64n) - 1n]
      : range === I64 ? [-(1n << 63n), (1n << 63n) - 1n]
      : range === U32 ? [0n, 0xffffffffn]
      : [-(1n << 31n), (1n << 31n) - 1n];
    const v = parseInteger(text);
    if (v === undefined || v < min || v > max) bad(`${what} out of range: ${text.slice(0, 30)}`);
    const u = BigInt.asUintN(64, v);
    this.lo32 = Number(u & 0xffffffffn);
    this.hi32 = Number(u >> 32n);
    this.small = Number(v);
  }

  private double(): number {
    const b = this.b;
    const c = b[this.pos];
    if (c === 0x22) {
      const v = this.string();
      if (v === 'NaN') return NaN;
      if (v === 'Infinity') return Infinity;
      if (v === '-Infinity') return -Infinity;
      if (NUMBER_RE.test(v)) return Number(v);
      bad('expected a double');
    }
    if (c !== 0x2d && !(c >= 0x30 && c <= 0x39)) {
      this.skipValue();
      bad('expected a double');
    }
    return Number(this.numberText());
  }

  /** The JSON number at pos (validated), as text. */
  private numberText(): string {
    const start = this.pos;
    this.number();
    let s = '';
    for (let i = start; i < this.pos; i++) s += String.fromCharCode(this.b[i]);
    return s;
  }

  private number(): void {
    const b = this.b;
    let p = this.pos;
    if (b[p] === 0x2d) p++;
    if (b[p] === 0x30) p++;
    else p = this.digits(p);
    if (b[p] === 0x2e) p = this.digits(p + 1);
    if (b[p] === 0x65 || b[p] === 0x45) {
      p++;
      if (b[p] === 0x2b || b[p] === 0x2d) p++;
      p = this.digits(p);
    }
    this.pos = p;
  }

  private digits(p: number): number {
    const s = p;
    while (this.b[p] >= 0x30 && this.b[p] <= 0x39) p++;
    if (p === s) this.fail('invalid number', p);
    return p;
  }

  private literal(word: string): boolean {
    const p = this.pos;
    for (let i = 0; i < word.length; i++) if (this.b[p + i] !== word.charCodeAt(i)) return false;
    this.pos = p + word.length;
    return true;
  }

  private string(): string {
    const [s, end] = readJsonString(this.b, this.pos);
    this.pos = end;
    return s;
  }

  /** Skips any JSON value, validating its syntax. */
  private skipValue(): void {
    const b = this.b;
    const c = b[this.pos];
    if (c === 0x22) this.string();
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) this.number();
    else if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      this.enter();
      this.ws();
      if (b[this.pos] === close) {
        this.pos++;
        this.depth--;
        return;
      }
      for (;;) {
        this.ws();
        if (close === 0x7d) {
          if (b[this.pos] !== 0x22) this.fail('expected a key');
          this.string();
          this.ws();
          if (b[this.pos] !== 0x3a) this.fail("expected ':'");
          this.pos++;
          this.ws();
        }
        this.skipValue();
        this.ws();
        const d = b[this.pos++];
        if (d === 0x2c) continue;
        if (d === close) break;
        this.fail(close === 0x7d ? "expected ',' or '}'" : "expected ',' or ']'", this.pos - 1);
      }
      this.depth--;
    } else if (!this.literal('true') && !this.literal('false') && !this.literal('null')) {
      this.fail(this.pos >= b.length ? 'unexpected end' : 'unexpected character');
    }
  }
}
