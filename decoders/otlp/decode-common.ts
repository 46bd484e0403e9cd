// Pieces every OTLP view decoder shares: the per-segment constant columns (ids, process columns),
// batch assembly in projection order, scope extras (§5.2), the time-range hint and error wrapping.
import {
  makeData, RecordBatch, Schema, Struct, Dictionary, type Data, type Field, type Utf8, type Int32, type Vector,
} from 'apache-arrow';
import type { DecodeContext, DecodeOptions } from '../context.js';
import { CorruptSegmentError } from '../context.js';
import { MalformedPayloadError } from '../types.js';
import { utf8Vector, constantDictionaryData, constantTimestampData } from '../columns.js';
import { jsonObject } from './any-value.js';
import { WireReader, WIRE_LEN } from '../protowire.js';
import { anyValueIsSet, jsonStringBytes, utf8, writeAnyValueJson } from './decode-json-text.js';
import { readKeyValueRanges, JsonObjectWriter } from './decode-json-object.js';
import { Utf8Column } from '../columns.js';
import { equalBytes } from './byte-words.js';

/** Columns whose value is the same on every row of a segment. */
const CONSTANT_COLUMNS = new Set(['process_id', 'stream_id', 'block_id', 'insert_time', 'exe', 'username', 'computer', 'process_properties']);

export function isConstantColumn(name: string): boolean {
  return CONSTANT_COLUMNS.has(name);
}

/** `{"k":"v",…}` of the process row's properties, keys sorted per §5.1. */
export function processPropertiesJson(ctx: DecodeContext): string {
  const props = ctx.process?.properties ?? {};
  return jsonObject(Object.entries(props).map(([k, v]) => [k, JSON.stringify(v)] as const));
}

function constantText(ctx: DecodeContext, name: string): string {
  switch (name) {
    case 'process_id':
      return ctx.processId;
    case 'stream_id':
      return ctx.streamId;
    case 'block_id':
      return ctx.blockId;
    case 'exe':
      return ctx.process?.exe ?? '';
    case 'username':
      return ctx.process?.username ?? '';
    case 'computer':
      return ctx.process?.computer ?? '';
    case 'process_properties':
      return processPropertiesJson(ctx);
  }
  throw new Error(`not a constant column: ${name}`);
}

/** The last one-value dictionary made per constant column: consecutive segments of a stream (same
 * process and stream ids, exe, …) reuse it instead of building an identical vector each time. */
const lastConstants = new Map<string, { text: string; vector: Vector<Utf8> }>();

function constantDictionary(name: string, text: string): Vector<Utf8> {
  const last = lastConstants.get(name);
  if (last && last.text === text) return last.vector;
  const vector = utf8Vector([text]);
  lastConstants.set(name, { text, vector });
  return vector;
}

/** A projection's schema and struct type, made once: Arrow types and schemas are never mutated. */
interface Projected {
  fields: Field[];
  schema: Schema;
  struct: Struct;
}
const projections = new Map<string, Projected>();
const PROJECTIONS_MAX = 256;

let lastProjected: Projected | undefined;

function sameFields(a: Field[], b: Field[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function projected(fields: Field[]): Projected {
  // Scans decode segment after segment with one projection: the last one is checked first.
  if (lastProjected && sameFields(lastProjected.fields, fields)) return lastProjected;
  return (lastProjected = projectedByNames(fields));
}

function projectedByNames(fields: Field[]): Projected {
  const key = fields.map((f) => f.name).join('\0');
  const known = projections.get(key);
  // Names alone may repeat across views (their fields differ): the very same Field objects only.
  if (known && sameFields(known.fields, fields)) return known;
  if (projections.size >= PROJECTIONS_MAX) projections.clear();
  const p = { fields: fields.slice(), schema: new Schema(fields), struct: new Struct(fields) };
  projections.set(key, p);
  return p;
}

/** A record batch over `data` (a struct whose children all have its length). The RecordBatch
 * constructor would re-derive the schema to pad shorter children (cloning every field and merging
 * metadata maps, a good part of a small segment's cost); with nothing to pad, the batch is made
 * directly with the fields the constructor sets. */
function recordBatchOf(schema: Schema, data: Data<Struct>): RecordBatch {
  const batch = Object.create(RecordBatch.prototype) as RecordBatch & { _metadata: Map<string, string> };
  Object.assign(batch, { schema, data, _metadata: new Map<string, string>() });
  return batch;
}

/** The one-row dictionary Data of a constant column last made for `length` rows, per dictionary:
 * consecutive segments (same stream, same batch length) share it, as they share its vector. */
const constantData = new WeakMap<Vector<Utf8>, Data>();

function constantColumnData(type: Dictionary<Utf8, Int32>, dict: Vector<Utf8>, length: number): Data {
  const last = constantData.get(dict);
  if (last && last.length === length && last.type === type) return last;
  // Every constant column's codes are zeros: the module-wide (read-only) zero buffer serves them all.
  const data = constantDictionaryData(type, dict, length);
  constantData.set(dict, data);
  return data;
}

/** Assembles record batches of the projected fields: variable columns come from the decoder, constant
 * ones are made here once per segment. */
export class BatchAssembler {
  readonly schema: Schema;
  private readonly struct: Struct;
  private readonly dictionaries = new Map<string, Vector<Utf8>>();

  constructor(
    readonly fields: Field[],
    private readonly ctx: DecodeContext,
  ) {
    const p = projected(fields);
    this.schema = p.schema;
    this.struct = p.struct;
    for (const f of fields) {
      if (CONSTANT_COLUMNS.has(f.name) && f.name !== 'insert_time') {
        this.dictionaries.set(f.name, constantDictionary(f.name, constantText(ctx, f.name)));
      }
    }
  }

  /** `variable(name)` returns the finished data of a non-constant projected column. */
  batch(length: number, variable: (name: string) => Data): RecordBatch {
    const children = this.fields.map((f) => {
      if (f.name === 'insert_time') return constantTimestampData(this.ctx.insertTime, length);
      const dict = this.dictionaries.get(f.name);
      if (dict) return constantColumnData(f.type as Dictionary<Utf8, Int32>, dict, length);
      return variable(f.name);
    });
    for (const c of children) if (c.length !== length) throw new Error(`column of ${c.length} rows in a batch of ${length}`);
    const data = makeData({ type: this.struct, length, children, nullCount: 0 });
    return recordBatchOf(this.schema, data);
  }
}

/** JsonObjectWriters put back by finished decodes, per role (the writer of span properties, of log
 * properties…): a writer's key templates then carry over to the next segment of the same kind,
 * which usually repeats the same attribute keys. A decode takes its own writers, so two decodes alive
 * at once never share one; a decode that failed does not put its writers back (one may have stopped
 * in the middle of rebuilding a template). */
const writerPools = new Map<string, JsonObjectWriter[]>();
const WRITERS_PER_ROLE = 4;
/** What pooled writers are bound to: no payload. */
const NO_SEGMENT = new WireReader(new Uint8Array(0));

export function takeJsonWriter(role: string, r: WireReader): JsonObjectWriter {
  const w = writerPools.get(role)?.pop();
  if (!w) return new JsonObjectWriter(r);
  w.rebind(r);
  return w;
}

/** Puts back a writer no decode uses any more; it keeps no reference to that decode's payload. */
export function returnJsonWriter(role: string, w: JsonObjectWriter): void {
  w.rebind(NO_SEGMENT);
  let pool = writerPools.get(role);
  if (!pool) writerPools.set(role, (pool = []));
  if (pool.length < WRITERS_PER_ROLE) pool.push(w);
}

/** Inclusive time bounds as (hi, lo) 32-bit words for allocation-free comparisons. */
export class TimeHint {
  readonly active: boolean;
  private readonly bHi: number;
  private readonly bLo: number;
  private readonly eHi: number;
  private readonly eLo: number;
  constructor(opts: DecodeOptions | undefined) {
    const begin = opts?.timeRange?.begin;
    const end = opts?.timeRange?.end;
    this.active = begin !== undefined || end !== undefined;
    const b = begin === undefined || begin < 0n ? 0n : begin;
    const e = end === undefined || end >= 1n << 64n ? (1n << 64n) - 1n : end < 0n ? -1n : end;
    this.bHi = Number((b >> 32n) & 0xffffffffn);
    this.bLo = Number(b & 0xffffffffn);
    this.eHi = e < 0n ? -1 : Number((e >> 32n) & 0xffffffffn);
    this.eLo = e < 0n ? -1 : Number(e & 0xffffffffn);
  }
  /** t < begin, t given as unsigned words. */
  before(lo: number, hi: number): boolean {
    return hi < this.bHi || (hi === this.bHi && lo < this.bLo);
  }
  /** t > end. */
  after(lo: number, hi: number): boolean {
    if (this.eHi < 0) return true;
    return hi > this.eHi || (hi === this.eHi && lo > this.eLo);
  }
  /** [start, end] overlaps the range. */
  overlaps(sLo: number, sHi: number, eLo: number, eHi: number): boolean {
    return !this.after(sLo, sHi) && !this.before(eLo, eHi);
  }
}

/** A decoder's batches with wire-level failures turned into the segment error. `release` puts the
 * decoder's pooled writers back when the decode ends or the caller stops it early (writers are idle
 * at a yield) — not after a failure, where a writer may have stopped in the middle of a template. */
export function* segmentBatches(
  batches: Generator<RecordBatch, void, undefined>,
  blockId: string,
  release: () => void,
): Generator<RecordBatch, void, undefined> {
  let failed = false;
  try {
    yield* batches;
  } catch (e) {
    failed = true;
    throw asCorruptSegment(e, blockId);
  } finally {
    if (!failed) release();
  }
}

/** Turns a wire-level failure into the segment error callers see; other errors pass through. */
export function asCorruptSegment(e: unknown, blockId: string): unknown {
  if (e instanceof MalformedPayloadError) {
    return new CorruptSegmentError(blockId, e.offset ?? -1, e.message.replace(/^malformed protobuf at byte \d+: /, ''));
  }
  return e;
}

/** Extras of recently seen scopes, by the bytes of their InstrumentationScope and schema_url: a
 * service's segments repeat the same few scopes, so their extras are rendered once and are the same
 * arrays segment after segment (which lets the JSON writers' templates match them by identity). The
 * arrays are never mutated once remembered. */
interface KnownScope {
  scope: Uint8Array;
  url: Uint8Array;
  keys: Uint8Array[];
  values: Uint8Array[];
}
const KNOWN_SCOPES_MAX = 16;
const knownScopes: KnownScope[] = [];
let nextKnownScope = 0;

function rangeEquals(a: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  if (start < 0) return a.length === 0;
  return a.length === end - start && equalBytes(a, 0, buf, start, a.length);
}

function knownScopeExtras(buf: Uint8Array, scopeStart: number, scopeEnd: number, urlStart: number, urlEnd: number): KnownScope | undefined {
  for (const k of knownScopes) {
    if (rangeEquals(k.scope, buf, scopeStart, scopeEnd) && rangeEquals(k.url, buf, urlStart, urlEnd)) return k;
  }
  return undefined;
}

function rememberScopeExtras(
  buf: Uint8Array, scopeStart: number, scopeEnd: number, urlStart: number, urlEnd: number, keys: Uint8Array[], values: Uint8Array[],
): void {
  const copy = (s: number, e: number) => (s < 0 ? new Uint8Array(0) : buf.slice(s, e));
  const k: KnownScope = { scope: copy(scopeStart, scopeEnd), url: copy(urlStart, urlEnd), keys, values };
  if (knownScopes.length < KNOWN_SCOPES_MAX) knownScopes.push(k);
  else {
    knownScopes[nextKnownScope] = k;
    nextKnownScope = (nextKnownScope + 1) % KNOWN_SCOPES_MAX;
  }
}

const K_SCOPE_NAME = utf8('otel.scope.name');
const K_SCOPE_VERSION = utf8('otel.scope.version');
const K_SCHEMA_URL = utf8('otel.scope.schema_url');
const SCOPE_ATTR_PREFIX = 'otel.scope.attr.';

/** The scope of a Scope* message: its name (for `target`) and, when asked, its §5.2 extras. */
export class ScopeInfo {
  nameStart = 0;
  nameEnd = 0;
  extraKeys: Uint8Array[] = [];
  extraValues: Uint8Array[] = [];
  /** How many records (field 2 entries) the Scope* message holds: for presizing columns. */
  records = 0;

  /** Reads the Scope* message in [start, end): field 1 scope, field 3 schema_url. */
  read(r: WireReader, start: number, end: number, withExtras: boolean): void {
    this.nameStart = this.nameEnd = 0;
    this.records = 0;
    this.extraKeys = [];
    this.extraValues = [];
    let scopeStart = -1;
    let scopeEnd = -1;
    let urlStart = -1;
    let urlEnd = -1;
    const buf = r.buf;
    r.pos = start;
    while (r.pos < end) {
      // The usual entry, a record (tag 0x12) with a one- or two-byte length, is counted and skipped
      // inline; anything else (or out of bounds) takes the general path.
      const p = r.pos;
      if (buf[p] === 0x12 && p + 3 <= end) {
        const b1 = buf[p + 1];
        const b2 = buf[p + 2];
        const stop = b1 < 0x80 ? p + 2 + b1 : b2 < 0x80 ? p + 3 + ((b1 & 0x7f) | (b2 << 7)) : -1;
        if (stop >= 0 && stop <= end) {
          this.records++;
          r.pos = stop;
          continue;
        }
      }
      const tag = r.tag(end);
      const f = tag >>> 3;
      const wt = tag & 7;
      if (f === 1 || f === 3) {
        if (wt !== WIRE_LEN) r.fail(`field ${f} of Scope* has wire type ${wt}`);
        const stop = r.lengthDelimited(end);
        if (f === 1) {
          scopeStart = r.pos;
          scopeEnd = stop;
        } else {
          urlStart = r.pos;
          urlEnd = stop;
        }
        r.pos = stop;
      } else {
        if (tag === 0x12) this.records++;
        r.skip(wt, end);
      }
    }
    let versionStart = 0;
    let versionEnd = 0;
    const attrs: Array<[number, number]> = [];
    if (scopeStart >= 0) {
      r.pos = scopeStart;
      while (r.pos < scopeEnd) {
        const tag = r.tag(scopeEnd);
        const f = tag >>> 3;
        const wt = tag & 7;
        if (f >= 1 && f <= 3) {
          if (wt !== WIRE_LEN) r.fail(`field ${f} of InstrumentationScope has wire type ${wt}`);
          const stop = r.lengthDelimited(scopeEnd);
          if (f === 1) {
            this.nameStart = r.pos;
            this.nameEnd = stop;
          } else if (f === 2) {
            versionStart = r.pos;
            versionEnd = stop;
          } else attrs.push([r.pos, stop]);
          r.pos = stop;
        } else r.skip(wt, scopeEnd);
      }
    }
    if (!withExtras) return;
    const known = knownScopeExtras(r.buf, scopeStart, scopeEnd, urlStart, urlEnd);
    if (known) {
      this.extraKeys = known.keys;
      this.extraValues = known.values;
      return;
    }
    this.readExtras(r, versionStart, versionEnd, attrs, urlStart, urlEnd);
    rememberScopeExtras(r.buf, scopeStart, scopeEnd, urlStart, urlEnd, this.extraKeys, this.extraValues);
  }

  /** The §5.2 extras of the scope whose fields `read` located. */
  private readExtras(r: WireReader, versionStart: number, versionEnd: number, attrs: Array<[number, number]>, urlStart: number, urlEnd: number): void {
    const buf = r.buf;
    const add = (key: Uint8Array, value: Uint8Array): void => {
      this.extraKeys.push(key);
      this.extraValues.push(value);
    };
    if (this.nameEnd > this.nameStart) add(K_SCOPE_NAME, jsonStringBytes(buf, this.nameStart, this.nameEnd));
    if (versionEnd > versionStart) add(K_SCOPE_VERSION, jsonStringBytes(buf, versionStart, versionEnd));
    if (attrs.length > 0) {
      // Each attribute with a value becomes otel.scope.attr.<key>, its value as §5.1 JSON.
      const kv = new Int32Array(4);
      for (const [s, e] of attrs) {
        readKeyValueRanges(r, s, e, kv);
        const [ks, ke, vs, ve] = kv;
        if (vs < 0 || !anyValueIsSet(r, vs, ve)) continue;
        const key = new Utf8Column();
        key.writeString(SCOPE_ATTR_PREFIX);
        key.writeUtf8(buf, ks, ke);
        const value = new Utf8Column();
        writeAnyValueJson(value, r, vs, ve);
        add(key.bytes.slice(0, key.byteLength), value.bytes.slice(0, value.byteLength));
      }
    }
    if (urlEnd > urlStart) add(K_SCHEMA_URL, jsonStringBytes(buf, urlStart, urlEnd));
  }

  addExtras(w: JsonObjectWriter): void {
    for (let i = 0; i < this.extraKeys.length; i++) w.addJson(this.extraKeys[i], this.extraValues[i]);
  }
}


type Batches = Generator<RecordBatch, void, undefined>;

/** Fails unless a known field arrived with the wire type its schema gives it. */
export function expectWireType(r: WireReader, wt: number, want: number, field: number, message: string): void {
  if (wt !== want) r.fail(`field ${field} of ${message} has wire type ${wt}`);
}

/** Walks a `Resource*` message (the whole reader): yields what `scope` yields for each `Scope*`
 * entry (field 2); `resource` (1) and `schema_url` (3) are checked and skipped. */
export function* eachScope(r: WireReader, message: string, scope: (start: number, end: number) => Batches): Batches {
  const end = r.buf.length;
  while (r.pos < end) {
    const tag = r.tag(end);
    const f = tag >>> 3;
    const wt = tag & 7;
    if (f === 2) {
      expectWireType(r, wt, WIRE_LEN, 2, message);
      const stop = r.lengthDelimited(end);
      yield* scope(r.pos, stop);
      r.pos = stop;
    } else {
      if (f === 1 || f === 3) expectWireType(r, wt, WIRE_LEN, f, message);
      r.skip(wt, end);
    }
  }
}

/** Walks the records (field 2) of a `Scope*` message in [start, end), calling `record` for each and
 * yielding `full()`'s batch whenever it has one. Callbacks, not generators, per record: this is the
 * hot loop. */
export function* eachRecord(
  r: WireReader,
  start: number,
  end: number,
  message: string,
  record: (start: number, end: number) => void,
  full: () => RecordBatch | undefined,
): Batches {
  r.pos = start;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag >>> 3 !== 2) {
      r.skip(tag & 7, end);
      continue;
    }
    expectWireType(r, tag & 7, WIRE_LEN, 2, message);
    const stop = r.lengthDelimited(end);
    record(r.pos, stop);
    r.pos = stop;
    const batch = full();
    if (batch) yield batch;
  }
}
