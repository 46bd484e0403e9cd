// Statements, tickets, prepared statements, headers and error codes, through real gRPC clients:
// the unmodified @lakehouse-rs/flight-sql-client (arrow-rs) and the project's grpc-js client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { Int64, RecordBatchStreamWriter, tableFromArrays, tableFromIPC } from 'apache-arrow';
import { createFlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { decodeSql, encodeSql, packAny, TYPE_URL_PREFIX } from '../../flightsql/proto.js';
import { flightAny, ipcFrames } from '../../flightsql/client.js';
import { schemaFromBytes } from '../../flightsql/ipc.js';
import { logsBody, startFixture, type FlightFixture } from './fixture.js';

let f: FlightFixture;
before(async () => {
  f = await startFixture({ bodies: [logsBody(10, 'a'), logsBody(4, 'b')] });
});
after(() => f.close());

const rows = (batches: { toArray(): { toJSON(): object }[] }[]) => batches.flatMap((b) => b.toArray().map((r) => r.toJSON() as Record<string, unknown>));

async function rejectsWith(p: Promise<unknown>, code: status, re?: RegExp) {
  await assert.rejects(p, (e: { code: number; details: string }) => {
    assert.equal(e.code, code, `got ${e.code}: ${e.details}`);
    if (re) assert.match(e.details, re);
    return true;
  });
}

test('@lakehouse-rs client: query returns the ingested rows, and the catalog getters answer', async () => {
  const c = await createFlightSqlClient({ host: '127.0.0.1', port: f.server.port, tls: false, headers: [] });
  const t = tableFromIPC(await c.query("select msg, level from log_entries where msg like 'message b-%' order by time"));
  assert.deepEqual(t.toArray().map((r) => r.msg), ['message b-0', 'message b-1', 'message b-2', 'message b-3']);
  assert.equal(tableFromIPC(await c.getCatalogs()).numRows, 0);
  assert.deepEqual(tableFromIPC(await c.getDbSchemas({})).toArray().map((r) => r.db_schema_name), ['information_schema', 'public']);
  const tables = tableFromIPC(await c.getTables({ tableTypes: ['BASE TABLE', 'table'] }));
  assert.deepEqual(tables.toArray().map((r) => r.table_name), ['blocks', 'histograms', 'log_entries', 'measures', 'otel_spans', 'processes', 'streams']);
  const withSchema = tableFromIPC(await c.getTables({ tableNameFilterPattern: 'log\\_entries', includeSchema: true }));
  assert.equal(withSchema.numRows, 1);
  const schema = schemaFromBytes(withSchema.getChild('table_schema')!.get(0) as Uint8Array);
  assert.equal(schema.fields.find((x) => x.name === 'time')!.metadata.get('ARROW:FLIGHT:SQL:TYPE_NAME'), 'TIMESTAMP');
});

test('select 1: FlightInfo has the exact schema, the echoed descriptor, one endpoint without location, totals -1', async () => {
  const c = f.client();
  const { info, schema, batches } = await c.query('select 1');
  assert.equal(info.endpoint.length, 1);
  assert.deepEqual(info.endpoint[0].location, []);
  assert.equal(String(info.total_records), '-1');
  assert.equal(String(info.total_bytes), '-1');
  assert.ok(info.flight_descriptor);
  assert.deepEqual(schemaFromBytes(info.schema).fields.map(String), schema.fields.map(String));
  assert.equal(batches.reduce((n, b) => n + b.numRows, 0), 1);
  const ticket = flightAny(info.endpoint[0].ticket.ticket);
  assert.equal(ticket.typeUrl, `${TYPE_URL_PREFIX}TicketStatementQuery`);
});

test('an empty result still streams its schema', async () => {
  const { schema, batches } = await f.client().query("select msg from log_entries where msg = 'nothing'");
  assert.deepEqual(schema.fields.map((x) => x.name), ['msg']);
  assert.equal(batches.reduce((n, b) => n + b.numRows, 0), 0);
});

test('DoGet accepts raw SQL in a TicketStatementQuery, wrapped in Any or bare, with DoGet headers applied', async () => {
  const c = f.client();
  const sql = "select count(*) as n from log_entries where msg like 'message a-%'";
  const wrapped = packAny('TicketStatementQuery', { statement_handle: Buffer.from(sql) });
  assert.equal(rows((await c.doGet(wrapped)).batches)[0].n, 10n);
  const bare = encodeSql('TicketStatementQuery', { statement_handle: Buffer.from(sql) });
  assert.equal(rows((await c.doGet(bare)).batches)[0].n, 10n);
  const ranged = await c.doGet(wrapped, { query_range_begin: '2024-01-01T00:00:02Z', query_range_end: '2024-01-01T00:00:05Z' });
  assert.equal(rows(ranged.batches)[0].n, 4n);
  await rejectsWith(c.doGet(Buffer.from('garbage ticket')), status.INVALID_ARGUMENT, /unrecognized ticket|SQL|syntax/i);
});

test('query_range_* and limit headers bound and cap the result without changing the schema', async () => {
  const c = f.client();
  const sql = "select time, msg from log_entries where msg like 'message a-%' order by time";
  const all = await c.query(sql);
  const ranged = await c.query(sql, { query_range_begin: '2024-01-01T00:00:03.5Z', query_range_end: '2024-01-01T01:00:06+01:00' });
  assert.deepEqual(rows(ranged.batches).map((r: Record<string, unknown>) => r.msg), ['message a-4', 'message a-5', 'message a-6']);
  const limited = await c.query(sql, { limit: '2', query_range_begin: '', query_range_end: '' });
  assert.equal(rows(limited.batches).length, 2);
  assert.deepEqual(limited.schema.fields.map(String), all.schema.fields.map(String));
  const attributed = await c.query('select 1', { 'x-user-name': 'J%C3%BCrgen', 'x-client-type': 'python', 'x-org-id': '1', database: 'x' });
  assert.equal(attributed.batches.length, 1);
  await rejectsWith(c.query(sql, { query_range_begin: 'yesterday' }), status.INVALID_ARGUMENT, /query_range_begin/);
  await rejectsWith(c.query(sql, { limit: '-1' }), status.INVALID_ARGUMENT, /limit/);
});

test('bad SQL and unknown tables fail in GetFlightInfo with INVALID_ARGUMENT and a query-free short message', async () => {
  const c = f.client();
  await rejectsWith(c.getFlightInfo('CommandStatementQuery', { query: 'selec 1' }), status.INVALID_ARGUMENT);
  await rejectsWith(c.getFlightInfo('CommandStatementQuery', { query: 'select * from nope' }), status.INVALID_ARGUMENT, /nope/);
  await rejectsWith(c.getFlightInfo('CommandStatementQuery', { query: 'select 1', transaction_id: Buffer.from('t') }), status.INVALID_ARGUMENT);
  await rejectsWith(c.getSchema('CommandStatementQuery', { query: 'select * from nope' }), status.INVALID_ARGUMENT);
});

test('unsupported RPCs, commands and actions are UNIMPLEMENTED', async () => {
  const c = f.client();
  await rejectsWith(c.getFlightInfo('CommandStatementUpdate', { query: 'delete from x' }), status.UNIMPLEMENTED);
  await rejectsWith(c.getFlightInfo('CommandStatementSubstraitPlan', {}), status.UNIMPLEMENTED);
  await rejectsWith(c.unary('GetFlightInfo', { type: 'PATH', path: ['x'] }), status.UNIMPLEMENTED);
  await rejectsWith(c.unary('PollFlightInfo', { type: 'CMD', cmd: packAny('CommandStatementQuery', { query: 'select 1' }) }), status.UNIMPLEMENTED);
  await rejectsWith(c.doAction('BeginTransaction', packAny('ActionBeginTransactionRequest', {})), status.UNIMPLEMENTED);
  await rejectsWith(c.putParameters(Buffer.from('x'), [{ data_header: Buffer.alloc(0), data_body: Buffer.alloc(0) }], 'CommandStatementIngest'), status.UNIMPLEMENTED);
  const actions: string[] = await new Promise((resolve, reject) => {
    const call = c.raw.ListActions({}, c.metadata()) as NodeJS.ReadableStream & { on(e: string, f: (x: never) => void): void };
    const out: string[] = [];
    call.on('data', (a: { type: string }) => out.push(a.type));
    call.on('error', reject);
    call.on('end', () => resolve(out));
  });
  assert.deepEqual(actions, ['CreatePreparedStatement', 'ClosePreparedStatement']);
});

test('prepared statements: one Any result with dataset schema and empty parameter schema; execute; close any handle', async () => {
  const c = f.client();
  const results = await c.doAction('CreatePreparedStatement', packAny('ActionCreatePreparedStatementRequest', { query: 'select msg from log_entries order by time limit 2' }));
  assert.equal(results.length, 1);
  const any = flightAny(results[0]);
  assert.equal(any.typeUrl, `${TYPE_URL_PREFIX}ActionCreatePreparedStatementResult`);
  const r = decodeSql<{ prepared_statement_handle: Buffer; dataset_schema: Buffer; parameter_schema: Buffer; is_update?: boolean }>('ActionCreatePreparedStatementResult', any.value);
  assert.equal(r.parameter_schema.length, 0);
  assert.equal(r.is_update, false);
  assert.deepEqual(schemaFromBytes(r.dataset_schema).fields.map(String), ['msg: Utf8']);
  assert.equal(r.prepared_statement_handle.subarray(0, 5).toString('latin1'), '\0CTRL');
  const info = await c.getFlightInfo('CommandPreparedStatementQuery', { prepared_statement_handle: r.prepared_statement_handle });
  const got = await c.doGet(info.endpoint[0].ticket.ticket);
  assert.deepEqual(rows(got.batches).map((x: Record<string, unknown>) => x.msg), ['message a-0', 'message b-0']);
  await c.closePrepared(r.prepared_statement_handle);
  await c.closePrepared(Buffer.from('never issued'));
  await rejectsWith(c.prepare('select * from nope'), status.INVALID_ARGUMENT);
});

test('parameter binding through DoPut: ? placeholders, new handle returned raw, binding kept under the old handle', async () => {
  const c = f.client();
  const p = await c.prepare('select msg from log_entries where msg = ? or msg = ? order by msg');
  const params = schemaFromBytes(p.parameterSchema);
  assert.deepEqual(params.fields.map((x) => x.name), ['$1', '$2']);
  await rejectsWith(c.getFlightInfo('CommandPreparedStatementQuery', { prepared_statement_handle: p.handle }), status.INVALID_ARGUMENT, /unbound/);
  const values = tableFromArrays({ $1: ['message a-3'], $2: ['message b-1'] });
  const ipc = RecordBatchStreamWriter.writeAll(values).toUint8Array(true);
  const frames = ipcFrames(ipc);
  const put = await c.putParameters(p.handle, frames);
  assert.equal(put.length, 1);
  const newHandle = decodeSql<{ prepared_statement_handle: Buffer }>('DoPutPreparedStatementResult', put[0]).prepared_statement_handle;
  for (const h of [newHandle, p.handle]) {
    const info = await c.getFlightInfo('CommandPreparedStatementQuery', { prepared_statement_handle: h });
    const got = await c.doGet(info.endpoint[0].ticket.ticket);
    assert.deepEqual(rows(got.batches).map((x: Record<string, unknown>) => x.msg), ['message a-3', 'message b-1']);
  }
  const limited = await c.prepare('select msg from log_entries order by time limit $1');
  assert.equal(String(schemaFromBytes(limited.parameterSchema).fields[0].type), String(new Int64()));
});
