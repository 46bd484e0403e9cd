// Per key column of a multi-key GROUP BY: every row's value as a small integer code, stable for the
// whole query (dictionary entries are resolved once per batch dictionary, other values through one map).
import { stringsOf, type Col } from './column.js';
import { Buffer } from 'node:buffer';
import { isWordKey, wordsOf } from './numeric-cast.js';
import { Utf8KeyTable } from './utf8-key-table.js';

export class KeyColumnCodes {
  /** code → the key's value (null for the NULL code). */
  readonly values: unknown[] = [];
  private readonly byKey = new Map<unknown, number>();
  private nullCode = -1;
  private utf8: Utf8KeyTable | null = null;

  get size(): number {
    return this.values.length;
  }

  /** Writes the code of rows 0..n-1 of `c` into `out`. */
  encode(c: Col, n: number, out: Int32Array): void {
    if (c.dict) this.encodeDict(c, c.dict, n, out);
    else if (c.utf8) this.encodeBytes(c, n, out);
    else if (c.type === 'utf8') this.encodeStrings(c, n, out);
    else if (isWordKey(c)) this.encodeWords(c, n, out);
    else this.encodeValues(c, n, out);
  }

  /** The code of one value (null for NULL). */
  codeOfValue(v: unknown): number {
    return v === null ? this.nullCodeOf() : this.codeOf(v, v);
  }

  /** Bytes held for the keys seen. */
  bytes(): number {
    return this.values.length * 40 + (this.utf8?.bytes() ?? 0);
  }

  private codeOf(key: unknown, value: unknown): number {
    let code = this.byKey.get(key);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.byKey.set(key, code);
    }
    return code;
  }

  private nullCodeOf(): number {
    if (this.nullCode < 0) {
      this.nullCode = this.values.length;
      this.values.push(null);
    }
    return this.nullCode;
  }

  private encodeDict(c: Col, dict: string[], n: number, out: Int32Array): void {
    const codes = c.values as Int32Array;
    const valid = c.valid;
    if (n > 0 && dict.length === 1 && valid === null) {
      out.fill(this.codeOf(dict[0], dict[0]), 0, n); // e.g. a segment's exe
      return;
    }
    const byEntry = new Int32Array(dict.length).fill(-1);
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) {
        out[i] = this.nullCodeOf();
        continue;
      }
      const e = codes[i];
      let code = byEntry[e];
      if (code < 0) code = byEntry[e] = this.codeOf(dict[e], dict[e]);
      out[i] = code;
    }
  }

  private encodeBytes(c: Col, n: number, out: Int32Array): void {
    const view = c.utf8!;
    const buf = Buffer.from(view.bytes.buffer, view.bytes.byteOffset, view.bytes.byteLength);
    (this.utf8 ??= new Utf8KeyTable()).encode(view, c.valid, n, out,
      (s) => this.codeOf(s, s), () => this.nullCodeOf(), (b, e) => (e > b ? buf.toString('utf8', b, e) : ''));
  }

  /** Plain strings: equal neighbours (common in telemetry) reuse the previous code without a map lookup. */
  private encodeStrings(c: Col, n: number, out: Int32Array): void {
    const s = stringsOf(c);
    const valid = c.valid;
    let prev: string | null = null;
    let prevCode = -1;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) {
        out[i] = this.nullCodeOf();
        continue;
      }
      const v = s[i];
      if (v !== prev) {
        prevCode = this.codeOf(v, v);
        prev = v;
      }
      out[i] = prevCode;
    }
  }

  /** 64-bit values: a BigInt (and a map lookup) only where the words change from the previous row. */
  private encodeWords(c: Col, n: number, out: Int32Array): void {
    const big = c.values as BigInt64Array | BigUint64Array;
    const w = wordsOf(big);
    const valid = c.valid;
    let prevLo = 0;
    let prevHi = 0;
    let prevCode = -1;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) {
        out[i] = this.nullCodeOf();
        continue;
      }
      const lo = w[2 * i];
      const hi = w[2 * i + 1];
      if (prevCode < 0 || lo !== prevLo || hi !== prevHi) {
        const v = big[i];
        prevCode = this.codeOf(v, v);
        prevLo = lo;
        prevHi = hi;
      }
      out[i] = prevCode;
    }
  }

  /** Numbers, booleans, lists: lists are keyed by their text (a map would compare them by identity). */
  private encodeValues(c: Col, n: number, out: Int32Array): void {
    const valid = c.valid;
    if (c.type === 'null') {
      for (let i = 0; i < n; i++) out[i] = this.nullCodeOf();
      return;
    }
    const vals = c.values as ArrayLike<unknown>;
    const isBool = c.type === 'bool';
    const isList = c.type === 'list';
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) {
        out[i] = this.nullCodeOf();
        continue;
      }
      const raw = vals[i];
      const v = isBool ? raw === 1 : raw;
      out[i] = this.codeOf(isList ? String(v) : v, v);
    }
  }
}
