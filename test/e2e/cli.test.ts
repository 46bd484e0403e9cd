// The `contrail` command as a user runs it: help, version, flag/env errors, the loopback-only rule,
// graceful SIGTERM with a request in flight, and data that survives a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, startServer, removeDir, makeTempDir, REPO_ROOT } from './helpers/server.js';
import { openLake } from './helpers/lake.js';
import { makeLogsRequest } from '../../bench/otlp-payloads.js';

const SERVE_FLAGS = [
  'data-dir', 'http-addr', 'otlp-grpc-addr', 'flight-addr', 'catalog', 'blobs', 's3-endpoint', 's3-region',
  'api-keys-file', 'oidc-issuer', 'oidc-audience', 'insecure-no-auth', 'cors-origins', 'max-body-bytes', 'log-level',
];

const LOGS_JSON = JSON.stringify({
  resourceLogs: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cli-test' } }] },
      scopeLogs: [{ logRecords: [{ timeUnixNano: '1750000000000000000', severityNumber: 9, body: { stringValue: 'hello' } }] }],
    },
  ],
});

test('contrail serve --help documents every flag, its CONTRAIL_* env twin and its default', async () => {
  const r = await runCli(['serve', '--help']);
  assert.equal(r.code, 0);
  for (const f of SERVE_FLAGS) {
    assert.match(r.stdout, new RegExp(`--${f}\\b`), `--${f} documented`);
    assert.ok(r.stdout.includes(`CONTRAIL_${f.toUpperCase().replace(/-/g, '_')}`), `env twin of --${f} documented`);
  }
  for (const d of ['./contrail-data', '127.0.0.1:9000', '127.0.0.1:4317', '127.0.0.1:50051']) assert.ok(r.stdout.includes(d), `default ${d}`);
});

test('contrail --help names the verbs and says which are not available yet; --version prints the package version; query reports an unreachable server', async () => {
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /contrail serve/);
  assert.match(help.stdout, /query[\s\S]*ingest/);
  assert.match(help.stdout, /not available yet/i);
  const version = await runCli(['--version']);
  assert.equal(version.code, 0);
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(version.stdout.trim(), `contrail ${pkg.version}`);
  const ingest = await runCli(['ingest', 'file.pb']);
  assert.equal(ingest.code, 2);
  assert.match(ingest.stderr, /not implemented yet/);
  // `contrail query` exists: against a port nothing listens on it fails with a clear message.
  const query = await runCli(['query', '--server', '127.0.0.1:1', 'SELECT 1']);
  assert.equal(query.code, 1);
  assert.match(query.stderr, /query failed: .*ECONNREFUSED/);
});

test('an unknown flag or a bad value exits 2 with a one-line message', async () => {
  const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
    [['serve', '--no-such-flag'], {}, /unknown option '--no-such-flag'/],
    [['serve', '--http-addr', 'nonsense'], {}, /invalid --http-addr "nonsense"/],
    [['serve', '--otlp-grpc-addr', '127.0.0.1:70000'], {}, /invalid --otlp-grpc-addr/],
    [['serve', '--max-body-bytes=-5'], {}, /invalid --max-body-bytes/],
    [['serve', '--max-body-bytes', '20MB'], {}, /invalid --max-body-bytes "20MB"/],
    [['serve', '--data-dir'], {}, /option '--data-dir' needs a value/],
    [['serve', 'extra'], {}, /unexpected argument 'extra'/],
    [['serve', '--catalog', 'mysql://x'], {}, /invalid --catalog/],
    [['serve', '--log-level', 'loud'], {}, /invalid --log-level/],
    [['serve'], { CONTRAIL_FLIGHT_ADDR: 'nope' }, /invalid --flight-addr "nope"/],
    [['frobnicate'], {}, /unknown command 'frobnicate'/],
  ];
  for (const [args, env, re] of cases) {
    const r = await runCli(args, { env });
    assert.equal(r.code, 2, `${args.join(' ')} exits 2 (stderr: ${r.stderr})`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

test('without credentials a non-loopback listener is refused unless --insecure-no-auth', async () => {
  const dataDir = await makeTempDir();
  try {
    for (const args of [['--http-addr', '0.0.0.0:0'], ['--otlp-grpc-addr', '[::]:0'], ['--flight-addr', '192.0.2.1:50051']]) {
      const r = await runCli(['serve', '--data-dir', dataDir, '--http-addr', '127.0.0.1:0', '--otlp-grpc-addr', '127.0.0.1:0', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')} refused`);
      assert.match(r.stderr, /refusing to listen on .* without authentication/);
      assert.match(r.stderr, /--insecure-no-auth/);
    }
  } finally {
    await removeDir(dataDir);
  }
});

test('environment twins configure the server, and a flag wins over its env twin', async () => {
  const server = await startServer({
    // The env asks for a bad address; the --http-addr flag given by startServer wins.
    env: { CONTRAIL_HTTP_ADDR: 'bad', CONTRAIL_LOG_LEVEL: 'error', CONTRAIL_MAX_BODY_BYTES: '1000' },
  });
  try {
    assert.match(server.stdout(), /no credentials configured: listening on loopback addresses only/);
    assert.match(server.stdout(), /Flight SQL listening on grpc:\/\/127\.0\.0\.1:\d+/);
    // CONTRAIL_MAX_BODY_BYTES applied: a 1,001-byte body is over the limit.
    const big = Buffer.alloc(1001, 0x20);
    const res = await fetch(`${server.httpUrl}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    assert.equal(res.status, 413);
    const ok = await fetch(`${server.httpUrl}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: LOGS_JSON });
    assert.equal(ok.status, 200);
  } finally {
    await server.stop();
    await removeDir(server.dataDir);
  }
});

test('SIGTERM while a request is in flight lets it finish with 200, then exits 0', async () => {
  const server = await startServer();
  try {
    const body = Buffer.from(makeLogsRequest(200, { seed: 42 }));
    const half = Math.floor(body.length / 2);
    const response = new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.httpPort,
          path: '/ingestion/otlp/v1/logs',
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, half));
      // The rest arrives after the server was told to stop.
      setTimeout(() => req.end(body.subarray(half)), 700);
    });
    await sleep(200);
    server.child.kill('SIGTERM');
    assert.equal(await response, 200, 'the in-flight request completes');
    const { code, signal } = await server.exited;
    assert.equal(signal, null);
    assert.equal(code, 0, `exit code 0; stderr: ${server.stderr()}`);
    assert.match(server.stdout(), /received SIGTERM/);
    assert.match(server.stdout(), /contrail: stopped/);

    const lake = await openLake(undefined, undefined, { dataDir: server.dataDir });
    try {
      const blocks = await lake.catalog.listBlocks();
      assert.equal(blocks.length, 1);
      assert.equal(blocks[0].nb_objects, 200);
    } finally {
      await lake.close();
    }
  } finally {
    await server.stop();
    await removeDir(server.dataDir);
  }
});

test('data survives a restart on the same data directory, and a re-sent request is not counted twice', async () => {
  let server = await startServer();
  const dataDir = server.dataDir;
  try {
    const post = (url: string) =>
      fetch(`${url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: LOGS_JSON });
    const first = await post(server.httpUrl);
    assert.equal(first.status, 200);
    assert.equal(await first.text(), '{}');
    assert.equal((await server.stop()).code, 0);

    server = await startServer({ dataDir });
    const again = await post(server.httpUrl);
    assert.equal(again.status, 200);
    assert.equal((await server.stop()).code, 0);

    const lake = await openLake(undefined, undefined, { dataDir });
    try {
      const blocks = await lake.catalog.listBlocks();
      assert.equal(blocks.length, 1, 'one block after the identical retry');
      assert.equal(blocks[0].format, 'otlp-logs-json');
      assert.equal(Buffer.from(await lake.blobs.get(blocks[0].blob_key)).toString('utf8'), LOGS_JSON);
      const processes = await lake.catalog.listProcesses();
      assert.deepEqual(processes.map((p) => p.exe), ['cli-test']);
    } finally {
      await lake.close();
    }
  } finally {
    await server.stop();
    await removeDir(dataDir);
  }
});

test('with --api-keys-file (examples/api-keys.json) an OTLP request needs one of the listed keys', async () => {
  const keysFile = join(REPO_ROOT, 'examples', 'api-keys.json');
  const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as Array<{ name: string; key: string }>;
  const server = await startServer({ args: ['--api-keys-file', keysFile] });
  try {
    assert.match(server.stdout(), /authentication on \(API keys\)/);
    const post = (headers: Record<string, string>) =>
      fetch(`${server.httpUrl}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: LOGS_JSON });
    const anonymous = await post({});
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await post({ authorization: 'Bearer not-a-key' })).status, 401);
    assert.equal((await post({ authorization: `Bearer ${keys[0].key}` })).status, 200);
  } finally {
    await server.stop();
    await removeDir(server.dataDir);
  }
});
