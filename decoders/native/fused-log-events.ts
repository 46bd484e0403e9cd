// The fused loop for the two log event types of the SDK (native-format §12): LogStringInteropEventV3
// and TaggedLogInteropEvent. It walks the object buffer once and writes the projected columns
// directly: no reader dispatch, no event object, target dictionary codes cached per dependency id.
// It only takes entries it can read completely; at anything else (another type, a framing problem,
// a missing dependency, a bad string) it stops before that entry, and the generic path of
// decode-logs.ts reads it — so errors, tallies and skips are the generic path's by construction.
import { DataViewCache, type DictionaryColumn, type Int32Column, type Int64Column, type Utf8Column } from '../columns.js';
import { KIND_I64, KIND_REF, KIND_U64, PropertySet, TransitString, u32At, type DependencyMap, type FrameCursor, type TypeTable } from './transit.js';
import type { TickConverter } from './ticks.js';

const TWO32 = 0x1_0000_0000;
const KIND_GENERIC = 0;
const KIND_V3 = 1;
const KIND_TAGGED = 2;

/** Where the fused loop can read a stream's objects: kind per type index, and the StaticStringRef layout. */
export interface FusedLogLayout {
  /** 256 entries, by type index: 0 generic, 1 LogStringInteropEventV3, 2 TaggedLogInteropEvent. */
  readonly kinds: Uint8Array;
  /** Fixed size per type index (0 = size-prefixed). */
  readonly sizes: Uint32Array;
  /** Number of addressable type indices. */
  readonly types: number;
  /** StaticStringRef's size and the offset of its u64 id inside it. */
  readonly refSize: number;
  readonly refId: number;
}

const layouts = new WeakMap<TypeTable, FusedLogLayout | null>();

/**
 * The fused layout of an object descriptor table, or undefined when no type qualifies or
 * StaticStringRef is not the plain fixed-size reference the generic reader resolves directly.
 */
export function fusedLogLayout(table: TypeTable): FusedLogLayout | undefined {
  let l = layouts.get(table);
  if (l === undefined) {
    l = computeLayout(table);
    layouts.set(table, l);
  }
  return l ?? undefined;
}

function computeLayout(table: TypeTable): FusedLogLayout | null {
  const ref = table.get('StaticStringRef');
  if (!ref || ref.size === 0 || !ref.isReference) return null;
  const id = ref.member('id');
  if (!id || id.offset + Math.max(id.size, 8) > ref.size) return null;
  if (id.kind !== KIND_REF && id.kind !== KIND_U64 && id.kind !== KIND_I64) return null;
  const kinds = new Uint8Array(256);
  const sizes = new Uint32Array(256);
  let any = false;
  table.types.forEach((t, i) => {
    if (i > 255) return;
    sizes[i] = t.size;
    if (t.name === 'LogStringInteropEventV3') kinds[i] = KIND_V3;
    else if (t.name === 'TaggedLogInteropEvent') kinds[i] = KIND_TAGGED;
    else return;
    any = true;
  });
  return any ? { kinds, sizes, types: Math.min(table.types.length, 256), refSize: ref.size, refId: id.offset } : null;
}

/** The projected columns (absent when not projected). */
export interface LogColumns {
  time: Int64Column | undefined;
  target: DictionaryColumn | undefined;
  level: Int32Column | undefined;
  msg: Utf8Column | undefined;
  properties: Utf8Column | undefined;
}

/** Slots of the target cache: the top 8 bits of a multiplicative hash of the id pick one. */
const CACHE_SLOTS = 256;

/**
 * Target strings by dependency id (direct-mapped on the id's words), with their dictionary code in
 * the current batch (-1: not coded yet). One per segment; codes are forgotten at each batch.
 */
class TargetCache {
  readonly lo = new Int32Array(CACHE_SLOTS);
  readonly hi = new Int32Array(CACHE_SLOTS);
  readonly strings: Array<TransitString | undefined> = new Array<TransitString | undefined>(CACHE_SLOTS).fill(undefined);
  readonly codes = new Int32Array(CACHE_SLOTS).fill(-1);
}

const utf16Decoder = new TextDecoder('utf-16le');

/**
 * The fused loop over one segment's object buffer.
 *
 * Messages in place: when the decode owns the object buffer (it was decompressed for this decode and
 * is read by nothing else afterwards) and messages are most of it (decode-logs.ts decides, since the
 * batches keep the whole buffer alive), the message column's bytes are a view of that buffer and the
 * loop moves each message down into bytes it has already read, instead of into a new buffer: no
 * allocation (nor GC pressure) for the largest column. The view ends where reading stopped, so any
 * other writer (the generic path, the UTF-16 path, the column's UTF-8 repair) that needs more room
 * regrows it into a buffer of its own, and writing in place stops for the batch. Batches handed out
 * keep their views; the next batch's messages start after the last one in place.
 */
export class FusedLogReader {
  private readonly view: DataView;
  private readonly targets = new TargetCache();
  private msgBytes: Uint8Array | undefined;
  private msgView: DataView | undefined;
  /** Over the properties column's buffer, and over the last property set's JSON (rows usually share one). */
  private readonly propsView = new DataViewCache();
  private readonly jsonView = new DataViewCache();
  /** Where in the object buffer the next batch's messages may start when written in place. */
  private msgFree = 0;
  constructor(
    private readonly layout: FusedLogLayout,
    private readonly cursor: FrameCursor,
    private readonly deps: DependencyMap,
    private readonly ticks: TickConverter,
    /** Messages may be written in place: the object buffer is this decode's own. */
    readonly messagesInPlace: boolean,
  ) {
    const b = cursor.bytes;
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  /** A DataView of the message column's current buffer (kept while the buffer is). */
  private viewOf(bytes: Uint8Array): DataView {
    if (this.msgBytes !== bytes) {
      this.msgBytes = bytes;
      this.msgView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.msgView!;
  }

  /** Target dictionary codes restart with each batch; so does the message column, in place when allowed. */
  newBatch(msg: Utf8Column | undefined): void {
    this.targets.codes.fill(-1);
    if (msg && this.messagesInPlace && msg.length === 0 && msg.byteLength === 0) {
      msg.bytes = this.cursor.bytes.subarray(this.msgFree, this.cursor.pos);
    }
  }

  /** A batch's finished message bytes: when they are a view of the object buffer, it is taken up to their end. */
  messagesTaken(values: Uint8Array): void {
    const b = this.cursor.bytes;
    if (values.buffer === b.buffer) this.msgFree = values.byteOffset - b.byteOffset + values.length;
  }

  /**
   * Decodes consecutive SDK log entries from the cursor's position into the columns, at most `limit`
   * rows; stops before the first entry it cannot take. Returns the rows added and moves the cursor
   * past them.
   */
  run(cols: LogColumns, limit: number): number {
    const { kinds } = this.layout;
    const b = this.cursor.bytes;
    let rows = 0;
    while (rows < limit) {
      const pos = this.cursor.pos;
      if (pos >= b.length || kinds[b[pos]] === KIND_GENERIC) break;
      const room = makeRoom(cols, limit - rows);
      const taken = this.runRows(cols, room);
      rows += taken;
      if (taken < room) break;
    }
    return rows;
  }

  /** run() for at most `room` rows, which every projected column has without regrowth. */
  private runRows(cols: LogColumns, room: number): number {
    const { kinds, sizes, refSize, refId } = this.layout;
    const { cursor, deps, ticks, view } = this;
    const b = cursor.bytes;
    const n = b.length;
    let pos = cursor.pos;
    const { time, target, level, msg, properties } = cols;
    const { lo: cLo, hi: cHi, strings: cStr, codes: cCode } = this.targets;
    const exact = ticks.exactOffset !== undefined;
    const oLo = exact ? ticks.exactOffset.lo : 0;
    const oHi = exact ? ticks.exactOffset.hi : 0;
    // Row values are stored by index (the columns are not nullable: no validity to keep); lengths
    // and byte lengths are written back at the end, and around the few calls that append through
    // a column.
    const tw = time ? time.words : NO_ROWS;
    const t0 = time ? time.length : 0;
    const gc = target ? target.codes : NO_ROWS;
    const g0 = target ? target.length : 0;
    const lv = level ? level.values : NO_ROWS;
    const l0 = level ? level.length : 0;
    let mo = msg ? msg.offsets : NO_ROWS;
    const m0 = msg ? msg.length : 0;
    let mb = msg ? msg.bytes : b;
    let mv = msg ? this.viewOf(mb) : view;
    // In place (see the class comment), messages are written to b[mOff + ml…], at least 8 bytes below
    // their source (copyBytes moves words forward: a gap of 8 keeps every word it reads unwritten);
    // otherwise mOff is 0 and mb is the column's buffer.
    let inPlace = msg !== undefined && mb.buffer === b.buffer;
    let mOff = inPlace ? mb.byteOffset - b.byteOffset : 0;
    if (inPlace) {
      mb = b;
      mv = view;
    }
    let ml = msg ? msg.byteLength : 0;
    let po = properties ? properties.offsets : NO_ROWS;
    const p0 = properties ? properties.length : 0;
    let pb = properties ? properties.bytes : b;
    let pv = properties ? this.propsView.of(pb) : view;
    const jsonView = this.jsonView;
    let pl = properties ? properties.byteLength : 0;
    msg?.deferUtf8Check();
    let rows = 0;
    while (rows < room && pos < n) {
      const kind = kinds[b[pos]];
      if (kind === KIND_GENERIC) break;
      let start = pos + 1;
      let size = sizes[b[pos]];
      if (size === 0) {
        if (start + 4 > n) break;
        size = view.getUint32(start, true);
        start += 4;
      }
      if (size > n - start) break;
      const end = start + size;
      // time (8 bytes), level (1), target reference
      let at = start + 9;
      if (at + refSize > end) break;
      const idAt = at + refId;
      const idLo = view.getInt32(idAt, true);
      const idHi = view.getInt32(idAt + 4, true);
      const slot = Math.imul(idLo ^ idHi, 0x9e3779b1) >>> 24;
      // A code in this batch implies the slot holds this id's string: one check on the hot path.
      let code = cCode[slot];
      if (code < 0 || cLo[slot] !== idLo || cHi[slot] !== idHi) {
        if (cStr[slot] === undefined || cLo[slot] !== idLo || cHi[slot] !== idHi) {
          const v = deps.get(idLo >>> 0, idHi >>> 0);
          if (!(v instanceof TransitString)) break;
          cStr[slot] = v;
          cLo[slot] = idLo;
          cHi[slot] = idHi;
          cCode[slot] = -1;
        }
        code = -1;
      }
      at += refSize;
      // The property set's JSON (`{}` when none).
      let json: Uint8Array | undefined;
      if (kind === KIND_TAGGED) {
        if (at + 8 > end) break;
        const v = deps.get(view.getUint32(at, true), view.getUint32(at + 4, true));
        if (!(v instanceof PropertySet)) break;
        if (properties) json = v.jsonBytes();
        at += 8;
      }
      // DynString message: u8 codec, u32 byte length, bytes
      if (at + 5 > end) break;
      const codec = b[at];
      const len = view.getUint32(at + 1, true);
      const ms = at + 5;
      if (len > end - ms) break;
      if (codec === 1 ? (len & 1) !== 0 : codec !== 2 && codec !== 0) break;
      // Left to the generic path, whose columns throw at 2 GiB (a UTF-16 message takes ≤ 3/2 len).
      if (ml + 2 * len > 0x7fffffff || (properties && pl + (json ? json.length : 2) > 0x7fffffff)) break;
      let tLo = view.getUint32(start, true);
      let tHi = view.getInt32(start + 4, true);
      if (exact) {
        // TickConverter.convert's exact path, inlined: ns = ticks + (start_time − start_ticks).
        tLo += oLo;
        tHi += oHi;
        if (tLo >= TWO32) {
          tLo -= TWO32;
          tHi += 1;
        }
        if (tHi < -0x80000000 || tHi > 0x7fffffff) break;
      } else {
        if (!ticks.convert(tLo, tHi)) break;
        tLo = ticks.lo;
        tHi = ticks.hi;
      }
      // The entry is readable: append it.
      if (time) {
        const i = 2 * (t0 + rows);
        tw[i] = tLo;
        tw[i + 1] = tHi;
      }
      if (target) {
        if (code < 0) {
          const t = cStr[slot]!.bytes;
          cCode[slot] = code = target.codeOf(t, 0, t.length);
        }
        gc[g0 + rows] = code;
      }
      if (level) lv[l0 + rows] = b[start + 8];
      if (msg) {
        if (codec === 1) {
          const text = utf16Decoder.decode(b.subarray(ms, ms + len));
          // In place, the text may take the bytes up to this entry's end (they are read).
          const put = inPlace ? utf8Encoder.encodeInto(text, b.subarray(mOff + ml, end)) : undefined;
          if (put && put.read === text.length) {
            ml += put.written;
            mo[m0 + rows + 1] = ml;
          } else {
            if (inPlace) leavePlace(msg, b.subarray(mOff, mOff + ml), 3 * text.length);
            inPlace = false;
            mOff = 0;
            msg.byteLength = ml;
            msg.length = m0 + rows;
            msg.appendString(text);
            // The column may have grown.
            mb = msg.bytes;
            mv = this.viewOf(mb);
            mo = msg.offsets;
            ml = msg.byteLength;
          }
        } else {
          // UTF-8 / ANSI: copied now, checked per batch by the column (appendUtf8Deferred).
          if (inPlace ? mOff + ml + 8 > ms : ml + len > mb.length) {
            // In place, SDK entries never get here (each header is over 8 bytes long); after a
            // value longer than its entry (from another writer), the column leaves the buffer.
            if (inPlace) leavePlace(msg, b.subarray(mOff, mOff + ml), len);
            inPlace = false;
            mOff = 0;
            msg.byteLength = ml;
            msg.reserve(len);
            mb = msg.bytes;
            mv = this.viewOf(mb);
          }
          copyBytes(mb, mv, mOff + ml, b, view, ms, len);
          ml += len;
          mo[m0 + rows + 1] = ml;
        }
      }
      if (properties) {
        const k = json ? json.length : 2;
        if (pl + k > pb.length) {
          properties.byteLength = pl;
          properties.reserve(k);
          pb = properties.bytes;
          pv = this.propsView.of(pb);
        }
        if (json === undefined) {
          pb[pl] = 0x7b;
          pb[pl + 1] = 0x7d;
        } else copyBytes(pb, pv, pl, json, jsonView.of(json), 0, k);
        pl += k;
        po[p0 + rows + 1] = pl;
      }
      pos = end;
      rows++;
    }
    if (time) time.length = t0 + rows;
    if (target) target.length = g0 + rows;
    if (level) level.length = l0 + rows;
    if (msg) {
      msg.byteLength = ml;
      msg.length = m0 + rows;
      // Other writers may use the bytes read so far, no more.
      if (inPlace) msg.bytes = b.subarray(mOff, pos);
    }
    if (properties) {
      properties.byteLength = pl;
      properties.length = p0 + rows;
    }
    cursor.skipTaken(pos, rows);
    return rows;
  }
}

const NO_ROWS = new Int32Array(0);
const utf8Encoder = new TextEncoder();

/** The message column's bytes so far (a view of the object buffer) moved to a buffer of its own
 * with room for `more` bytes and as many again. */
function leavePlace(msg: Utf8Column, written: Uint8Array, more: number): void {
  const bytes = new Uint8Array(2 * (written.length + more));
  bytes.set(written);
  msg.bytes = bytes;
}

/**
 * Rows every projected column can take without regrowth, at most `limit`: when some column has little
 * room left (its estimate fell short), the columns grow first, about doubling.
 */
function makeRoom(cols: LogColumns, limit: number): number {
  const { time, target, level, msg, properties } = cols;
  for (let pass = 0; ; pass++) {
    let room = limit;
    if (time) room = Math.min(room, (time.words.length >> 1) - time.length);
    if (target) room = Math.min(room, target.codes.length - target.length);
    if (level) room = Math.min(room, level.values.length - level.length);
    if (msg) room = Math.min(room, msg.offsets.length - 1 - msg.length);
    if (properties) room = Math.min(room, properties.offsets.length - 1 - properties.length);
    if (pass > 0 || room >= Math.min(limit, 64)) return room;
    const more = (length: number) => Math.min(limit, Math.max(1024, length));
    if (time) time.presize(more(time.length));
    if (target) target.presize(more(target.length));
    if (level) level.presize(more(level.length));
    if (msg) msg.presize(more(msg.length));
    if (properties) properties.presize(more(properties.length));
  }
}

/**
 * Copies `n` bytes from src[s…] to dst[o…]: long runs natively; short ones (a subarray view per
 * message would cost more than the copy) in unaligned 8-byte float moves, or 4-byte integer ones
 * where the engine might not move every NaN bit pattern unchanged.
 */
function copyBytes(dst: Uint8Array, dv: DataView, o: number, src: Uint8Array, sv: DataView, s: number, n: number): void {
  if (n < 8) {
    for (let i = 0; i < n; i++) dst[o + i] = src[s + i];
    return;
  }
  if (n > 256) {
    dst.set(src.subarray(s, s + n), o);
    return;
  }
  if (FLOAT_MOVES_EXACT) {
    const last = n - 8;
    for (let i = 0; i < last; i += 8) dv.setFloat64(o + i, sv.getFloat64(s + i, true), true);
    dv.setFloat64(o + last, sv.getFloat64(s + last, true), true);
  } else {
    const last = n - 4;
    for (let i = 0; i < last; i += 4) dv.setInt32(o + i, sv.getInt32(s + i, true), true);
    dv.setInt32(o + last, sv.getInt32(s + last, true), true);
  }
}

/**
 * Whether a getFloat64 → setFloat64 move keeps all 64 bits of NaNs (signalling, negative, with
 * payloads): ECMAScript lets an engine write any NaN encoding, V8 keeps them. Checked once.
 */
const FLOAT_MOVES_EXACT = ((): boolean => {
  const patterns = [
    [0x00000001, 0x7ff00000], [0xdeadbeef, 0x7ff80001], [0x00000000, 0xfff40000], [0xffffffff, 0xffffffff],
    [0xffffffff, 0x7fffffff], [0x12345678, 0xfff00001], [0x00000000, 0x80000000], [0x00000001, 0x00000000],
  ];
  const a = new DataView(new ArrayBuffer(8 * patterns.length));
  const b = new DataView(new ArrayBuffer(8 * patterns.length));
  patterns.forEach(([lo, hi], i) => {
    a.setUint32(8 * i, lo, true);
    a.setUint32(8 * i + 4, hi, true);
  });
  for (let round = 0; round < 2; round++) for (let i = 0; i < patterns.length; i++) b.setFloat64(8 * i, a.getFloat64(8 * i, true), true);
  return patterns.every((_, i) => a.getUint32(8 * i, true) === b.getUint32(8 * i, true) && a.getUint32(8 * i + 4, true) === b.getUint32(8 * i + 4, true));
})();

/** Entries sampled from the front of a buffer to estimate its entry count and message bytes. */
const SAMPLE_ENTRIES = 256;

/** Presizing figures for an object buffer's columns. */
export interface LogSizing {
  entries: number;
  /** UTF-8 bytes of the messages. */
  msgBytes: number;
  /** Bytes of the properties column (`{}` or the property set's JSON per row). */
  propsBytes: number;
}

/**
 * Entry count and column bytes of an object buffer, for presizing columns: exact when the buffer
 * holds at most SAMPLE_ENTRIES entries (or a framing error comes first), otherwise extrapolated from
 * the first ones with a 1/16 margin — a full framing pass would read the whole buffer once more, and
 * columns grow when an estimate falls short. Exact for SDK events; for others, the object size as
 * message bytes and `{}` as properties.
 */
export function estimateLogEntries(bytes: Uint8Array, layout: FusedLogLayout, deps: DependencyMap): LogSizing {
  const { kinds, sizes, refSize, types } = layout;
  const n = bytes.length;
  let entries = 0;
  let msgBytes = 0;
  let propsBytes = 0;
  let pos = 0;
  for (; pos < n && entries < SAMPLE_ENTRIES; entries++) {
    const ti = bytes[pos++];
    if (ti >= types) return { entries, msgBytes, propsBytes };
    let size = sizes[ti];
    if (size === 0) {
      if (pos + 4 > n) return { entries, msgBytes, propsBytes };
      size = (bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24)) >>> 0;
      pos += 4;
    }
    if (size > n - pos) return { entries, msgBytes, propsBytes };
    const kind = kinds[ti];
    propsBytes += 2;
    if (kind === KIND_GENERIC) msgBytes += size;
    else {
      let at = pos + 9 + refSize;
      if (kind === KIND_TAGGED && at + 8 <= pos + size) {
        const props = deps.get(u32At(bytes, at), u32At(bytes, at + 4));
        if (props instanceof PropertySet) propsBytes += props.jsonBytes().length - 2;
        at += 8;
      }
      if (at + 5 <= pos + size) {
        const len = Math.min(pos + size - at - 5, u32At(bytes, at + 1));
        msgBytes += bytes[at] === 1 ? len + (len >> 1) : len;
      }
    }
    pos += size;
  }
  if (pos >= n) return { entries, msgBytes, propsBytes };
  const scale = (n / pos) * (17 / 16);
  return { entries: Math.ceil(entries * scale), msgBytes: Math.ceil(msgBytes * scale), propsBytes: Math.ceil(propsBytes * scale) };
}
