// Predicates of a Utf8 view against a literal, evaluated on the UTF-8 bytes without decoding rows.
// Byte equality and substring search of valid UTF-8 agree with the same tests on the decoded text.
import type { Utf8View } from './utf8-view.js';

const encoder = new TextEncoder();

function equalAt(bytes: Uint8Array, at: number, needle: Uint8Array): boolean {
  for (let k = 0; k < needle.length; k++) if (bytes[at + k] !== needle[k]) return false;
  return true;
}

/** First position >= from where needle starts and ends by `end`, or -1. */
function indexIn(bytes: Uint8Array, from: number, end: number, needle: Uint8Array): number {
  if (needle.length === 0) return from;
  const first = needle[0];
  const last = end - needle.length;
  for (let p = from; p <= last; p++) if (bytes[p] === first && equalAt(bytes, p, needle)) return p;
  return -1;
}

/** 1 where the row equals `text` (per row: a length check, then a byte compare). */
export function equalsText(view: Utf8View, n: number, text: string): Uint8Array {
  const needle = encoder.encode(text);
  const { bytes, offsets } = view;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const b = offsets[i];
    if (offsets[i + 1] - b === needle.length && equalAt(bytes, b, needle)) out[i] = 1;
  }
  return out;
}

/** A case-sensitive LIKE pattern made of literal text and `%` only, as its literal pieces. */
interface LikePieces {
  readonly prefix: Uint8Array;
  readonly middle: Uint8Array[];
  readonly suffix: Uint8Array;
  /** no `%` at all: the whole value must equal prefix */
  readonly exact: boolean;
}

/** The pieces of a LIKE pattern, or undefined when it uses `_` (a character, not a byte). */
export function likePieces(pattern: string): LikePieces | undefined {
  const parts: string[] = [''];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) parts[parts.length - 1] += pattern[++i];
    else if (c === '_') return undefined;
    else if (c === '%') parts.push('');
    else parts[parts.length - 1] += c;
  }
  const enc = parts.map((p) => encoder.encode(p));
  if (enc.length === 1) return { prefix: enc[0], middle: [], suffix: new Uint8Array(0), exact: true };
  return { prefix: enc[0], middle: enc.slice(1, -1), suffix: enc[enc.length - 1], exact: false };
}

/** 1 where the row matches the pattern (leftmost matching of each piece in turn is exact for `%`). */
export function likeMatch(view: Utf8View, n: number, p: LikePieces): Uint8Array {
  const { bytes, offsets } = view;
  const out = new Uint8Array(n);
  const fixed = p.prefix.length + p.suffix.length;
  for (let i = 0; i < n; i++) {
    const b = offsets[i];
    const e = offsets[i + 1];
    const len = e - b;
    if (p.exact) {
      if (len === p.prefix.length && equalAt(bytes, b, p.prefix)) out[i] = 1;
      continue;
    }
    if (len < fixed || !equalAt(bytes, b, p.prefix) || !equalAt(bytes, e - p.suffix.length, p.suffix)) continue;
    let at = b + p.prefix.length;
    const stop = e - p.suffix.length;
    let ok = true;
    for (const piece of p.middle) {
      const found = indexIn(bytes, at, stop, piece);
      if (found < 0) {
        ok = false;
        break;
      }
      at = found + piece.length;
    }
    if (ok) out[i] = 1;
  }
  return out;
}
