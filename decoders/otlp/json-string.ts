// JSON string unescaping shared by the OTLP/JSON index scanner and the JSON segment transcoder.
import { decodeUtf8 } from '../protowire.js';

/** Value of a hex digit (either case), or -1. */
export function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Decodes a JSON string from byte `p` on (inside the quotes), `out` being what was decoded before `p`
 * and `start` the byte after the opening quote. Returns the string and the position after the
 * closing quote; malformed text calls `fail(reason, byteOffset)`.
 */
export function decodeJsonStringFrom(
  buf: Uint8Array,
  start: number,
  p: number,
  out: string,
  fail: (reason: string, at: number) => never,
): [string, number] {
  let run = p;
  for (;;) {
    if (p >= buf.length) fail('unterminated string', start - 1);
    const c = buf[p];
    if (c === 0x22) return [out + decodeUtf8(buf, run, p), p + 1];
    if (c < 0x20) fail('control character in string', p);
    if (c !== 0x5c) {
      p++;
      continue;
    }
    out += decodeUtf8(buf, run, p);
    const e = buf[p + 1];
    p += 2;
    switch (e) {
      case 0x22: out += '"'; break;
      case 0x5c: out += '\\'; break;
      case 0x2f: out += '/'; break;
      case 0x62: out += '\b'; break;
      case 0x66: out += '\f'; break;
      case 0x6e: out += '\n'; break;
      case 0x72: out += '\r'; break;
      case 0x74: out += '\t'; break;
      case 0x75: {
        let code = 0;
        for (let i = 0; i < 4; i++) {
          const h = hexDigit(buf[p + i]);
          if (h < 0) fail('invalid \\u escape', p - 2);
          code = code * 16 + h;
        }
        p += 4;
        out += String.fromCharCode(code);
        break;
      }
      default:
        fail('invalid escape', p - 2);
    }
    run = p;
  }
}
