// Writes otlp-mapping §5.1 JSON text (properties, events, links) and §6 body text straight from
// protobuf bytes into a Utf8Column. Flat scalar attributes — the common case — never become JS
// values; arrays and kvlists go through the shared AnyValue tree of any-value.ts.
import { WireReader, WIRE_VARINT, WIRE_I64, WIRE_LEN } from '../protowire.js';
import { Utf8Column, isValidUtf8, repairUtf8 } from '../columns.js';
import { readAnyValue, anyValueToJson, jsonDouble, base64 } from './any-value.js';

const encoder = new TextEncoder();
export const utf8 = (s: string): Uint8Array => encoder.encode(s);

/** Nesting level of an attribute's AnyValue inside a Resource* message (for the depth limit). */
const ATTRIBUTE_DEPTH = 5;

const HEX = utf8('0123456789abcdef');

/** Lowercase hex of bytes [start, end). */
export function writeHex(col: Utf8Column, src: Uint8Array, start: number, end: number): void {
  col.reserve((end - start) * 2);
  const b = col.bytes;
  let o = col.byteLength;
  for (let i = start; i < end; i++) {
    const c = src[i];
    b[o++] = HEX[c >> 4];
    b[o++] = HEX[c & 15];
  }
  col.byteLength = o;
}

const ESCAPE: Uint8Array = (() => {
  // 0 = copy, 1 = short escape, 2 = \u00XX
  const t = new Uint8Array(256);
  for (let c = 0; c < 0x20; c++) t[c] = 2;
  for (const c of [0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x22, 0x5c]) t[c] = 1;
  return t;
})();
const SHORT: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72, 0x22: 0x22, 0x5c: 0x5c };

/** A JSON string literal of UTF-8 bytes, escaped as JSON.stringify does (invalid UTF-8 → U+FFFD). */
export function writeJsonString(col: Utf8Column, src: Uint8Array, start: number, end: number): void {
  if (!isValidUtf8(src, start, end)) {
    col.writeString(JSON.stringify(repairUtf8(src, start, end)));
    return;
  }
  col.reserve((end - start) * 6 + 2);
  const b = col.bytes;
  let o = col.byteLength;
  b[o++] = 0x22;
  for (let i = start; i < end; i++) {
    const c = src[i];
    const e = ESCAPE[c];
    if (e === 0) b[o++] = c;
    else if (e === 1) {
      b[o++] = 0x5c;
      b[o++] = SHORT[c];
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

/** §6 body → msg text: strings as is, scalars as text, arrays/kvlists as JSON, absent → "". */
export function writeAnyValueText(col: Utf8Column, r: WireReader, start: number, end: number, depth = 4): void {
  const f = lastMember(r, start, end);
  switch (f) {
    case 0:
      return;
    case 1: {
      const stop = r.lengthDelimited(end);
      col.writeUtf8(r.buf, r.pos, stop);
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

const VALUE_ANY = 0;
const VALUE_JSON = 1;
const VALUE_NULL = 2;
const VALUE_STRING = 3;

/**
 * Collects the entries of one JSON object — KeyValue messages from the payload and extra keys with
 * pre-rendered JSON values — then writes them with keys sorted by UTF-8 bytes, the later of equal
 * keys winning. Reused across rows; holds references into the payload, not copies.
 */
export class JsonObjectWriter {
  private n = 0;
  private keySrc: Uint8Array[] = [];
  private keyStart: Int32Array = new Int32Array(32);
  private keyEnd: Int32Array = new Int32Array(32);
  private valSrc: Uint8Array[] = [];
  private valStart: Int32Array = new Int32Array(32);
  private valEnd: Int32Array = new Int32Array(32);
  private valKind: Uint8Array = new Uint8Array(32);
  private order: Int32Array = new Int32Array(32);

  constructor(private readonly r: WireReader) {}

  reset(): void {
    this.n = 0;
  }

  get size(): number {
    return this.n;
  }

  private slot(): number {
    const i = this.n++;
    if (i === this.keyStart.length) {
      const cap = i * 2;
      const g32 = (a: Int32Array): Int32Array => {
        const b = new Int32Array(cap);
        b.set(a);
        return b;
      };
      this.keyStart = g32(this.keyStart);
      this.keyEnd = g32(this.keyEnd);
      this.valStart = g32(this.valStart);
      this.valEnd = g32(this.valEnd);
      this.order = new Int32Array(cap);
      const k = new Uint8Array(cap);
      k.set(this.valKind);
      this.valKind = k;
    }
    return i;
  }

  /** Adds the KeyValue message in [start, end) of the reader's buffer; a missing value is null. */
  addKeyValue(start: number, end: number): void {
    const r = this.r;
    const buf = r.buf;
    r.pos = start;
    let ks = start;
    let ke = start;
    let vs = -1;
    let ve = -1;
    while (r.pos < end) {
      const tag = r.tag(end);
      const wt = tag & 7;
      const f = tag >>> 3;
      if (f === 1 || f === 2) {
        if (wt !== WIRE_LEN) r.fail(`field ${f} of KeyValue has wire type ${wt}`);
        const stop = r.lengthDelimited(end);
        if (f === 1) {
          ks = r.pos;
          ke = stop;
        } else {
          vs = r.pos;
          ve = stop;
        }
        r.pos = stop;
      } else r.skip(wt, end);
    }
    const i = this.slot();
    if (isValidUtf8(buf, ks, ke)) {
      this.keySrc[i] = buf;
      this.keyStart[i] = ks;
      this.keyEnd[i] = ke;
    } else {
      const k = utf8(repairUtf8(buf, ks, ke));
      this.keySrc[i] = k;
      this.keyStart[i] = 0;
      this.keyEnd[i] = k.length;
    }
    this.valSrc[i] = buf;
    this.valStart[i] = vs;
    this.valEnd[i] = ve;
    this.valKind[i] = vs < 0 ? VALUE_NULL : VALUE_ANY;
  }

  /** Adds a key (valid UTF-8 bytes) whose value is already JSON text. */
  addJson(key: Uint8Array, json: Uint8Array, jsonStart = 0, jsonEnd = json.length): void {
    const i = this.slot();
    this.keySrc[i] = key;
    this.keyStart[i] = 0;
    this.keyEnd[i] = key.length;
    this.valSrc[i] = json;
    this.valStart[i] = jsonStart;
    this.valEnd[i] = jsonEnd;
    this.valKind[i] = VALUE_JSON;
  }

  /** Adds a key (valid UTF-8 bytes) whose value is the JSON string of UTF-8 bytes [start, end). */
  addJsonString(key: Uint8Array, src: Uint8Array, start: number, end: number): void {
    this.addJson(key, src, start, end);
    this.valKind[this.n - 1] = VALUE_STRING;
  }

  /** Writes `{…}` into the column's current value (the caller ends the value). */
  writeTo(col: Utf8Column): void {
    const n = this.n;
    const order = this.order;
    // Stable insertion sort: equal keys keep their arrival order, so the later one is last.
    for (let i = 0; i < n; i++) {
      let j = i;
      while (j > 0 && this.compareKeys(order[j - 1], i) > 0) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = i;
    }
    col.writeByte(0x7b);
    let first = true;
    for (let j = 0; j < n; j++) {
      const e = order[j];
      if (j + 1 < n && this.compareKeys(e, order[j + 1]) === 0) continue;
      if (!first) col.writeByte(0x2c);
      first = false;
      writeJsonString(col, this.keySrc[e], this.keyStart[e], this.keyEnd[e]);
      col.writeByte(0x3a);
      const kind = this.valKind[e];
      if (kind === VALUE_JSON) col.writeRaw(this.valSrc[e], this.valStart[e], this.valEnd[e]);
      else if (kind === VALUE_NULL) col.writeRaw(NULL, 0, 4);
      else if (kind === VALUE_STRING) writeJsonString(col, this.valSrc[e], this.valStart[e], this.valEnd[e]);
      else writeAnyValueJson(col, this.r, this.valStart[e], this.valEnd[e]);
    }
    col.writeByte(0x7d);
  }

  private compareKeys(a: number, b: number): number {
    const sa = this.keySrc[a];
    const sb = this.keySrc[b];
    const la = this.keyEnd[a] - this.keyStart[a];
    const lb = this.keyEnd[b] - this.keyStart[b];
    const oa = this.keyStart[a];
    const ob = this.keyStart[b];
    const m = la < lb ? la : lb;
    for (let i = 0; i < m; i++) {
      const d = sa[oa + i] - sb[ob + i];
      if (d !== 0) return d;
    }
    return la - lb;
  }
}

/** JSON text of a string given as UTF-8 bytes, as bytes (for pre-rendered extra values). */
export function jsonStringBytes(src: Uint8Array, start: number, end: number): Uint8Array {
  const col = new Utf8Column();
  writeJsonString(col, src, start, end);
  return col.bytes.slice(0, col.byteLength);
}
