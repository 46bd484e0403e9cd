// XXH32 (xxHash, 32-bit), used for scope hashes (native-format §10.3 step 4). Written from the
// xxHash specification; returns an unsigned 32-bit number.
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function round(acc: number, lane: number): number {
  acc = (acc + Math.imul(lane, P2)) | 0;
  return Math.imul(rotl(acc, 13), P1);
}

function u32le(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

export function xxh32(bytes: Uint8Array, seed = 0, start = 0, end = bytes.length): number {
  const len = end - start;
  let i = start;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    const limit = end - 16;
    while (i <= limit) {
      v1 = round(v1, u32le(bytes, i));
      v2 = round(v2, u32le(bytes, i + 4));
      v3 = round(v3, u32le(bytes, i + 8));
      v4 = round(v4, u32le(bytes, i + 12));
      i += 16;
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + P5) | 0;
  }
  h = (h + len) | 0;
  while (i + 4 <= end) {
    h = (h + Math.imul(u32le(bytes, i), P3)) | 0;
    h = Math.imul(rotl(h, 17), P4);
    i += 4;
  }
  while (i < end) {
    h = (h + Math.imul(bytes[i], P5)) | 0;
    h = Math.imul(rotl(h, 11), P1);
    i++;
  }
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}

const utf8 = new TextEncoder();
const lineBytes = new Uint8Array(4);

/** The scope hash of §10.3 step 4: xxh32 chained over name, filename, target (UTF-8) and u32le(line). */
export function scopeHash(name: string, filename: string, target: string, line: number): number {
  let h = xxh32(utf8.encode(name), 0);
  h = xxh32(utf8.encode(filename), h);
  h = xxh32(utf8.encode(target), h);
  lineBytes[0] = line & 0xff;
  lineBytes[1] = (line >>> 8) & 0xff;
  lineBytes[2] = (line >>> 16) & 0xff;
  lineBytes[3] = (line >>> 24) & 0xff;
  return xxh32(lineBytes, h);
}
