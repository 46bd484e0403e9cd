// Growable protobuf writer for the streaming OTLP/JSON transcoder. 64-bit values travel as two
// uint32 halves so no BigInt is needed per field.

export class JsonProtoWriter {
  buf: Uint8Array;
  len = 0;
  private view: DataView;

  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(64, capacity));
    this.view = new DataView(this.buf.buffer);
  }

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }

  /** A varint of a non-negative integer below 2^32. */
  varint32(v: number): void {
    this.ensure(5);
    const b = this.buf;
    let p = this.len;
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.len = p;
  }

  /** A varint of the 64-bit value hi:lo (uint32 halves). */
  varint64(lo: number, hi: number): void {
    if (hi === 0) return this.varint32(lo);
    this.ensure(10);
    const b = this.buf;
    let p = this.len;
    // 28 low bits first, then the rest from a 36+ bit window.
    for (let i = 0; i < 4; i++) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    // lo now holds 4 bits (bits 28..31); combine with hi.
    let rest = lo | ((hi & 0x7) << 4);
    hi >>>= 3;
    while (hi !== 0) {
      b[p++] = rest | 0x80;
      rest = hi & 0x7f;
      hi >>>= 7;
    }
    b[p++] = rest;
    this.len = p;
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.len, v >>> 0, true);
    this.len += 4;
  }

  fixed64(lo: number, hi: number): void {
    this.ensure(8);
    this.view.setUint32(this.len, lo >>> 0, true);
    this.view.setUint32(this.len + 4, hi >>> 0, true);
    this.len += 8;
  }

  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.len, v, true);
    this.len += 8;
  }

  /** Length-prefixed copy of src[start, end). */
  bytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.varint32(n);
    this.ensure(n);
    this.buf.set(src.subarray(start, end), this.len);
    this.len += n;
  }

  /** Starts a length-delimited sub-message; one length byte is reserved (most are short). */
  begin(): number {
    this.ensure(1);
    return this.len++;
  }

  /** Ends the sub-message begun at `at`, widening its length prefix when it needs more bytes. */
  end(at: number): void {
    const size = this.len - at - 1;
    if (size < 0x80) {
      this.buf[at] = size;
      return;
    }
    let n = 1;
    for (let x = size; x >= 0x80; x = Math.floor(x / 128)) n++;
    this.ensure(n - 1);
    this.buf.copyWithin(at + n, at + 1, this.len);
    const tail = this.len + n - 1;
    this.len = at;
    this.varint32(size);
    this.len = tail;
  }
}
