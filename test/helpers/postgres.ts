// A fresh PostgreSQL schema per call in database `test` on loopback; drop() removes it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_BASE_URL = process.env.CONTRAIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestPgSchema {
  /** Connection URL carrying `?schema=<schema>`. */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

export async function freshPgSchema(): Promise<TestPgSchema> {
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const url = new URL(PG_BASE_URL);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: PG_BASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
