// Position-aware CBOR (RFC 8949) reader for native envelopes and block payloads. Callers walk the
// structure with typed reads and learn where each value lies, which CBOR libraries do not expose.
// Every declared length is checked against the bytes actually present before anything is
// allocated; errors are MalformedPayloadError carrying the byte offset.
import { MalformedPayloadError } from '../types.js';

export const MAJOR_UINT = 0;
export const MAJOR_NEGINT = 1;
export const MAJOR_BYTES = 2;
export const MAJOR_TEXT = 3;
export const MAJOR_ARRAY = 4;
export const MAJOR_MAP = 5;
export const MAJOR_TAG = 6;
export const MAJOR_SIMPLE = 7;
/** Returned by peek() when the next byte is the "break" stop code of an indefinite container. */
export const BREAK = -1;

/** Array/map nesting accepted by default; envelopes need 4 levels, this leaves room for unknown keys. */
export const DEFAULT_MAX_DEPTH = 32;

const INDEFINITE = -1;
const MAJOR_NAMES = ['unsigned integer', 'negative integer', 'byte string', 'text string', 'array', 'map', 'tag', 'simple value'];

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export interface ByteFieldScan {
  /** Total number of bytes the field holds (either form). */
  length: number;
  /** Its first bytes, up to the requested prefix length. */
  prefix: Uint8Array;
}

export class CborReader {
  /** Position of the next unread byte. */
  pos: number;
  /** Current array/map nesting. */
  private depth = 0;

  // The head most recently decoded by head(): major type, additional info, argument and where it began.
  private major = 0;
  private info = 0;
  /** Argument as a number (exact below 2^53; INDEFINITE for info 31). */
  private arg = 0;
  private argHi = 0;
  private argLo = 0;
  private headStart = 0;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
    readonly maxDepth = DEFAULT_MAX_DEPTH,
  ) {
    if (start < 0 || end > buf.length || start > end) throw new RangeError('CborReader window outside the buffer');
    this.pos = start;
  }

  fail(reason: string, at = this.pos): never {
    throw new MalformedPayloadError(`malformed CBOR at byte ${at}: ${reason}`, at);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless every byte of the window has been consumed. */
  expectEnd(): void {
    if (this.pos !== this.end) this.fail(`${this.end - this.pos} trailing byte(s) after the top-level item`);
  }

  /** Major type of the next item (tags looked through), or BREAK. Consumes nothing. */
  peek(): number {
    const save = this.pos;
    this.head();
    this.pos = save;
    return this.isBreakHead() ? BREAK : this.major;
  }

  /** True (and consumed) when the next item is null or undefined. */
  readNull(): boolean {
    const save = this.pos;
    this.head();
    if (this.major === MAJOR_SIMPLE && (this.info === 22 || this.info === 23)) return true;
    this.pos = save;
    return false;
  }

  readBool(): boolean {
    this.head();
    if (this.major === MAJOR_SIMPLE && this.info === 20) return false;
    if (this.major === MAJOR_SIMPLE && this.info === 21) return true;
    return this.unexpected('boolean');
  }

  /** Integer of major type 0 or 1, exact at any width (-2^64 … 2^64-1). */
  readInt(): bigint {
    this.head();
    if (this.major === MAJOR_UINT) return this.argBig();
    if (this.major === MAJOR_NEGINT) return -1n - this.argBig();
    return this.unexpected('integer');
  }

  /** Unsigned integer that must not exceed `max` (≤ 2^53), as a number. */
  readUint(max = Number.MAX_SAFE_INTEGER): number {
    this.head();
    if (this.major !== MAJOR_UINT) return this.unexpected('unsigned integer');
    if (this.argHi > 0x1fffff || this.arg > max) this.fail(`integer exceeds ${max}`, this.headStart);
    return this.arg;
  }

  /** Text string (definite or chunked). Invalid UTF-8 decodes with U+FFFD. */
  readText(): string {
    this.head();
    if (this.major !== MAJOR_TEXT) return this.unexpected('text string');
    if (this.arg !== INDEFINITE) return utf8.decode(this.take(this.arg));
    return utf8.decode(this.chunks(MAJOR_TEXT));
  }

  /**
   * A byte field in either form: a byte string (definite or chunked), or the legacy array of
   * unsigned integers 0–255. Definite byte strings are returned as a view into the buffer.
   */
  readBytes(): Uint8Array {
    this.head();
    if (this.major === MAJOR_BYTES) {
      if (this.arg !== INDEFINITE) return this.take(this.arg);
      return this.chunks(MAJOR_BYTES);
    }
    if (this.major === MAJOR_ARRAY) return this.legacyBytes(Infinity).bytes;
    return this.unexpected('byte string or array of bytes');
  }

  /** Validates a byte field (either form) without materialising it; returns its length and first bytes. */
  scanBytes(prefixLength: number): ByteFieldScan {
    this.head();
    if (this.major === MAJOR_BYTES) {
      if (this.arg !== INDEFINITE) {
        const b = this.take(this.arg);
        return { length: b.length, prefix: b.subarray(0, prefixLength) };
      }
      const prefix = new Uint8Array(prefixLength);
      let length = 0;
      this.forEachChunk(MAJOR_BYTES, (chunk) => {
        if (length < prefixLength) prefix.set(chunk.subarray(0, prefixLength - length), length);
        length += chunk.length;
      });
      return { length, prefix: prefix.subarray(0, Math.min(length, prefixLength)) };
    }
    if (this.major === MAJOR_ARRAY) {
      const { bytes, length } = this.legacyBytes(prefixLength);
      return { length, prefix: bytes };
    }
    return this.unexpected('byte string or array of bytes');
  }

  /**
   * Reads a map, calling `onEntry` for each text key with the reader positioned on its value;
   * `onEntry` must consume exactly that value (or nothing: the value is then skipped). Entries with
   * non-text keys are skipped, or rejected when `textKeysOnly`. Returns the map's byte range [start, end).
   */
  readMap(onEntry: (key: string, keyOffset: number) => void, textKeysOnly = false): [start: number, end: number] {
    const start = this.pos;
    this.head();
    if (this.major !== MAJOR_MAP) return this.unexpected('map');
    const count = this.arg;
    if (count !== INDEFINITE && count * 2 > this.remaining) this.fail(`map of ${count} entries exceeds the remaining ${this.remaining} bytes`, this.headStart);
    this.enter();
    for (let i = 0; count === INDEFINITE ? !this.consumeBreak() : i < count; i++) {
      const keyOffset = this.pos;
      if (this.peek() === MAJOR_TEXT) {
        const key = this.readText();
        const valueStart = this.pos;
        onEntry(key, keyOffset);
        if (this.pos === valueStart) this.skip(); // a callback that ignored the value
      } else {
        if (textKeysOnly) this.fail('map key must be a text string', keyOffset);
        this.skip();
        this.skip();
      }
    }
    this.depth--;
    return [start, this.pos];
  }

  /** Reads an array, calling `onItem` with the reader positioned on each item (which it must consume). */
  readArray(onItem: (index: number) => void): [start: number, end: number] {
    const start = this.pos;
    this.head();
    if (this.major !== MAJOR_ARRAY) return this.unexpected('array');
    const count = this.arg;
    if (count !== INDEFINITE && count > this.remaining) this.fail(`array of ${count} items exceeds the remaining ${this.remaining} bytes`, this.headStart);
    this.enter();
    for (let i = 0; count === INDEFINITE ? !this.consumeBreak() : i < count; i++) {
      const itemStart = this.pos;
      onItem(i);
      if (this.pos === itemStart) this.skip();
    }
    this.depth--;
    return [start, this.pos];
  }

  /** Skips one complete item (any type, nesting bounded); returns its byte range including tags. */
  skip(): [start: number, end: number] {
    const start = this.pos;
    this.head();
    switch (this.major) {
      case MAJOR_UINT:
      case MAJOR_NEGINT:
        break;
      case MAJOR_BYTES:
      case MAJOR_TEXT:
        if (this.arg !== INDEFINITE) this.take(this.arg);
        else this.forEachChunk(this.major, () => {});
        break;
      case MAJOR_ARRAY:
      case MAJOR_MAP: {
        const items = this.arg === INDEFINITE ? INDEFINITE : this.major === MAJOR_MAP ? this.arg * 2 : this.arg;
        if (items > this.remaining) this.fail(`${MAJOR_NAMES[this.major]} length ${this.arg} exceeds the remaining ${this.remaining} bytes`, this.headStart);
        this.enter();
        if (items === INDEFINITE) {
          while (!this.consumeBreak()) this.skip();
        } else {
          for (let i = 0; i < items; i++) this.skip();
        }
        this.depth--;
        break;
      }
      default: // simple values and floats: head() consumed them entirely
        if (this.isBreakHead()) this.fail('unexpected break', this.headStart);
    }
    return [start, this.pos];
  }

  // ---- internals ----

  private enter(): void {
    if (++this.depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`, this.headStart);
  }

  private isBreakHead(): boolean {
    return this.major === MAJOR_SIMPLE && this.info === 31;
  }

  private consumeBreak(): boolean {
    if (this.pos >= this.end) this.fail('truncated: missing break of indefinite-length item');
    if (this.buf[this.pos] !== 0xff) return false;
    this.pos++;
    return true;
  }

  private unexpected(expected: string): never {
    const found = this.isBreakHead() ? 'break' : MAJOR_NAMES[this.major];
    return this.fail(`expected ${expected}, found ${found}`, this.headStart);
  }

  private take(length: number): Uint8Array {
    if (length > this.remaining) this.fail(`length ${length} exceeds the remaining ${this.remaining} bytes`, this.headStart);
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** Concatenation of the definite chunks of an indefinite byte/text string (head already read). */
  private chunks(major: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let total = 0;
    this.forEachChunk(major, (c) => {
      parts.push(c);
      total += c.length;
    });
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  private forEachChunk(major: number, onChunk: (chunk: Uint8Array) => void): void {
    while (!this.consumeBreak()) {
      const chunkStart = this.pos;
      this.head();
      if (this.major !== major || this.arg === INDEFINITE || this.headStart !== chunkStart) {
        this.fail(`chunk of an indefinite ${MAJOR_NAMES[major]} must be a definite ${MAJOR_NAMES[major]}`, chunkStart);
      }
      onChunk(this.take(this.arg));
    }
  }

  /**
   * Legacy byte array (array head already read): every item must be an unsigned integer 0–255.
   * Keeps at most `keep` bytes, grown from the items actually present, never from the declared count.
   */
  private legacyBytes(keep: number): { bytes: Uint8Array; length: number } {
    const declared = this.arg;
    if (declared !== INDEFINITE && declared > this.remaining) this.fail(`array of ${declared} bytes exceeds the remaining ${this.remaining} bytes`, this.headStart);
    let out = new Uint8Array(Math.min(keep, 64, declared === INDEFINITE ? 64 : declared));
    let length = 0;
    const buf = this.buf;
    for (;;) {
      if (declared === INDEFINITE ? this.consumeBreak() : length === declared) break;
      const itemAt = this.pos;
      let value: number;
      // Fast path for the two canonical encodings of a byte; anything else goes through head().
      const b = itemAt < this.end ? buf[itemAt] : -1;
      if (b >= 0 && b < 24) {
        value = b;
        this.pos++;
      } else if (b === 24 && itemAt + 1 < this.end) {
        value = buf[itemAt + 1];
        this.pos += 2;
      } else {
        this.head();
        if (this.major !== MAJOR_UINT || this.arg > 255) this.fail('legacy byte array item is not an unsigned integer 0-255', itemAt);
        value = this.arg;
      }
      if (length < keep) {
        if (length === out.length) {
          const grown = new Uint8Array(Math.min(keep, Math.max(64, out.length * 2)));
          grown.set(out);
          out = grown;
        }
        out[length] = value;
      }
      length++;
    }
    return { bytes: out.subarray(0, Math.min(length, keep)), length };
  }

  /** Decodes one head at pos, looking through any tags; leaves pos after the head. */
  private head(): void {
    for (;;) {
      const at = this.pos;
      if (at >= this.end) this.fail('truncated: expected a data item');
      const initial = this.buf[at];
      this.pos = at + 1;
      this.headStart = at;
      this.major = initial >> 5;
      this.info = initial & 0x1f;
      this.argHi = 0;
      const info = this.info;
      if (info < 24) {
        this.argLo = info;
      } else if (info <= 27) {
        const size = 1 << (info - 24);
        if (size > this.remaining) this.fail('truncated: head argument', at);
        const b = this.buf;
        const p = this.pos;
        if (size === 1) this.argLo = b[p];
        else if (size === 2) this.argLo = (b[p] << 8) | b[p + 1];
        else if (size === 4) this.argLo = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
        else {
          this.argHi = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
          this.argLo = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
        }
        this.pos = p + size;
      } else if (info === 31) {
        if (this.major === MAJOR_UINT || this.major === MAJOR_NEGINT || this.major === MAJOR_TAG) {
          this.fail(`indefinite length is not allowed for a ${MAJOR_NAMES[this.major]}`, at);
        }
        this.arg = INDEFINITE;
        return;
      } else {
        this.fail(`reserved additional information ${info}`, at);
      }
      this.arg = this.argHi * 0x1_0000_0000 + this.argLo;
      if (this.major !== MAJOR_TAG) return;
      // Tags are ignored: continue with the tagged item.
    }
  }

  private argBig(): bigint {
    return this.argHi === 0 ? BigInt(this.argLo) : (BigInt(this.argHi) << 32n) | BigInt(this.argLo);
  }
}
