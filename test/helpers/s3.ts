// Starts a real S3-compatible server (s3rver) on loopback for tests; nothing global is touched.
// s3rver runs in a child process with --openssl-legacy-provider: it signs ListObjectsV2
// continuation tokens with DES, which Node 20's OpenSSL 3 refuses by default (every truncated
// listing would fail with a 500).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { once } from 'node:events';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  region: string;
  /** s3rver accepts exactly this key pair. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

const CHILD = `
const S3rver = require(process.argv[1]);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[2],
  configureBuckets: [{ name: process.argv[3], configs: [] }] });
server.run().then((addr) => process.stdout.write(JSON.stringify({ port: addr.port }) + '\\n'),
  (err) => { console.error(err); process.exit(1); });
// the parent going away closes stdin: never outlive it
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
`;

export async function startS3(): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'contrail-s3rver-'));
  const bucket = `test-${randomBytes(6).toString('hex')}`;
  const s3rverPath = createRequire(import.meta.url).resolve('s3rver');
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD, s3rverPath, directory, bucket], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env,
  });
  const exited = once(child, 'exit');
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(directory, { recursive: true, force: true });
  };

  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve((JSON.parse(out.slice(0, nl)) as { port: number }).port);
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${stderr}`)));
    });
    return {
      endpoint: `http://127.0.0.1:${port}`,
      bucket,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
