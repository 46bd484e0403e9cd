// Transit descriptors and values (native-format §4.2, §6): compiled type layouts, POD member
// reading at recorded offsets, reference members, nested descriptors by name, `is_reference`
// collapse, DynString codecs and the buffer framing cursor. Every read is bounded by the object's
// own window; problems with one object are UnreadableObject (skip and count), problems with the
// buffer's framing are TransitFramingError (the buffer stops).
import type { TransitMember, TransitType } from './envelope.js';
import { parseTransitTypes } from './envelope.js';
import { isValidUtf8, repairUtf8 } from '../columns.js';
import { jsonObject } from '../otlp/any-value.js';

/** Nesting depth cap for nested descriptors (also breaks descriptor cycles). */
export const MAX_NESTING = 8;

/** An object that cannot be read: skipped, counted, reported once per segment (§11.3). Not an Error:
 * no stack trace is captured on this path. */
export class UnreadableObject {
  constructor(readonly reason: string) {}
}

export function unreadable(reason: string): never {
  throw new UnreadableObject(reason);
}

/** A framing error: the buffer cannot be read past `offset` (§11.5). */
export class TransitFramingError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${reason} at byte ${offset}`);
    this.name = 'TransitFramingError';
  }
}

// ---- member kinds ----

export const KIND_REF = 1;
export const KIND_NESTED = 2;
/** An intrinsic whose declared size does not match its width, or a reference shorter than 8 bytes. */
export const KIND_INVALID = 3;
export const KIND_U8 = 10;
export const KIND_U16 = 11;
export const KIND_U32 = 12;
export const KIND_U64 = 13;
export const KIND_I8 = 14;
export const KIND_I16 = 15;
export const KIND_I32 = 16;
export const KIND_I64 = 17;
export const KIND_F32 = 18;
export const KIND_F64 = 19;
export const KIND_BOOL = 20;

const INTRINSICS = new Map<string, [kind: number, width: number]>([
  ['u8', [KIND_U8, 1]], ['uint8', [KIND_U8, 1]],
  ['u16', [KIND_U16, 2]], ['uint16', [KIND_U16, 2]],
  ['u32', [KIND_U32, 4]], ['uint32', [KIND_U32, 4]],
  ['u64', [KIND_U64, 8]], ['uint64', [KIND_U64, 8]], ['usize', [KIND_U64, 8]],
  ['i8', [KIND_I8, 1]], ['int8', [KIND_I8, 1]],
  ['i16', [KIND_I16, 2]], ['int16', [KIND_I16, 2]],
  ['i32', [KIND_I32, 4]], ['int32', [KIND_I32, 4]],
  ['i64', [KIND_I64, 8]], ['int64', [KIND_I64, 8]],
  ['f32', [KIND_F32, 4]], ['f64', [KIND_F64, 8]],
  ['bool', [KIND_BOOL, 1]],
]);

export function isIntegerKind(kind: number): boolean {
  return kind >= KIND_U8 && kind <= KIND_I64;
}
export function isNumericKind(kind: number): boolean {
  return kind >= KIND_U8 && kind <= KIND_F64;
}

export interface Member {
  readonly name: string;
  readonly typeName: string;
  readonly offset: number;
  readonly size: number;
  readonly kind: number;
}

function compileMember(m: TransitMember): Member {
  let kind: number;
  if (m.is_reference) kind = m.size >= 8 ? KIND_REF : KIND_INVALID;
  else {
    const intrinsic = INTRINSICS.get(m.type_name);
    if (intrinsic) kind = intrinsic[1] === m.size ? intrinsic[0] : KIND_INVALID;
    else kind = KIND_NESTED;
  }
  return { name: m.name, typeName: m.type_name, offset: m.offset, size: m.size, kind };
}

/** A compiled descriptor. */
export class TransitLayout {
  readonly name: string;
  /** Fixed size; 0 = dynamic. */
  readonly size: number;
  readonly isReference: boolean;
  readonly members: readonly Member[];
  private readonly byName = new Map<string, Member>();

  constructor(t: TransitType) {
    this.name = t.name;
    this.size = t.size;
    this.isReference = t.is_reference;
    this.members = t.members.map(compileMember);
    for (const m of this.members) if (!this.byName.has(m.name)) this.byName.set(m.name, m);
  }

  /** The first member of that name. */
  member(name: string): Member | undefined {
    return this.byName.get(name);
  }
}

/** One descriptor array: by type index (framing) and by name (dispatch, nesting; first wins). */
export class TypeTable {
  readonly types: readonly TransitLayout[];
  /** Fixed size per type index (0 = dynamic), for framing passes that need nothing else. */
  readonly sizes: Uint32Array;
  private readonly byName = new Map<string, TransitLayout>();
  constructor(types: readonly TransitType[]) {
    // The type index is a u8: only the first 256 descriptors are addressable.
    this.types = types.map((t) => new TransitLayout(t));
    this.sizes = Uint32Array.from(this.types, (t) => t.size);
    for (const t of this.types) if (!this.byName.has(t.name)) this.byName.set(t.name, t);
  }
  get(name: string): TransitLayout | undefined {
    return this.byName.get(name);
  }
}

export interface StreamDescriptors {
  dependencies: TypeTable;
  objects: TypeTable;
}

const descriptorCache = new WeakMap<Uint8Array, WeakMap<Uint8Array, StreamDescriptors>>();

/**
 * Parses a stream's raw descriptor arrays (the catalog's CBOR bytes), memoised per byte-array pair.
 * Throws MalformedPayloadError when they are not valid descriptor arrays.
 */
export function streamDescriptors(stream: { dependencies_metadata: Uint8Array | null; objects_metadata: Uint8Array | null }): StreamDescriptors {
  const deps = stream.dependencies_metadata;
  const objs = stream.objects_metadata;
  if (!deps || !objs) throw new Error('stream has no transit descriptors');
  let inner = descriptorCache.get(deps);
  const hit = inner?.get(objs);
  if (hit) return hit;
  const parsed: StreamDescriptors = {
    dependencies: new TypeTable(parseTransitTypes(deps, 'dependencies_metadata')),
    objects: new TypeTable(parseTransitTypes(objs, 'objects_metadata')),
  };
  if (!inner) descriptorCache.set(deps, (inner = new WeakMap()));
  inner.set(objs, parsed);
  return parsed;
}

// ---- values ----

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');
const utf16Decoder = new TextDecoder('utf-16le');

/** A string value; `bytes` are valid UTF-8. */
export class TransitString {
  private decoded: string | undefined;
  constructor(readonly bytes: Uint8Array) {}
  get text(): string {
    return (this.decoded ??= utf8Decoder.decode(this.bytes));
  }
  static fromUtf8(src: Uint8Array, start: number, end: number): TransitString {
    if (isValidUtf8(src, start, end)) return new TransitString(src.subarray(start, end));
    return new TransitString(utf8Encoder.encode(repairUtf8(src, start, end)));
  }
  static fromText(text: string): TransitString {
    const s = new TransitString(utf8Encoder.encode(text));
    s.decoded = text;
    return s;
  }
}

/** A POD record; member values are read eagerly, and a member that could not be read only makes
 * the objects that need it unreadable. */
export class TransitRecord {
  /** Scratch slot for decoders to memoise per-record derived data (e.g. a scope hash). */
  memo: unknown = undefined;
  constructor(
    readonly type: TransitLayout,
    private readonly values: Map<string, TransitValue | UnreadableObject>,
  ) {}
  has(name: string): boolean {
    const v = this.values.get(name);
    return v !== undefined && !(v instanceof UnreadableObject);
  }
  get(name: string): TransitValue {
    const v = this.values.get(name);
    if (v === undefined) unreadable(`${this.type.name} has no member ${name}`);
    if (v instanceof UnreadableObject) throw v;
    return v;
  }
  string(name: string): TransitString {
    const v = this.get(name);
    if (!(v instanceof TransitString)) unreadable(`${this.type.name}.${name} is not a string`);
    return v;
  }
  number(name: string): number {
    const v = this.get(name);
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    return unreadable(`${this.type.name}.${name} is not a number`);
  }
}

/** A property set: names and values in producer order, later duplicates overwrite. */
export class PropertySet {
  private jsonText: string | undefined;
  private jsonUtf8: Uint8Array | undefined;
  constructor(readonly entries: Map<string, string>) {}
  /** The JSON text as UTF-8 bytes. */
  jsonBytes(): Uint8Array {
    return (this.jsonUtf8 ??= utf8Encoder.encode(this.json()));
  }
  get(name: string): string | undefined {
    return this.entries.get(name);
  }
  /** JSON object text, keys sorted, string values. */
  json(): string {
    return (this.jsonText ??= jsonObject([...this.entries].map(([k, v]) => [k, JSON.stringify(v)] as const)));
  }
}

export type TransitValue = number | bigint | boolean | TransitString | TransitRecord | PropertySet;

/** Dependencies of one block, keyed by u64 id; the first value of an id wins. */
export class DependencyMap {
  private readonly small = new Map<number, TransitValue>();
  private readonly large = new Map<bigint, TransitValue>();
  get size(): number {
    return this.small.size + this.large.size;
  }
  // Direct-mapped cache of found ids: events name few dependencies, over and over, and ids are
  // producer addresses or counters, so the Map keys are mostly heap doubles (or BigInts) that are
  // slow to hash. A multiplicative hash spreads both aligned addresses and small counters.
  private readonly cacheLo = new Int32Array(256);
  private readonly cacheHi = new Int32Array(256);
  private readonly cacheValue: Array<TransitValue | undefined> = new Array<TransitValue | undefined>(256).fill(undefined);

  /** Id given as unsigned 32-bit words. */
  get(lo: number, hi: number): TransitValue | undefined {
    const slot = Math.imul(lo ^ hi, 0x9e3779b1) >>> 24;
    const cached = this.cacheValue[slot];
    if (cached !== undefined && this.cacheLo[slot] === (lo | 0) && this.cacheHi[slot] === (hi | 0)) return cached;
    const v = hi < 0x200000 ? this.small.get(hi * 0x1_0000_0000 + lo) : this.large.get((BigInt(hi) << 32n) | BigInt(lo));
    if (v !== undefined) {
      this.cacheValue[slot] = v;
      this.cacheLo[slot] = lo;
      this.cacheHi[slot] = hi;
    }
    return v;
  }
  /** Adds unless the id is present; returns whether it was added. */
  add(lo: number, hi: number, value: TransitValue): boolean {
    if (hi < 0x200000) {
      const k = hi * 0x1_0000_0000 + lo;
      if (this.small.has(k)) return false;
      this.small.set(k, value);
    } else {
      const k = (BigInt(hi) << 32n) | BigInt(lo);
      if (this.large.has(k)) return false;
      this.large.set(k, value);
    }
    return true;
  }
}

// ---- reading ----

export function u32At(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}
export function i32At(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

/** A decompressed transit buffer with the views member reads need. */
export class TransitBuffer {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}

/** Output of word reads: a 64-bit integer as (unsigned low word, signed high word). */
export interface Words {
  lo: number;
  hi: number;
}

/** Reads an integer member (any integer kind, sign- or zero-extended) at `at` into `out`. */
export function readIntWords(kind: number, b: Uint8Array, at: number, out: Words): void {
  switch (kind) {
    case KIND_U8:
      out.lo = b[at];
      out.hi = 0;
      return;
    case KIND_I8:
      out.lo = (b[at] << 24) >> 24;
      out.hi = out.lo < 0 ? -1 : 0;
      out.lo >>>= 0;
      return;
    case KIND_U16:
      out.lo = b[at] | (b[at + 1] << 8);
      out.hi = 0;
      return;
    case KIND_I16:
      out.lo = ((b[at] | (b[at + 1] << 8)) << 16) >> 16;
      out.hi = out.lo < 0 ? -1 : 0;
      out.lo >>>= 0;
      return;
    case KIND_U32:
      out.lo = u32At(b, at);
      out.hi = 0;
      return;
    case KIND_I32:
      out.lo = i32At(b, at);
      out.hi = out.lo < 0 ? -1 : 0;
      out.lo >>>= 0;
      return;
    case KIND_U64:
    case KIND_I64:
    case KIND_REF:
      out.lo = u32At(b, at);
      out.hi = i32At(b, at + 4);
      return;
  }
  unreadable('member is not an integer');
}

/** A numeric member as a double (64-bit integers correctly rounded). */
export function readNumber(kind: number, buf: TransitBuffer, at: number): number {
  const b = buf.bytes;
  switch (kind) {
    case KIND_F64:
      return buf.view.getFloat64(at, true);
    case KIND_F32:
      return buf.view.getFloat32(at, true);
    case KIND_U64:
      return u32At(b, at + 4) * 0x1_0000_0000 + u32At(b, at);
    case KIND_I64:
      return i32At(b, at + 4) * 0x1_0000_0000 + u32At(b, at);
    case KIND_BOOL:
      return b[at] !== 0 ? 1 : 0;
  }
  const w = scratchWords;
  readIntWords(kind, b, at, w);
  return w.hi * 0x1_0000_0000 + w.lo;
}
const scratchWords: Words = { lo: 0, hi: 0 };

/** Everything member reads need besides the bytes. */
export interface ReadScope {
  readonly buf: TransitBuffer;
  readonly table: TypeTable;
  readonly deps: DependencyMap;
}

/** Value of a reference id at `at` (8 bytes): the dependency, or unreadable when missing. */
export function readReference(s: ReadScope, at: number): TransitValue {
  const b = s.buf.bytes;
  const v = s.deps.get(u32At(b, at), u32At(b, at + 4));
  if (v === undefined) unreadable('referenced dependency is missing');
  return v;
}

/**
 * Value of member `m` of an object whose window is [base, base + windowSize). Throws UnreadableObject.
 */
export function readMember(s: ReadScope, m: Member, base: number, windowSize: number, depth: number): TransitValue {
  if (m.offset + m.size > windowSize) unreadable(`member ${m.name} exceeds its object`);
  const at = base + m.offset;
  switch (m.kind) {
    case KIND_REF:
      return readReference(s, at);
    case KIND_INVALID:
      return unreadable(`member ${m.name} has an invalid size for ${m.typeName}`);
    case KIND_NESTED: {
      const nested = s.table.get(m.typeName);
      if (!nested) unreadable(`unknown type ${m.typeName} of member ${m.name}`);
      if (m.offset + nested.size > windowSize) unreadable(`nested ${m.typeName} exceeds its object`);
      return readPod(s, nested, at, depth + 1);
    }
    case KIND_U64:
    case KIND_I64: {
      const b = s.buf.bytes;
      const v = (BigInt(i32At(b, at + 4)) << 32n) | BigInt(u32At(b, at));
      return m.kind === KIND_U64 ? BigInt.asUintN(64, v) : v;
    }
    case KIND_BOOL:
      return s.buf.bytes[at] !== 0;
    default:
      return readNumber(m.kind, s.buf, at);
  }
}

/**
 * Reads a POD object of `layout` at `base` (its window is [base, base + layout.size)): a record, or
 * for an `is_reference` type the value of its `id` member.
 */
export function readPod(s: ReadScope, layout: TransitLayout, base: number, depth: number): TransitValue {
  if (depth > MAX_NESTING) unreadable(`nesting deeper than ${MAX_NESTING}`);
  if (layout.size === 0) unreadable(`dynamic type ${layout.name} cannot be nested`);
  if (layout.isReference) return collapseReference(s, layout, base);
  const values = new Map<string, TransitValue | UnreadableObject>();
  for (const m of layout.members) {
    if (values.has(m.name)) continue;
    try {
      values.set(m.name, readMember(s, m, base, layout.size, depth));
    } catch (e) {
      if (!(e instanceof UnreadableObject)) throw e;
      values.set(m.name, e);
    }
  }
  return new TransitRecord(layout, values);
}

/** `is_reference` types (StringId, StaticStringRef) collapse to the dependency their `id` names. */
export function collapseReference(s: ReadScope, layout: TransitLayout, base: number): TransitValue {
  const id = layout.member('id');
  if (!id) unreadable(`${layout.name} has no id member`);
  if (id.offset + Math.max(id.size, 8) > layout.size) unreadable(`${layout.name}.id exceeds its object`);
  if (id.kind === KIND_REF || id.kind === KIND_U64 || id.kind === KIND_I64) return readReference(s, base + id.offset);
  return unreadable(`${layout.name}.id is not a reference`);
}

/** A string-valued nested reference type (`StringId`, `StaticStringRef`) at `at`, bounded by `end`. */
export function readStringRef(s: ReadScope, layout: TransitLayout, at: number, end: number): TransitString {
  if (at + layout.size > end) unreadable(`${layout.name} exceeds its object`);
  const v = readPod(s, layout, at, 1);
  if (!(v instanceof TransitString)) unreadable(`${layout.name} does not refer to a string`);
  return v;
}

// ---- DynString ----

/** Where a DynString's text lies after readDynString: bytes [start, end) of `src` when `text` is
 * undefined (UTF-8 to validate), else the decoded `text` (UTF-16 codec). */
export interface DynStringSlot {
  start: number;
  end: number;
  text: string | undefined;
}

/** Reads `u8 codec, u32 byte_length, bytes` at `at` (bounded by `end`); returns the position after it. */
export function readDynString(b: Uint8Array, at: number, end: number, out: DynStringSlot): number {
  if (at + 5 > end) unreadable('DynString header exceeds its object');
  const codec = b[at];
  const len = u32At(b, at + 1);
  const start = at + 5;
  if (len > end - start) unreadable('DynString length exceeds its object');
  const stop = start + len;
  out.start = start;
  out.end = stop;
  if (codec === 0 || codec === 2) out.text = undefined;
  else if (codec === 1) {
    if (len & 1) unreadable('UTF-16 string with an odd byte length');
    out.text = utf16Decoder.decode(b.subarray(start, stop));
  } else unreadable(`unknown string codec ${codec}`);
  return stop;
}

/** The DynString in `out` as a TransitString. */
export function dynStringValue(b: Uint8Array, slot: DynStringSlot): TransitString {
  return slot.text === undefined ? TransitString.fromUtf8(b, slot.start, slot.end) : TransitString.fromText(slot.text);
}

// ---- framing ----

/** Number of entries a FrameCursor would walk before the end or the first framing error (for
 * presizing columns; never throws). */
export function countEntries(bytes: Uint8Array, table: TypeTable): number {
  const sizes = table.sizes;
  const n = bytes.length;
  let count = 0;
  for (let pos = 0; pos < n; count++) {
    const ti = bytes[pos++];
    if (ti >= sizes.length) break;
    let size = sizes[ti];
    if (size === 0) {
      if (pos + 4 > n) break;
      size = u32At(bytes, pos);
      pos += 4;
    }
    if (size > n - pos) break;
    pos += size;
  }
  return count;
}

/**
 * A reader for a string-valued `is_reference` descriptor (`StringId`, `StaticStringRef`): the id
 * member's offset is resolved once instead of per object. Same results and errors as readStringRef.
 */
export function stringRefReader(s: ReadScope, layout: TransitLayout): (at: number, end: number) => TransitString {
  const id = layout.member('id');
  const direct =
    layout.isReference && layout.size > 0 && id !== undefined && id.offset + Math.max(id.size, 8) <= layout.size &&
    (id.kind === KIND_REF || id.kind === KIND_U64 || id.kind === KIND_I64);
  if (!direct) return (at, end) => readStringRef(s, layout, at, end);
  const off = id.offset;
  const size = layout.size;
  const b = s.buf.bytes;
  return (at, end) => {
    if (at + size > end) unreadable(`${layout.name} exceeds its object`);
    const v = s.deps.get(u32At(b, at + off), u32At(b, at + off + 4));
    if (v instanceof TransitString) return v;
    if (v === undefined) unreadable('referenced dependency is missing');
    return unreadable(`${layout.name} does not refer to a string`);
  };
}

/** Walks the entries of a transit buffer (§6.2). */
export class FrameCursor {
  /** Position of the current entry in the buffer (0-based, every entry counts). */
  index = -1;
  typeIndex = 0;
  layout: TransitLayout | undefined;
  /** The current object's bytes: [start, end). */
  start = 0;
  end = 0;
  /** Where the current entry (its type index byte) begins. */
  entryAt = 0;
  /** Where the next entry begins. */
  pos = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly table: TypeTable,
  ) {}

  /** Moves past `entries` well-framed entries that a caller read itself, up to `pos`. The current
   * entry's fields are stale until the next call to next(). */
  skipTaken(pos: number, entries: number): void {
    this.pos = pos;
    this.index += entries;
  }

  /** Advances to the next entry; false at the end. Throws TransitFramingError. */
  next(): boolean {
    const b = this.bytes;
    const n = b.length;
    let pos = this.pos;
    if (pos >= n) return false;
    this.entryAt = pos;
    const ti = b[pos++];
    const types = this.table.types;
    if (ti >= types.length || ti > 255) throw new TransitFramingError(this.entryAt, `type index ${ti} out of range (${types.length} descriptors)`);
    const layout = types[ti];
    let size = layout.size;
    if (size === 0) {
      if (pos + 4 > n) throw new TransitFramingError(pos, 'truncated size prefix');
      size = u32At(b, pos);
      pos += 4;
    }
    if (size > n - pos) throw new TransitFramingError(this.entryAt, `object of ${size} bytes runs past the buffer end`);
    this.index++;
    this.typeIndex = ti;
    this.layout = layout;
    this.start = pos;
    this.end = pos + size;
    this.pos = pos + size;
    return true;
  }
}
