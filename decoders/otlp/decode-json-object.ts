// §5.1 JSON objects (properties, event/link attributes) written straight into a Utf8Column.
// Sorting keys by UTF-8 bytes and escaping them is the expensive part, and consecutive records
// almost always carry the same key sequence (same instrumentation, same extras). So the writer keeps
// a template for the last key sequence — the sorted, de-duplicated entry order and the literal text
// between values (`{"key":`, `,"key2":`, `}`) — and when the next record's keys are byte-for-byte the
// same sequence it only copies fragments and formats values.
import { type WireReader, WIRE_LEN } from '../protowire.js';
import { DataViewCache, Utf8Column, isValidUtf8, repairUtf8 } from '../columns.js';
import { equalBytes, equalWords, putHexWords } from './byte-words.js';
import { putUint, utf8, writeAnyValueJson, writeJsonString } from './decode-json-text.js';

const VALUE_ANY = 0; // AnyValue message in the payload
const VALUE_JSON = 1; // bytes already JSON text
const VALUE_NULL = 2; // KeyValue without a value
const VALUE_STRING = 3; // UTF-8 bytes to write as a JSON string
const VALUE_HEX = 4; // bytes to write as a JSON string of lowercase hex

const NULL = utf8('null');
const INITIAL = 32;
/** Bytes a word-wise copy may write (or read) past the end of its range (8-byte fragment copies). */
const WORD_SLACK = 8;
const NO_BYTES = new Uint8Array(0);
const NO_WORDS = new Int32Array(0);

function grown32(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

/** Templates kept per writer. */
const TEMPLATES = 4;

/** One key sequence's template: the JsonObjectWriter `t…` fields of the same names. */
interface Template {
  keyCount: number;
  keySrc: Uint8Array[];
  keyStart: Int32Array;
  keyEnd: Int32Array;
  constant: Uint8Array;
  valSrc: Uint8Array[];
  valStart: Int32Array;
  valEnd: Int32Array;
  slot: Int32Array;
  slots: number;
  frag: Int32Array;
  fragWords: Int32Array;
  fragDoubles: Float64Array | undefined;
  fragAt: Int32Array;
  text: Utf8Column;
}

function emptyTemplate(): Template {
  return {
    keyCount: -1, keySrc: [], keyStart: new Int32Array(INITIAL), keyEnd: new Int32Array(INITIAL), constant: new Uint8Array(INITIAL),
    valSrc: [], valStart: new Int32Array(INITIAL), valEnd: new Int32Array(INITIAL), slot: new Int32Array(INITIAL), slots: 0,
    frag: new Int32Array(INITIAL + 2), fragWords: NO_WORDS, fragDoubles: undefined, fragAt: new Int32Array(INITIAL + 1), text: new Utf8Column(false, 256),
  };
}

/**
 * Collects the entries of one JSON object — KeyValue messages from the payload and extra keys with
 * pre-rendered or byte-range values — then writes them with keys sorted by UTF-8 bytes, the later of
 * equal keys winning. Reused across rows; holds references into the payload, not copies.
 */
export class JsonObjectWriter {
  private n = 0;
  /** Length of the entry arrays (kept apart: a typed array's length is a slower load). */
  private capacity = INITIAL;
  private keySrc: Uint8Array[] = new Array<Uint8Array>(INITIAL).fill(NO_BYTES);
  private keyStart: Int32Array = new Int32Array(INITIAL);
  private keyEnd: Int32Array = new Int32Array(INITIAL);
  /** Payload keys are validated lazily: only when they differ from the template's keys. */
  private keyChecked: Uint8Array = new Uint8Array(INITIAL);
  private valSrc: Uint8Array[] = new Array<Uint8Array>(INITIAL).fill(NO_BYTES);
  private valStart: Int32Array = new Int32Array(INITIAL);
  private valEnd: Int32Array = new Int32Array(INITIAL);
  private valKind: Uint8Array = new Uint8Array(INITIAL);

  // Template of the previous key sequence (-1 = none yet).
  private tKeyCount = -1;
  private tKeySrc: Uint8Array[] = [];
  private tKeyStart: Int32Array = new Int32Array(INITIAL);
  private tKeyEnd: Int32Array = new Int32Array(INITIAL);
  /** Per entry: 1 when its value is constant text (VALUE_JSON, VALUE_NULL), baked into the fragments. */
  private tConstant: Uint8Array = new Uint8Array(INITIAL);
  private tValSrc: Uint8Array[] = [];
  private tValStart: Int32Array = new Int32Array(INITIAL);
  private tValEnd: Int32Array = new Int32Array(INITIAL);
  /** Entries whose value is formatted per row, in key order (duplicates and constants dropped). */
  private tSlot: Int32Array = new Int32Array(INITIAL);
  private tSlots = 0;
  /** Fragment j = tText[tFrag[j] .. tFrag[j+1]) precedes slot j; fragment tSlots closes the object. */
  private tFrag: Int32Array = new Int32Array(INITIAL + 2);
  /** The fragments, fragment j from byte 8·tFragAt[j] (zero-padded to 8-byte units), as little-endian
   * 32-bit words and, when no 8-byte unit reads as a NaN, as doubles: a double copies 8 bytes in one
   * store, and every non-NaN double keeps its exact bits from load to store (a NaN's payload may not). */
  private tFragWords: Int32Array = NO_WORDS;
  private tFragDoubles: Float64Array | undefined;
  private tFragAt: Int32Array = new Int32Array(INITIAL + 1);
  private tText = new Utf8Column(false, 256);
  private readonly colView = new DataViewCache();
  private readonly srcView = new DataViewCache();

  /** Kept templates (the active one's entry is stale until switched away from) and when each was last
   * made active: records often alternate between a few key sets (optional attributes present or not),
   * which would otherwise rebuild the template every time. */
  private readonly templates: Template[] = [];
  private readonly templateUse: number[] = [];
  private active = -1;
  private clock = 0;

  /** Total length of the entries' value ranges (bounds the text written for them). */
  private valueBytes = 0;
  /** Every entry added so far equals the active template's entry of the same index (see
   * sameAsTemplate): checked as entries arrive, so the usual record needs no separate pass, and
   * while it holds the entries' keys are not stored (they are the template's). */
  private matching = true;

  constructor(private r: WireReader) {}

  /** Moves the writer to another segment's reader (a pooled writer, or one being put back). Its
   * templates are emptied — rebuilt from the new payload's keys on first use, so that matching keys
   * compare within one payload — and nothing keeps referring to the old payload. Allocates nothing. */
  rebind(r: WireReader): void {
    if (this.active >= 0) this.storeTemplate(this.templates[this.active]);
    for (const t of this.templates) {
      t.keyCount = -1;
      t.keySrc.fill(NO_BYTES);
      t.valSrc.fill(NO_BYTES);
    }
    if (this.active >= 0) this.useTemplate(this.templates[this.active]);
    this.keySrc.fill(NO_BYTES);
    this.valSrc.fill(NO_BYTES);
    this.r = r;
    this.reset();
  }

  reset(): void {
    this.n = 0;
    this.valueBytes = 0;
    this.matching = true;
  }

  get size(): number {
    return this.n;
  }

  /** Kept small so that it inlines into the add… methods; growth is out of line. */
  private slot(): number {
    const i = this.n++;
    if (i === this.capacity) this.growEntries(i);
    return i;
  }

  private growEntries(i: number): void {
    const cap = i * 2;
    this.capacity = cap;
    this.keyStart = grown32(this.keyStart, cap);
    this.keyEnd = grown32(this.keyEnd, cap);
    this.valStart = grown32(this.valStart, cap);
    this.valEnd = grown32(this.valEnd, cap);
    const kind = new Uint8Array(cap);
    kind.set(this.valKind);
    this.valKind = kind;
    const checked = new Uint8Array(cap);
    checked.set(this.keyChecked);
    this.keyChecked = checked;
    for (let k = i; k < cap; k++) {
      this.keySrc.push(NO_BYTES);
      this.valSrc.push(NO_BYTES);
    }
  }

  /** Adds the KeyValue message in [start, end) of the reader's buffer; a missing value is null. */
  addKeyValue(start: number, end: number): void {
    const r = this.r;
    const buf = r.buf;
    let ks: number;
    let ke: number;
    let vs: number;
    let ve: number;
    // The usual encoding: key (field 1) then value (field 2), both with one-byte lengths, nothing else.
    const kl = buf[start + 1];
    const vAt = start + 2 + kl;
    if (buf[start] === 0x0a && kl < 0x80 && vAt + 2 <= end && buf[vAt] === 0x12 && buf[vAt + 1] < 0x80 && vAt + 2 + buf[vAt + 1] === end) {
      ks = start + 2;
      ke = vAt;
      vs = vAt + 2;
      ve = end;
      r.pos = end;
    } else {
      readKeyValueRanges(r, start, end, KEY_VALUE_RANGES);
      ks = KEY_VALUE_RANGES[0];
      ke = KEY_VALUE_RANGES[1];
      vs = KEY_VALUE_RANGES[2];
      ve = KEY_VALUE_RANGES[3];
    }
    const i = this.slot();
    this.valStart[i] = vs;
    this.valEnd[i] = ve;
    if (vs >= 0) {
      this.valueBytes += ve - vs;
      this.valKind[i] = VALUE_ANY; // its source is the reader's buffer (valSrc not kept)
    } else {
      this.valKind[i] = VALUE_NULL;
      this.valSrc[i] = buf;
    }
    if (this.matching && this.payloadEntryMatches(i, ks, ke, vs < 0)) return;
    this.storePayloadKey(i, ks, ke);
  }

  /** Stores entry i's key, bytes [ks, ke) of the payload (unchecked UTF-8): the entries no longer
   * match the template. Out of line so that addKeyValue stays small enough to inline. */
  private storePayloadKey(i: number, ks: number, ke: number): void {
    if (this.matching) this.stopMatching(i);
    this.keySrc[i] = this.r.buf;
    this.keyStart[i] = ks;
    this.keyEnd[i] = ke;
    this.keyChecked[i] = 0;
  }

  private addExtra(key: Uint8Array, kind: number, src: Uint8Array, start: number, end: number): void {
    const i = this.slot();
    this.valueBytes += end - start;
    this.valSrc[i] = src;
    this.valStart[i] = start;
    this.valEnd[i] = end;
    this.valKind[i] = kind;
    if (this.matching) {
      if (this.extraMatches(i, key, kind, src, start, end)) return;
      this.stopMatching(i);
    }
    this.keySrc[i] = key;
    this.keyStart[i] = 0;
    this.keyEnd[i] = key.length;
    this.keyChecked[i] = 1;
  }

  /** Entries 0 … i-1 matched the active template, so their keys (and constant values) may not have
   * been stored: they are the template's. */
  private stopMatching(i: number): void {
    this.matching = false;
    for (let k = 0; k < i; k++) {
      this.keySrc[k] = this.tKeySrc[k];
      this.keyStart[k] = this.tKeyStart[k];
      this.keyEnd[k] = this.tKeyEnd[k];
      this.keyChecked[k] = 1;
      if (this.tConstant[k] === 1) {
        this.valSrc[k] = this.tValSrc[k];
        this.valStart[k] = this.tValStart[k];
        this.valEnd[k] = this.tValEnd[k];
        this.valKind[k] = this.tValStart[k] < 0 ? VALUE_NULL : VALUE_JSON;
      }
    }
  }

  /** Adds a key (valid UTF-8 bytes) whose value is already JSON text. */
  addJson(key: Uint8Array, json: Uint8Array, jsonStart = 0, jsonEnd = json.length): void {
    // Constant extras (scope extras, metric kinds) pass the same key and value arrays record after
    // record: matching the template by identity, they need nothing stored (the template has them).
    const i = this.n;
    if (
      this.matching && i < this.tKeyCount && this.tKeySrc[i] === key && this.tKeyStart[i] === 0 && this.tKeyEnd[i] === key.length &&
      this.tConstant[i] === 1 && this.tValSrc[i] === json && this.tValStart[i] === jsonStart && this.tValEnd[i] === jsonEnd &&
      i < this.capacity
    ) {
      this.n = i + 1;
      return;
    }
    this.addExtra(key, VALUE_JSON, json, jsonStart, jsonEnd);
  }

  /** Adds a key (valid UTF-8 bytes) whose value is the JSON string of UTF-8 bytes [start, end). */
  addJsonString(key: Uint8Array, src: Uint8Array, start: number, end: number): void {
    this.addExtra(key, VALUE_STRING, src, start, end);
  }

  /** Adds a key (valid UTF-8 bytes) whose value is the lowercase hex of bytes [start, end), quoted. */
  addJsonHex(key: Uint8Array, src: Uint8Array, start: number, end: number): void {
    this.addExtra(key, VALUE_HEX, src, start, end);
  }

  /** Whether a KeyValue entry equals the active template's entry i: key bytes [ks, ke) the same
   * (which also makes them valid UTF-8), and null there exactly when `isNull`. */
  private payloadEntryMatches(i: number, ks: number, ke: number, isNull: boolean): boolean {
    if (i >= this.tKeyCount) return false;
    if (isNull ? this.tConstant[i] !== 1 || this.tValStart[i] !== -1 : this.tConstant[i] !== 0) return false;
    const ts = this.tKeyStart[i];
    const len = ke - ks;
    if (this.tKeyEnd[i] - ts !== len) return false;
    const t = this.tKeySrc[i];
    const r = this.r;
    if (t === r.buf) return ts === ks || equalWords(r.dataView, t, ks, ts, len);
    return equalBytes(r.buf, ks, t, ts, len);
  }

  /** Whether an extra entry equals the active template's entry i: the key (usually the very same
   * constant array), constancy, and for a JSON constant the very same value range. */
  private extraMatches(i: number, key: Uint8Array, kind: number, src: Uint8Array, start: number, end: number): boolean {
    if (i >= this.tKeyCount) return false;
    if (kind === VALUE_JSON) {
      if (this.tConstant[i] !== 1 || this.tValSrc[i] !== src || this.tValStart[i] !== start || this.tValEnd[i] !== end) return false;
    } else if (this.tConstant[i] !== 0) return false;
    const t = this.tKeySrc[i];
    // The same key array: an extra's key entry always spans all of it (only payload keys are ranges).
    if (t === key && key !== this.r.buf) return true;
    const ts = this.tKeyStart[i];
    const len = key.length;
    if (this.tKeyEnd[i] - ts !== len) return false;
    return equalBytes(key, 0, t, ts, len);
  }

  /** Writes `{…}` into the column's current value (the caller ends the value). */
  writeTo(col: Utf8Column): void {
    if (!this.matching || this.n !== this.tKeyCount) {
      if (this.matching) this.stopMatching(this.n);
      this.switchTemplate();
    }
    const words = this.tFragWords;
    const doubles = this.tFragDoubles;
    const fragAt = this.tFragAt;
    const frag = this.tFrag;
    const slotEntry = this.tSlot;
    const slots = this.tSlots;
    const kinds = this.valKind;
    const vStart = this.valStart;
    const vEnd = this.valEnd;
    const buf = this.r.buf;
    const bufView = this.r.dataView;
    const bufLength = buf.length;
    // One reservation for the object: fragments, plus per value its worst case (escaping grows a
    // string ×6, hex ×2, a number from a varint or fixed64 stays under 26 characters), plus the
    // slack of a word or double copy running up to 7 bytes past its end.
    const need = frag[slots + 1] + 6 * this.valueBytes + 26 * slots + WORD_SLACK;
    col.reserve(need);
    let b = col.bytes;
    let dv = this.colView.of(b);
    let o = col.byteLength;
    for (let j = 0; ; j++) {
      const n = frag[j + 1] - frag[j];
      // Whole units, the last one possibly running past the fragment: what follows overwrites it.
      if (doubles !== undefined) for (let k = 0, w = fragAt[j]; k < n; k += 8) dv.setFloat64(o + k, doubles[w++], true);
      else for (let k = 0, w = fragAt[j] * 2; k < n; k += 4) dv.setInt32(o + k, words[w++], true);
      o += n;
      if (j === slots) break;
      const e = slotEntry[j];
      const kind = kinds[e];
      const vs = vStart[e];
      const ve = vEnd[e];
      // Strings of either source go through the one putAsciiJsonString call below (V8's inlining
      // budget covers a single copy of it, not one per kind).
      let next = -1;
      let src = buf;
      let s = vs;
      if (kind === VALUE_ANY) {
        if (buf[vs] === 0x0a && vs + 2 + buf[vs + 1] === ve) s = vs + 2; // also declines multi-byte lengths
        else {
          next = putScalarAnyValue(dv, b, o, buf, vs, ve);
          s = -1;
        }
      } else {
        src = this.valSrc[e];
        if (kind === VALUE_HEX) {
          b[o] = 0x22;
          o = putHexWords(dv, o + 1, src, vs, ve);
          b[o++] = 0x22;
          continue;
        }
      }
      if (s >= 0) next = putAsciiJsonString(dv, b, o, src === buf ? bufView : this.srcView.of(src), src, src === buf ? bufLength : src.length, s, ve);
      if (next >= 0) {
        o = next;
        continue;
      }
      // Anything the fast paths decline (non-ASCII or escaped strings, doubles, big ints, arrays,
      // kvlists, odd encodings) goes through the general writers, then the reservation is renewed.
      col.byteLength = o;
      if (kind === VALUE_ANY) writeAnyValueJson(col, this.r, vs, ve);
      else writeJsonString(col, this.valSrc[e], vs, ve);
      col.reserve(need);
      b = col.bytes;
      dv = this.colView.of(b);
      o = col.byteLength;
    }
    col.byteLength = o;
  }

  /** True when the current entries match the template: keys byte-equal in order (which implies they
   * are valid UTF-8: template keys are), constant values where the template has them, the same ones. */
  private sameAsTemplate(): boolean {
    const n = this.n;
    if (n !== this.tKeyCount) return false;
    const kinds = this.valKind;
    for (let i = 0; i < n; i++) {
      const kind = kinds[i];
      const constant = kind === VALUE_JSON || kind === VALUE_NULL ? 1 : 0;
      if (constant !== this.tConstant[i]) return false;
      if (constant === 1) {
        if (this.valSrc[i] !== this.tValSrc[i] || this.valStart[i] !== this.tValStart[i] || this.valEnd[i] !== this.tValEnd[i]) return false;
      }
      const a = this.keySrc[i];
      const as = this.keyStart[i];
      const len = this.keyEnd[i] - as;
      const b = this.tKeySrc[i];
      const bs = this.tKeyStart[i];
      if (this.tKeyEnd[i] - bs !== len) return false;
      if (a === b) {
        if (as === bs) continue;
        if (a === this.r.buf) {
          if (!equalWords(this.r.dataView, a, as, bs, len)) return false;
          continue;
        }
      }
      if (!equalBytes(a, as, b, bs, len)) return false;
    }
    return true;
  }

  /** Makes the kept template matching the entries active, or builds one (in place of the least
   * recently used once TEMPLATES are kept). */
  private switchTemplate(): void {
    const ts = this.templates;
    const used = this.templateUse;
    if (this.active < 0) {
      this.active = ts.push(this.takeTemplate()) - 1;
      used.push(++this.clock);
      this.buildTemplate();
      return;
    }
    this.storeTemplate(ts[this.active]);
    for (let k = 0; k < ts.length; k++) {
      if (k === this.active) continue;
      this.useTemplate(ts[k]);
      if (this.sameAsTemplate()) {
        this.active = k;
        used[k] = ++this.clock;
        return;
      }
    }
    let k = 0;
    if (ts.length < TEMPLATES) {
      k = ts.push(emptyTemplate()) - 1;
      used.push(0);
    } else {
      for (let j = 1; j < ts.length; j++) if (used[j] < used[k]) k = j;
    }
    this.useTemplate(ts[k]);
    this.active = k;
    used[k] = ++this.clock;
    this.buildTemplate();
  }

  private takeTemplate(): Template {
    const t = emptyTemplate();
    this.storeTemplate(t);
    return t;
  }

  /** Saves the active template's fields (arrays may have been replaced while building). */
  private storeTemplate(t: Template): void {
    t.keyCount = this.tKeyCount;
    t.keySrc = this.tKeySrc;
    t.keyStart = this.tKeyStart;
    t.keyEnd = this.tKeyEnd;
    t.constant = this.tConstant;
    t.valSrc = this.tValSrc;
    t.valStart = this.tValStart;
    t.valEnd = this.tValEnd;
    t.slot = this.tSlot;
    t.slots = this.tSlots;
    t.frag = this.tFrag;
    t.fragWords = this.tFragWords;
    t.fragDoubles = this.tFragDoubles;
    t.fragAt = this.tFragAt;
    t.text = this.tText;
  }

  private useTemplate(t: Template): void {
    this.tKeyCount = t.keyCount;
    this.tKeySrc = t.keySrc;
    this.tKeyStart = t.keyStart;
    this.tKeyEnd = t.keyEnd;
    this.tConstant = t.constant;
    this.tValSrc = t.valSrc;
    this.tValStart = t.valStart;
    this.tValEnd = t.valEnd;
    this.tSlot = t.slot;
    this.tSlots = t.slots;
    this.tFrag = t.frag;
    this.tFragWords = t.fragWords;
    this.tFragDoubles = t.fragDoubles;
    this.tFragAt = t.fragAt;
    this.tText = t.text;
  }

  private buildTemplate(): void {
    const n = this.n;
    if (this.tKeyStart.length < n) {
      const cap = this.keyStart.length;
      this.tKeyStart = new Int32Array(cap);
      this.tKeyEnd = new Int32Array(cap);
      this.tConstant = new Uint8Array(cap);
      this.tValStart = new Int32Array(cap);
      this.tValEnd = new Int32Array(cap);
      this.tSlot = new Int32Array(cap);
      this.tFrag = new Int32Array(cap + 2);
    }
    // Invalid UTF-8 keys are replaced by their repaired bytes (compared and written as such).
    for (let i = 0; i < n; i++) {
      if (this.keyChecked[i]) continue;
      const src = this.keySrc[i];
      const s = this.keyStart[i];
      const e = this.keyEnd[i];
      if (!isValidUtf8(src, s, e)) {
        const k = utf8(repairUtf8(src, s, e));
        this.keySrc[i] = k;
        this.keyStart[i] = 0;
        this.keyEnd[i] = k.length;
      }
      this.keyChecked[i] = 1;
    }
    // Stable insertion sort of entry indices: equal keys keep arrival order, so the later is last.
    const order = this.tSlot;
    for (let i = 0; i < n; i++) {
      let j = i;
      while (j > 0 && this.compareKeys(order[j - 1], i) > 0) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = i;
    }
    const text = this.tText;
    text.byteLength = 0;
    const frag = this.tFrag;
    frag[0] = 0;
    let slots = 0;
    let written = 0;
    for (let j = 0; j < n; j++) {
      const e = order[j];
      if (j + 1 < n && this.compareKeys(e, order[j + 1]) === 0) continue;
      text.writeByte(written++ === 0 ? 0x7b : 0x2c);
      writeJsonString(text, this.keySrc[e], this.keyStart[e], this.keyEnd[e]);
      text.writeByte(0x3a);
      const kind = this.valKind[e];
      if (kind === VALUE_JSON) text.writeRaw(this.valSrc[e], this.valStart[e], this.valEnd[e]);
      else if (kind === VALUE_NULL) text.writeRaw(NULL, 0, NULL.length);
      else {
        order[slots++] = e; // slots ≤ j: the entries still to visit are not overwritten
        frag[slots] = text.byteLength;
      }
    }
    if (written === 0) text.writeByte(0x7b);
    text.writeByte(0x7d);
    frag[slots + 1] = text.byteLength;
    this.tSlots = slots;
    this.packFragments(slots);
    this.tKeyCount = n;
    for (let i = 0; i < n; i++) {
      this.tKeySrc[i] = this.keySrc[i];
      this.tKeyStart[i] = this.keyStart[i];
      this.tKeyEnd[i] = this.keyEnd[i];
      const kind = this.valKind[i];
      this.tConstant[i] = kind === VALUE_JSON || kind === VALUE_NULL ? 1 : 0;
      this.tValSrc[i] = this.valSrc[i];
      this.tValStart[i] = this.valStart[i];
      this.tValEnd[i] = this.valEnd[i];
    }
  }

  /** Copies the template's fragments 0 … slots into tFragWords / tFragDoubles, each from an 8-byte boundary. */
  private packFragments(slots: number): void {
    const frag = this.tFrag;
    if (this.tFragAt.length < slots + 1) this.tFragAt = new Int32Array(frag.length);
    const at = this.tFragAt;
    let units = 0;
    for (let j = 0; j <= slots; j++) {
      at[j] = units;
      units += (frag[j + 1] - frag[j] + 7) >> 3;
    }
    const doubles = new Float64Array(units);
    const bytes = new Uint8Array(doubles.buffer);
    const text = this.tText.bytes;
    for (let j = 0; j <= slots; j++) bytes.set(text.subarray(frag[j], frag[j + 1]), at[j] * 8);
    this.tFragDoubles = IS_LITTLE_ENDIAN && doubles.every((d) => d === d) ? doubles : undefined;
    this.tFragWords = littleEndianWords(new Int32Array(doubles.buffer));
  }

  private compareKeys(a: number, b: number): number {
    const sa = this.keySrc[a];
    const sb = this.keySrc[b];
    const oa = this.keyStart[a];
    const ob = this.keyStart[b];
    const la = this.keyEnd[a] - oa;
    const lb = this.keyEnd[b] - ob;
    const m = la < lb ? la : lb;
    for (let i = 0; i < m; i++) {
      const d = sa[oa + i] - sb[ob + i];
      if (d !== 0) return d;
    }
    return la - lb;
  }
}

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** `a` with each element's bytes read as a little-endian int32 (a no-op on little-endian hosts). */
function littleEndianWords(a: Int32Array): Int32Array {
  const view = new DataView(a.buffer, a.byteOffset, a.byteLength);
  for (let i = 0; i < a.length; i++) a[i] = view.getInt32(i * 4, true);
  return a;
}

/** Writes bytes [s, e) as a JSON string at b[o] when they are ASCII needing no escapes; returns the
 * new position, or -1 (nothing committed) otherwise. Four bytes at a time through the DataViews `dv`
 * (over b, with WORD_SLACK bytes of room past the string) and `sv` (over src, srcLength bytes); one
 * loop with one escape check, the last word included (small enough for V8 to inline into writeTo). */
function putAsciiJsonString(dv: DataView, b: Uint8Array, o: number, sv: DataView, src: Uint8Array, srcLength: number, s: number, e: number): number {
  if (e + 3 > srcLength) return putAsciiJsonStringBytes(b, o, src, s, e);
  b[o++] = 0x22;
  for (let k = s; k < e; k += 4) {
    // A last word of 1–3 bytes reads past the string: those bytes are checked as 'a', written, and
    // overwritten by the closing quote and what follows.
    const w = sv.getInt32(k, true);
    const keep = e - k >= 4 ? -1 : KEEP_LOW_BYTES[e - k];
    if (needsEscape4((w & keep) | (0x61616161 & ~keep))) return -1;
    dv.setInt32(o, w, true);
    o += e - k >= 4 ? 4 : e - k;
  }
  b[o++] = 0x22;
  return o;
}

/** Masks of a word's low 0–3 bytes. */
const KEEP_LOW_BYTES = Int32Array.of(0, 0xff, 0xffff, 0xffffff);

/** putAsciiJsonString byte by byte, for a string too close to the end of its buffer for word reads. */
function putAsciiJsonStringBytes(b: Uint8Array, o: number, src: Uint8Array, s: number, e: number): number {
  b[o++] = 0x22;
  for (let k = s; k < e; k++) {
    const c = src[k];
    if (c < 0x20 || c >= 0x80 || c === 0x22 || c === 0x5c) return -1;
    b[o++] = c;
  }
  b[o++] = 0x22;
  return o;
}

/** Whether any of the four bytes of w is ≥ 0x80, < 0x20, '"' or '\\' (SWAR: a byte's high bit in
 * each term flags it; exact once no byte has its own high bit set, which the first term covers). */
function needsEscape4(w: number): boolean {
  const quote = w ^ 0x22222222;
  const backslash = w ^ 0x5c5c5c5c;
  const flags = w | ((w - 0x20202020) & ~w) | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash);
  return (flags & 0x80808080) !== 0;
}

const TRUE_WORD = 0x65757274; // "true" little-endian
const FALSE_WORD = 0x736c6166; // "fals"

/** Integers below SMALL_INTS as one little-endian word: up to 3 ASCII digits, then their count. */
const SMALL_INTS = 1000;
const SMALL_INT_TEXT = Int32Array.from({ length: SMALL_INTS }, (_, n) => {
  const digits = String(n);
  let w = digits.length << 24;
  for (let k = 0; k < digits.length; k++) w |= digits.charCodeAt(k) << (8 * k);
  return w;
});

/** The common non-string AnyValue encodings — an int (up to 7 varint bytes, so below 2^49) or bool
 * member — written at b[o]; returns the new position, or -1 for anything else. */
function putScalarAnyValue(dv: DataView, b: Uint8Array, o: number, src: Uint8Array, s: number, e: number): number {
  const tag = src[s];
  if (tag === 0x18) {
    if (e - s > 8 || e - s < 2) return -1;
    let n = 0;
    let mul = 1;
    for (let k = s + 1; k < e; k++) {
      const c = src[k];
      if ((c < 0x80) !== (k === e - 1)) return -1;
      n += (c & 0x7f) * mul;
      mul *= 128;
    }
    if (n < SMALL_INTS) {
      const w = SMALL_INT_TEXT[n];
      dv.setInt32(o, w, true); // the length byte lands past the digits: overwritten by what follows
      return o + (w >>> 24);
    }
    return putUint(b, o, n);
  }
  if (tag === 0x10 && e - s === 2 && src[s + 1] < 0x80) {
    if (src[s + 1] !== 0) {
      dv.setInt32(o, TRUE_WORD, true);
      return o + 4;
    }
    dv.setInt32(o, FALSE_WORD, true);
    b[o + 4] = 0x65;
    return o + 5;
  }
  return -1;
}

const KEY_VALUE_RANGES = new Int32Array(4);

/** Key and value byte ranges of the KeyValue message in [start, end) into
 * out = [keyStart, keyEnd, valueStart, valueEnd] (value -1 when absent); leaves the reader at end. */
export function readKeyValueRanges(r: WireReader, start: number, end: number, out: Int32Array): void {
  out[0] = start;
  out[1] = start;
  out[2] = -1;
  out[3] = -1;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.tag(end);
    const f = tag >>> 3;
    const wt = tag & 7;
    if (f === 1 || f === 2) {
      if (wt !== WIRE_LEN) r.fail(`field ${f} of KeyValue has wire type ${wt}`);
      const stop = r.lengthDelimited(end);
      out[f === 1 ? 0 : 2] = r.pos;
      out[f === 1 ? 1 : 3] = stop;
      r.pos = stop;
    } else r.skip(wt, end);
  }
}
