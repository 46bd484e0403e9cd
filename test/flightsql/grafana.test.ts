// Grafana's FlightSQL datasource (spec flightsql-clients.md §9): every macro expansion, written exactly
// as the plugin emits it for the range 2023-01-01T00:00:00Z → 2023-01-01T00:10:00Z and interval 10 s,
// runs through GetFlightInfo + DoGet over ingested logs, and every result column has a type Grafana
// converts (§2.1) within the default result types (§7.4).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, Type, TimeUnit, type Field, type RecordBatch, type Schema } from 'apache-arrow';
import { logsBody, startFixture, type FlightFixture } from './fixture.js';

const FROM = Date.UTC(2023, 0, 1);
const IN_RANGE = 30; // one record a second from FROM: three 10 s bins
const LATE = 5; // an hour later, outside the dashboard range

let f: FlightFixture;
before(async () => {
  f = await startFixture({ bodies: [logsBody(IN_RANGE, 'g', FROM), logsBody(LATE, 'late', FROM + 3_600_000)] });
});
after(() => f.close());

const rows = (batches: RecordBatch[]) => batches.flatMap((b) => b.toArray().map((r) => r.toJSON() as Record<string, unknown>));

/** Grafana converts these Arrow types (§2.1); §7.4 further pins timestamps to (ns, "UTC"). */
function assertGrafanaType(field: Field): void {
  const t = field.type as DataType;
  const where = `${field.name}: ${String(t)}`;
  switch (t.typeId) {
    case Type.Utf8:
    case Type.Bool:
    case Type.Int:
      return;
    case Type.Float:
      assert.ok(DataType.isFloat(t) && t.precision !== 0, `half floats are not convertible (${where})`);
      return;
    case Type.Timestamp:
      assert.ok(DataType.isTimestamp(t) && t.unit === TimeUnit.NANOSECOND && t.timezone === 'UTC', `timestamps must be (ns, "UTC") (${where})`);
      return;
    default:
      assert.fail(`Grafana cannot convert ${where}`);
  }
}

/** Runs `sql` the way the datasource does and checks every column's type. */
async function grafanaQuery(sql: string): Promise<{ schema: Schema; rows: Record<string, unknown>[] }> {
  const { schema, batches, info } = await f.client().query(sql);
  assert.equal(info.endpoint.length, 1, 'Grafana requires exactly one endpoint');
  for (const field of schema.fields) assertGrafanaType(field);
  return { schema, rows: rows(batches) };
}

const ms = (v: unknown) => Number(v); // timestamps come back as epoch milliseconds
const iso = (v: unknown) => new Date(ms(v)).toISOString();

// The exact expansions of §9 (current plugin macro table).
const TIME_FILTER = "time >= '2023-01-01T00:00:00Z' AND time <= '2023-01-01T00:10:00Z'";
const TIME_RANGE_FROM = "time >= '2023-01-01T00:00:00Z'";
const TIME_RANGE_TO = "time <= '2023-01-01T00:10:00Z'";
const TIME_FROM = "cast('2023-01-01T00:00:00Z' as timestamp)";
const TIME_TO = "cast('2023-01-01T00:10:00Z' as timestamp)";
const INTERVAL = "interval '10 second'";
const DATE_BIN = `date_bin(${INTERVAL}, time, timestamp '1970-01-01T00:00:00Z')`;
const TIME_GROUP_HOUR = "datepart('hour', time),datepart('day', time),datepart('month', time),datepart('year', time)";
const TIME_GROUP_MINUTE = `datepart('minute', time),${TIME_GROUP_HOUR}`;
const TIME_GROUP_DAY = "datepart('day', time),datepart('month', time),datepart('year', time)";
const TIME_GROUP_ALIAS_MINUTE = "datepart('minute', time) as time_minute,datepart('hour', time) as time_hour,datepart('day', time) as time_day,datepart('month', time) as time_month,datepart('year', time) as time_year";
// Older plugin versions (SDK defaults only).
const OLD_TIME_FROM = "time >= '2023-01-01T00:00:00Z'";
const OLD_TIME_TO = "time <= '2023-01-01T00:10:00Z'";
const OLD_TIME_GROUP_MINUTE = 'datepart(minute, time),datepart(hour, time),datepart(day, time),datepart(month, time),datepart(year, time)';

test('health check: select 1 returns one numeric row', async () => {
  const r = await grafanaQuery('select 1');
  assert.equal(r.rows.length, 1);
});

test('$__timeFilter / $__timeRange: both ends inclusive, only the dashboard range', async () => {
  const r = await grafanaQuery(`select time, msg, level from log_entries where ${TIME_FILTER} order by time`);
  assert.equal(r.rows.length, IN_RANGE);
  assert.equal(r.schema.fields[0].name, 'time');
  assert.equal(iso(r.rows[0].time), '2023-01-01T00:00:00.000Z');
  assert.ok(r.rows.every((x, i) => i === 0 || ms(x.time) >= ms(r.rows[i - 1].time)), 'time ascending');
});

test('$__timeRangeFrom and $__timeRangeTo bound one side each', async () => {
  assert.equal((await grafanaQuery(`select time from log_entries where ${TIME_RANGE_FROM}`)).rows.length, IN_RANGE + LATE);
  assert.equal((await grafanaQuery(`select time from log_entries where ${TIME_RANGE_TO}`)).rows.length, IN_RANGE);
});

test('$__timeFrom / $__timeTo: cast(... as timestamp) compares and selects as Timestamp(ns, UTC)', async () => {
  const r = await grafanaQuery(`select time from log_entries where time >= ${TIME_FROM} and time <= ${TIME_TO}`);
  assert.equal(r.rows.length, IN_RANGE);
  const s = await grafanaQuery(`select ${TIME_FROM} as time_from, ${TIME_TO} as time_to`);
  assert.equal(iso(s.rows[0].time_from), '2023-01-01T00:00:00.000Z');
  assert.equal(iso(s.rows[0].time_to), '2023-01-01T00:10:00.000Z');
});

test('$__timeFrom with an offset literal is that UTC instant', async () => {
  const s = await grafanaQuery("select cast('2023-01-01T02:00:00+02:00' as timestamp) as t");
  assert.equal(iso(s.rows[0].t), '2023-01-01T00:00:00.000Z');
});

test('$__dateBin with $__interval: a time series of 10 s bins, ascending', async () => {
  const r = await grafanaQuery(`select ${DATE_BIN} as time, count(*) as n from log_entries where ${TIME_FILTER} group by 1 order by 1`);
  assert.deepEqual(r.rows.map((x) => iso(x.time)), ['2023-01-01T00:00:00.000Z', '2023-01-01T00:00:10.000Z', '2023-01-01T00:00:20.000Z']);
  assert.deepEqual(r.rows.map((x) => Number(x.n)), [10, 10, 10]);
});

test('$__dateBinAlias: the bin named time_binned, grouped and ordered by its alias', async () => {
  const r = await grafanaQuery(`select ${DATE_BIN} as time_binned, count(*) as n from log_entries where ${TIME_FILTER} group by time_binned order by time_binned`);
  assert.equal(r.rows.length, 3);
  assert.equal(r.schema.fields[0].name, 'time_binned');
});

test("sub-second dashboards: date_bin(interval '0 second', …) returns time unchanged", async () => {
  const r = await grafanaQuery(`select time, date_bin(interval '0 second', time, timestamp '1970-01-01T00:00:00Z') as b from log_entries where ${TIME_FILTER} order by time`);
  assert.equal(r.rows.length, IN_RANGE);
  assert.ok(r.rows.every((x) => ms(x.b) === ms(x.time)));
});

for (const [text, width] of [["'10s'", 10_000], ["'1m'", 60_000], ["'500ms'", 500], ["'1h'", 3_600_000], ["'1d'", 86_400_000], ["'1 minute'", 60_000], ["'2 hours'", 7_200_000]] as const) {
  test(`interval ${text} (frontend $__interval inside quotes, or plural / word units) bins by ${width} ms`, async () => {
    const r = await grafanaQuery(`select date_bin(INTERVAL ${text}, time, timestamp '1970-01-01T00:00:00Z') as time, count(*) as n from log_entries where ${TIME_FILTER} group by 1 order by 1`);
    assert.ok(r.rows.length >= 1);
    assert.ok(r.rows.every((x) => ms(x.time) % width === 0), `bins aligned to ${width} ms`);
    assert.equal(r.rows.reduce((n, x) => n + Number(x.n), 0), IN_RANGE);
  });
}

test('$__timeGroup(time, hour) in SELECT and GROUP BY', async () => {
  const r = await grafanaQuery(`select ${TIME_GROUP_HOUR}, count(*) as n from log_entries where ${TIME_FILTER} group by ${TIME_GROUP_HOUR}`);
  assert.equal(r.rows.length, 1);
  assert.equal(Number(Object.values(r.rows[0]).at(-1)), IN_RANGE);
});

test('$__timeGroup(time, minute) prepends the minute; $__timeGroup(time, day) starts at the day', async () => {
  const m = await grafanaQuery(`select ${TIME_GROUP_MINUTE}, count(*) as n from log_entries group by ${TIME_GROUP_MINUTE}`);
  assert.equal(m.rows.length, 2); // minute 0 of hour 0, minute 0 of hour 1
  const d = await grafanaQuery(`select ${TIME_GROUP_DAY}, count(*) as n from log_entries group by ${TIME_GROUP_DAY}`);
  assert.equal(d.rows.length, 1);
});

test('$__timeGroupAlias(time, minute): aliased parts, grouped and ordered by alias', async () => {
  const r = await grafanaQuery(`select ${TIME_GROUP_ALIAS_MINUTE}, count(*) as n from log_entries where ${TIME_FILTER} group by time_minute, time_hour, time_day, time_month, time_year order by time_year, time_month, time_day, time_hour, time_minute`);
  assert.deepEqual(r.schema.fields.map((x) => x.name), ['time_minute', 'time_hour', 'time_day', 'time_month', 'time_year', 'n']);
  assert.deepEqual(r.rows.map((x) => [Number(x.time_minute), Number(x.time_hour), Number(x.time_day), Number(x.time_month), Number(x.time_year), Number(x.n)]), [[0, 0, 1, 1, 2023, IN_RANGE]]);
});

test('older plugins: $__timeFrom(time) / $__timeTo(time) comparisons', async () => {
  const r = await grafanaQuery(`select time from log_entries where ${OLD_TIME_FROM} and ${OLD_TIME_TO}`);
  assert.equal(r.rows.length, IN_RANGE);
});

test('older plugins: $__timeGroup with unquoted units (no column of that name in scope)', async () => {
  const r = await grafanaQuery(`select ${OLD_TIME_GROUP_MINUTE}, count(*) as n from log_entries where ${TIME_FILTER} group by ${OLD_TIME_GROUP_MINUTE}`);
  assert.equal(r.rows.length, 1);
});

test('date_part with a quoted unit is accepted like datepart', async () => {
  const r = await grafanaQuery(`select date_part('second', time) as s from log_entries where ${TIME_FILTER} order by time limit 3`);
  assert.deepEqual(r.rows.map((x) => Number(x.s)), [0, 1, 2]);
});

test('$__from / $__to (epoch ms) through to_timestamp_millis', async () => {
  const r = await grafanaQuery(`select time from log_entries where time >= to_timestamp_millis(${FROM}) and time <= to_timestamp_millis(${FROM + 600_000})`);
  assert.equal(r.rows.length, IN_RANGE);
});

test('template variables: multi-value IN list, single raw value, $__interval_ms integer', async () => {
  const r = await grafanaQuery(`select msg from log_entries where msg IN ('message g-0','message g-1','it''s') and ${TIME_FILTER} order by msg`);
  assert.deepEqual(r.rows.map((x) => x.msg), ['message g-0', 'message g-1']);
  const single = await grafanaQuery(`select count(*) as n from log_entries where msg like 'message g-1%' and 10000 = 10000`);
  assert.equal(Number(single.rows[0].n), 11); // g-1, g-10 … g-19
});

test('builder SQL: double-quoted names, public.<view>, ORDER BY ordinal, LIMIT', async () => {
  const r = await grafanaQuery(`SELECT "time", "msg" FROM "public"."log_entries" WHERE ${TIME_FILTER} ORDER BY 1 LIMIT 5`);
  assert.equal(r.rows.length, 5);
  const p = await grafanaQuery(`SELECT time, level FROM public.log_entries WHERE ${TIME_FILTER} ORDER BY time DESC LIMIT 2`);
  assert.equal(iso(p.rows[0].time), '2023-01-01T00:00:29.000Z');
});
