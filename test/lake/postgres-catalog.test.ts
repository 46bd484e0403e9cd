import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresCatalog } from '../../lake/postgres-catalog.js';
import { freshPgSchema } from '../helpers/postgres.js';
import { catalogContract, proc } from './catalog-contract.js';

catalogContract('postgres', async () => {
  const db = await freshPgSchema();
  const catalog = await PostgresCatalog.open(db.url, { poolSize: 4 });
  const others: PostgresCatalog[] = [];
  return {
    catalog,
    async openAnother() {
      const c = await PostgresCatalog.open(db.url, { poolSize: 2 });
      others.push(c);
      return c;
    },
    async cleanup() {
      await Promise.all([catalog, ...others].map((c) => c.close()));
      await db.drop();
    },
  };
});

test('two postgres servers migrating a brand-new schema at once both succeed', async (t) => {
  const db = await freshPgSchema();
  t.after(() => db.drop());
  const a = await PostgresCatalog.open(db.url);
  const b = await PostgresCatalog.open(db.url);
  try {
    await Promise.all([a.migrate(), b.migrate()]);
    const p = proc();
    await a.record({ processes: [p], streams: [], segments: [] });
    assert.deepEqual(await b.getProcess(p.process_id), p);
  } finally {
    await a.close();
    await b.close();
  }
});

test('the schema option keeps tables in that schema and the description hides the password', async (t) => {
  const db = await freshPgSchema();
  t.after(() => db.drop());
  const url = new URL(db.url);
  url.searchParams.delete('schema');
  url.password = 'secret';
  const cat = await PostgresCatalog.open(url.toString(), { schema: db.schema });
  try {
    await cat.migrate();
    assert.doesNotMatch(cat.description, /secret/);
    assert.match(cat.description, new RegExp(`schema=${db.schema}`));
    const check = new pg.Client({ connectionString: url.toString() });
    await check.connect();
    try {
      const { rows } = await check.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
        [db.schema],
      );
      assert.deepEqual(
        rows.map((r: { table_name: string }) => r.table_name),
        ['blocks', 'processes', 'schema_migrations', 'segment_kind_spans', 'segments', 'streams'],
      );
    } finally {
      await check.end();
    }
  } finally {
    await cat.close();
  }
});

test('pg BIGINT parsing is scoped to the catalog and leaves other pg users unchanged', async (t) => {
  const db = await freshPgSchema();
  t.after(() => db.drop());
  const cat = await PostgresCatalog.open(db.url);
  await cat.close();
  const client = new pg.Client({ connectionString: db.url.replace(/\?.*$/, '') });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT 9007199254740993::bigint AS v');
    assert.equal(rows[0].v, '9007199254740993');
  } finally {
    await client.end();
  }
});
