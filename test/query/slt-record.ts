// Dev tool, not a test: prints slt records for the queries in a file (blank-line separated; a
// leading `rowsort ` marks rowsort). Review every printed result by hand before adding it to test/sql.
//   node --import tsx test/query/slt-record.ts queries.txt
import { readFileSync } from 'node:fs';
import { runQuery } from '../../query/engine.js';
import { renderRows } from './render.js';
import { testContext } from './fixtures.js';
const blocks = readFileSync(process.argv[2], 'utf8').split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);
for (const b of blocks) {
  if (b.startsWith('#')) { console.log(b + '\n'); continue; }
  const rowsort = b.startsWith('rowsort ');
  const sql = rowsort ? b.slice(8) : b;
  try {
    const { batches } = await runQuery(sql, testContext());
    console.log(`query${rowsort ? ' rowsort' : ''}\n${sql}\n----\n${renderRows(batches).map((r) => r.join('\t')).join('\n')}`.replace(/\n$/, '') + '\n');
  } catch (e) {
    console.log(`query error ${(e as Error).message}\n${sql}\n`);
  }
}
