// Process rows remembered across the queries of a server: a process registered between two queries
// is seen by the second (in `processes` and in the segments it makes readable), and rows already
// read are not asked of the catalog again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Utf8 } from 'apache-arrow';
import { runQuery } from '../../query/engine.js';
import { lakeTableSource } from '../../query/views/lake-source.js';
import { CatalogRows } from '../../query/views/catalog-rows.js';
import { SegmentCache } from '../../query/segment-cache.js';
import { MemoryTable } from '../../query/memory-table.js';
import type { Catalog, ProcessRow } from '../../lake/types.js';
import type { TableSource } from '../../query/types.js';
import { encodeProcessInfo } from '../helpers/native-encoder.js';
import { post } from '../ingest/harness.js';
import { renderRows } from './render.js';
import { ORPHAN_PROCESS, T, iso, loadTestLake, type TestLake } from './lake-fixture.js';

let lake: TestLake;
before(async () => {
  lake = await loadTestLake();
});
after(async () => {
  await lake.close();
});

async function rows(tables: TableSource, sql: string): Promise<string[][]> {
  return renderRows((await runQuery(sql, { tables })).batches);
}

test('one long-lived table source sees a process registered after its first queries', async () => {
  // like the Flight SQL server: one table source and one segment cache for every query
  const tables = lakeTableSource(lake.lake(new SegmentCache()), { onWarning: () => {} });
  const exesBefore = await rows(tables, 'select exe from processes order by exe');
  assert.ok(!exesBefore.some(([exe]) => exe === 'late-app'), JSON.stringify(exesBefore));
  assert.deepEqual(await rows(tables, "select count(*) from log_entries where exe = 'late-app'"), [['0']]);
  const logsBefore = Number((await rows(tables, 'select count(*) from log_entries'))[0][0]);

  const res = await post(`${lake.ingest.url}/ingestion/insert_process`, encodeProcessInfo({
    process_id: ORPHAN_PROCESS, exe: 'late-app', tsc_frequency: 1_000_000_000, start_time: iso(T), start_ticks: 0,
  }));
  assert.equal(res.status, 200);

  const exesAfter = await rows(tables, 'select exe from processes order by exe');
  assert.deepEqual(exesAfter, [...exesBefore, ['late-app']].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  assert.deepEqual(await rows(tables, `select exe from processes where process_id = '${ORPHAN_PROCESS}'`), [['late-app']]);
  assert.deepEqual(await rows(tables, "select count(*) from log_entries where exe = 'late-app'"), [['3']]);
  assert.deepEqual(await rows(tables, 'select count(*) from log_entries'), [[String(logsBefore + 3)]]);
});

function process(id: string, exe: string): ProcessRow {
  return {
    process_id: id, exe, username: 'u', realname: 'u', computer: 'c', distro: 'd', cpu_brand: 'b', tsc_frequency: 1n,
    start_time: 0n, start_ticks: 0n, parent_process_id: null, insert_time: 0n, properties: {},
  };
}

/** A catalog over a mutable process list that counts the calls it answers. */
function countingCatalog(list: ProcessRow[]): Catalog & { calls: Record<string, number> } {
  const calls: Record<string, number> = { getProcess: 0, listProcesses: 0 };
  return {
    calls,
    getProcess: async (id: string) => {
      calls.getProcess++;
      return list.find((p) => p.process_id === id);
    },
    listProcesses: async () => {
      calls.listProcesses++;
      return [...list];
    },
  } as unknown as Catalog & { calls: Record<string, number> };
}

test('a process row is asked of the catalog once; a process not registered yet is asked again', async () => {
  const list = [process('p1', 'a')];
  const catalog = countingCatalog(list);
  const known = new CatalogRows();
  assert.equal((await known.process(catalog, 'p1'))?.exe, 'a');
  assert.equal((await known.process(catalog, 'p1'))?.exe, 'a');
  assert.equal(known.knownProcess('p1')?.exe, 'a');
  assert.equal(catalog.calls.getProcess, 1);
  assert.equal(await known.process(catalog, 'p2'), undefined);
  list.push(process('p2', 'b'));
  assert.equal((await known.process(catalog, 'p2'))?.exe, 'b');
  assert.equal(catalog.calls.getProcess, 3);
});

test('the processes table is rebuilt only when the catalog lists other processes', async () => {
  const list = [process('p1', 'a')];
  const catalog = countingCatalog(list);
  const known = new CatalogRows();
  let builds = 0;
  const build = (rows: ProcessRow[]) => {
    builds++;
    return MemoryTable.fromColumns([{ name: 'exe', type: new Utf8(), values: rows.map((r) => r.exe) }]);
  };
  const first = await known.processesTable(catalog, build);
  assert.equal(await known.processesTable(catalog, build), first);
  assert.equal(builds, 1);
  list.push(process('p2', 'b'));
  const second = await known.processesTable(catalog, build);
  assert.notEqual(second, first);
  assert.equal(builds, 2);
  assert.equal(catalog.calls.listProcesses, 3); // the list is always read: it is what tells a change
  assert.equal(known.knownProcess('p2')?.exe, 'b'); // listed rows serve later scans too
});
