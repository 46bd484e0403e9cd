// §11 checklist items not covered elsewhere: error positions and query ids, raw DoGet framing, one schema
// everywhere, handle portability, header precedence, `$n` binding, early DoPut rejection, SqlInfo members.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { Message, MessageHeader, MetadataVersion, RecordBatchReader, RecordBatchStreamWriter, tableFromArrays } from 'apache-arrow';
import { startFlightSqlServer } from '../../flightsql/server.js';
import { FlightSqlClient, flightAny, ipcFrames } from '../../flightsql/client.js';
import { decodeSql, packAny } from '../../flightsql/proto.js';
import { encapsulate, schemaFromBytes } from '../../flightsql/ipc.js';
import { anonymousAuth } from '../ingest/harness.js';
import { logsBody, startFixture, type FlightFixture } from './fixture.js';

const logged: Record<string, unknown>[] = [];
let f: FlightFixture;
before(async () => {
  f = await startFixture({ bodies: [logsBody(10, 'a')], deps: { logger: (e) => logged.push(e) } });
});
after(() => f.close());

const QUERY_ID = /\[query_id=[0-9a-f-]{36}\]$/;
const A_MSGS = "select time, msg from log_entries where msg like 'message a-%' order by time";

async function failure(p: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: number; details: string };
  }
  throw new Error('expected a failure');
}

const msgs = (batches: { toArray(): { toJSON(): object }[] }[]) =>
  batches.flatMap((b) => b.toArray().map((r) => (r.toJSON() as { msg: string }).msg));

/** The raw FlightData messages of a DoGet. */
function rawDoGet(c: FlightSqlClient, ticket: Buffer, extra?: Record<string, string>): Promise<{ data_header: Buffer; data_body: Buffer; app_metadata: Buffer }[]> {
  return new Promise((resolve, reject) => {
    const call = c.raw.DoGet({ ticket }, c.metadata(extra)) as grpc.ClientReadableStream<{ data_header: Buffer; data_body: Buffer; app_metadata: Buffer }>;
    const out: { data_header: Buffer; data_body: Buffer; app_metadata: Buffer }[] = [];
    call.on('data', (m) => out.push(m));
    call.on('error', reject);
    call.on('end', () => resolve(out));
  });
}

test('SQL errors from GetFlightInfo, GetSchema, CreatePreparedStatement and DoGet carry line:column and [query_id=…]', async () => {
  const c = f.client();
  const sql = 'select msg\nfrom nope';
  const errors = [
    await failure(c.getFlightInfo('CommandStatementQuery', { query: sql })),
    await failure(c.getSchema('CommandStatementQuery', { query: sql })),
    await failure(c.prepare(sql)),
    await failure(c.doGet(packAny('TicketStatementQuery', { statement_handle: Buffer.from(sql) }))),
  ];
  for (const e of errors) {
    assert.equal(e.code, grpc.status.INVALID_ARGUMENT, e.details);
    assert.match(e.details, /line 2, column \d+/);
    assert.match(e.details, QUERY_ID);
    assert.ok(!e.details.includes('\n') && Buffer.byteLength(e.details) < 1024);
  }
  const syntax = await failure(c.getFlightInfo('CommandStatementQuery', { query: 'select msg from log_entries where' }));
  assert.match(syntax.details, /line 1, column \d+.*\[query_id=/);
});

test('an empty result streams exactly one Schema message (V5, no body, no end-of-stream), then nothing', async () => {
  const c = f.client();
  const info = await c.getFlightInfo('CommandStatementQuery', { query: "select msg from log_entries where msg = 'nothing'" });
  const frames = await rawDoGet(c, info.endpoint[0].ticket.ticket);
  assert.ok(frames.length >= 1);
  const first = Message.decode(frames[0].data_header);
  assert.equal(first.headerType, MessageHeader.Schema);
  assert.equal(first.version, MetadataVersion.V5);
  assert.equal(frames[0].data_body.length, 0);
  for (const fr of frames.slice(1)) {
    assert.ok(fr.data_header.length > 0, 'no end-of-stream marker');
    const m = Message.decode(fr.data_header);
    assert.equal(m.headerType, MessageHeader.RecordBatch);
    assert.equal(m.compression, null);
    assert.equal(fr.data_body.length % 8, 0);
    assert.equal(fr.data_body.length, Number(m.bodyLength));
  }
});

test('one schema everywhere: FlightInfo, GetSchema, dataset_schema and the DoGet stream are byte-identical, dictionaries included', async () => {
  const c = f.client();
  for (const headers of [{}, { preserve_dictionary: 'true' }] as Record<string, string>[]) {
    for (const q of ['select time, level, msg, properties, insert_time, exe from log_entries', 'select level + 1 as l, upper(msg) as m from log_entries']) {
      const info = await c.getFlightInfo('CommandStatementQuery', { query: q }, headers);
      const viaGetSchema = (await c.unary('GetSchema', { type: 'CMD', cmd: packAny('CommandStatementQuery', { query: q }), path: [] }, headers)) as { schema: Buffer };
      const prepared = await c.prepare(q, headers);
      const pinfo = await c.getFlightInfo('CommandPreparedStatementQuery', { prepared_statement_handle: prepared.handle }, headers);
      const pschema = (await c.unary('GetSchema', { type: 'CMD', cmd: packAny('CommandPreparedStatementQuery', { prepared_statement_handle: prepared.handle }), path: [] }, headers)) as { schema: Buffer };
      const streamed = await rawDoGet(c, info.endpoint[0].ticket.ticket, headers);
      const pstreamed = await rawDoGet(c, pinfo.endpoint[0].ticket.ticket, headers);
      const ref = info.schema;
      for (const other of [viaGetSchema.schema, prepared.datasetSchema, pinfo.schema, pschema.schema, encapsulate(streamed[0].data_header), encapsulate(pstreamed[0].data_header)]) {
        assert.ok(Buffer.compare(ref, other) === 0, `schema bytes differ (${JSON.stringify(headers)})`);
      }
      const schema = schemaFromBytes(ref);
      for (const x of schema.fields.filter((x) => x.name.endsWith('time'))) assert.equal(String(x.type), 'Timestamp<NANOSECOND, UTC>');
      const dictionaries = schema.fields.filter((x) => String(x.type).startsWith('Dictionary')).map((x) => x.name);
      assert.deepEqual(dictionaries, headers.preserve_dictionary && q.includes('exe') ? ['exe'] : [], 'only preserved view dictionaries');
    }
  }
});

test('prepared FlightInfo: exact schema, echoed CMD descriptor, one endpoint without location, totals -1; GetSchema answers it', async () => {
  const c = f.client();
  const p = await c.prepare('select msg from log_entries');
  assert.ok(p.results >= 1);
  const cmd = packAny('CommandPreparedStatementQuery', { prepared_statement_handle: p.handle });
  const info = (await c.unary('GetFlightInfo', { type: 'CMD', cmd, path: [] })) as { schema: Buffer; flight_descriptor: { type: string; cmd: Buffer }; endpoint: { ticket: { ticket: Buffer }; location: unknown[] }[]; total_records: string; total_bytes: string };
  assert.equal(info.flight_descriptor.type, 'CMD');
  assert.ok(Buffer.compare(info.flight_descriptor.cmd, cmd) === 0);
  assert.equal(info.endpoint.length, 1);
  assert.deepEqual(info.endpoint[0].location, []);
  assert.equal(String(info.total_records), '-1');
  assert.equal(String(info.total_bytes), '-1');
  assert.equal(flightAny(info.endpoint[0].ticket.ticket).typeUrl, 'type.googleapis.com/arrow.flight.protocol.sql.CommandPreparedStatementQuery');
  // dataset_schema is a valid IPC stream start (pyarrow.ipc.open_stream, arrow-rs try_schema_from_ipc_buffer)
  const reader = await RecordBatchReader.from(p.datasetSchema);
  await reader.open();
  assert.deepEqual(reader.schema.fields.map(String), ['msg: Utf8']);
});

test('metadata tickets are the Any-wrapped command as received, and every FlightInfo echoes a CMD descriptor', async () => {
  const c = f.client();
  const cmd = packAny('CommandGetTables', { include_schema: true, table_name_filter_pattern: 'log%' });
  const info = (await c.unary('GetFlightInfo', { type: 'CMD', cmd, path: [] })) as { flight_descriptor: { type: string; cmd: Buffer }; endpoint: { ticket: { ticket: Buffer } }[] };
  assert.equal(info.flight_descriptor.type, 'CMD');
  assert.ok(Buffer.compare(info.endpoint[0].ticket.ticket, cmd) === 0);
});

test('handles are self-contained: a ticket issued by one server is redeemed by another over the same lake', async () => {
  const c = f.client();
  const info = await c.getFlightInfo('CommandStatementQuery', { query: A_MSGS }, { limit: '3' });
  const handle = decodeSql<{ statement_handle: Buffer }>('TicketStatementQuery', flightAny(info.endpoint[0].ticket.ticket).value).statement_handle;
  assert.deepEqual([...handle.subarray(0, 6)], [0x00, 0x43, 0x54, 0x52, 0x4c, 1]);
  const other = await startFlightSqlServer('127.0.0.1:0', { catalog: f.backends.catalog, blobs: f.backends.blobs, auth: await anonymousAuth() });
  const c2 = new FlightSqlClient(`127.0.0.1:${other.port}`);
  try {
    assert.deepEqual(msgs((await c2.doGet(info.endpoint[0].ticket.ticket)).batches), ['message a-0', 'message a-1', 'message a-2']);
  } finally {
    c2.close();
    await other.close();
  }
});

test('DoGet headers override the range and limit captured in the handle', async () => {
  const c = f.client();
  const info = await c.getFlightInfo('CommandStatementQuery', { query: A_MSGS }, { limit: '5', query_range_begin: '2024-01-01T00:00:01Z' });
  const ticket = info.endpoint[0].ticket.ticket;
  assert.deepEqual(msgs((await c.doGet(ticket)).batches), ['message a-1', 'message a-2', 'message a-3', 'message a-4', 'message a-5']);
  assert.deepEqual(msgs((await c.doGet(ticket, { limit: '2' })).batches), ['message a-1', 'message a-2']);
  assert.deepEqual(msgs((await c.doGet(ticket, { query_range_begin: '2024-01-01T00:00:07Z' })).batches), ['message a-7', 'message a-8', 'message a-9']);
  // preserve_dictionary follows the handle: the stream schema stays FlightInfo's
  const streamed = await rawDoGet(c, ticket, { preserve_dictionary: 'true' });
  assert.ok(Buffer.compare(encapsulate(streamed[0].data_header), info.schema) === 0);
});

test('query_range_*: no offset is UTC, empty is absent, one bound is half-open, begin after end is INVALID_ARGUMENT', async () => {
  const c = f.client();
  const got = async (h: Record<string, string>) => msgs((await c.query(A_MSGS, h)).batches);
  assert.deepEqual(await got({ query_range_begin: '2024-01-01T00:00:08', query_range_end: '' }), ['message a-8', 'message a-9']);
  assert.deepEqual(await got({ query_range_begin: '', query_range_end: '2024-01-01T00:00:01.000000000' }), ['message a-0', 'message a-1']);
  assert.equal((await got({ query_range_begin: '', query_range_end: '' })).length, 10);
  assert.deepEqual(await got({ query_range_end: '2024-01-01T01:00:00.5+01:00' }), ['message a-0']);
  const e = await failure(c.query(A_MSGS, { query_range_begin: '2024-01-01T00:00:05Z', query_range_end: '2024-01-01T00:00:01Z' }));
  assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
  assert.match(e.details, /query_range_begin/);
});

test('limit caps without changing the schema; preserve_dictionary and unknown headers are harmless; attribution is logged decoded', async () => {
  const c = f.client();
  const base = await c.query(A_MSGS);
  const capped = await c.query(A_MSGS, { limit: '0', preserve_dictionary: 'TRUE', 'x-org-id': '7', 'bucket-name': 'b', 'x-made-up': 'y' });
  assert.equal(capped.batches.reduce((n, b) => n + b.numRows, 0), 0);
  assert.ok(Buffer.compare(capped.info.schema, base.info.schema) === 0);
  const smaller = await c.query(`${A_MSGS} limit 1`, { limit: '4' });
  assert.equal(smaller.batches.reduce((n, b) => n + b.numRows, 0), 1);
  logged.length = 0;
  await c.query('select 2', { 'x-user-name': 'J%C3%BCrgen', 'x-user-email': 'bad%zz', 'x-client-type': 'grafana', 'x-client-session': 's1' });
  const ev = logged.find((x) => x.msg === 'flight sql query' && x.sql === 'select 2');
  assert.ok(ev, 'the query is logged');
  assert.equal(ev['x-user-name'], 'Jürgen');
  assert.equal(ev['x-user-email'], 'bad%zz');
  assert.equal(ev['x-client-type'], 'grafana');
  assert.equal(ev['x-client-session'], 's1');
});

test('DoPut binds $n placeholders too and replies with one raw DoPutPreparedStatementResult', async () => {
  const c = f.client();
  const p = await c.prepare('select msg from log_entries where msg = $1 order by msg');
  assert.deepEqual(schemaFromBytes(p.parameterSchema).fields.map((x) => x.name), ['$1']);
  const frames = ipcFrames(RecordBatchStreamWriter.writeAll(tableFromArrays({ $1: ['message a-6'] })).toUint8Array(true));
  const put = await c.putParameters(p.handle, frames);
  assert.equal(put.length, 1);
  const h = decodeSql<{ prepared_statement_handle: Buffer }>('DoPutPreparedStatementResult', put[0]).prepared_statement_handle;
  const info = await c.getFlightInfo('CommandPreparedStatementQuery', { prepared_statement_handle: h });
  assert.deepEqual(msgs((await c.doGet(info.endpoint[0].ticket.ticket)).batches), ['message a-6']);
});

test('DoPut with another command is UNIMPLEMENTED on its first message, before the client half-closes', async () => {
  const c = f.client();
  const code = await new Promise<number>((resolve) => {
    const call = c.raw.DoPut(c.metadata()) as grpc.ClientDuplexStream<unknown, unknown>;
    call.on('data', () => undefined);
    call.on('error', (e: grpc.ServiceError) => resolve(e.code));
    call.on('end', () => resolve(grpc.status.OK));
    const descriptor = { type: 'CMD', cmd: packAny('CommandStatementIngest', { table: 't' }), path: [] };
    call.write({ flight_descriptor: descriptor, data_header: Buffer.alloc(0), data_body: Buffer.alloc(0) });
    // no call.end(): a client waiting for a PutResult must not deadlock
  });
  assert.equal(code, grpc.status.UNIMPLEMENTED);
});

test('SqlInfo for ADBC: ids 0–2 are string_value, 3–5 bool_value, 8 int32_bitmask', async () => {
  const c = f.client();
  const info = await c.getFlightInfo('CommandGetSqlInfo', { info: [0, 1, 2, 3, 4, 5, 8] });
  const { batches } = await c.doGet(info.endpoint[0].ticket.ticket);
  const ids = [...batches[0].getChildAt(0)!.toArray()] as number[];
  const typeIds = [...(batches[0].getChildAt(1)!.data[0].typeIds as Int8Array).subarray(0, ids.length)];
  assert.deepEqual(ids, [0, 1, 2, 3, 4, 5, 8]);
  assert.deepEqual(typeIds, [0, 0, 0, 1, 1, 1, 3]);
  assert.equal(batches[0].getChildAt(1)!.get(0), 'Contrail');
});

test('loopback servers also listen on [::1]', async (t) => {
  const c = new FlightSqlClient(`[::1]:${f.server.port}`);
  try {
    const { batches } = await c.query('select 1');
    assert.equal(batches[0].numRows, 1);
  } catch (e) {
    if ((e as { code?: number }).code === grpc.status.UNAVAILABLE) t.skip('no IPv6 loopback here');
    else throw e;
  } finally {
    c.close();
  }
});

/** Golden SqlInfo ids → union member (0 string, 1 bool, 2 bigint, 3 int32_bitmask, 4 string_list), per §5.4. */
function goldenSqlInfo(): [number, number][] {
  const S = 0, B = 1, L = 2, I = 3, SL = 4;
  const rows: [number, number][] = [
    [0, S], [1, S], [2, S], [3, B], [4, B], [5, B], [8, I], [9, B], [100, I], [500, B], [501, B], [502, B], [503, I], [504, S], [505, I],
    [506, B], [507, I], [508, SL], [509, SL], [510, SL], [511, SL], [512, SL], [513, S], [514, S], [515, B], [516, B], [518, B], [519, B],
    [520, B], [521, B], [522, I], [523, B], [524, B], [525, I], [526, I], [527, B], [528, I], [529, S], [530, S], [531, S], [532, B],
    [533, I], [534, I], [535, I], [536, B], [537, B], [538, I], [539, B], [540, I],
  ];
  for (let id = 541; id <= 561; id++) rows.push([id, id === 556 ? B : L]);
  rows.push([563, B], [564, I], [565, B], [566, B], [567, I]);
  for (let id = 572; id <= 576; id++) rows.push([id, B]);
  return rows;
}

test('SqlInfo golden: every id of §5.4 in order, each in the union member JDBC casts to', async () => {
  const c = f.client();
  const info = await c.getFlightInfo('CommandGetSqlInfo', { info: [] });
  const { batches } = await c.doGet(info.endpoint[0].ticket.ticket);
  assert.equal(batches.length, 1);
  const ids = [...batches[0].getChildAt(0)!.toArray()] as number[];
  const typeIds = [...(batches[0].getChildAt(1)!.data[0].typeIds as Int8Array).subarray(0, ids.length)];
  assert.deepEqual(ids.map((id, i) => [id, typeIds[i]]), goldenSqlInfo());
});

test('DoGet sends its response headers (x-contrail-query-id) before any data', async () => {
  const c = f.client();
  const info = await c.getFlightInfo('CommandStatementQuery', { query: 'select 1' });
  let queryId: string | undefined;
  await c.doGet(info.endpoint[0].ticket.ticket, undefined, (call) => call.on('metadata', (m: grpc.Metadata) => (queryId = String(m.get('x-contrail-query-id')[0]))));
  assert.match(queryId ?? '', /^[0-9a-f-]{36}$/);
});

test('GetTables LIKE patterns: _ matches exactly one character', async () => {
  const c = f.client();
  const names = async (pattern: string) => {
    const info = await c.getFlightInfo('CommandGetTables', { table_name_filter_pattern: pattern });
    return (await c.doGet(info.endpoint[0].ticket.ticket)).batches.flatMap((b) => b.toArray().map((r) => String(r.table_name)));
  };
  assert.deepEqual(await names('stream_'), ['streams']);
  assert.deepEqual(await names('stream__'), []);
  assert.deepEqual(await names('l_g%'), ['log_entries']);
});
