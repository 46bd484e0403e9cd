// §11 items that were only partly covered, through real clients: Any type URLs (2), default result
// types (9), backpressure without buffering (10), GetTables rows and table_schema (25), and the
// unmodified @lakehouse-rs/flight-sql-client on multi-batch, hydrated and >4 MiB results (38).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type * as grpc from '@grpc/grpc-js';
import { Field, RecordBatch, RecordBatchStreamWriter, Schema, Struct, Utf8, makeData, tableFromArrays, tableFromIPC, vectorFromArray } from 'apache-arrow';
import { createFlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { flightAny, ipcFrames, type FlightSqlClient } from '../../flightsql/client.js';
import { decodeSql, encodeSql, flightType, TYPE_URL_PREFIX } from '../../flightsql/proto.js';
import { schemaFromBytes } from '../../flightsql/ipc.js';
import type { TableProvider, TableSource } from '../../query/types.js';
import { logsBody, startFixture, type FlightFixture } from './fixture.js';

let f: FlightFixture;
before(async () => {
  f = await startFixture({ bodies: [logsBody(300, 'a'), logsBody(200, 'b'), logsBody(100, 'c')] });
});
after(() => f.close());

/** An Any with an arbitrary type URL (Java and Go clients may use another prefix). */
function anyWithUrl(typeUrl: string, name: string, value: object): Buffer {
  const t = flightType('FlightData').root.lookupType('google.protobuf.Any');
  return Buffer.from(t.encode({ type_url: typeUrl, value: encodeSql(name, value) }).finish());
}

const rowsOf = (batches: { toArray(): { toJSON(): object }[] }[]) => batches.flatMap((b) => b.toArray().map((r) => r.toJSON() as Record<string, unknown>));

test('item 2: commands are decoded by the name after the last "/" whatever the prefix; every Any emitted uses type.googleapis.com/arrow.flight.protocol.sql.*', async () => {
  const c = f.client();
  const sql = "select msg from log_entries where msg = 'message b-7'";
  for (const url of ['type.example.org/arrow.flight.protocol.sql.CommandStatementQuery', 'x/arrow.flight.protocol.sql.CommandStatementQuery']) {
    const info = (await c.unary('GetFlightInfo', { type: 'CMD', cmd: anyWithUrl(url, 'CommandStatementQuery', { query: sql }), path: [] })) as { endpoint: { ticket: { ticket: Buffer } }[]; schema: Buffer };
    assert.equal(flightAny(info.endpoint[0].ticket.ticket).typeUrl, `${TYPE_URL_PREFIX}TicketStatementQuery`);
    assert.deepEqual(rowsOf((await c.doGet(info.endpoint[0].ticket.ticket)).batches), [{ msg: 'message b-7' }]);
    const schema = (await c.unary('GetSchema', { type: 'CMD', cmd: anyWithUrl(url, 'CommandStatementQuery', { query: sql }), path: [] })) as { schema: Buffer };
    assert.equal(Buffer.compare(schema.schema, info.schema), 0);
  }
  const results = await c.doAction('CreatePreparedStatement', anyWithUrl('example.com/arrow.flight.protocol.sql.ActionCreatePreparedStatementRequest', 'ActionCreatePreparedStatementRequest', { query: 'select msg from log_entries where level = $1' }));
  assert.equal(results.length, 1);
  const created = flightAny(results[0]);
  assert.equal(created.typeUrl, `${TYPE_URL_PREFIX}ActionCreatePreparedStatementResult`);
  const handle = decodeSql<{ prepared_statement_handle: Buffer }>('ActionCreatePreparedStatementResult', created.value).prepared_statement_handle;
  // DoPut under a foreign prefix too; its PutResult.app_metadata is a raw DoPutPreparedStatementResult, not an Any
  const frames = ipcFrames(RecordBatchStreamWriter.writeAll(tableFromArrays({ $1: Int32Array.of(1) })).toUint8Array(true));
  const put: Buffer[] = await new Promise((resolve, reject) => {
    const call = c.raw.DoPut(c.metadata()) as grpc.ClientDuplexStream<unknown, { app_metadata: Buffer }>;
    const out: Buffer[] = [];
    call.on('data', (r) => out.push(r.app_metadata));
    call.on('error', reject);
    call.on('end', () => resolve(out));
    const descriptor = { type: 'CMD', cmd: anyWithUrl('other/arrow.flight.protocol.sql.CommandPreparedStatementQuery', 'CommandPreparedStatementQuery', { prepared_statement_handle: handle }), path: [] };
    frames.forEach((fr, i) => call.write(i === 0 ? { ...fr, flight_descriptor: descriptor } : fr));
    call.end();
  });
  assert.equal(put.length, 1);
  assert.notEqual(flightAny(put[0]).typeUrl.startsWith('type.googleapis.com/'), true, 'app_metadata is not an Any');
  const rebound = decodeSql<{ prepared_statement_handle: Buffer }>('DoPutPreparedStatementResult', put[0]).prepared_statement_handle;
  assert.equal(rebound.subarray(0, 5).toString('latin1'), '\0CTRL');
});

const ALLOWED = new Set(['Utf8', 'Int32', 'Int64', 'Uint32', 'Float64', 'Bool', 'Timestamp<NANOSECOND, UTC>']);

test('item 9: with default headers every view column and computed result is a §7.4 type; time columns are Timestamp(ns, UTC)', async () => {
  const c = f.client();
  const views = ['log_entries', 'measures', 'histograms', 'otel_spans', 'processes', 'streams', 'blocks', 'information_schema.tables', 'information_schema.columns'];
  for (const view of views) {
    const schema = await c.getSchema('CommandStatementQuery', { query: `select * from ${view}` });
    assert.ok(schema.fields.length > 0, view);
    for (const x of schema.fields) {
      const type = String(x.type);
      const ok = ALLOWED.has(type) || (view === 'histograms' && x.name.startsWith('bucket_') && type.startsWith('List<'));
      assert.ok(ok, `${view}.${x.name}: ${type}`);
      if (/(^|_)time$/.test(x.name)) assert.equal(type, 'Timestamp<NANOSECOND, UTC>', `${view}.${x.name}`);
    }
  }
  const computed = await c.query(
    "select date_bin(interval '1 minute', time) as t, count(*) as n, avg(level) as a, max(msg) as m, min(time) as first, exe from log_entries group by t, exe order by t",
  );
  assert.deepEqual(computed.schema.fields.map((x) => `${x.name} ${String(x.type)}`), [
    't Timestamp<NANOSECOND, UTC>', 'n Int64', 'a Float64', 'm Utf8', 'first Timestamp<NANOSECOND, UTC>', 'exe Utf8',
  ]);
  assert.ok(rowsOf(computed.batches).length > 0);
});

test('item 10: a client that stops reading pauses the scan (drain), and resuming delivers every row', async () => {
  const BATCHES = 400;
  const schema = new Schema([new Field('s', new Utf8(), false)]);
  const chunk = vectorFromArray(Array.from({ length: 1000 }, (_, i) => `row ${i} ${'z'.repeat(250)}`), new Utf8()).data[0];
  let produced = 0;
  const slowReader: TableProvider = {
    schema,
    scan: async function* () {
      for (let i = 0; i < BATCHES; i++) {
        produced++;
        yield new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: chunk.length, nullCount: 0, children: [chunk] }));
      }
    },
  };
  const tables: TableSource = { table: (n) => (n === 'wide' ? slowReader : undefined), tableNames: () => [] };
  const g = await startFixture({ deps: { tables } });
  try {
    const c = g.client();
    const info = await c.getFlightInfo('CommandStatementQuery', { query: 'select s from wide' });
    const call = c.raw.DoGet({ ticket: info.endpoint[0].ticket.ticket }, c.metadata()) as grpc.ClientReadableStream<{ data_body: Buffer }>;
    let messages = 0;
    const ended = new Promise<void>((resolve, reject) => {
      call.on('end', resolve);
      call.on('error', reject);
    });
    await new Promise<void>((resolve) => call.once('data', () => resolve()));
    call.pause();
    // wait until the server has stopped producing (its writes no longer drain)
    let last = -1;
    while (produced !== last) {
      last = produced;
      await new Promise((r) => setTimeout(r, 150));
    }
    assert.ok(produced < BATCHES / 2, `the scan paused while the client was not reading (${produced} of ${BATCHES} batches)`);
    call.on('data', () => messages++);
    call.resume();
    await ended;
    assert.equal(produced, BATCHES);
    assert.ok(messages >= BATCHES - 1, `every batch arrived (${messages + 1} messages)`);
  } finally {
    await g.close();
  }
});

test('item 25: GetTables lists exactly the §5.1 rows; table_schema is the default SELECT * wire schema with ARROW:FLIGHT:SQL:* metadata', async () => {
  const c = f.client();
  const info = await c.getFlightInfo('CommandGetTables', { include_schema: true });
  const { batches } = await c.doGet(info.endpoint[0].ticket.ticket);
  assert.equal(batches.length, 1, 'one batch (ADBC reads only the first)');
  const rows = rowsOf(batches);
  assert.deepEqual(rows.map((r) => [r.catalog_name, r.db_schema_name, r.table_name, r.table_type]), [
    [null, 'information_schema', 'columns', 'VIEW'],
    [null, 'information_schema', 'tables', 'VIEW'],
    [null, 'public', 'blocks', 'TABLE'],
    [null, 'public', 'histograms', 'TABLE'],
    [null, 'public', 'log_entries', 'TABLE'],
    [null, 'public', 'measures', 'TABLE'],
    [null, 'public', 'otel_spans', 'TABLE'],
    [null, 'public', 'processes', 'TABLE'],
    [null, 'public', 'streams', 'TABLE'],
  ]);
  assert.equal(String(batches[0].schema.fields[4].type), 'Binary');
  for (const r of rows) {
    const declared = schemaFromBytes(r.table_schema as Uint8Array);
    const wire = await c.getSchema('CommandStatementQuery', { query: `select * from "${String(r.db_schema_name)}"."${String(r.table_name)}"` });
    assert.deepEqual(declared.fields.map((x) => [x.name, String(x.type), x.nullable]), wire.fields.map((x) => [x.name, String(x.type), x.nullable]), String(r.table_name));
    for (const x of declared.fields) {
      const md = Object.fromEntries(x.metadata);
      assert.ok(md['ARROW:FLIGHT:SQL:TYPE_NAME'], `${String(r.table_name)}.${x.name} has a TYPE_NAME`);
      assert.equal(md['ARROW:FLIGHT:SQL:IS_READ_ONLY'], '1');
      assert.equal(md['ARROW:FLIGHT:SQL:IS_SEARCHABLE'], '1');
      assert.equal(md['ARROW:FLIGHT:SQL:IS_AUTO_INCREMENT'], '0');
      assert.equal(md['ARROW:FLIGHT:SQL:IS_CASE_SENSITIVE'], String(x.type) === 'Utf8' ? '1' : '0');
    }
  }
});

test('item 38: @lakehouse-rs reads a multi-batch SELECT * with hydrated dictionary columns, equal to the grpc-js result', async () => {
  const rs = await createFlightSqlClient({ host: '127.0.0.1', port: f.server.port, tls: false, headers: [] });
  const sql = 'select * from log_entries'; // no ORDER BY: one batch per segment
  const viaRs = tableFromIPC(await rs.query(sql));
  const viaJs = await (f.client() as FlightSqlClient).query(sql);
  assert.ok(viaJs.batches.length >= 2, `several batches (${viaJs.batches.length})`);
  assert.equal(viaRs.numRows, 600);
  assert.deepEqual(viaRs.schema.fields.map((x) => `${x.name} ${String(x.type)}`), viaJs.schema.fields.map((x) => `${x.name} ${String(x.type)}`));
  assert.ok(viaRs.schema.fields.every((x) => !String(x.type).startsWith('Dictionary')));
  const key = (r: Record<string, unknown>) => JSON.stringify([r.exe, r.msg, r.process_id, String(r.time)]);
  const js = rowsOf(viaJs.batches).map(key).sort();
  const rsRows = viaRs.toArray().map((r) => r.toJSON() as Record<string, unknown>);
  assert.deepEqual(rsRows.map(key).sort(), js);
  assert.deepEqual([...new Set(rsRows.map((r) => r.exe))].sort(), ['svc-a', 'svc-b', 'svc-c']);
});

test('item 38: @lakehouse-rs (4 MiB receive limit) reads a result whose batches exceed 4 MiB', async () => {
  const big = 'x'.repeat(1000);
  const schema = new Schema([new Field('s', new Utf8(), false)]);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 9000, nullCount: 0, children: [vectorFromArray(Array.from({ length: 9000 }, (_, i) => `${i}:${big}`), new Utf8()).data[0]] }));
  const table: TableProvider = { schema, scan: async function* () { yield batch; yield batch; } };
  const tables: TableSource = { table: (n) => (n === 'big' ? table : undefined), tableNames: () => [{ schema: 'public', name: 'big' }] };
  const g = await startFixture({ deps: { tables } });
  try {
    const rs = await createFlightSqlClient({ host: '127.0.0.1', port: g.server.port, tls: false, headers: [] });
    const t = tableFromIPC(await rs.query('select s from big'));
    assert.equal(t.numRows, 18_000);
    assert.equal(t.getChild('s')!.get(17_999), `8999:${big}`);
  } finally {
    await g.close();
  }
});
