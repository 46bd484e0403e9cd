// Growable column builders that write straight into the buffers Arrow adopts: typed arrays for
// numbers and timestamps, UTF-8 bytes + Int32 offsets for strings, hashed dictionaries for repeated
// strings, validity bitmaps for nullable columns. `finish()` hands the buffers to an Arrow `Data`
// and starts a fresh batch; nothing is allocated per row except buffer growth.
import { isAscii, isUtf8 } from 'node:buffer';
import {
  makeData, makeVector, Vector, Data, Utf8, Int32, Int64, Float64, Dictionary, List,
  TimestampNanosecond, type DataType,
} from 'apache-arrow';

const INITIAL_ROWS = 1024;
/** The buffer a column holds after its last batch (`finish(true)`): appending after that regrows from it. */
const NO_INT32 = new Int32Array(0);

function grow<T extends Int32Array | Float64Array | Uint8Array>(a: T, need: number): T {
  let cap = Math.max(8, a.length * 2);
  while (cap < need) cap *= 2;
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a);
  return b;
}

/** `a` widened to exactly `need` elements: for presizing from a known row count, where doubling
 * would allocate (and page in) up to twice what the batch fills. */
function widen<T extends Int32Array | Uint8Array>(a: T, used: number, need: number): T {
  const b = new (a.constructor as new (n: number) => T)(need);
  if (used > 0) b.set(a.subarray(0, used));
  return b;
}

/** The bitmap of a nullable column that has had no null yet. */
const NO_BITS = new Uint8Array(0);

/** Validity bitmap (bit set = valid) and null count for a nullable column. Bits start set, so only
 * nulls are written: valid values cost nothing, and a batch without nulls never allocates a bitmap. */
class Validity {
  bits: Uint8Array = NO_BITS;
  nulls = 0;
  setNull(row: number): void {
    if (row >> 3 >= this.bits.length) this.widen((row >> 3) + 1);
    this.bits[row >> 3] &= ~(1 << (row & 7));
    this.nulls++;
  }
  take(length: number): { nullBitmap: Uint8Array | undefined; nullCount: number } {
    const bytes = (length + 7) >> 3;
    if (this.nulls && this.bits.length < bytes) this.widen(bytes);
    const out = { nullBitmap: this.nulls ? this.bits.subarray(0, bytes) : undefined, nullCount: this.nulls };
    this.bits = NO_BITS;
    this.nulls = 0;
    return out;
  }
  /** Grows the bitmap to at least `bytes`, the new rows valid. */
  private widen(bytes: number): void {
    let cap = Math.max(INITIAL_ROWS >> 3, this.bits.length * 2);
    while (cap < bytes) cap *= 2;
    const b = allValid(cap);
    b.set(this.bits);
    this.bits = b;
  }
}

function allValid(bytes: number): Uint8Array {
  return new Uint8Array(bytes).fill(0xff);
}

export class Int32Column {
  values = new Int32Array(INITIAL_ROWS);
  length = 0;
  private readonly validity: Validity | undefined;
  constructor(nullable = false) {
    this.validity = nullable ? new Validity() : undefined;
  }
  /** Room for `rows` more values without regrowth (callers that know the row count up front). */
  presize(rows: number): void {
    if (this.length + rows > this.values.length) this.values = widen(this.values, this.length, this.length + rows);
  }
  append(v: number): void {
    if (this.length === this.values.length) this.values = grow(this.values, this.length + 1);
    this.values[this.length++] = v;
  }
  appendNull(): void {
    if (this.length === this.values.length) this.values = grow(this.values, this.length + 1);
    this.validity!.setNull(this.length);
    this.values[this.length++] = 0;
  }
  /** `last`: no batch follows, so no fresh buffer is allocated for one. */
  finish(last = false): Data<Int32> {
    const length = this.length;
    const nb = this.validity?.take(length);
    const data = makeData({ type: new Int32(), length, data: this.values.subarray(0, length), ...nb });
    this.values = last ? NO_INT32 : new Int32Array(INITIAL_ROWS);
    this.length = 0;
    return data;
  }
}

export class Float64Column {
  values = new Float64Array(INITIAL_ROWS);
  length = 0;
  private readonly validity: Validity | undefined;
  constructor(nullable = false) {
    this.validity = nullable ? new Validity() : undefined;
  }
  append(v: number): void {
    if (this.length === this.values.length) this.values = grow(this.values, this.length + 1);
    this.values[this.length++] = v;
  }
  appendNull(): void {
    if (this.length === this.values.length) this.values = grow(this.values, this.length + 1);
    this.validity!.setNull(this.length);
    this.values[this.length++] = 0;
  }
  finish(): Data<Float64> {
    const length = this.length;
    const nb = this.validity?.take(length);
    const data = makeData({ type: new Float64(), length, data: this.values.subarray(0, length), ...nb });
    this.values = new Float64Array(INITIAL_ROWS);
    this.length = 0;
    return data;
  }
}

/** 64-bit integers (Int64 or Timestamp(ns, UTC)) written as two 32-bit halves: no BigInt per row. */
export class Int64Column {
  /** Little-endian (lo, hi) pairs; the same bytes become the BigInt64Array Arrow reads. */
  words: Int32Array;
  length = 0;
  private readonly validity: Validity | undefined;
  /** `initialRows`: room before the first regrowth (0 when the caller presizes anyway). */
  constructor(
    private readonly kind: 'int64' | 'timestamp',
    nullable = false,
    initialRows = INITIAL_ROWS,
  ) {
    this.validity = nullable ? new Validity() : undefined;
    this.words = new Int32Array(initialRows * 2);
  }
  /** Appends hi·2^32 + lo (lo and hi taken as 32-bit patterns). */
  appendWords(lo: number, hi: number): void {
    const i = this.length * 2;
    if (i === this.words.length) this.words = grow(this.words, i + 2);
    this.words[i] = lo;
    this.words[i + 1] = hi;
    this.length++;
  }
  /** Room for `rows` more values without regrowth. */
  presize(rows: number): void {
    if ((this.length + rows) * 2 > this.words.length) this.words = widen(this.words, this.length * 2, (this.length + rows) * 2);
  }
  appendBigInt(v: bigint): void {
    this.appendWords(Number(BigInt.asUintN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
  }
  appendNull(): void {
    this.appendWords(0, 0);
    this.validity!.setNull(this.length - 1);
  }
  /** `last`: no batch follows, so no fresh buffer is allocated for one. */
  finish(last = false): Data<Int64 | TimestampNanosecond> {
    const length = this.length;
    const nb = this.validity?.take(length);
    const values = new BigInt64Array(this.words.buffer, 0, length);
    const type = this.kind === 'int64' ? new Int64() : new TimestampNanosecond('UTC');
    const data = makeData({ type, length, data: values, ...nb } as never) as unknown as Data<Int64 | TimestampNanosecond>;
    this.words = last ? NO_INT32 : new Int32Array(INITIAL_ROWS * 2);
    this.length = 0;
    return data;
  }
}

const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

/** A DataView over a Uint8Array, remade only when the array changes (a buffer regrows). */
export class DataViewCache {
  private bytes: Uint8Array | undefined;
  private view: DataView = EMPTY_VIEW;
  of(b: Uint8Array): DataView {
    if (b !== this.bytes) {
      this.bytes = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    return this.view;
  }
}

/** Plain Utf8. Callers may write bytes directly: `reserve(n)`, `bytes[byteLength++] = …`, `endValue()`. */
export class Utf8Column {
  bytes: Uint8Array;
  byteLength = 0;
  offsets: Int32Array;
  length = 0;
  private readonly validity: Validity | undefined;
  /** First row appended by appendUtf8Deferred and not yet checked; -1 when none. */
  private uncheckedFrom = -1;
  private readonly ownView = new DataViewCache();
  /** Over the source of the last short copy (usually the same payload, row after row). */
  private readonly srcView = new DataViewCache();
  /** `initialBytes`: expected bytes per batch (e.g. from the segment size), saving regrowth copies.
   * `initialRows`: room for values before the first regrowth (0 when the caller presizes anyway). */
  constructor(nullable = false, initialBytes = INITIAL_ROWS * 16, initialRows = INITIAL_ROWS) {
    this.validity = nullable ? new Validity() : undefined;
    this.bytes = new Uint8Array(Math.max(64, initialBytes));
    this.offsets = new Int32Array(initialRows + 1);
  }
  reserve(n: number): void {
    if (this.byteLength + n > this.bytes.length) this.bytes = grow(this.bytes, this.byteLength + n);
  }
  /** Room for `rows` more values (offsets) and `bytes` more bytes without regrowth. */
  presize(rows: number, bytes = 0): void {
    if (this.length + rows + 1 > this.offsets.length) this.offsets = widen(this.offsets, this.length + 1, this.length + rows + 1);
    // Exactly what was asked for: doubling a multi-megabyte estimate would waste as much again.
    if (this.byteLength + bytes > this.bytes.length) {
      const b = new Uint8Array(this.byteLength + bytes);
      b.set(this.bytes.subarray(0, this.byteLength));
      this.bytes = b;
    }
  }
  /** Closes the value whose bytes were written since the previous one. Kept this small so that it
   * inlines into row loops; regrowth and the size limit are out of line. */
  endValue(): void {
    const n = this.length + 1;
    if (n === this.offsets.length || this.byteLength > 0x7fffffff) {
      this.endValueSlow();
      return;
    }
    this.offsets[n] = this.byteLength;
    this.length = n;
  }
  private endValueSlow(): void {
    if (this.length + 1 === this.offsets.length) this.offsets = grow(this.offsets, this.length + 2);
    if (this.byteLength > 0x7fffffff) throw new RangeError('string column over 2 GiB');
    this.offsets[++this.length] = this.byteLength;
  }
  appendNull(): void {
    if (this.length + 1 === this.offsets.length) this.offsets = grow(this.offsets, this.length + 2);
    this.validity!.setNull(this.length);
    this.offsets[++this.length] = this.byteLength;
  }
  /** Copies bytes known to be valid UTF-8. */
  appendRaw(src: Uint8Array, start: number, end: number): void {
    this.writeRaw(src, start, end);
    this.endValue();
  }
  /** Copies UTF-8 from a payload, replacing invalid sequences with U+FFFD. */
  appendUtf8(src: Uint8Array, start: number, end: number): void {
    this.writeUtf8(src, start, end);
    this.endValue();
  }
  appendString(s: string): void {
    this.writeString(s);
    this.endValue();
  }
  writeRaw(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.reserve(n);
    const b = this.bytes;
    const o = this.byteLength;
    if (n < 16) for (let i = 0; i < n; i++) b[o + i] = src[start + i];
    else if (n < 256) {
      // Short copies four bytes at a time through (cached) DataViews: subarray() allocates a view per call.
      const dv = this.ownView.of(b);
      const sv = this.srcView.of(src);
      let i = 0;
      for (; i + 4 <= n; i += 4) dv.setUint32(o + i, sv.getUint32(start + i, true), true);
      for (; i < n; i++) b[o + i] = src[start + i];
    } else b.set(src.subarray(start, end), o);
    this.byteLength = o + n;
  }
  /** A DataView over `bytes` (remade when they regrow), for callers writing multi-byte words. */
  get dataView(): DataView {
    return this.ownView.of(this.bytes);
  }
  writeUtf8(src: Uint8Array, start: number, end: number): void {
    if (isValidUtf8(src, start, end)) this.writeRaw(src, start, end);
    else this.writeString(repairUtf8(src, start, end));
  }
  /** writeUtf8 with the check deferred to finish(), as appendUtf8Deferred does; the value being
   * written may also hold other (valid) bytes. */
  writeUtf8Deferred(src: Uint8Array, start: number, end: number): void {
    if (this.uncheckedFrom < 0) this.uncheckedFrom = this.length;
    this.writeRaw(src, start, end);
  }
  /**
   * appendUtf8 with the check deferred to finish(): the bytes are copied now, and finish() validates
   * all such rows of the batch in one native (SIMD) pass, repairing row by row only when that fails.
   * Much cheaper than a JS check per value for short, mostly valid texts (log messages).
   */
  appendUtf8Deferred(src: Uint8Array, start: number, end: number): void {
    this.deferUtf8Check();
    this.writeRaw(src, start, end);
    this.endValue();
  }
  /** Values ended from now on get appendUtf8Deferred's check (for callers writing `bytes` directly). */
  deferUtf8Check(): void {
    if (this.uncheckedFrom < 0) this.uncheckedFrom = this.length;
  }
  /** Checks the rows appended since `uncheckedFrom`: a valid concatenation whose values all start on a
   * character boundary means every value is valid; otherwise each value is checked and repaired. */
  private settleUtf8(): void {
    const from = this.uncheckedFrom;
    this.uncheckedFrom = -1;
    const b = this.bytes;
    const offs = this.offsets;
    const s0 = offs[from];
    const e0 = this.byteLength;
    // All ASCII (most log text): every value is valid, no per-row boundary check needed.
    const unchecked = b.subarray(s0, e0);
    if (isAscii(unchecked)) return;
    if (isUtf8(unchecked) && startsOnBoundaries(b, offs, from, this.length)) return;
    const tail = b.slice(s0, e0);
    const rel = offs.slice(from, this.length + 1);
    this.byteLength = s0;
    for (let r = from; r < this.length; r++) {
      this.writeUtf8(tail, rel[r - from] - s0, rel[r - from + 1] - s0);
      this.offsets[r + 1] = this.byteLength;
    }
  }
  writeString(s: string): void {
    this.reserve(s.length * 3);
    const { written } = encoder.encodeInto(s, this.bytes.subarray(this.byteLength));
    this.byteLength += written;
  }
  writeByte(c: number): void {
    if (this.byteLength === this.bytes.length) this.reserve(1);
    this.bytes[this.byteLength++] = c;
  }
  /** Decimal digits of a non-negative safe integer, without making a string. */
  writeUint(n: number): void {
    if (n < 10) {
      this.writeByte(0x30 + n);
      return;
    }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    this.reserve(digits);
    let o = this.byteLength + digits;
    this.byteLength = o;
    const b = this.bytes;
    for (let x = n; ; x = Math.floor(x / 10)) {
      b[--o] = 0x30 + (x % 10);
      if (x < 10) break;
    }
  }
  writeAscii(s: string): void {
    this.reserve(s.length);
    const b = this.bytes;
    let o = this.byteLength;
    for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i);
    this.byteLength = o;
  }
  /** `last`: no batch follows (the segment ended), so the next buffers start small. */
  finish(last = false): Data<Utf8> {
    if (this.uncheckedFrom >= 0) this.settleUtf8();
    const length = this.length;
    const nb = this.validity?.take(length);
    const data = makeData({
      type: new Utf8(),
      length,
      valueOffsets: this.offsets.subarray(0, length + 1),
      data: this.bytes.subarray(0, this.byteLength),
      ...nb,
    });
    // The next batch is likely the size of this one: start there instead of regrowing.
    this.bytes = new Uint8Array(last ? 64 : Math.max(INITIAL_ROWS * 16, this.byteLength + (this.byteLength >> 3)));
    this.byteLength = 0;
    this.offsets = new Int32Array((last ? 0 : Math.max(INITIAL_ROWS, length)) + 1);
    this.length = 0;
    return data;
  }
}

const encoder = new TextEncoder();

/** No value in rows [from, to) starts with a UTF-8 continuation byte. */
function startsOnBoundaries(b: Uint8Array, offsets: Int32Array, from: number, to: number): boolean {
  for (let r = from; r < to; r++) {
    const s = offsets[r];
    if (s < offsets[r + 1] && (b[s] & 0xc0) === 0x80) return false;
  }
  return true;
}
const lenientDecoder = new TextDecoder('utf-8', { fatal: false });

export function repairUtf8(src: Uint8Array, start: number, end: number): string {
  return lenientDecoder.decode(src.subarray(start, end));
}

/** Strict UTF-8 check (no overlongs, surrogates or code points above U+10FFFF). */
export function isValidUtf8(b: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) {
      if (i + 1 >= end || (b[i + 1] & 0xc0) !== 0x80) return false;
      i += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      if (i + 2 >= end) return false;
      const c1 = b[i + 1];
      if ((c1 & 0xc0) !== 0x80 || (b[i + 2] & 0xc0) !== 0x80) return false;
      if (c === 0xe0 && c1 < 0xa0) return false;
      if (c === 0xed && c1 >= 0xa0) return false;
      i += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      if (i + 3 >= end) return false;
      const c1 = b[i + 1];
      if ((c1 & 0xc0) !== 0x80 || (b[i + 2] & 0xc0) !== 0x80 || (b[i + 3] & 0xc0) !== 0x80) return false;
      if (c === 0xf0 && c1 < 0x90) return false;
      if (c === 0xf4 && c1 >= 0x90) return false;
      i += 4;
    } else return false;
  }
  return true;
}

/** Hash of bytes [start, end) of `src` (seen through `sv`), four bytes per step; the final mix
 * spreads every input bit into the low bits the table's mask keeps. */
function hashBytes(sv: DataView, src: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start);
  let i = start;
  for (; i + 4 <= end; i += 4) h = Math.imul((h << 5) | (h >>> 27), 0x01000193) ^ sv.getInt32(i, true);
  for (; i < end; i++) h = Math.imul(h ^ src[i], 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

const RECENT_MASK = 63;

/** Dictionary<Utf8, Int32>: values hashed by their bytes, codes per row. Codes restart each batch. */
export class DictionaryColumn {
  codes: Int32Array;
  length = 0;
  /** Distinct values are few (names, targets): their buffers start small. */
  private values = new Utf8Column(false, 1024, 64);
  private table = new Int32Array(64).fill(-1);
  private hashes = new Int32Array(32);
  // One-entry cache: consecutive rows usually repeat the same source bytes (scope name, metric name).
  private lastSrc: Uint8Array | undefined;
  private lastStart = -1;
  private lastEnd = -1;
  private lastCode = -1;
  private readonly validity: Validity | undefined;
  /** Over the source bytes being looked up (usually the same payload, row after row). */
  private readonly srcView = new DataViewCache();
  /** Codes of recently looked-up values by (length, first and last byte); -1 = none. */
  private readonly recent = new Int32Array(RECENT_MASK + 1).fill(-1);

  /** `initialRows`: room for codes before the first regrowth (0 when the caller presizes anyway). */
  constructor(
    readonly type: Dictionary<Utf8, Int32>,
    nullable = false,
    initialRows = INITIAL_ROWS,
  ) {
    this.validity = nullable ? new Validity() : undefined;
    this.codes = new Int32Array(initialRows);
  }

  /** Room for `rows` more codes without regrowth. */
  presize(rows: number): void {
    if (this.length + rows > this.codes.length) this.codes = widen(this.codes, this.length, this.length + rows);
  }
  appendCode(code: number): void {
    if (this.length === this.codes.length) this.codes = grow(this.codes, this.length + 1);
    this.codes[this.length++] = code;
  }
  appendNull(): void {
    if (this.length === this.codes.length) this.codes = grow(this.codes, this.length + 1);
    this.validity!.setNull(this.length);
    this.codes[this.length++] = 0;
  }
  /** Appends UTF-8 bytes from a payload (invalid sequences replaced). */
  appendUtf8(src: Uint8Array, start: number, end: number): void {
    this.appendCode(this.codeOfUtf8(src, start, end));
  }
  appendString(s: string): void {
    const b = encoder.encode(s);
    this.appendCode(this.codeOf(b, 0, b.length));
  }
  codeOfUtf8(src: Uint8Array, start: number, end: number): number {
    if (src === this.lastSrc && start === this.lastStart && end === this.lastEnd) return this.lastCode;
    // A recent value with the same length and end bytes is checked first: no hash, no probe.
    const slot = end > start ? ((end - start) * 7 + src[start] * 3 + src[end - 1]) & RECENT_MASK : 0;
    let code = this.recent[slot];
    if (code < 0 || !this.isValue(code, src, start, end)) {
      // Bytes equal to a dictionary value are valid UTF-8 (values are), so only new ones are checked.
      code = this.find(src, start, end, hashBytes(this.srcView.of(src), src, start, end));
      if (code < 0) code = this.add(src, start, end);
      this.recent[slot] = code;
    }
    this.lastSrc = src;
    this.lastStart = start;
    this.lastEnd = end;
    return (this.lastCode = code);
  }
  /** Dictionary value `code` equals src[start..end). */
  private isValue(code: number, src: Uint8Array, start: number, end: number): boolean {
    const s = this.values.offsets[code];
    return this.values.offsets[code + 1] - s === end - start && this.sameBytes(s, src, start, end);
  }
  /** Adds bytes not in the dictionary (repaired when not valid UTF-8); returns their code. */
  private add(src: Uint8Array, start: number, end: number): number {
    if (isValidUtf8(src, start, end)) return this.codeOf(src, start, end);
    const b = encoder.encode(repairUtf8(src, start, end));
    return this.codeOf(b, 0, b.length);
  }
  /** Code of valid UTF-8 bytes, adding them to the dictionary when new. */
  codeOf(src: Uint8Array, start: number, end: number): number {
    const h = hashBytes(this.srcView.of(src), src, start, end);
    const found = this.find(src, start, end, h);
    if (found >= 0) return found;
    const vals = this.values;
    const code = vals.length;
    vals.appendRaw(src, start, end);
    if (code === this.hashes.length) this.hashes = grow(this.hashes, code + 1);
    this.hashes[code] = h;
    if ((code + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    else this.insert(code, h);
    return code;
  }
  /** Code of the value equal to bytes [start, end) with hash h, or -1. */
  private find(src: Uint8Array, start: number, end: number, h: number): number {
    const mask = this.table.length - 1;
    const vals = this.values;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const code = this.table[slot];
      if (code < 0) break;
      if (this.hashes[code] !== h) continue;
      const s = vals.offsets[code];
      if (vals.offsets[code + 1] - s === end - start && this.sameBytes(s, src, start, end)) return code;
    }
    return -1;
  }
  /** The dictionary's bytes from `at` equal src[start..end). */
  private sameBytes(at: number, src: Uint8Array, start: number, end: number): boolean {
    const vb = this.values.bytes;
    const vv = this.values.dataView;
    const sv = this.srcView.of(src);
    const n = end - start;
    let i = 0;
    for (; i + 4 <= n; i += 4) if (vv.getInt32(at + i, true) !== sv.getInt32(start + i, true)) return false;
    for (; i < n; i++) if (vb[at + i] !== src[start + i]) return false;
    return true;
  }
  private insert(code: number, h: number): void {
    const mask = this.table.length - 1;
    let slot = h & mask;
    while (this.table[slot] >= 0) slot = (slot + 1) & mask;
    this.table[slot] = code;
  }
  private rehash(size: number): void {
    this.table = new Int32Array(size).fill(-1);
    for (let c = 0; c < this.values.length; c++) this.insert(c, this.hashes[c]);
  }
  /** `last`: no batch follows, so no fresh buffers are allocated for one. */
  finish(last = false): Data<Dictionary<Utf8, Int32>> {
    const length = this.length;
    const nb = this.validity?.take(length);
    const dictionary = makeVector(this.values.finish(last));
    const data = makeData({ type: this.type, length, data: this.codes.subarray(0, length), dictionary, ...nb });
    this.codes = last ? NO_INT32 : new Int32Array(INITIAL_ROWS);
    this.length = 0;
    this.table = new Int32Array(64).fill(-1);
    this.lastSrc = undefined;
    this.recent.fill(-1);
    this.lastCode = -1;
    return data;
  }
}

/** Dictionary column over a fixed set of values (span kind, status, temporality…). */
export class FixedDictionaryColumn {
  codes: Int32Array;
  length = 0;
  private readonly dictionary: Vector<Utf8>;
  /** `initialRows`: room for codes before the first regrowth (0 when the caller presizes anyway). */
  constructor(
    readonly type: Dictionary<Utf8, Int32>,
    values: readonly string[],
    initialRows = INITIAL_ROWS,
  ) {
    this.dictionary = fixedDictionaryOf(values);
    this.codes = new Int32Array(initialRows);
  }
  append(code: number): void {
    if (this.length === this.codes.length) this.codes = grow(this.codes, this.length + 1);
    this.codes[this.length++] = code;
  }
  /** Room for `rows` more codes without regrowth. */
  presize(rows: number): void {
    if (this.length + rows > this.codes.length) this.codes = widen(this.codes, this.length, this.length + rows);
  }
  /** `last`: no batch follows, so no fresh buffer is allocated for one. */
  finish(last = false): Data<Dictionary<Utf8, Int32>> {
    const length = this.length;
    const data = makeData({ type: this.type, length, data: this.codes.subarray(0, length), dictionary: this.dictionary });
    this.codes = last ? NO_INT32 : new Int32Array(INITIAL_ROWS);
    this.length = 0;
    return data;
  }
}

/** Each fixed value list's dictionary vector, built once: vectors are immutable, so every column and
 * batch over the same list shares it. */
const fixedDictionaries = new WeakMap<readonly string[], Vector<Utf8>>();
function fixedDictionaryOf(values: readonly string[]): Vector<Utf8> {
  let v = fixedDictionaries.get(values);
  if (!v) fixedDictionaries.set(values, (v = utf8Vector(values)));
  return v;
}

export function utf8Vector(values: readonly string[]): Vector<Utf8> {
  let bytes = 0;
  for (const v of values) bytes += v.length * 3;
  const col = new Utf8Column(false, bytes);
  col.presize(values.length);
  for (const v of values) col.appendString(v);
  return makeVector(col.finish(true));
}

/** A column whose value is the same on every row of a segment: a one-entry dictionary, all codes 0.
 * The codes are never written, so constant columns share a zero-filled buffer: `zeros` (at least `length`
 * long) if given, else one module-wide buffer. */
export function constantDictionaryData(type: Dictionary<Utf8, Int32>, dictionary: Vector<Utf8>, length: number, zeros?: Int32Array): Data {
  if (zeros && zeros.length >= length) return makeData({ type, length, data: zeros.subarray(0, length), dictionary });
  if (zeroCodes.length < length) zeroCodes = new Int32Array(length);
  return makeData({ type, length, data: zeroCodes.subarray(0, length), dictionary });
}
let zeroCodes = new Int32Array(0);

/** A timestamp column with the same value on every row. Like the constant codes, consecutive calls
 * with the same value share one read-only buffer (batches of a segment, blocks inserted together). */
export function constantTimestampData(value: bigint, length: number): Data<TimestampNanosecond> {
  if (value !== constantTimes.value || constantTimes.values.length < length) {
    constantTimes = { value, values: filledBigInt64(value, length) };
  }
  const data = constantTimes.values.subarray(0, length);
  return makeData({ type: new TimestampNanosecond('UTC'), length, data } as never) as unknown as Data<TimestampNanosecond>;
}
let constantTimes: { value: bigint; values: BigInt64Array } = { value: 0n, values: new BigInt64Array(0) };

/** BigInt64Array.fill converts the BigInt per element; one value copied in doubling runs is a few memmoves. */
function filledBigInt64(value: bigint, length: number): BigInt64Array {
  const a = new BigInt64Array(length);
  if (value === 0n || length === 0) return a;
  a[0] = value;
  for (let n = 1; n < length; n *= 2) a.copyWithin(n, 0, Math.min(n, length - n));
  return a;
}

/** List<Float64> or List<Int64> with non-null items; items appended, then `endList()` per row. */
export class ListColumn {
  offsets = new Int32Array(INITIAL_ROWS + 1);
  length = 0;
  readonly items: Float64Column | Int64Column;
  constructor(readonly type: List<Float64> | List<Int64>) {
    this.items = type.valueType instanceof Float64 ? new Float64Column() : new Int64Column('int64');
  }
  endList(): void {
    if (this.length + 1 === this.offsets.length) this.offsets = grow(this.offsets, this.length + 2);
    this.offsets[++this.length] = this.items.length;
  }
  finish(): Data {
    const length = this.length;
    const child = this.items.finish() as Data<DataType>;
    const data = makeData({ type: this.type as List<DataType>, length, valueOffsets: this.offsets.subarray(0, length + 1), child });
    this.offsets = new Int32Array(INITIAL_ROWS + 1);
    this.length = 0;
    return data;
  }
}
