// Runs a real `contrail serve` child process for end-to-end tests (loopback, port 0 listeners).
// Compiled (npm test): dist/test/e2e/helpers/server.js → node dist/cli/main.js.
// Under tsx (development): test/e2e/helpers/server.ts → node --import tsx cli/main.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const RUNNING_TS = import.meta.url.endsWith('.ts');

/** The node arguments that run the CLI: [script] or [--import, tsx, script]. */
export function cliCommand(): string[] {
  const script = join(HERE, '..', '..', '..', 'cli', RUNNING_TS ? 'main.ts' : 'main.js');
  if (!existsSync(script)) throw new Error(`contrail CLI not found at ${script}`);
  return RUNNING_TS ? ['--import', 'tsx', script] : [script];
}

/** The repository root (where package.json is), for cwd of child processes. */
export { REPO_ROOT } from '../../helpers/repo-root.js';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (for --help, bad flags, refusals). */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliCommand(), ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`contrail ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface ServerHandle {
  child: ChildProcess;
  dataDir: string;
  /** e.g. http://127.0.0.1:41234 */
  httpUrl: string;
  httpPort: number;
  grpcPort: number;
  /** `127.0.0.1:<grpcPort>` */
  grpcAddr: string;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait (SIGKILL after a grace period); resolves the exit status. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill9(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a data dir (restart); otherwise a fresh temp dir is made (see cleanup()). */
  dataDir?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
}

export async function makeTempDir(prefix = 'contrail-e2e-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

const LISTEN_RE = /^contrail: (.+?) listening on http:\/\/(\[[^\]]+\]|[^:\s]+):(\d+)/;

/** Starts `contrail serve` on loopback with port-0 listeners and waits for its "ready" line. */
export async function startServer(opts: StartOptions = {}): Promise<ServerHandle> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await makeTempDir());
  try {
    return await spawnServer(dataDir, opts);
  } catch (err) {
    if (ownDir) await removeDir(dataDir);
    throw err;
  }
}

async function spawnServer(dataDir: string, opts: StartOptions): Promise<ServerHandle> {
  const args = [
    'serve',
    '--data-dir', dataDir,
    '--http-addr', '127.0.0.1:0',
    '--otlp-grpc-addr', '127.0.0.1:0',
    '--flight-addr', '127.0.0.1:0',
    ...(opts.args ?? []),
  ];
  // Keep the child's environment free of CONTRAIL_* settings of the test runner's shell.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CONTRAIL_')) env[k] = v;
  const child = spawn(process.execPath, [...cliCommand(), ...args], {
    env: { ...env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });

  const ports = await new Promise<{ http: number; grpc: number }>((resolve, reject) => {
    const found: Record<string, number> = {};
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not become ready; stdout:\n${out}\nstderr:\n${err}`));
    }, opts.startTimeoutMs ?? 30_000);
    let pending = '';
    child.stdout!.on('data', (d: string) => {
      out += d;
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const m = LISTEN_RE.exec(line);
        if (m) found[m[1].includes('gRPC') ? 'grpc' : 'http'] = Number(m[3]);
        if (line === 'contrail: ready') {
          clearTimeout(timer);
          if (found.http === undefined || found.grpc === undefined) {
            reject(new Error(`ready without both listeners; stdout:\n${out}`));
          } else resolve({ http: found.http, grpc: found.grpc });
        }
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal}); stdout:\n${out}\nstderr:\n${err}`));
    });
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const r = await exited;
    clearTimeout(timer);
    return r;
  };
  return {
    child,
    dataDir,
    httpUrl: `http://127.0.0.1:${ports.http}`,
    httpPort: ports.http,
    grpcPort: ports.grpc,
    grpcAddr: `127.0.0.1:${ports.grpc}`,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
