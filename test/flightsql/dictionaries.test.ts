// preserve_dictionary end to end: view columns the decoders hold dictionary-encoded reach a client as
// Dictionary(Int32, Utf8) with one full, non-delta dictionary per record batch; without the header
// every string column is plain Utf8. Read with the grpc-js client (arrow-js IPC stream reader).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type * as grpc from '@grpc/grpc-js';
import { DataType, Message, MessageHeader, type Schema } from 'apache-arrow';
import type { FlightSqlClient } from '../../flightsql/client.js';
import { packAny } from '../../flightsql/proto.js';
import { schemaFromBytes } from '../../flightsql/ipc.js';
import { logsBody, startFixture, type FlightFixture } from './fixture.js';

let f: FlightFixture;
before(async () => {
  // two services: two segments, so two batches with different dictionaries
  f = await startFixture({ bodies: [logsBody(6, 'a'), logsBody(4, 'b')] });
});
after(() => f.close());

const SQL = 'select exe, process_id, target, msg, level from log_entries';
const PRESERVE = { preserve_dictionary: 'true' };

const typesOf = (s: Schema) => Object.fromEntries(s.fields.map((x) => [x.name, String(x.type)]));
const sortedRows = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();

async function rows(c: FlightSqlClient, sql: string, headers?: Record<string, string>) {
  const { schema, batches } = await c.query(sql, headers);
  return { schema, rows: batches.flatMap((b) => b.toArray().map((r) => ({ ...(r.toJSON() as Record<string, unknown>) }))), batches };
}

function rawDoGet(c: FlightSqlClient, ticket: Buffer, extra?: Record<string, string>): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    const call = c.raw.DoGet({ ticket }, c.metadata(extra)) as grpc.ClientReadableStream<{ data_header: Buffer }>;
    const out: Message[] = [];
    call.on('data', (m) => out.push(Message.decode(m.data_header)));
    call.on('error', reject);
    call.on('end', () => resolve(out));
  });
}

test('preserve_dictionary: true streams the dictionary-encoded view columns as Dictionary(Int32, Utf8) with the same values', async () => {
  const c = f.client();
  const plain = await rows(c, SQL);
  const kept = await rows(c, SQL, PRESERVE);
  assert.deepEqual(typesOf(plain.schema), { exe: 'Utf8', process_id: 'Utf8', target: 'Utf8', msg: 'Utf8', level: 'Int32' });
  assert.deepEqual(typesOf(kept.schema), {
    exe: 'Dictionary<Int32, Utf8>', process_id: 'Dictionary<Int32, Utf8>', target: 'Dictionary<Int32, Utf8>', msg: 'Utf8', level: 'Int32',
  });
  assert.equal(kept.rows.length, 10);
  assert.deepEqual(sortedRows(kept.rows), sortedRows(plain.rows));
  assert.deepEqual([...new Set(kept.rows.map((r) => r.exe))].sort(), ['svc-a', 'svc-b']);
  for (const b of kept.batches) assert.ok(DataType.isDictionary(b.schema.fields[0].type) && b.getChildAt(0)!.data[0].dictionary);
});

test('each record batch is preceded by one full (isDelta = false) DictionaryBatch per dictionary column, under the schema ids', async () => {
  const c = f.client();
  const info = await c.getFlightInfo('CommandStatementQuery', { query: SQL }, PRESERVE);
  const schema = schemaFromBytes(info.schema);
  const ids = schema.fields.filter((x) => DataType.isDictionary(x.type)).map((x) => (x.type as { id: number }).id).sort();
  assert.equal(ids.length, 3);
  assert.equal(new Set(ids).size, 3, 'one dictionary id per column');
  const messages = await rawDoGet(c, info.endpoint[0].ticket.ticket, PRESERVE);
  assert.equal(messages[0].headerType, MessageHeader.Schema);
  let pending: number[] = [];
  let batches = 0;
  for (const m of messages.slice(1)) {
    if (m.headerType === MessageHeader.DictionaryBatch) {
      const d = m.header() as unknown as { id: number | bigint; isDelta: boolean };
      assert.equal(d.isDelta, false, 'never a delta dictionary');
      pending.push(Number(d.id));
    } else {
      assert.equal(m.headerType, MessageHeader.RecordBatch);
      assert.deepEqual(pending.sort(), ids, 'every dictionary precedes each batch');
      pending = [];
      batches++;
    }
  }
  assert.ok(batches >= 2, `expected a batch per segment, got ${batches}`);
});

test('preserve_dictionary keeps one schema everywhere, and computed or plain string columns stay Utf8', async () => {
  const c = f.client();
  const q = "select exe, upper(exe) as loud, msg, exe || '!' as bang from log_entries where level > 0 order by msg";
  const info = await c.getFlightInfo('CommandStatementQuery', { query: q }, PRESERVE);
  const viaGetSchema = (await c.unary('GetSchema', { type: 'CMD', cmd: packAny('CommandStatementQuery', { query: q }), path: [] }, PRESERVE)) as { schema: Buffer };
  const prepared = await c.prepare(q, PRESERVE);
  assert.equal(Buffer.compare(info.schema, viaGetSchema.schema), 0);
  assert.equal(Buffer.compare(info.schema, prepared.datasetSchema), 0);
  assert.deepEqual(typesOf(schemaFromBytes(info.schema)), { exe: 'Dictionary<Int32, Utf8>', loud: 'Utf8', msg: 'Utf8', bang: 'Utf8' });
  const got = await c.doGet(info.endpoint[0].ticket.ticket);
  const values = got.batches.flatMap((b) => b.toArray().map((r) => [r.exe, r.loud, r.msg]));
  assert.equal(values.length, 10);
  for (const [exe, loud, msg] of values) {
    assert.equal(loud, String(exe).toUpperCase());
    assert.ok(String(msg).startsWith(`message ${String(exe).slice(4)}-`), `${exe} / ${msg}`);
  }
  // a raw-SQL ticket takes preserve_dictionary from the DoGet headers
  const raw = await c.doGet(packAny('TicketStatementQuery', { statement_handle: Buffer.from(SQL) }), PRESERVE);
  assert.equal(String(raw.schema.fields[0].type), 'Dictionary<Int32, Utf8>');
});
