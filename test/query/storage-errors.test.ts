// Storage failures during a query reach clients as retryable statuses, not as internal errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runQuery } from '../../query/engine.js';
import { QueryError } from '../../query/errors.js';
import { lakeTableSource } from '../../query/views/lake-source.js';
import type { Catalog } from '../../lake/types.js';
import { loadTestLake, type TestLake } from './lake-fixture.js';

let lake: TestLake;
before(async () => {
  lake = await loadTestLake();
});
after(async () => {
  await lake.close();
});

const isCode = (code: string) => (err: unknown) => err instanceof QueryError && err.code === code;

test('a catalog that cannot answer fails the query with UNAVAILABLE', async () => {
  const access = lake.lake();
  const down: Catalog = Object.create(access.catalog, {
    findSegments: { value: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:5432'); }, configurable: true },
  });
  const tables = lakeTableSource({ ...access, catalog: down });
  await assert.rejects(runQuery('SELECT count(*) FROM log_entries', { tables }), isCode('UNAVAILABLE'));
});

test('a blob the catalog lists but the store lacks fails the query with DATA_LOSS, and other views still answer', async () => {
  const access = lake.lake();
  const [seg] = await access.catalog.findSegments({ view: 'otel_spans' });
  await access.blobs.delete(seg.blob_key);
  const tables = lakeTableSource(access);
  await assert.rejects(runQuery('SELECT count(*) FROM otel_spans', { tables }), isCode('DATA_LOSS'));
  const logs = await runQuery('SELECT count(*) AS n FROM log_entries', { tables });
  assert.ok(Number(logs.batches[0].getChild('n')!.get(0)) > 0);
});
