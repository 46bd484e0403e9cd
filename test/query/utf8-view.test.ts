// Byte-level Utf8 columns: what filters, takes and the Arrow output rely on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrowBuffers, concatViews, decodeView, gatherView, sliceView, type Utf8View } from '../../query/exec/utf8-view.js';
import { equalsText, likeMatch, likePieces } from '../../query/exec/utf8-match.js';

const enc = new TextEncoder();

/** A view whose offsets do not start at 0, as when a scan hands over a sliced Arrow column. */
function viewOf(rows: string[], lead = 'zz'): Utf8View {
  const parts = [lead, ...rows].map((s) => enc.encode(s));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  const offsets = new Int32Array(rows.length + 1);
  let at = parts[0].length;
  bytes.set(parts[0], 0);
  offsets[0] = at;
  rows.forEach((_, i) => {
    bytes.set(parts[i + 1], at);
    at += parts[i + 1].length;
    offsets[i + 1] = at;
  });
  return { bytes, offsets };
}

const ROWS = ['GET /', 'héllo wörld', '', 'grüße 👋 aus Köln', 'GET /health', '%_literal', 'wörld'];

function likeRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'u');
}

test('byte-level LIKE gives the same answers as character-level matching, multibyte text included', () => {
  const view = viewOf(ROWS);
  for (const pattern of ['GET%', '%health', '%wörld', 'h%o%d', '%👋%', '', '%', 'wörld', '\\%\\_literal', '%ö%ö%', 'x%']) {
    const pieces = likePieces(pattern);
    assert.ok(pieces, pattern);
    const got = Array.from(likeMatch(view, ROWS.length, pieces), (b) => b === 1);
    assert.deepEqual(got, ROWS.map((r) => likeRegex(pattern).test(r)), pattern);
  }
});

test('a LIKE pattern with _ is left to character-level matching (an underscore is a character, not a byte)', () => {
  assert.equal(likePieces('w_rld'), undefined);
});

test('equality against a literal compares bytes', () => {
  const view = viewOf(ROWS);
  assert.deepEqual(Array.from(equalsText(view, ROWS.length, 'wörld')), [0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(Array.from(equalsText(view, ROWS.length, '')), [0, 0, 1, 0, 0, 0, 0]);
});

test('gather, slice and concat keep every row intact, and the Arrow buffers start at offset 0', () => {
  const view = viewOf(ROWS);
  const gathered = gatherView(view, [6, 1, 2, 3, 3, 0]);
  assert.deepEqual(decodeView(gathered, 6), ['wörld', 'héllo wörld', '', 'grüße 👋 aus Köln', 'grüße 👋 aus Köln', 'GET /']);
  const sliced = sliceView(view, 3, 5);
  assert.deepEqual(decodeView(sliced, 2), ['grüße 👋 aus Köln', 'GET /health']);
  const joined = concatViews([{ view: sliced, length: 2 }, { view: gathered, length: 1 }]);
  assert.deepEqual(decodeView(joined, 3), ['grüße 👋 aus Köln', 'GET /health', 'wörld']);
  const { valueOffsets, data } = arrowBuffers(sliced, 2);
  assert.equal(valueOffsets[0], 0);
  const dec = new TextDecoder();
  assert.equal(dec.decode(data.subarray(valueOffsets[0], valueOffsets[1])), 'grüße 👋 aus Köln');
  assert.equal(dec.decode(data.subarray(valueOffsets[1], valueOffsets[2])), 'GET /health');
});
