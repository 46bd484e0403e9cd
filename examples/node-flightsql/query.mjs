#!/usr/bin/env node
// Queries Contrail over Arrow Flight SQL with @lakehouse-rs/flight-sql-client (arrow-rs through napi)
// and prints the rows. From the repository root, with `npm start` running:
//
//   node examples/node-flightsql/query.mjs
//   node examples/node-flightsql/query.mjs "SELECT time, level, msg FROM log_entries ORDER BY time DESC LIMIT 5"
//   CONTRAIL_FLIGHT_ADDR=10.0.0.5:50051 CONTRAIL_TOKEN=ck_live_… node examples/node-flightsql/query.mjs
//
// CONTRAIL_FLIGHT_ADDR: host:port of `contrail serve --flight-addr` (default 127.0.0.1:50051).
// CONTRAIL_TOKEN: an API key or OIDC token, sent as `authorization: Bearer …` (not needed in loopback mode).
import { createFlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { DataType, tableFromIPC } from 'apache-arrow';

const DEFAULT_SQL = 'SELECT exe, count(*) AS entries, min(time) AS first, max(time) AS last FROM log_entries GROUP BY exe ORDER BY entries DESC';

const sql = process.argv[2] ?? DEFAULT_SQL;
const addr = process.env.CONTRAIL_FLIGHT_ADDR ?? '127.0.0.1:50051';
const sep = addr.lastIndexOf(':');
const host = addr.slice(0, sep).replace(/^\[(.*)\]$/, '$1');
const port = Number(addr.slice(sep + 1));

const client = await createFlightSqlClient({
  host,
  port,
  tls: false, // Contrail serves plaintext gRPC
  token: process.env.CONTRAIL_TOKEN || undefined,
  // optional extra headers (sent on every call), e.g. a time range applied to every view:
  //   { key: 'query_range_begin', value: '2026-01-01T00:00:00Z' }
  headers: [{ key: 'x-client-type', value: 'node-flightsql-example' }],
});

// query() returns the whole result as an Arrow IPC buffer; apache-arrow decodes it.
let table;
try {
  table = tableFromIPC(await client.query(sql));
} catch (err) {
  // this client reports only a summary ("failed to prepare statement"); `contrail query` shows the server's message
  console.error(`query failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}

const fields = table.schema.fields;
const show = (field, v) => {
  if (v == null) return v;
  if (DataType.isTimestamp(field.type)) return new Date(Number(v)).toISOString(); // epoch ms → ISO 8601
  return typeof v === 'bigint' ? v.toString() : v;
};
for (const row of table) {
  const r = row.toJSON();
  console.log(JSON.stringify(Object.fromEntries(fields.map((f) => [f.name, show(f, r[f.name])]))));
}
console.error(`${table.numRows} row(s): ${fields.map((f) => f.name).join(', ')}`);
