// Writes otlp-mapping §5.1 JSON text (properties, events, links) and §6 body text straight from
// protobuf bytes into a Utf8Column. Flat scalar attributes — the common case — never become JS
// values; arrays and kvlists go through the shared AnyValue tree of any-value.ts.
import { WireReader, WIRE_VARINT, WIRE_I64, WIRE_LEN } from '../protowire.js';
import { Utf8Column, isValidUtf8, repairUtf8 } from '../columns.js';
import { readAnyValue, anyValueToJson, jsonDouble, base64 } from './any-value.js';
import { putHexWords } from './byte-words.js';

const encoder = new TextEncoder();
export const utf8 = (s: string): Uint8Array => encoder.encode(s);

/** Nesting level of an attribute's AnyValue inside a Resource* message (for the depth limit). */
const ATTRIBUTE_DEPTH = 5;

const HEX = utf8('0123456789abcdef');

/** Lowercase hex of bytes [start, end). */
export function writeHex(col: Utf8Column, src: Uint8Array, start: number, end: number): void {
  col.reserve((end - start) * 2);
  col.byteLength = putHexWords(col.dataView, col.byteLength, src, start, end);
}

/** Decimal digits of a non-negative safe integer at b[o] (room for 16 digits assumed); returns the
 * new position. Small-integer arithmetic below 2^31. */
export function putUint(b: Uint8Array, o: number, n: number): number {
  if (n < 10) {
    b[o] = 0x30 + n;
    return o + 1;
  }
  let digits = 2;
  if (n < 0x80000000) {
    for (let x = (n / 100) | 0; x > 0; x = (x / 10) | 0) digits++;
    let p = o + digits;
    for (let x = n; p > o; x = (x / 10) | 0) b[--p] = 0x30 + (x % 10);
  } else {
    for (let x = Math.floor(n / 100); x > 0; x = Math.floor(x / 10)) digits++;
    let p = o + digits;
    for (let x = n; p > o; x = Math.floor(x / 10)) b[--p] = 0x30 + (x % 10);
  }
  return o + digits;
}

/** `n` (0 ≤ n < 10^9) as exactly nine digits, zero-padded, at b[o]; returns the new position. */
function putNineDigits(b: Uint8Array, o: number, n: number): number {
  // As an int32, the divisions by 10 compile to multiplications (a float division each otherwise).
  n |= 0;
  for (let p = o + 8; p >= o; p--) {
    const q = (n / 10) | 0;
    b[p] = 0x30 + (n - q * 10);
    n = q;
  }
  return o + 9;
}

/** (x·2^16 + limb) divided by 10^9 for x < 10^9: both parts stay below 2^53, so the float division
 * floors exactly (the quotient's distance to the next integer is far above its rounding error). */
function divLimb(x: number, limb: number): number {
  return Math.floor((x * 65536 + limb) / 1e9);
}

/** Decimal digits of the unsigned 64-bit integer hi·2^32 + lo (32-bit words) at b[o] (room for 20
 * digits assumed); returns the new position. Exact over the whole range, without a BigInt: the value
 * is divided by 10^9 over four 16-bit limbs, then quotient and remainder are printed. */
export function putUint64Words(b: Uint8Array, o: number, hi: number, lo: number): number {
  hi >>>= 0;
  lo >>>= 0;
  if (hi < 0x200000) return putUint(b, o, hi * 4294967296 + lo);
  // Long division, most significant limb first: r is the running remainder (< 10^9).
  const a3 = hi >>> 16;
  const d2 = divLimb(a3, hi & 0xffff);
  let r = a3 * 65536 + (hi & 0xffff) - d2 * 1e9;
  const d1 = divLimb(r, lo >>> 16);
  r = r * 65536 + (lo >>> 16) - d1 * 1e9;
  const d0 = divLimb(r, lo & 0xffff);
  r = r * 65536 + (lo & 0xffff) - d0 * 1e9;
  const q = (d2 * 65536 + d1) * 65536 + d0;
  // q < 2^64 / 10^9 < 1.9·10^10: at most two digits above nine more.
  const top = Math.floor(q / 1e9);
  if (top > 0) o = putUint(b, o, top);
  o = top > 0 ? putNineDigits(b, o, q - top * 1e9) : putUint(b, o, q);
  return putNineDigits(b, o, r);
}

// 0 = copy as is; otherwise the letter of a short escape (\n, \") or 0x75 ('u') for \u00XX.
const ESCAPE: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 0x20; c++) t[c] = 0x75;
  const short: Array<[number, string]> = [[0x08, 'b'], [0x09, 't'], [0x0a, 'n'], [0x0c, 'f'], [0x0d, 'r'], [0x22, '"'], [0x5c, '\\']];
  for (const [c, letter] of short) t[c] = letter.charCodeAt(0);
  return t;
})();

/** A JSON string literal of UTF-8 bytes, escaped as JSON.stringify does (invalid UTF-8 → U+FFFD).
 * One pass: ASCII is copied or escaped; the first non-ASCII byte triggers a single validity check
 * of the rest (most OTLP strings are plain ASCII and never get there). */
export function writeJsonString(col: Utf8Column, src: Uint8Array, start: number, end: number): void {
  col.reserve((end - start) * 6 + 2);
  const b = col.bytes;
  const o0 = col.byteLength;
  let o = o0;
  b[o++] = 0x22;
  let checked = false;
  for (let i = start; i < end; i++) {
    const c = src[i];
    if (c >= 0x80) {
      if (!checked) {
        if (!isValidUtf8(src, i, end)) {
          col.byteLength = o0;
          col.writeString(JSON.stringify(repairUtf8(src, start, end)));
          return;
        }
        checked = true;
      }
      b[o++] = c;
      continue;
    }
    const e = ESCAPE[c];
    if (e === 0) b[o++] = c;
    else if (e !== 0x75) {
      b[o++] = 0x5c;
      b[o++] = e;
    } else {
      b[o++] = 0x5c;
      b[o++] = 0x75;
      b[o++] = 0x30;
      b[o++] = 0x30;
      b[o++] = HEX[c >> 4];
      b[o++] = HEX[c & 15];
    }
  }
  b[o++] = 0x22;
  col.byteLength = o;
}

const TRUE = utf8('true');
const FALSE = utf8('false');
const NULL = utf8('null');

/** Signed int64 varint at r.pos as decimal text (exact over the full range). */
function writeInt64(col: Utf8Column, r: WireReader, end: number): void {
  const p = r.pos;
  // Up to 7 varint bytes is < 2^49: exact as a JS number and never negative.
  let n = 0;
  while (n < 7 && p + n < end && r.buf[p + n] >= 0x80) n++;
  if (n < 7) col.writeUint(r.varint(end));
  else col.writeAscii(BigInt.asIntN(64, r.varint64(end)).toString());
}

/** Locates the member of the AnyValue message in [start, end) that wins (the last one). Returns its
 * field number (0 = empty) and leaves r.pos at its value. */
function lastMember(r: WireReader, start: number, end: number): number {
  r.pos = start;
  let field = 0;
  let at = start;
  while (r.pos < end) {
    const tag = r.tag(end);
    const f = tag >>> 3;
    const wt = tag & 7;
    const expect = ANY_VALUE_WIRE[f];
    if (expect !== undefined && wt !== expect) r.fail(`field ${f} of AnyValue has wire type ${wt}`);
    if (expect !== undefined) {
      field = f;
      at = r.pos;
    }
    r.skip(wt, end);
  }
  r.pos = at;
  return field === 8 ? 0 : field;
}
const ANY_VALUE_WIRE: Array<number | undefined> = [
  undefined, WIRE_LEN, WIRE_VARINT, WIRE_VARINT, WIRE_I64, WIRE_LEN, WIRE_LEN, WIRE_LEN, WIRE_VARINT,
];

/** True when the AnyValue in [start, end) has a member set (string-table references count as unset). */
export function anyValueIsSet(r: WireReader, start: number, end: number): boolean {
  return lastMember(r, start, end) !== 0;
}

/** §5.1: the AnyValue message in [start, end) as JSON text. */
export function writeAnyValueJson(col: Utf8Column, r: WireReader, start: number, end: number, depth = ATTRIBUTE_DEPTH): void {
  const f = lastMember(r, start, end);
  switch (f) {
    case 0:
      col.writeRaw(NULL, 0, 4);
      return;
    case 1: {
      const stop = r.lengthDelimited(end);
      writeJsonString(col, r.buf, r.pos, stop);
      return;
    }
    case 2: {
      const v = r.varint64(end) !== 0n;
      col.writeRaw(v ? TRUE : FALSE, 0, v ? 4 : 5);
      return;
    }
    case 3:
      writeInt64(col, r, end);
      return;
    case 4:
      col.writeAscii(jsonDouble(r.double(end)));
      return;
    case 7: {
      const stop = r.lengthDelimited(end);
      col.writeAscii('"' + base64(r.buf.subarray(r.pos, stop)) + '"');
      return;
    }
    default:
      r.pos = start;
      col.writeString(anyValueToJson(readAnyValue(r, end, depth)));
  }
}

/** §6 body → msg text: strings as is, scalars as text, arrays/kvlists as JSON, absent → "". A string's
 * UTF-8 is checked (and repaired) when the column is finished, for the whole batch at once. */
export function writeAnyValueText(col: Utf8Column, r: WireReader, start: number, end: number, depth = 4): void {
  const f = lastMember(r, start, end);
  switch (f) {
    case 0:
      return;
    case 1: {
      // Checked (and repaired if needed) for the whole batch at finish().
      const stop = r.lengthDelimited(end);
      col.writeUtf8Deferred(r.buf, r.pos, stop);
      return;
    }
    case 2: {
      const v = r.varint64(end) !== 0n;
      col.writeRaw(v ? TRUE : FALSE, 0, v ? 4 : 5);
      return;
    }
    case 3:
      writeInt64(col, r, end);
      return;
    case 4:
      col.writeAscii(String(r.double(end)));
      return;
    case 7: {
      const stop = r.lengthDelimited(end);
      col.writeAscii(base64(r.buf.subarray(r.pos, stop)));
      return;
    }
    default:
      r.pos = start;
      col.writeString(anyValueToJson(readAnyValue(r, end, depth)));
  }
}

/** JSON text of a string given as UTF-8 bytes, as bytes (for pre-rendered extra values). */
export function jsonStringBytes(src: Uint8Array, start: number, end: number): Uint8Array {
  const col = new Utf8Column();
  writeJsonString(col, src, start, end);
  return col.bytes.slice(0, col.byteLength);
}
