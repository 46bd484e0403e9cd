// Byte-level lookup of OTLP/JSON object keys: maps the raw (escape-free) key bytes of the payload
// to an interned camelCase name without creating a JS string per key, which dominated the scanners.
import { snakeCase } from './index-common.js';
import { equalBytes } from './byte-words.js';

const TABLE_BITS = 11;
const MASK = (1 << TABLE_BITS) - 1;

/** Open-addressed hash table from key bytes to values; slots hold entry index + 1 (0 = empty). */
export class JsonKeyMap<T> {
  private readonly slots = new Int32Array(1 << TABLE_BITS);
  private readonly bytes: Uint8Array[] = [];
  private readonly names: T[] = [];

  /** Each lowerCamelCase name also answers to its snake_case original. */
  constructor(entries: Iterable<[camel: string, value: T]>) {
    this.addAll(entries);
  }

  addAll(entries: Iterable<[camel: string, value: T]>): void {
    for (const [camel, value] of entries) {
      this.add(camel, value);
      this.add(snakeCase(camel), value);
    }
  }

  private add(spelling: string, value: T): void {
    const b = new TextEncoder().encode(spelling);
    let i = hashBytes(b, 0, b.length) & MASK;
    while (this.slots[i] !== 0) {
      if (keyEquals(this.bytes[this.slots[i] - 1], b, 0, b.length)) return;
      i = (i + 1) & MASK;
    }
    this.bytes.push(b);
    this.names.push(value);
    this.slots[i] = this.bytes.length;
  }

  /** The value for the key buf[start, end), or undefined for an unknown key. */
  lookup(buf: Uint8Array, start: number, end: number): T | undefined {
    return this.lookupHashed(hashBytes(buf, start, end), buf, start, end);
  }

  /** lookup() with the hash already computed by the caller's scan (see hashStep / hashEnd). */
  lookupHashed(hash: number, buf: Uint8Array, start: number, end: number): T | undefined {
    let i = hash & MASK;
    for (;;) {
      const e = this.slots[i];
      if (e === 0) return undefined;
      if (keyEquals(this.bytes[e - 1], buf, start, end)) return this.names[e - 1];
      i = (i + 1) & MASK;
    }
  }

  /** The camelCase name for an already decoded key (keys written with escapes). */
  lookupString(key: string): T | undefined {
    const b = new TextEncoder().encode(key);
    return this.lookup(b, 0, b.length);
  }
}

/** The key hash is folded byte by byte (hashStep from 0) and finished with the length (hashEnd). */
export function hashStep(h: number, byte: number): number {
  return (Math.imul(h, 31) + byte) | 0;
}

export function hashEnd(h: number, length: number): number {
  h = (h + Math.imul(length, 0x9e3779b1)) | 0;
  return (h ^ (h >>> 11)) >>> 0;
}

/** Known keys to their interned camelCase names. */
export class JsonKeyTable extends JsonKeyMap<string> {
  constructor(camelNames: readonly string[]) {
    super(camelNames.map((c): [string, string] => [c, c]));
  }
}

function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = hashStep(h, buf[i]);
  return hashEnd(h, end - start);
}

function keyEquals(key: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  return key.length === end - start && equalBytes(key, 0, buf, start, key.length);
}
