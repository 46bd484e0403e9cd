// OTLP AnyValue as a small tree, read from protobuf, and its two text renderings:
// otlp-mapping §4.1 (attribute value → string) and §5.1 (→ JSON text). Query-side decoders reuse
// the JSON helpers (`jsonObject`, `jsonDouble`, `compareUtf8`) for properties/events/links.
import { WireReader, decodeUtf8, WIRE_VARINT, WIRE_I64, WIRE_LEN, MAX_DEPTH } from '../protowire.js';

export type AnyValue =
  | { kind: 'empty' }
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; value: bigint }
  | { kind: 'double'; value: number }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'array'; value: AnyValue[] }
  | { kind: 'kvlist'; value: Array<[string, AnyValue]> };

export const EMPTY_VALUE: AnyValue = { kind: 'empty' };

/** §4.1: the string an attribute value stands for in identity fields and process properties. */
export function anyValueToString(v: AnyValue): string {
  switch (v.kind) {
    case 'empty':
      return '';
    case 'string':
      return v.value;
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'int':
      return v.value.toString();
    case 'double':
      return String(v.value);
    case 'bytes':
      return base64(v.value);
    case 'array':
    case 'kvlist':
      return anyValueToJson(v);
  }
}

/** §5.1: compact JSON text of a value (kvlists become objects with sorted keys, later duplicate wins). */
export function anyValueToJson(v: AnyValue): string {
  switch (v.kind) {
    case 'empty':
      return 'null';
    case 'string':
      return JSON.stringify(v.value);
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'int':
      return v.value.toString();
    case 'double':
      return jsonDouble(v.value);
    case 'bytes':
      return JSON.stringify(base64(v.value));
    case 'array':
      return '[' + v.value.map(anyValueToJson).join(',') + ']';
    case 'kvlist':
      return jsonObject(v.value.map(([k, x]) => [k, anyValueToJson(x)]));
  }
}

/** A double as a JSON value: shortest round-trip number, or the strings "NaN" / "Infinity" / "-Infinity". */
export function jsonDouble(x: number): string {
  if (Number.isFinite(x)) return String(x);
  return Number.isNaN(x) ? '"NaN"' : x > 0 ? '"Infinity"' : '"-Infinity"';
}

export function base64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/** Orders strings by their UTF-8 bytes (= code point order; JS `<` compares UTF-16 units). */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}

// Surrogate units (D800–DFFF) stand for code points above U+FFFF, so they rank after E000–FFFF.
function utf8Rank(u: number): number {
  return u >= 0xd800 && u <= 0xdfff ? u + 0x2000 : u >= 0xe000 ? u - 0x800 : u;
}

/** JSON object text from entries whose values are already JSON text: keys sorted by UTF-8 bytes,
 * for a duplicate key the later entry wins. */
export function jsonObject(entries: Iterable<readonly [string, string]>): string {
  const m = new Map<string, string>();
  for (const [k, v] of entries) m.set(k, v);
  const keys = [...m.keys()].sort(compareUtf8);
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) s += ',';
    s += JSON.stringify(keys[i]) + ':' + m.get(keys[i]);
  }
  return s + '}';
}

/** Reads the AnyValue message in [r.pos, end) (last oneof member wins); leaves r.pos at end.
 * `depth` is the nesting level of this message; deeper than MAX_DEPTH is malformed. */
export function readAnyValue(r: WireReader, end: number, depth: number): AnyValue {
  if (depth > MAX_DEPTH) r.fail(`nesting deeper than ${MAX_DEPTH}`);
  let v: AnyValue = EMPTY_VALUE;
  while (r.pos < end) {
    const tag = r.tag(end);
    const wt = tag & 7;
    const field = tag >>> 3;
    const expect = ANY_VALUE_WIRE[field];
    if (expect === undefined) {
      r.skip(wt, end);
      continue;
    }
    if (wt !== expect) r.fail(`field ${field} of AnyValue has wire type ${wt}`);
    switch (field) {
      case 1: {
        const stop = r.lengthDelimited(end);
        v = { kind: 'string', value: decodeUtf8(r.buf, r.pos, stop) };
        r.pos = stop;
        break;
      }
      case 2:
        v = { kind: 'bool', value: r.varint64(end) !== 0n };
        break;
      case 3:
        v = { kind: 'int', value: BigInt.asIntN(64, r.varint64(end)) };
        break;
      case 4:
        v = { kind: 'double', value: r.double(end) };
        break;
      case 5: {
        const stop = r.lengthDelimited(end);
        v = { kind: 'array', value: readArrayValue(r, stop, depth + 1) };
        break;
      }
      case 6: {
        const stop = r.lengthDelimited(end);
        v = { kind: 'kvlist', value: readKeyValueList(r, stop, depth + 1) };
        break;
      }
      case 7: {
        const stop = r.lengthDelimited(end);
        v = { kind: 'bytes', value: r.buf.slice(r.pos, stop) };
        r.pos = stop;
        break;
      }
      case 8: // string-table reference: treated as absent
        r.skipVarint(end);
        v = EMPTY_VALUE;
        break;
    }
  }
  return v;
}

const ANY_VALUE_WIRE: Array<number | undefined> = [
  undefined, WIRE_LEN, WIRE_VARINT, WIRE_VARINT, WIRE_I64, WIRE_LEN, WIRE_LEN, WIRE_LEN, WIRE_VARINT,
];

function readArrayValue(r: WireReader, end: number, depth: number): AnyValue[] {
  if (depth > MAX_DEPTH) r.fail(`nesting deeper than ${MAX_DEPTH}`);
  const out: AnyValue[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== WIRE_LEN) r.fail(`field 1 of ArrayValue has wire type ${tag & 7}`);
      const stop = r.lengthDelimited(end);
      out.push(readAnyValue(r, stop, depth + 1));
    } else r.skip(tag & 7, end);
  }
  return out;
}

function readKeyValueList(r: WireReader, end: number, depth: number): Array<[string, AnyValue]> {
  if (depth > MAX_DEPTH) r.fail(`nesting deeper than ${MAX_DEPTH}`);
  const out: Array<[string, AnyValue]> = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== WIRE_LEN) r.fail(`field 1 of KeyValueList has wire type ${tag & 7}`);
      const stop = r.lengthDelimited(end);
      out.push(readKeyValue(r, stop, depth + 1));
    } else r.skip(tag & 7, end);
  }
  return out;
}

/** Reads a KeyValue message in [r.pos, end); a missing key (or a string-table key) is "". */
export function readKeyValue(r: WireReader, end: number, depth: number): [string, AnyValue] {
  if (depth > MAX_DEPTH) r.fail(`nesting deeper than ${MAX_DEPTH}`);
  let key = '';
  let value: AnyValue = EMPTY_VALUE;
  while (r.pos < end) {
    const tag = r.tag(end);
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1: {
        if (wt !== WIRE_LEN) r.fail(`field 1 of KeyValue has wire type ${wt}`);
        const stop = r.lengthDelimited(end);
        key = decodeUtf8(r.buf, r.pos, stop);
        r.pos = stop;
        break;
      }
      case 2: {
        if (wt !== WIRE_LEN) r.fail(`field 2 of KeyValue has wire type ${wt}`);
        const stop = r.lengthDelimited(end);
        value = readAnyValue(r, stop, depth + 1);
        break;
      }
      case 3:
        if (wt !== WIRE_VARINT) r.fail(`field 3 of KeyValue has wire type ${wt}`);
        r.skipVarint(end);
        break;
      default:
        r.skip(wt, end);
    }
  }
  return [key, value];
}
