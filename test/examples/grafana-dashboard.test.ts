// Keeps examples/grafana honest: every query of the provisioned dashboard (panels and the template
// variable) is expanded the way Grafana and the FlightSQL datasource expand it (spec
// flightsql-clients.md §9), then run through GetFlightInfo + DoGet against a real Flight SQL server
// holding ingested logs, metrics and spans. Each must succeed, return rows, the expected columns, and
// only column types Grafana converts (§2.1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/repo-root.js';
import { DataType, TimeUnit, Type, type Field, type RecordBatch, type Schema } from 'apache-arrow';
import { startExampleFixture, type ExampleFixture } from './fixture.js';

const ROOT = pathToFileURL(join(REPO_ROOT, 'examples', 'grafana', 'provisioning') + '/');
const FROM_MS = Date.UTC(2023, 0, 1);
const TO_MS = FROM_MS + 600_000; // dashboard range 00:00 → 00:10
const INTERVAL_MS = 10_000; // Grafana's $__interval for that range and panel width
const N = 60; // records per signal, one a second from FROM_MS

interface Target { refId: string; queryText: string; format?: string; rawEditor?: boolean; datasource?: { type: string; uid: string } }
interface Panel { id: number; title: string; type: string; targets: Target[]; datasource?: { type: string; uid: string } }
interface Dashboard { uid: string; title: string; panels: Panel[]; templating: { list: { name: string; type: string; query: Target; datasource?: { uid: string } }[] } }

// ---- macro expansion ------------------------------------------------------------------------------

const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** Grafana's frontend: template variables ($name, ${name}), $__interval text, $__interval_ms, $__from, $__to. */
function expandFrontend(sql: string, vars: Record<string, string> = {}, range = { from: FROM_MS, to: TO_MS, intervalMs: INTERVAL_MS }): string {
  const intervalText = range.intervalMs % 60_000 === 0 ? `${range.intervalMs / 60_000}m` : range.intervalMs % 1000 === 0 ? `${range.intervalMs / 1000}s` : `${range.intervalMs}ms`;
  return sql
    .replace(/\$__interval_ms\b/g, String(range.intervalMs))
    .replace(/\$__interval\b/g, intervalText)
    .replace(/\$__from\b/g, String(range.from))
    .replace(/\$__to\b/g, String(range.to))
    .replace(/\$\{(\w+)\}|\$(?!__)(\w+)/g, (m, a: string | undefined, b: string | undefined) => {
      const name = (a ?? b)!;
      // a single string value goes in raw, quotes doubled, no surrounding quotes (§9)
      return name in vars ? vars[name].replace(/'/g, "''") : m;
    });
}

/** The datasource backend: sqlutil.Interpolate with the plugin's macro table (§9). */
function expandBackend(sql: string, range = { from: FROM_MS, to: TO_MS, intervalMs: INTERVAL_MS }): string {
  const from = rfc3339(range.from);
  const to = rfc3339(range.to);
  const interval = `interval '${Math.floor(range.intervalMs / 1000)} second'`;
  const dateBin = (col: string) => `date_bin(${interval}, ${col}, timestamp '1970-01-01T00:00:00Z')`;
  const units = ['minute', 'hour', 'day', 'month', 'year'];
  const timeGroupParts = (col: string, unit: string) => {
    const i = units.indexOf(unit);
    return i < 0 ? [] : units.slice(i).map((u) => [`datepart('${u}', ${col})`, u] as const);
  };
  const macros: Record<string, (args: string[]) => string> = {
    timeFilter: ([c]) => `${c} >= '${from}' AND ${c} <= '${to}'`,
    timeRange: ([c]) => `${c} >= '${from}' AND ${c} <= '${to}'`,
    timeRangeFrom: ([c]) => `${c} >= '${from}'`,
    timeRangeTo: ([c]) => `${c} <= '${to}'`,
    timeFrom: () => `cast('${from}' as timestamp)`,
    timeTo: () => `cast('${to}' as timestamp)`,
    interval: () => interval,
    dateBin: ([c]) => dateBin(c),
    dateBinAlias: ([c]) => `${dateBin(c)} as time_binned`,
    timeGroup: ([c, u]) => timeGroupParts(c, u).map(([e]) => e).join(','),
    timeGroupAlias: ([c, u]) => timeGroupParts(c, u).map(([e, name]) => `${e} as time_${name}`).join(','),
  };
  return sql.replace(/\$__(\w+)\b(?:\(([^)]*)\))?/g, (m, name: string, args: string | undefined) => {
    const f = macros[name];
    if (!f) return m;
    return f(args === undefined || args.trim() === '' ? [] : args.split(',').map((a) => a.trim()));
  });
}

test('the expander reproduces the plugin expansions of §9', () => {
  assert.equal(expandBackend('$__timeFilter(time)'), "time >= '2023-01-01T00:00:00Z' AND time <= '2023-01-01T00:10:00Z'");
  assert.equal(expandBackend('$__timeFrom'), "cast('2023-01-01T00:00:00Z' as timestamp)");
  assert.equal(expandBackend('$__timeTo()'), "cast('2023-01-01T00:10:00Z' as timestamp)");
  assert.equal(expandBackend('$__dateBinAlias(time)'), "date_bin(interval '10 second', time, timestamp '1970-01-01T00:00:00Z') as time_binned");
  assert.equal(expandBackend('$__timeGroup(time, hour)'), "datepart('hour', time),datepart('day', time),datepart('month', time),datepart('year', time)");
  assert.equal(expandBackend('$__timeGroupAlias(time, day)'), "datepart('day', time) as time_day,datepart('month', time) as time_month,datepart('year', time) as time_year");
  assert.equal(expandFrontend("name = '$metric' AND x = ${metric}", { metric: "it's" }), "name = 'it''s' AND x = it''s");
  assert.equal(expandFrontend("interval '$__interval' $__interval_ms"), "interval '10s' 10000");
});

// ---- the dashboard against a server -----------------------------------------------------------------

let f: ExampleFixture;
let dash: Dashboard;
before(async () => {
  dash = JSON.parse(await readFile(new URL('dashboards/contrail.json', ROOT), 'utf8')) as Dashboard;
  f = await startExampleFixture(FROM_MS, N);
});
after(() => f?.close());

function assertGrafanaType(field: Field): void {
  const t = field.type as DataType;
  const where = `${field.name}: ${String(t)}`;
  if (t.typeId === Type.Utf8 || t.typeId === Type.Bool || t.typeId === Type.Int) return;
  if (DataType.isFloat(t)) return assert.ok(t.precision !== 0, `half floats are not convertible (${where})`);
  if (DataType.isTimestamp(t)) return assert.ok(t.unit === TimeUnit.NANOSECOND && t.timezone === 'UTC', `timestamps must be (ns, "UTC") (${where})`);
  assert.fail(`Grafana cannot convert ${where}`);
}

const toRows = (batches: RecordBatch[]) => batches.flatMap((b) => b.toArray().map((r) => r.toJSON() as Record<string, unknown>));

/** Expands and runs `sql` the way the datasource does: GetFlightInfo, one endpoint, DoGet. */
async function run(sql: string, vars: Record<string, string> = {}): Promise<{ schema: Schema; rows: Record<string, unknown>[]; sql: string }> {
  const expanded = expandBackend(expandFrontend(sql, vars));
  assert.doesNotMatch(expanded, /\$/, `unexpanded macro or variable in: ${expanded}`);
  const { schema, batches, info } = await f.client({ 'x-client-type': 'grafana' }).query(expanded);
  assert.equal(info.endpoint.length, 1, 'Grafana requires exactly one endpoint');
  for (const field of schema.fields) assertGrafanaType(field);
  return { schema, rows: toRows(batches), sql: expanded };
}

const names = (s: Schema) => s.fields.map((x) => x.name);
const panelSql = (title: string) => {
  const p = dash.panels.find((x) => x.title.startsWith(title));
  assert.ok(p, `panel "${title}" exists`);
  assert.equal(p.targets.length, 1);
  return p.targets[0];
};

test('the dashboard uses the provisioned datasource and the raw-SQL query model everywhere', async () => {
  const yaml = await readFile(new URL('datasources/contrail.yaml', ROOT), 'utf8');
  assert.match(yaml, /type: influxdata-flightsql-datasource/);
  assert.match(yaml, /uid: contrail\b/);
  assert.match(yaml, /host: 127\.0\.0\.1:50051/);
  assert.match(yaml, /secure: false/);
  assert.match(yaml, /token: /);
  for (const p of dash.panels) {
    assert.equal(p.datasource?.uid, 'contrail', p.title);
    for (const t of p.targets) {
      assert.equal(t.datasource?.type, 'influxdata-flightsql-datasource', p.title);
      assert.ok(t.format === 'table' || t.format === 'time_series', `${p.title}: format ${t.format}`);
      assert.ok(t.queryText.trim().length > 0, p.title);
    }
  }
  assert.equal(dash.panels.length, 5);
  assert.equal(new Set(dash.panels.map((p) => p.id)).size, dash.panels.length, 'panel ids are unique');
});

test('health check: select 1', async () => {
  assert.equal((await run('select 1')).rows.length, 1);
});

test('template variable metric: the distinct measure names', async () => {
  const v = dash.templating.list.find((x) => x.name === 'metric');
  assert.ok(v);
  const r = await run(v.query.queryText);
  assert.deepEqual(names(r.schema), ['name']);
  assert.deepEqual(r.rows.map((x) => x.name), ['cpu.usage', 'http.requests']);
});

test('every panel query runs and returns its columns (time series: `time` first, ascending)', async () => {
  const expected: Record<string, string[]> = {
    'Log volume per minute by level': ['time', 'level', 'entries'],
    'Measure $metric': ['time', 'avg', 'max'],
    'Recent errors': ['time', 'exe', 'target', 'level', 'msg'],
    'Slowest span names': ['name', 'spans', 'avg_ms', 'max_ms'],
    'Processes': ['exe', 'computer', 'username', 'process_id', 'start_time', 'insert_time'],
  };
  assert.deepEqual(dash.panels.map((p) => Object.keys(expected).find((k) => p.title.startsWith(k))).filter(Boolean).length, dash.panels.length, 'every panel is covered');
  for (const [title, cols] of Object.entries(expected)) {
    const t = panelSql(title);
    const r = await run(t.queryText, { metric: 'cpu.usage' });
    assert.deepEqual(names(r.schema), cols, `${title}: ${r.sql}`);
    assert.ok(r.rows.length > 0, `${title} returns rows`);
    if (t.format === 'time_series') {
      assert.equal(r.schema.fields[0].name, 'time');
      assert.ok(r.rows.every((x, i) => i === 0 || Number(x.time) >= Number(r.rows[i - 1].time)), `${title}: time ascending`);
    }
  }
});

test('log volume: one minute bin, counted by level name', async () => {
  const r = await run(panelSql('Log volume').queryText);
  assert.deepEqual(r.rows.map((x) => [new Date(Number(x.time)).toISOString(), x.level, Number(x.entries)]), [
    ['2023-01-01T00:00:00.000Z', 'error', N / 2],
    ['2023-01-01T00:00:00.000Z', 'info', N / 2],
  ]);
});

test('measure panel: avg and max per $__interval bin, for each value of the variable', async () => {
  const cpu = await run(panelSql('Measure').queryText, { metric: 'cpu.usage' });
  assert.equal(cpu.rows.length, N / 10); // 10 s bins
  assert.ok(cpu.rows.every((x) => Math.abs(Number(x.avg) - 0.45) < 1e-9 && Number(x.max) === 0.9));
  const req = await run(panelSql('Measure').queryText, { metric: 'http.requests' });
  assert.equal(Number(req.rows.at(-1)!.max), N - 1);
  const none = await run(panelSql('Measure').queryText, { metric: "no'such" });
  assert.equal(none.rows.length, 0);
});

test('recent errors: only error-level records, newest first, capped', async () => {
  const r = await run(panelSql('Recent errors').queryText);
  assert.equal(r.rows.length, N / 2);
  assert.ok(r.rows.every((x) => x.level === 'error'));
  assert.ok(r.rows.every((x, i) => i === 0 || Number(x.time) <= Number(r.rows[i - 1].time)), 'newest first');
});

test('slowest span names: ordered by max duration in ms', async () => {
  const r = await run(panelSql('Slowest span names').queryText);
  assert.deepEqual(r.rows.map((x) => x.name), ['render', 'SELECT orders', 'GET /orders']);
  assert.equal(Number(r.rows[0].max_ms), N);
  assert.equal(Number(r.rows[0].spans), N / 3);
});

test('processes: one row per ingested resource', async () => {
  const r = await run(panelSql('Processes').queryText);
  assert.deepEqual(r.rows.map((x) => x.exe).sort(), ['checkout', 'svc-ex']);
});
