// examples/node-flightsql/query.mjs, run as a child process (as a user would) against a real Flight
// SQL server holding ingested logs, metrics and spans.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/repo-root.js';
import { startExampleFixture, type ExampleFixture } from './fixture.js';

const SCRIPT = join(REPO_ROOT, 'examples', 'node-flightsql', 'query.mjs');
const CWD = REPO_ROOT;
const FROM_MS = Date.UTC(2023, 0, 1);

let f: ExampleFixture;
before(async () => {
  f = await startExampleFixture(FROM_MS, 30);
});
after(() => f?.close());

function runScript(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { cwd: CWD, env: { ...process.env, CONTRAIL_FLIGHT_ADDR: f.address, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const lines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

test('default query: log entries per process, as JSON lines, timestamps in ISO 8601', async () => {
  const r = await runScript([]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), [{ exe: 'svc-ex', entries: '30', first: '2023-01-01T00:00:00.000Z', last: '2023-01-01T00:00:29.000Z' }]);
  assert.match(r.stderr, /1 row\(s\): exe, entries, first, last/);
});

test('a query from the command line', async () => {
  const r = await runScript(["SELECT name, max(value) AS max FROM measures GROUP BY name ORDER BY name"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), [{ name: 'cpu.usage', max: 0.9 }, { name: 'http.requests', max: 29 }]);
});

test('a token is accepted (ignored in loopback mode) and a failing query exits 1 with a one-line message', async () => {
  const ok = await runScript(['SELECT count(*) AS n FROM otel_spans'], { CONTRAIL_TOKEN: 'ck_test' });
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(lines(ok.stdout), [{ n: '30' }]);
  const bad = await runScript(['SELECT nope FROM log_entries']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^query failed: /m);
});
