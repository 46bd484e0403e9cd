// Prepared-statement parameter types through a real grpc-js client: CreatePreparedStatement infers
// each placeholder's type from its context (the compared column, LIMIT), DoPut accepts values of that
// type and compatible ones (RFC 3339 text for timestamps, Int64 for Int32), and rejects the rest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import {
  Int32, Int64, Table, TimestampMillisecond, TimestampNanosecond, Utf8, makeData, makeVector, vectorFromArray, type DataType, type Vector,
} from 'apache-arrow';
import type { FlightSqlClient } from '../../flightsql/client.js';
import { schemaFromBytes } from '../../flightsql/ipc.js';
import { T0_MS, logsBody, startFixture, type FlightFixture } from './fixture.js';

let f: FlightFixture;
before(async () => {
  f = await startFixture({ bodies: [logsBody(10, 'a'), logsBody(4, 'b')] });
});
after(() => f.close());

const NS = (ms: number) => BigInt(ms) * 1_000_000n;
const paramTypes = (bytes: Buffer) => schemaFromBytes(bytes).fields.map((x) => `${x.name} ${String(x.type)}`);

/** A one-row parameter table: column `$i` of each [type, value]. */
function paramTable(...cols: [DataType, unknown][]): Table {
  const vectors: Record<string, Vector> = {};
  cols.forEach(([type, value], i) => {
    const name = `$${i + 1}`;
    if (type instanceof TimestampNanosecond || type instanceof TimestampMillisecond || type instanceof Int64) {
      vectors[name] = makeVector(makeData({ type, length: 1, nullCount: 0, data: BigInt64Array.of(value as bigint) } as never));
    }
    else if (type instanceof Int32) vectors[name] = makeVector(Int32Array.of(value as number));
    else vectors[name] = vectorFromArray([value], type);
  });
  return new Table(vectors);
}

async function execute(c: FlightSqlClient, handle: Buffer): Promise<string[]> {
  const info = await c.getFlightInfo('CommandPreparedStatementQuery', { prepared_statement_handle: handle });
  const { batches } = await c.doGet(info.endpoint[0].ticket.ticket);
  return batches.flatMap((b) => b.toArray().map((r) => String(r.msg)));
}

async function rejectsWith(p: Promise<unknown>, code: status, re: RegExp) {
  await assert.rejects(p, (e: { code: number; details: string }) => {
    assert.equal(e.code, code, `got ${e.code}: ${e.details}`);
    assert.match(e.details, re);
    return true;
  });
}

const TYPED = 'select time, level, msg from log_entries where time > $1 and level = $2 and msg like $3 order by time limit $4';

test('parameter types are inferred from context: time → Timestamp(ns, UTC), level → Int32, msg → Utf8, LIMIT → Int64, unknown → Utf8', async () => {
  const c = f.client();
  assert.deepEqual(paramTypes((await c.prepare(TYPED)).parameterSchema), [
    '$1 Timestamp<NANOSECOND, UTC>', '$2 Int32', '$3 Utf8', '$4 Int64',
  ]);
  const positional = await c.prepare('select msg from log_entries l where ? <= l.time and l.level in (?, ?) and exe = ? and upper(msg) = ?');
  assert.deepEqual(paramTypes(positional.parameterSchema), ['$1 Timestamp<NANOSECOND, UTC>', '$2 Int32', '$3 Int32', '$4 Utf8', '$5 Utf8']);
  const between = await c.prepare('select count(*) from log_entries where time between $1 and $2 offset $3');
  assert.deepEqual(paramTypes(between.parameterSchema), ['$1 Timestamp<NANOSECOND, UTC>', '$2 Timestamp<NANOSECOND, UTC>', '$3 Int64']);
  assert.deepEqual(paramTypes((await c.prepare('select $1 as x')).parameterSchema), ['$1 Utf8']);
});

test('values of the inferred types bind (timestamps keep nanoseconds) and select the same rows as literals', async () => {
  const c = f.client();
  const errorLevel = (await c.query("select level from log_entries where msg = 'message a-1'")).batches[0].toArray()[0].level as number;
  const expected = (await c.query(`select msg from log_entries where time > '2024-01-01T00:00:02Z' and level = ${errorLevel} and msg like 'message a-%' order by time limit 2`))
    .batches.flatMap((b) => b.toArray().map((r) => String(r.msg)));
  assert.deepEqual(expected, ['message a-3', 'message a-5']);
  const p = await c.prepare(TYPED);
  const handle = await c.bind(p.handle, paramTable([new TimestampNanosecond('UTC'), NS(T0_MS + 2000)], [new Int32(), errorLevel], [new Utf8(), 'message a-%'], [new Int64(), 2n]));
  assert.deepEqual(await execute(c, handle), expected);
  // one nanosecond before a row's time still selects it: the bound value is not rounded to ms
  const exact = await c.prepare('select msg from log_entries where time > $1 and msg like $2 order by time limit 1');
  const h = await c.bind(exact.handle, paramTable([new TimestampNanosecond('UTC'), NS(T0_MS + 3000) - 1n], [new Utf8(), 'message a-%']));
  assert.deepEqual(await execute(c, h), ['message a-3']);
});

test('compatible values bind too: RFC 3339 text or ms timestamps for Timestamp, Int64 for Int32 (the Arrow C++ test app)', async () => {
  const c = f.client();
  const p = await c.prepare(TYPED);
  const errorLevel = (await c.query("select level from log_entries where msg = 'message a-1'")).batches[0].toArray()[0].level as number;
  const viaText = await c.bind(p.handle, paramTable([new Utf8(), '2024-01-01T01:00:02+01:00'], [new Int64(), BigInt(errorLevel)], [new Utf8(), 'message a-%'], [new Int64(), 2n]));
  assert.deepEqual(await execute(c, viaText), ['message a-3', 'message a-5']);
  const viaMs = await c.bind(p.handle, paramTable([new TimestampMillisecond('UTC'), BigInt(T0_MS + 2000)], [new Utf8(), String(errorLevel)], [new Utf8(), 'message a-%'], [new Int32(), 2]));
  assert.deepEqual(await execute(c, viaMs), ['message a-3', 'message a-5']);
});

test('values that do not fit the inferred type are INVALID_ARGUMENT naming the parameter', async () => {
  const c = f.client();
  const p = await c.prepare(TYPED);
  const ok = (v: [DataType, unknown]) => [v, [new Int32(), 1], [new Utf8(), '%'], [new Int64(), 1n]] as [DataType, unknown][];
  await rejectsWith(c.bind(p.handle, paramTable(...ok([new Utf8(), 'yesterday']))), status.INVALID_ARGUMENT, /\$1 is Timestamp/);
  await rejectsWith(c.bind(p.handle, paramTable([new Utf8(), '2024-01-01T00:00:00Z'], [new Int64(), 2n ** 40n], [new Utf8(), '%'], [new Int64(), 1n])), status.INVALID_ARGUMENT, /\$2 is Int32/);
  await rejectsWith(c.bind(p.handle, paramTable([new Utf8(), '2024-01-01T00:00:00Z'], [new Utf8(), 'many'], [new Utf8(), '%'], [new Int64(), 1n])), status.INVALID_ARGUMENT, /\$2 is Int32/);
});
