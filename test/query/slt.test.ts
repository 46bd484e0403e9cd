// Drives the SQL file suite (test/sql/*.slt) against the fixture tables of fixtures.ts.
//
// File format (sqllogictest-like):
//   # comment                     lines starting with # are ignored
//   query [rowsort]               a query; `rowsort` compares rows as a sorted multiset
//   SELECT …                      SQL, one or more lines
//   ----                          separator
//   1	a                          expected rows, one per line, columns separated by one TAB;
//                                 NULL for SQL NULL, (empty) for the empty string, timestamps in
//                                 RFC 3339 UTC, booleans true/false; no lines after ---- = no rows.
//                                 A blank line ends the record.
//   query error <text>            the query must fail with a QueryError whose message contains <text>
//   SELECT …                      (no ---- section)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { REPO_ROOT } from '../helpers/repo-root.js';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runQuery } from '../../query/engine.js';
import { renderRows } from './render.js';
import { testContext } from './fixtures.js';

interface Case {
  line: number;
  sql: string;
  rowsort: boolean;
  error?: string;
  expected: string[];
}

function parseSlt(file: string, text: string): Case[] {
  const lines = text.split('\n');
  const cases: Case[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    const header = /^query(?:\s+(rowsort))?(?:\s+error\s+(.*))?\s*$/.exec(line);
    if (!header) throw new Error(`${file}:${i + 1}: expected 'query', got ${JSON.stringify(line)}`);
    const c: Case = { line: i + 1, sql: '', rowsort: header[1] === 'rowsort', error: header[2], expected: [] };
    i++;
    const sql: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && lines[i] !== '----') sql.push(lines[i++]);
    c.sql = sql.join('\n');
    if (lines[i] === '----') {
      i++;
      while (i < lines.length && lines[i].trim() !== '') c.expected.push(lines[i++]);
    }
    cases.push(c);
  }
  return cases;
}

const dir = join(REPO_ROOT, 'test', 'sql');
const files = readdirSync(dir).filter((f) => f.endsWith('.slt')).sort();

for (const file of files) {
  const cases = parseSlt(file, readFileSync(join(dir, file), 'utf8'));
  test(`${file} (${cases.length} cases)`, async (t) => {
    for (const c of cases) {
      await t.test(`${file}:${c.line} ${c.sql.replace(/\s+/g, ' ').slice(0, 90)}`, async () => {
        const ctx = testContext();
        if (c.error !== undefined) {
          await assert.rejects(runQuery(c.sql, ctx), (e: Error) => {
            assert.equal(e.name, 'QueryError', `expected a QueryError, got ${e.name}: ${e.message}`);
            assert.ok(e.message.includes(c.error!), `error "${e.message}" does not contain "${c.error}"`);
            return true;
          });
          return;
        }
        const { batches } = await runQuery(c.sql, ctx);
        let actual = renderRows(batches).map((r) => r.join('\t'));
        let expected = c.expected;
        if (c.rowsort) {
          actual = [...actual].sort();
          expected = [...expected].sort();
        }
        assert.deepEqual(actual, expected);
      });
    }
  });
}
