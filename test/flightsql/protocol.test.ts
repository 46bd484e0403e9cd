// Handshake and bearer auth, golden metadata schemas, SqlInfo layout, frame sizes, cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { RecordBatch, Schema, Field, Utf8, Struct, makeData, vectorFromArray } from 'apache-arrow';
import { ApiKeyRing, credentialAuthenticator } from '../../auth/index.js';
import { schemaFromBytes, batchFrames, MAX_FLIGHT_DATA_BYTES } from '../../flightsql/ipc.js';
import { packAny } from '../../flightsql/proto.js';
import type { TableProvider, TableSource } from '../../query/types.js';
import { startFixture } from './fixture.js';

const KEY = 'flight-test-key';
const keyAuth = () => credentialAuthenticator(ApiKeyRing.fromJson([{ name: 'tester', key: KEY }]), undefined);
const basic = (user: string, pass: string) => Buffer.from(`${user}:${pass}`).toString('base64');

async function code(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return status.OK;
  } catch (e) {
    return (e as { code: number }).code;
  }
}

test('with API keys: Basic handshake (padded or not) returns the bearer in the initial headers; calls need it', async () => {
  const f = await startFixture({ auth: keyAuth() });
  try {
    const c = f.client();
    const padded = await c.handshake('bob', KEY);
    assert.equal(padded.authorization, `Bearer ${KEY}`);
    assert.ok(padded.responses <= 1);
    assert.ok(basic('bob', KEY).endsWith('='), 'the fixture credential needs padding to test both forms');
    assert.equal((await c.handshake('bob', KEY, { padded: false })).authorization, `Bearer ${KEY}`);
    assert.equal(await code(c.handshake('bob', 'wrong')), status.UNAUTHENTICATED);
    assert.equal(await code(c.handshakeWith(undefined)), status.UNAUTHENTICATED);
    assert.equal(await code(c.handshakeWith(`Bearer ${KEY}`)), status.OK);
    assert.equal(await code(c.query('select 1')), status.UNAUTHENTICATED);
    assert.equal(await code(c.query('select 1', { authorization: 'Bearer nope' })), status.UNAUTHENTICATED);
    const ok = await c.query('select 1', { authorization: padded.authorization! });
    assert.equal(ok.batches[0].numRows, 1);
    assert.equal(await code(c.query('select 1', { authorization: `Basic ${basic('bob', KEY)}` })), status.OK);
  } finally {
    await f.close();
  }
});

test('with auth off: any handshake ends OK and a Basic one still returns a bearer', async () => {
  const f = await startFixture();
  try {
    const c = f.client();
    assert.equal((await c.handshake('grafana', 'pw', { padded: false })).authorization, 'Bearer anonymous');
    assert.equal(await code(c.handshakeWith(undefined)), status.OK);
    assert.equal(await code(c.query('select 1', { authorization: 'Bearer whatever' })), status.OK);
  } finally {
    await f.close();
  }
});

const GOLDEN: Record<string, [object, string[]]> = {
  CommandGetCatalogs: [{}, ['catalog_name: Utf8 not null']],
  CommandGetDbSchemas: [{}, ['catalog_name: Utf8', 'db_schema_name: Utf8 not null']],
  CommandGetTables: [{}, ['catalog_name: Utf8', 'db_schema_name: Utf8', 'table_name: Utf8 not null', 'table_type: Utf8 not null']],
  CommandGetTableTypes: [{}, ['table_type: Utf8 not null']],
  CommandGetPrimaryKeys: [{ table: 'x' }, ['catalog_name: Utf8', 'db_schema_name: Utf8', 'table_name: Utf8 not null', 'column_name: Utf8 not null', 'key_sequence: Int32 not null', 'key_name: Utf8']],
  CommandGetXdbcTypeInfo: [{}, [
    'type_name: Utf8 not null', 'data_type: Int32 not null', 'column_size: Int32', 'literal_prefix: Utf8', 'literal_suffix: Utf8', 'create_params: List<Utf8>',
    'nullable: Int32 not null', 'case_sensitive: Bool not null', 'searchable: Int32 not null', 'unsigned_attribute: Bool', 'fixed_prec_scale: Bool not null',
    'auto_increment: Bool', 'local_type_name: Utf8', 'minimum_scale: Int32', 'maximum_scale: Int32', 'sql_data_type: Int32 not null',
    'datetime_subcode: Int32', 'num_prec_radix: Int32', 'interval_precision: Int32',
  ]],
  CommandGetSqlInfo: [{}, ['info_name: Uint32 not null', 'value: Union<Utf8 | Bool | Int64 | Int32 | List<Utf8> | Map<{key:Int32, value:List<Int32>}>> not null']],
};
const KEYS = [
  'pk_catalog_name: Utf8', 'pk_db_schema_name: Utf8', 'pk_table_name: Utf8 not null', 'pk_column_name: Utf8 not null', 'fk_catalog_name: Utf8',
  'fk_db_schema_name: Utf8', 'fk_table_name: Utf8 not null', 'fk_column_name: Utf8 not null', 'key_sequence: Int32 not null', 'fk_key_name: Utf8',
  'pk_key_name: Utf8', 'update_rule: Uint8 not null', 'delete_rule: Uint8 not null',
];
GOLDEN.CommandGetExportedKeys = [{ table: '' }, KEYS];
GOLDEN.CommandGetImportedKeys = [{ table: '' }, KEYS];
GOLDEN.CommandGetCrossReference = [{ pk_table: 'a', fk_table: 'b' }, KEYS];

const describe = (s: Schema) => s.fields.map((x) => `${x.name}: ${String(x.type)}${x.nullable ? '' : ' not null'}`);

test('every metadata command answers with its exact schema in FlightInfo, GetSchema and the one DoGet batch', async () => {
  const f = await startFixture();
  try {
    const c = f.client();
    for (const [name, [cmd, golden]] of Object.entries(GOLDEN)) {
      const info = await c.getFlightInfo(name, cmd);
      assert.deepEqual(describe(schemaFromBytes(info.schema)), golden, name);
      assert.deepEqual(describe(await c.getSchema(name, cmd)), golden, name);
      const got = await c.doGet(info.endpoint[0].ticket.ticket);
      assert.deepEqual(describe(got.schema), golden, name);
      assert.ok(got.batches.length <= 1, `${name}: one batch`);
      assert.ok(got.schema.fields.every((x) => x.metadata.size === 0), `${name}: no field metadata`);
      if (name.includes('Keys') || name.includes('Cross') || name.includes('Primary') || name === 'CommandGetCatalogs') {
        assert.equal(got.batches.reduce((n, b) => n + b.numRows, 0), 0, `${name}: empty`);
      }
    }
    const withSchema = await c.getFlightInfo('CommandGetTables', { include_schema: true });
    assert.deepEqual(describe(schemaFromBytes(withSchema.schema)).at(-1), 'table_schema: Binary not null');
  } finally {
    await f.close();
  }
});

test('catalog filters: "" is the null catalog, LIKE patterns with escapes, table types case-insensitive', async () => {
  const f = await startFixture();
  try {
    const c = f.client();
    const names = async (cmd: object) => {
      const info = await c.getFlightInfo('CommandGetTables', cmd);
      const got = await c.doGet(info.endpoint[0].ticket.ticket);
      return got.batches.flatMap((b) => b.toArray().map((r) => `${r.db_schema_name}.${r.table_name}`));
    };
    assert.equal((await names({ catalog: '', db_schema_filter_pattern: '%', table_name_filter_pattern: '%' })).length, 9);
    assert.deepEqual(await names({ catalog: 'other' }), []);
    assert.deepEqual(await names({ table_name_filter_pattern: '' }), []);
    assert.deepEqual(await names({ table_name_filter_pattern: 'log\\_%' }), ['public.log_entries']);
    assert.deepEqual(await names({ table_types: ['view'] }), ['information_schema.columns', 'information_schema.tables']);
  } finally {
    await f.close();
  }
});

test('SqlInfo: ids sorted, 17 below 508 so rows 17–21 are 508–512, id 8 an int32 bitmask (ADBC)', async () => {
  const f = await startFixture();
  try {
    const c = f.client();
    const info = await c.getFlightInfo('CommandGetSqlInfo', { info: [] });
    const { batches } = await c.doGet(info.endpoint[0].ticket.ticket);
    const ids = [...batches[0].getChildAt(0)!.toArray()] as number[];
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.equal(ids.filter((id) => id < 508).length, 17);
    assert.deepEqual(ids.slice(17, 22), [508, 509, 510, 511, 512]);
    assert.ok(!ids.includes(562));
    const values = batches[0].getChildAt(1)!;
    for (let i = 17; i < 22; i++) assert.ok(Array.isArray([...(values.get(i) as Iterable<string>)]));
    const only8 = await c.getFlightInfo('CommandGetSqlInfo', { info: [8, 999] });
    const r8 = await c.doGet(only8.endpoint[0].ticket.ticket);
    assert.equal(r8.batches[0].numRows, 1);
    assert.equal((r8.batches[0].getChildAt(1)!.data[0].typeIds as Int8Array)[0], 3);
    assert.equal(r8.batches[0].getChildAt(1)!.get(0), 0);
  } finally {
    await f.close();
  }
});

test('a batch larger than 4 MiB is split by rows into frames under the limit, and a 4 MiB client reads it all', async () => {
  const big = 'x'.repeat(1000);
  const values = Array.from({ length: 12_000 }, (_, i) => `${i}:${big}`);
  const schema = new Schema([new Field('s', new Utf8(), false)]);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: values.length, nullCount: 0, children: [vectorFromArray(values, new Utf8()).data[0]] }));
  const frames = [...batchFrames(batch)];
  assert.ok(frames.length >= 3);
  assert.ok(frames.every((fr) => fr.length < MAX_FLIGHT_DATA_BYTES));
  const table: TableProvider = { schema, scan: async function* () { yield batch; } };
  const tables: TableSource = { table: (n) => (n === 'big' ? table : undefined), tableNames: () => [{ schema: 'public', name: 'big' }] };
  const f = await startFixture({ deps: { tables } });
  try {
    const { batches } = await f.client().query('select s from big');
    assert.equal(batches.reduce((n, b) => n + b.numRows, 0), 12_000);
  } finally {
    await f.close();
  }
});

test('cancelling a DoGet mid-stream stops the scan feeding it', async () => {
  let produced = 0;
  let stopped = false;
  const schema = new Schema([new Field('s', new Utf8(), false)]);
  const chunk = vectorFromArray(Array.from({ length: 2000 }, (_, i) => `row ${i} ${'y'.repeat(200)}`), new Utf8()).data[0];
  const endless: TableProvider = {
    schema,
    scan: async function* (req) {
      try {
        while (!req.signal?.aborted) {
          produced++;
          yield new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: chunk.length, nullCount: 0, children: [chunk] }));
          await new Promise((r) => setImmediate(r));
        }
      } finally {
        stopped = true;
      }
    },
  };
  const tables: TableSource = { table: (n) => (n === 'endless' ? endless : undefined), tableNames: () => [] };
  const f = await startFixture({ deps: { tables } });
  try {
    const c = f.client();
    const ticket = packAny('TicketStatementQuery', { statement_handle: Buffer.from('select s from endless') });
    let received = 0;
    await new Promise<void>((resolve) => {
      const call = c.raw.DoGet({ ticket }, c.metadata()) as unknown as NodeJS.EventEmitter & { cancel(): void };
      call.on('data', () => {
        if (++received === 5) call.cancel();
      });
      call.on('error', () => resolve());
      call.on('end', () => resolve());
    });
    const deadline = Date.now() + 3000;
    while (!stopped && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(stopped, 'the scan ended after the client cancelled');
    const at = produced;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(produced, at, 'no batch is produced after cancellation');
    assert.ok(produced < 200, `backpressure bounds the work done (${produced} batches)`);
  } finally {
    await f.close();
  }
});

test('with API keys: every RPC accepts Bearer and Basic, refuses no credentials, and never answers with an authorization header', async () => {
  const f = await startFixture({ auth: keyAuth() });
  try {
    const seen: string[] = [];
    const watch = (call: { on(e: string, cb: (x: { metadata?: grpc.Metadata } & grpc.Metadata) => void): unknown }) => {
      call.on('metadata', (m) => seen.push(...m.get('authorization').map(String)));
      call.on('status', (s) => seen.push(...(s.metadata?.get('authorization') ?? []).map(String)));
    };
    for (const authorization of [`Bearer ${KEY}`, `bearer ${KEY}`, `Basic ${basic('bob', KEY)}`]) {
      const c = f.client({ authorization });
      const cmd = packAny('CommandStatementQuery', { query: 'select 1' });
      const info = await new Promise<{ endpoint: { ticket: { ticket: Buffer } }[] }>((resolve, reject) => {
        const call = (c.raw.GetFlightInfo as (...a: unknown[]) => grpc.ClientUnaryCall)({ type: 'CMD', cmd, path: [] }, c.metadata(), (e: Error | null, v: never) => (e ? reject(e) : resolve(v)));
        watch(call as never);
      });
      const got = await c.doGet(info.endpoint[0].ticket.ticket, undefined, (call) => watch(call as never));
      assert.equal(got.batches[0].numRows, 1, authorization);
      assert.equal((await c.getSchema('CommandStatementQuery', { query: 'select 1' })).fields.length, 1);
      const p = await c.prepare('select 1');
      await c.closePrepared(p.handle);
      assert.equal(await code(c.unary('GetFlightInfo', { type: 'CMD', cmd: packAny('CommandGetTableTypes', {}), path: [] })), status.OK);
    }
    assert.deepEqual(seen, [], 'no authorization header outside Handshake');
    const anon = f.client();
    assert.equal(await code(anon.getSchema('CommandStatementQuery', { query: 'select 1' })), status.UNAUTHENTICATED);
    assert.equal(await code(anon.prepare('select 1')), status.UNAUTHENTICATED);
    assert.equal(await code(anon.doGet(packAny('TicketStatementQuery', { statement_handle: Buffer.from('select 1') }))), status.UNAUTHENTICATED);
    assert.equal(await code(anon.putParameters(Buffer.from('x'), [{ data_header: Buffer.alloc(0), data_body: Buffer.alloc(0) }])), status.UNAUTHENTICATED);
  } finally {
    await f.close();
  }
});
