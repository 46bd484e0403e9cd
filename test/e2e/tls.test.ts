// `contrail serve --tls-cert/--tls-key`: every listener speaks TLS (HTTPS, gRPC with ALPN h2),
// the flags come in pairs, an unreadable file is a startup error, and TLS does not replace auth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import https from 'node:https';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { FlightSqlClient } from '../../flightsql/client.js';
import { opensslMissing, selfSignedCert } from '../helpers/tls.js';
import { makeLogsRequest } from '../../bench/otlp-payloads.js';
import { cliCommand, makeTempDir, removeDir, runCli } from './helpers/server.js';

const LOGS_JSON = JSON.stringify({
  resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1750000000000000000', body: { stringValue: 'over tls' } }] }] }],
});

interface TlsServer {
  stdout: string;
  ports: Record<'http' | 'otlpGrpc' | 'flight', number>;
  stop(): Promise<number | null>;
}

/** Runs `contrail serve` with the given extra args until "ready"; the test helper only knows http:// lines. */
function startTlsServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<TlsServer> {
  const child = spawn(process.execPath, [...cliCommand(), 'serve', '--http-addr', '127.0.0.1:0', '--otlp-grpc-addr', '127.0.0.1:0',
    '--flight-addr', '127.0.0.1:0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not ready; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, 30_000);
    void exited.then((code) => reject(new Error(`exited early (${code}); stderr:\n${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!stdout.includes('contrail: ready\n')) return;
      clearTimeout(timer);
      const port = (re: RegExp) => Number(re.exec(stdout)?.[1]);
      resolve({
        stdout,
        ports: {
          http: port(/OTLP\/HTTP \+ native ingest listening on https:\/\/127\.0\.0\.1:(\d+)/),
          otlpGrpc: port(/OTLP\/gRPC ingest listening on https:\/\/127\.0\.0\.1:(\d+)/),
          flight: port(/Flight SQL listening on grpcs:\/\/127\.0\.0\.1:(\d+)/),
        },
        stop: async () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

function httpsPost(port: number, path: string, body: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** OTLP/gRPC logs Export with raw protobuf bytes over a channel trusting `ca`. */
function grpcExport(port: number, body: Uint8Array, ca: Buffer): Promise<Buffer> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createSsl(ca));
  const id = (b: Buffer) => b;
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest('/opentelemetry.proto.collector.logs.v1.LogsService/Export', id, id, Buffer.from(body), (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res!);
    });
  });
}

const skip = opensslMissing();

test('with --tls-cert/--tls-key every listener serves TLS: https OTLP/HTTP, OTLP/gRPC Export and Flight SQL grpcs', { skip }, async () => {
  const dir = await makeTempDir('contrail-e2e-tls-');
  try {
    const { certFile, keyFile, cert } = await selfSignedCert(dir);
    // The key comes from its env twin: a flag and an env twin make the pair.
    const s = await startTlsServer(['--data-dir', join(dir, 'data'), '--tls-cert', certFile], { CONTRAIL_TLS_KEY: keyFile });
    try {
      assert.match(s.stdout, /TLS on for every listener/);
      for (const [name, p] of Object.entries(s.ports)) assert.ok(p > 0, `${name} line printed with its TLS scheme:\n${s.stdout}`);

      const posted = await httpsPost(s.ports.http, '/v1/logs', LOGS_JSON, cert);
      assert.equal(posted.status, 200, posted.body);
      await assert.rejects(fetch(`http://127.0.0.1:${s.ports.http}/health`), 'plaintext HTTP is not served');

      await grpcExport(s.ports.otlpGrpc, makeLogsRequest(3), cert);

      const flight = new FlightSqlClient(`127.0.0.1:${s.ports.flight}`, { tls: cert });
      const plain = new FlightSqlClient(`127.0.0.1:${s.ports.flight}`);
      try {
        const r = await flight.query('select count(*) from log_entries');
        assert.equal(Number(r.batches[0].getChildAt(0)!.get(0)), 4, 'one record over HTTPS, three over gRPC/TLS');
        await assert.rejects(plain.query('select 1'), (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE);
        // `contrail query --tls-ca` trusts the self-signed certificate.
        const cli = await runCli(['query', '--server', `127.0.0.1:${s.ports.flight}`, '--tls-ca', certFile, '--format', 'csv', 'select count(*) as n from log_entries']);
        assert.equal(cli.code, 0, cli.stderr);
        assert.match(cli.stdout, /^n\r?\n4\r?\n/);
      } finally {
        flight.close();
        plain.close();
      }
    } finally {
      assert.equal(await s.stop(), 0);
    }
  } finally {
    await removeDir(dir);
  }
});

test('--tls-cert and --tls-key come in pairs; an unreadable file is a startup error; TLS does not lift the loopback rule', { skip }, async () => {
  const dir = await makeTempDir('contrail-e2e-tls-');
  try {
    const { certFile, keyFile } = await selfSignedCert(dir);
    const base = ['serve', '--data-dir', join(dir, 'data'), '--http-addr', '127.0.0.1:0', '--otlp-grpc-addr', '127.0.0.1:0', '--flight-addr', '127.0.0.1:0'];
    const lone = await runCli([...base, '--tls-cert', certFile]);
    assert.equal(lone.code, 2);
    assert.match(lone.stderr, /--tls-cert needs --tls-key/);
    const loneEnv = await runCli(base, { env: { CONTRAIL_TLS_KEY: keyFile } });
    assert.equal(loneEnv.code, 2);
    assert.match(loneEnv.stderr, /--tls-key needs --tls-cert/);

    const missing = join(dir, 'nope.pem');
    const unreadable = await runCli([...base, '--tls-cert', missing, '--tls-key', keyFile]);
    assert.equal(unreadable.code, 1);
    assert.ok(unreadable.stderr.includes(`failed to start: cannot read --tls-cert ${missing}: ENOENT`), unreadable.stderr);
    const swapped = await runCli([...base, '--tls-cert', keyFile, '--tls-key', certFile]);
    assert.equal(swapped.code, 1);
    assert.match(swapped.stderr, /failed to start: invalid --tls-cert \/ --tls-key/);

    const exposed = await runCli([...base, '--http-addr', '0.0.0.0:0', '--tls-cert', certFile, '--tls-key', keyFile]);
    assert.equal(exposed.code, 2);
    assert.match(exposed.stderr, /refusing to listen on .* without authentication/);
  } finally {
    await removeDir(dir);
  }
});
