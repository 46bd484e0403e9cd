// CBOR envelopes of the native ingestion routes (native-format.md §3–§5): ProcessInfo, StreamInfo
// and Block. Validation errors are MalformedPayloadError whose message names the route and field.
import { isUuid } from '../../lake/ids.js';
import { MalformedPayloadError } from '../types.js';
import { CborReader, MAJOR_ARRAY, MAJOR_MAP, MAJOR_NEGINT, MAJOR_SIMPLE, MAJOR_TEXT, MAJOR_UINT } from './cbor-reader.js';
import { parseRfc3339Ns } from '../rfc3339.js';

export interface NativeProcessInfo {
  process_id: string;
  exe: string;
  username: string;
  realname: string;
  computer: string;
  distro: string;
  cpu_brand: string;
  tsc_frequency: bigint;
  /** Unix ns. */
  start_time: bigint;
  start_ticks: bigint;
  parent_process_id: string | null;
  properties: Record<string, string>;
}

export interface NativeStreamInfo {
  process_id: string;
  stream_id: string;
  tags: string[];
  properties: Record<string, string>;
  /** Raw CBOR bytes of that value, as received. */
  dependencies_metadata: Uint8Array;
  objects_metadata: Uint8Array;
}

export interface NativeBlockEnvelope {
  block_id: string;
  stream_id: string;
  process_id: string;
  /** Unix ns. */
  begin_time: bigint;
  begin_ticks: bigint;
  end_time: bigint;
  end_ticks: bigint;
  object_offset: bigint;
  nb_objects: number;
  /** Byte range of the `payload` map value in the body (a standalone CBOR BlockPayload). */
  payloadOffset: number;
  payloadLength: number;
}

/** A member of a transit type descriptor (§4.2). */
export interface TransitMember {
  name: string;
  type_name: string;
  offset: number;
  size: number;
  is_reference: boolean;
}

/** A transit type descriptor (`UserDefinedType`, §4.2). */
export interface TransitType {
  name: string;
  /** Fixed object size in bytes; 0 = dynamically sized. */
  size: number;
  members: TransitMember[];
  is_reference: boolean;
}

/** First bytes of every LZ4 frame (magic 0x184D2204, little-endian). */
export const LZ4_FRAME_MAGIC = Uint8Array.of(0x04, 0x22, 0x4d, 0x18);

/** Client property keys with this prefix are reserved for server-written keys. */
const RESERVED_PROPERTY_PREFIX = 'contrail.';

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const I32_MAX = 2 ** 31 - 1;
/** Sizes and offsets inside transit objects are at most u32. */
const U32_MAX = 0xffff_ffff;

export function parseProcessInfo(body: Uint8Array): NativeProcessInfo {
  const ctx = 'insert_process';
  const r = topLevel(ctx, body);
  const out: Partial<NativeProcessInfo> = {};
  readFields(ctx, r, (key) => {
    switch (key) {
      case 'process_id':
        return (out.process_id = readUuid(r));
      case 'exe':
      case 'username':
      case 'realname':
      case 'computer':
      case 'distro':
      case 'cpu_brand':
        return (out[key] = r.readNull() ? '' : readTextAt(r, ''));
      case 'tsc_frequency':
      case 'start_ticks':
        return (out[key] = readI64(r));
      case 'start_time':
        return (out.start_time = readTime(r));
      case 'parent_process_id': {
        if (r.readNull()) return (out.parent_process_id = null);
        const text = readTextAt(r, '');
        return (out.parent_process_id = text === '' ? null : uuid(text));
      }
      case 'properties':
        return (out.properties = r.readNull() ? {} : readStringMap(r, (k) => k.startsWith(RESERVED_PROPERTY_PREFIX)));
      default:
        return undefined;
    }
  });
  return {
    process_id: required(ctx, out, 'process_id'),
    exe: out.exe ?? '',
    username: out.username ?? '',
    realname: out.realname ?? '',
    computer: out.computer ?? '',
    distro: out.distro ?? '',
    cpu_brand: out.cpu_brand ?? '',
    tsc_frequency: required(ctx, out, 'tsc_frequency'),
    start_time: required(ctx, out, 'start_time'),
    start_ticks: required(ctx, out, 'start_ticks'),
    parent_process_id: out.parent_process_id ?? null,
    properties: out.properties ?? {},
  };
}

export function parseStreamInfo(body: Uint8Array): NativeStreamInfo {
  const ctx = 'insert_stream';
  const r = topLevel(ctx, body);
  const out: Partial<NativeStreamInfo> = {};
  readFields(ctx, r, (key) => {
    switch (key) {
      case 'process_id':
      case 'stream_id':
        return (out[key] = readUuid(r));
      case 'dependencies_metadata':
      case 'objects_metadata': {
        const [start, end] = readTransitTypes(r);
        // A copy (Buffer#slice would alias the request body), as a plain Uint8Array.
        return (out[key] = Uint8Array.prototype.slice.call(body, start, end));
      }
      case 'tags':
        return (out.tags = r.readNull() ? [] : readTextArray(r));
      case 'properties':
        return (out.properties = r.readNull() ? {} : readStringMap(r));
      default:
        return undefined;
    }
  });
  return {
    process_id: required(ctx, out, 'process_id'),
    stream_id: required(ctx, out, 'stream_id'),
    tags: out.tags ?? [],
    properties: out.properties ?? {},
    dependencies_metadata: required(ctx, out, 'dependencies_metadata'),
    objects_metadata: required(ctx, out, 'objects_metadata'),
  };
}

export function parseBlockEnvelope(body: Uint8Array): NativeBlockEnvelope {
  const ctx = 'insert_block';
  const r = topLevel(ctx, body);
  const out: Partial<NativeBlockEnvelope> = {};
  readFields(ctx, r, (key) => {
    switch (key) {
      case 'block_id':
      case 'stream_id':
      case 'process_id':
        return (out[key] = readUuid(r));
      case 'begin_time':
      case 'end_time':
        return (out[key] = readTime(r));
      case 'begin_ticks':
      case 'end_ticks':
        return (out[key] = readI64(r));
      case 'object_offset': {
        const v = readI64(r);
        if (v < 0n) throw fieldError('must be >= 0');
        return (out.object_offset = v);
      }
      case 'nb_objects': {
        const v = readInteger(r);
        if (v < 0n) throw fieldError('must be >= 0');
        if (v > BigInt(I32_MAX)) throw fieldError('exceeds the i32 range');
        return (out.nb_objects = Number(v));
      }
      case 'payload': {
        const [start, end] = readPayload(r);
        out.payloadOffset = start;
        out.payloadLength = end - start;
        return;
      }
      default:
        return undefined;
    }
  });
  const env: NativeBlockEnvelope = {
    block_id: required(ctx, out, 'block_id'),
    stream_id: required(ctx, out, 'stream_id'),
    process_id: required(ctx, out, 'process_id'),
    begin_time: required(ctx, out, 'begin_time'),
    begin_ticks: required(ctx, out, 'begin_ticks'),
    end_time: required(ctx, out, 'end_time'),
    end_ticks: required(ctx, out, 'end_ticks'),
    object_offset: required(ctx, out, 'object_offset'),
    nb_objects: required(ctx, out, 'nb_objects'),
    payloadOffset: required(ctx, out, 'payloadOffset', 'payload'),
    payloadLength: out.payloadLength ?? 0,
  };
  if (env.end_time < env.begin_time) throw new MalformedPayloadError(`${ctx}: end_time must be >= begin_time`);
  return env;
}

/**
 * Reads a stored descriptor array (the raw `dependencies_metadata` / `objects_metadata` bytes of a
 * stream) into transit types, applying the same validation as registration.
 */
export function parseTransitTypes(bytes: Uint8Array, field = 'metadata'): TransitType[] {
  const r = new CborReader(bytes);
  const types: TransitType[] = [];
  try {
    readTransitTypes(r, types);
    r.expectEnd();
  } catch (e) {
    if (e instanceof FieldError) {
      const sep = e.detail.startsWith(':') ? '' : ' ';
      throw new MalformedPayloadError(`${field}${e.subpath}${sep}${e.detail}`, e.offset);
    }
    if (e instanceof MalformedPayloadError) throw new MalformedPayloadError(`${field}: ${e.message}`, e.offset);
    throw e;
  }
  return types;
}

/** RFC 3339 date-time → Unix nanoseconds, exactly; MalformedPayloadError when invalid. */
export function parseRfc3339Nanos(text: string): bigint {
  const ns = parseRfc3339Ns(text);
  if (ns === undefined) {
    throw new MalformedPayloadError(`invalid RFC 3339 time ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}`);
  }
  return ns;
}

/** A validation failure inside one top-level field; readFields prefixes route and field name. */
class FieldError extends Error {
  constructor(
    readonly detail: string,
    /** Path below the field, e.g. `[2].members[0].offset` or `.objects`. */
    readonly subpath = '',
    readonly offset?: number,
  ) {
    super(detail);
  }
}
function fieldError(detail: string, subpath = ''): FieldError {
  return new FieldError(detail, subpath);
}

/** Runs `read` with CBOR-level failures attributed to `subpath` of the current field. */
function at<T>(subpath: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof MalformedPayloadError) throw new FieldError(`: ${e.message}`, subpath, e.offset);
    throw e;
  }
}

function topLevel(ctx: string, body: Uint8Array): CborReader {
  if (body.length === 0) throw new MalformedPayloadError(`${ctx}: empty body`, 0);
  const r = new CborReader(body);
  let major: number;
  try {
    major = r.peek();
  } catch (e) {
    if (e instanceof MalformedPayloadError) throw new MalformedPayloadError(`${ctx}: body: ${e.message}`, e.offset);
    throw e;
  }
  if (major !== MAJOR_MAP) throw new MalformedPayloadError(`${ctx}: body must be a CBOR map`, 0);
  return r;
}

/** Reads the top-level map, dispatching each known key once, then checks nothing trails it. */
function readFields(ctx: string, r: CborReader, onField: (key: string) => unknown): void {
  const seen = new Set<string>();
  try {
    r.readMap((key, keyOffset) => {
      if (seen.has(key)) throw new MalformedPayloadError(`${ctx}: duplicate key ${key}`, keyOffset);
      seen.add(key);
      const valueStart = r.pos;
      try {
        onField(key);
        if (r.pos === valueStart) r.skip(); // unknown key: skipped here so errors name it
      } catch (e) {
        if (e instanceof FieldError) {
          const sep = e.detail.startsWith(':') ? '' : ' ';
          throw new MalformedPayloadError(`${ctx}: ${key}${e.subpath}${sep}${e.detail}`, e.offset ?? keyOffset);
        }
        if (e instanceof MalformedPayloadError && !e.message.startsWith(`${ctx}: `)) {
          throw new MalformedPayloadError(`${ctx}: ${key}: ${e.message}`, e.offset);
        }
        throw e;
      }
    });
    r.expectEnd();
  } catch (e) {
    if (e instanceof MalformedPayloadError && !e.message.startsWith(`${ctx}: `)) {
      throw new MalformedPayloadError(`${ctx}: body: ${e.message}`, e.offset);
    }
    throw e;
  }
}

function required<T, K extends keyof T>(ctx: string, out: Partial<T>, key: K, wireName = String(key)): NonNullable<T[K]> {
  const v = out[key];
  if (v === undefined) throw new MalformedPayloadError(`${ctx}: missing required key ${wireName}`);
  return v as NonNullable<T[K]>;
}

function uuid(text: string): string {
  if (!isUuid(text)) throw fieldError('must be a hyphenated UUID');
  return text.toLowerCase();
}

function readUuid(r: CborReader): string {
  if (r.peek() !== MAJOR_TEXT) throw fieldError('must be a hyphenated UUID');
  return uuid(r.readText());
}

function readInteger(r: CborReader): bigint {
  const major = r.peek();
  if (major !== MAJOR_UINT && major !== MAJOR_NEGINT) throw fieldError('must be an integer');
  return r.readInt();
}

function readI64(r: CborReader): bigint {
  const v = readInteger(r);
  if (v < I64_MIN || v > I64_MAX) throw fieldError('exceeds the i64 range');
  return v;
}

function readTime(r: CborReader): bigint {
  if (r.peek() !== MAJOR_TEXT) throw fieldError('must be RFC 3339 text');
  const text = r.readText();
  let ns: bigint;
  try {
    ns = parseRfc3339Nanos(text);
  } catch (e) {
    if (e instanceof MalformedPayloadError) throw fieldError(`must be an RFC 3339 time (${e.message})`);
    throw e;
  }
  if (ns < I64_MIN || ns > I64_MAX) throw fieldError('is outside the Int64 nanosecond range');
  return ns;
}

function readTextArray(r: CborReader): string[] {
  if (r.peek() !== MAJOR_ARRAY) throw fieldError('must be an array of text');
  const out: string[] = [];
  r.readArray((i) => {
    if (r.peek() !== MAJOR_TEXT) throw fieldError('must be text', `[${i}]`);
    out.push(r.readText());
  });
  return out;
}

/** Map text→text; entries whose key matches `drop` are left out. Later duplicates win. */
function readStringMap(r: CborReader, drop?: (key: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (r.peek() !== MAJOR_MAP) throw fieldError('must be a map of text to text');
  at('', () =>
    r.readMap((key) => {
      if (r.peek() !== MAJOR_TEXT) throw fieldError('must be text', `.${key}`);
      const value = r.readText();
      if (drop?.(key)) return;
      // defineProperty keeps keys such as "__proto__" as ordinary own properties.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }, true),
  );
  return out;
}

/** Validates a descriptor array (§4.2) at the reader; returns its byte range. */
function readTransitTypes(r: CborReader, into?: TransitType[]): [number, number] {
  if (r.peek() !== MAJOR_ARRAY) throw fieldError('must be an array of descriptors');
  return r.readArray((i) => {
    const where = `[${i}]`;
    if (r.peek() !== MAJOR_MAP) throw fieldError('must be a map', where);
    const t: Partial<TransitType> = { members: [], is_reference: false };
    r.readMap((key) => {
      switch (key) {
        case 'name':
          return (t.name = readTextAt(r, `${where}.name`));
        case 'size':
          return (t.size = readU32At(r, `${where}.size`));
        case 'is_reference':
          return (t.is_reference = readBoolAt(r, `${where}.is_reference`));
        case 'members':
          return (t.members = readMembers(r, where));
        default:
          return undefined;
      }
    });
    if (t.name === undefined) throw fieldError('is missing name', where);
    if (t.size === undefined) throw fieldError('is missing size', where);
    into?.push(t as TransitType);
  });
}

function readMembers(r: CborReader, typeWhere: string): TransitMember[] {
  const members: TransitMember[] = [];
  if (r.readNull()) return members;
  if (r.peek() !== MAJOR_ARRAY) throw fieldError('must be an array', `${typeWhere}.members`);
  r.readArray((j) => {
    const where = `${typeWhere}.members[${j}]`;
    if (r.peek() !== MAJOR_MAP) throw fieldError('must be a map', where);
    const m: TransitMember = { name: '', type_name: '', offset: -1, size: -1, is_reference: false };
    r.readMap((key) => {
      switch (key) {
        case 'name':
        case 'type_name':
          return (m[key] = readTextAt(r, `${where}.${key}`));
        case 'offset':
        case 'size':
          return (m[key] = readU32At(r, `${where}.${key}`));
        case 'is_reference':
          return (m.is_reference = readBoolAt(r, `${where}.is_reference`));
        default:
          return undefined;
      }
    });
    if (m.offset < 0) throw fieldError('is missing offset', where);
    if (m.size < 0) throw fieldError('is missing size', where);
    members.push(m);
  });
  return members;
}

function readTextAt(r: CborReader, where: string): string {
  if (r.peek() !== MAJOR_TEXT) throw fieldError('must be text', where);
  return r.readText();
}

function readU32At(r: CborReader, where: string): number {
  const major = r.peek();
  if (major !== MAJOR_UINT && major !== MAJOR_NEGINT) throw fieldError('must be an integer', where);
  const v = r.readInt();
  if (v < 0n || v > BigInt(U32_MAX)) throw fieldError(`must be an integer in 0..${U32_MAX}`, where);
  return Number(v);
}

function readBoolAt(r: CborReader, where: string): boolean {
  if (r.peek() !== MAJOR_SIMPLE) throw fieldError('must be a boolean', where);
  return at(where, () => r.readBool());
}

/** Reads the payload map, checking both byte fields; returns its byte range. */
function readPayload(r: CborReader): [number, number] {
  if (r.peek() !== MAJOR_MAP) throw fieldError('must be a map');
  const seen = new Set<string>();
  const range = r.readMap((key) => {
    if (key !== 'dependencies' && key !== 'objects') return;
    if (seen.has(key)) throw fieldError(`has a duplicate key ${key}`);
    seen.add(key);
    const scan = at(`.${key}`, () => r.scanBytes(LZ4_FRAME_MAGIC.length));
    if (scan.length > 0 && !startsWith(scan.prefix, LZ4_FRAME_MAGIC)) {
      throw fieldError('is not an LZ4 frame (bad magic)', `.${key}`);
    }
  });
  for (const key of ['dependencies', 'objects']) {
    if (!seen.has(key)) throw fieldError(`is missing ${key}`);
  }
  return range;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}
