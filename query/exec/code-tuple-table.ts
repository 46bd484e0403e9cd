// Dense group ids for tuples of per-column key codes: open addressing over Int32Arrays, so a
// multi-key GROUP BY hashes a few integers per row and never builds a composite string or object.

const EMPTY = -1;
const SEED = 0x2545f491;

function mix(h: number, code: number): number {
  h = Math.imul(h ^ code, 0x9e3779b1);
  return h ^ (h >>> 15);
}

function finish(h: number): number {
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
  return h ^ (h >>> 16);
}

export class CodeTupleTable {
  /** The code tuple of group g at tuples[g * width ...]. */
  tuples: Int32Array;
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(private readonly width: number) {
    this.tuples = new Int32Array(64 * width);
    this.slots = new Int32Array(128).fill(EMPTY);
    this.mask = 127;
  }

  /** ids[i] = the group of the tuple (codes[0][i], codes[1][i], ...); new tuples get the next id. */
  assign(codes: Int32Array[], n: number, ids: Int32Array): void {
    const w = this.width;
    let prev = -1;
    for (let i = 0; i < n; i++) {
      // a row whose codes equal the previous row's joins its group without hashing
      if (prev >= 0) {
        const base = prev * w;
        let same = true;
        for (let k = 0; k < w; k++) {
          if (codes[k][i] !== this.tuples[base + k]) {
            same = false;
            break;
          }
        }
        if (same) {
          ids[i] = prev;
          continue;
        }
      }
      prev = ids[i] = this.find(codes, i);
    }
  }

  private find(codes: Int32Array[], i: number): number {
    const w = this.width;
    let h = SEED;
    for (let k = 0; k < w; k++) h = mix(h, codes[k][i]);
    h = finish(h);
    const tuples = this.tuples;
    let slot = h & this.mask;
    for (;;) {
      const g = this.slots[slot];
      if (g === EMPTY) return this.insert(codes, i, slot);
      const base = g * w;
      let k = 0;
      while (k < w && tuples[base + k] === codes[k][i]) k++;
      if (k === w) return g;
      slot = (slot + 1) & this.mask;
    }
  }

  private insert(codes: Int32Array[], i: number, slot: number): number {
    const w = this.width;
    const g = this.size++;
    if ((g + 1) * w > this.tuples.length) {
      const next = new Int32Array(this.tuples.length * 2);
      next.set(this.tuples);
      this.tuples = next;
    }
    for (let k = 0; k < w; k++) this.tuples[g * w + k] = codes[k][i];
    this.slots[slot] = g;
    if (this.size * 2 > this.slots.length) this.rehash();
    return g;
  }

  private rehash(): void {
    const w = this.width;
    const slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
    const mask = slots.length - 1;
    const t = this.tuples;
    for (let g = 0; g < this.size; g++) {
      let h = SEED;
      for (let k = 0; k < w; k++) h = mix(h, t[g * w + k]);
      h = finish(h);
      let slot = h & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = g;
    }
    this.slots = slots;
    this.mask = mask;
  }

  bytes(): number {
    return this.tuples.byteLength + this.slots.byteLength;
  }
}
