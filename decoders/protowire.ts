// Minimal protobuf wire-format reader shared by the OTLP indexer and decoders. It works on plain
// integers (positions into one Uint8Array) so hot loops allocate nothing; callers check bounds
// through the `end` they pass down. Errors are MalformedPayloadError with the byte offset.
import { MalformedPayloadError } from './types.js';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/** Maximum message nesting accepted (otlp-mapping §1.1). */
export const MAX_DEPTH = 64;

export class WireReader {
  /** Current position; advanced by every read. */
  pos = 0;
  readonly buf: Uint8Array;
  constructor(buf: Uint8Array) {
    // A plain Uint8Array view even for a Buffer: byte loads in the hot loops then see one array
    // class (payload bytes and the decoders' own Uint8Array constants), not two.
    this.buf = buf.constructor === Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private view?: DataView;
  get dataView(): DataView {
    return (this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  fail(reason: string, at = this.pos): never {
    throw new MalformedPayloadError(`malformed protobuf at byte ${at}: ${reason}`, at);
  }

  /** Varint as a JS number; exact up to 2^53, lossy above (use varint64 where that matters). */
  varint(end: number): number {
    const buf = this.buf;
    let p = this.pos;
    if (p >= end) this.fail('truncated varint');
    let b = buf[p++];
    if (b < 0x80) {
      this.pos = p;
      return b;
    }
    let lo = b & 0x7f;
    let shift = 7;
    // First 4 bytes fit in 28 bits of a small integer.
    while (shift < 28) {
      if (p >= end) this.fail('truncated varint');
      b = buf[p++];
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return lo >>> 0;
      }
      shift += 7;
    }
    let value = lo >>> 0;
    let mul = 2 ** 28;
    for (let i = 4; i < 10; i++) {
      if (p >= end) this.fail('truncated varint');
      b = buf[p++];
      value += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = p;
        return value;
      }
      mul *= 128;
    }
    this.fail('varint longer than 10 bytes', this.pos);
  }

  /** Varint as an exact unsigned 64-bit BigInt (bits above 64 are dropped, as protobuf does). */
  varint64(end: number): bigint {
    const buf = this.buf;
    let p = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (p >= end) this.fail('truncated varint');
      const b = buf[p++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return BigInt.asUintN(64, result);
      }
      shift += 7n;
    }
    this.fail('varint longer than 10 bytes', this.pos);
  }

  /** Skips a varint without decoding it. */
  skipVarint(end: number): void {
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < 10; i++) {
      if (p >= end) this.fail('truncated varint');
      if (buf[p++] < 0x80) {
        this.pos = p;
        return;
      }
    }
    this.fail('varint longer than 10 bytes', this.pos);
  }

  /** Low 32 bits of a little-endian fixed64 at the current position, without advancing. */
  fixed64Lo(at: number): number {
    const b = this.buf;
    return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
  }

  /** High 32 bits of a little-endian fixed64 starting at `at`. */
  fixed64Hi(at: number): number {
    return this.fixed64Lo(at + 4);
  }

  /** Unsigned fixed64 as BigInt. */
  fixed64(end: number): bigint {
    const p = this.pos;
    if (p + 8 > end) this.fail('truncated fixed64');
    this.pos = p + 8;
    return this.dataView.getBigUint64(p, true);
  }

  sfixed64(end: number): bigint {
    const p = this.pos;
    if (p + 8 > end) this.fail('truncated fixed64');
    this.pos = p + 8;
    return this.dataView.getBigInt64(p, true);
  }

  double(end: number): number {
    const p = this.pos;
    if (p + 8 > end) this.fail('truncated double');
    this.pos = p + 8;
    return this.dataView.getFloat64(p, true);
  }

  fixed32(end: number): number {
    const p = this.pos;
    if (p + 4 > end) this.fail('truncated fixed32');
    this.pos = p + 4;
    return this.fixed64Lo(p);
  }

  /** Reads a field tag (field number << 3 | wire type); rejects field number 0 and tags over 32 bits. */
  tag(end: number): number {
    const p = this.pos;
    if (p < end) {
      const b = this.buf[p];
      if (b < 0x80 && b >= 8) {
        this.pos = p + 1;
        return b;
      }
    }
    const t = this.varint(end);
    if (t < 8 || t > 0xffffffff) this.fail(`invalid field tag ${t}`, p);
    return t;
  }

  /** Reads a length prefix and returns the end position of the delimited bytes (pos is at their start). */
  lengthDelimited(end: number): number {
    const at = this.pos;
    if (at < end) {
      const b = this.buf[at];
      if (b < 0x80) {
        const stop = at + 1 + b;
        if (stop > end) this.fail(`length ${b} runs past the enclosing message`, at);
        this.pos = at + 1;
        return stop;
      }
    }
    const len = this.varint(end);
    const stop = this.pos + len;
    if (stop > end) this.fail(`length ${len} runs past the enclosing message`, at);
    return stop;
  }

  /** Skips a field's value given its wire type; rejects groups (3, 4) and unknown types (6, 7). */
  skip(wireType: number, end: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.skipVarint(end);
        return;
      case WIRE_I64:
        if (this.pos + 8 > end) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.lengthDelimited(end);
        return;
      case WIRE_I32:
        if (this.pos + 4 > end) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Decodes UTF-8, replacing invalid sequences with U+FFFD (otlp-mapping §2.1). */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  // Short ASCII strings are faster by hand than through TextDecoder.
  if (end - start < 24) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c >= 0x80) return utf8.decode(buf.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(buf.subarray(start, end));
}
