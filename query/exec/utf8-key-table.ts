// Codes for the rows of a plain UTF-8 column, found by hashing each row's bytes: a row's string is
// decoded only the first time its bytes are seen, never once per row.
import type { Utf8View } from './utf8-view.js';

const EMPTY = -1;

/** A 32-bit hash of bytes[b, e), four bytes per step. */
function hashBytes(bytes: Uint8Array, b: number, e: number): number {
  let h = 0x811c9dc5 ^ (e - b);
  let k = b;
  for (; k + 4 <= e; k += 4) {
    h = Math.imul(h ^ (bytes[k] | (bytes[k + 1] << 8) | (bytes[k + 2] << 16) | (bytes[k + 3] << 24)), 0x9e3779b1);
    h ^= h >>> 15;
  }
  for (; k < e; k++) h = Math.imul(h ^ bytes[k], 0x01000193);
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
  return h ^ (h >>> 16);
}

export class Utf8KeyTable {
  private arena = new Uint8Array(1024);
  private arenaUsed = 0;
  private starts = new Int32Array(64);
  private lengths = new Int32Array(64);
  private hashes = new Int32Array(64);
  private codes = new Int32Array(64);
  private entries = 0;
  private slots = new Int32Array(128).fill(EMPTY);
  private mask = 127;

  /** out[i] = the code of row i's bytes; unseen bytes get `codeOf(decoded string)`. Rows where
   * `valid` is 0 get `nullCode()`. */
  encode(view: Utf8View, valid: Uint8Array | null, n: number, out: Int32Array, codeOf: (s: string) => number, nullCode: () => number, decode: (b: number, e: number) => string): void {
    const { bytes, offsets } = view;
    let slots = this.slots;
    let mask = this.mask;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) {
        out[i] = nullCode();
        continue;
      }
      const b = offsets[i];
      const e = offsets[i + 1];
      const h = hashBytes(bytes, b, e);
      let slot = h & mask;
      for (;;) {
        const entry = slots[slot];
        if (entry === EMPTY) {
          out[i] = this.insert(bytes, b, e, h, slot, codeOf(decode(b, e)));
          slots = this.slots;
          mask = this.mask;
          break;
        }
        if (this.hashes[entry] === h && this.lengths[entry] === e - b) {
          const arena = this.arena;
          const at = this.starts[entry] - b;
          let k = b;
          while (k < e && arena[at + k] === bytes[k]) k++;
          if (k === e) {
            out[i] = this.codes[entry];
            break;
          }
        }
        slot = (slot + 1) & mask;
      }
    }
  }

  private insert(bytes: Uint8Array, b: number, e: number, h: number, slot: number, code: number): number {
    const entry = this.entries++;
    if (entry === this.codes.length) {
      const grow = (a: Int32Array) => {
        const next = new Int32Array(a.length * 2);
        next.set(a);
        return next;
      };
      this.starts = grow(this.starts);
      this.lengths = grow(this.lengths);
      this.hashes = grow(this.hashes);
      this.codes = grow(this.codes);
    }
    const len = e - b;
    if (this.arenaUsed + len > this.arena.length) {
      const next = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + len));
      next.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = next;
    }
    this.arena.set(bytes.subarray(b, e), this.arenaUsed);
    this.starts[entry] = this.arenaUsed;
    this.lengths[entry] = len;
    this.hashes[entry] = h;
    this.codes[entry] = code;
    this.arenaUsed += len;
    this.slots[slot] = entry;
    if (this.entries * 2 > this.slots.length) this.rehash();
    return code;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.entries; entry++) {
      let slot = this.hashes[entry] & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = entry;
    }
    this.slots = slots;
    this.mask = mask;
  }

  bytes(): number {
    return this.arena.byteLength + this.slots.byteLength + this.entries * 16;
  }
}
