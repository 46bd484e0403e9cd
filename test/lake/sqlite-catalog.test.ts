import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteCatalog } from '../../lake/sqlite-catalog.js';
import { catalogContract, proc } from './catalog-contract.js';

catalogContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'contrail-sqlite-'));
  const path = join(dir, 'catalog.sqlite');
  const catalog = SqliteCatalog.open(path);
  return {
    catalog,
    async openAnother() {
      return SqliteCatalog.open(path);
    },
    async cleanup() {
      await catalog.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

test('a sqlite catalog reopened from its file keeps what was recorded', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'contrail-sqlite-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'nested', 'catalog.sqlite');
  const a = SqliteCatalog.open(path);
  await a.migrate();
  const p = proc();
  await a.record({ processes: [p], streams: [], segments: [] });
  await a.close();
  const b = SqliteCatalog.open(path);
  try {
    await b.migrate();
    assert.deepEqual(await b.getProcess(p.process_id), p);
    assert.equal(b.description, `sqlite:${path}`);
  } finally {
    await b.close();
  }
});
