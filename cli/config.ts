// `contrail serve` configuration: flags, their CONTRAIL_* environment twins, defaults, validation.
// Pure functions of (argv, env): nothing here opens files or sockets.
import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** A configuration error the user can fix; the CLI prints `message` on one line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ListenAddress {
  host: string;
  port: number;
}

export const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServeConfig {
  dataDir: string;
  httpAddr: ListenAddress;
  otlpGrpcAddr: ListenAddress;
  flightAddr: ListenAddress;
  /** Catalog spec for lake/open.ts; undefined = SQLite under the data dir. */
  catalog?: string;
  /** Blob store spec for lake/open.ts; undefined = `<data-dir>/blobs`. */
  blobs?: string;
  s3Endpoint?: string;
  s3Region?: string;
  apiKeysFile?: string;
  oidcIssuer?: string;
  oidcAudience?: string;
  insecureNoAuth: boolean;
  corsOrigins: string[];
  /** Request body limit (as received and after decoding); undefined = ingest's default (20 MiB). */
  maxBodyBytes?: number;
  /** Decoded-segment cache of the Flight SQL server, in MiB (0 = off). */
  segmentCacheMb?: number;
  logLevel: LogLevel;
  /** PEM files that turn on TLS for all three listeners; both or neither. */
  tls?: TlsFiles;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

interface FlagSpec {
  name: string;
  kind: 'string' | 'boolean';
  /** Shown in help; `undefined` means "none". */
  defaultText?: string;
  valueName?: string;
  description: string;
}

/** Every `serve` flag, in help order. The env twin is CONTRAIL_<NAME> (upper case, `-` → `_`). */
export const SERVE_FLAGS: readonly FlagSpec[] = [
  { name: 'data-dir', kind: 'string', valueName: 'DIR', defaultText: './contrail-data', description: 'Data directory: SQLite catalog and blob files unless --catalog / --blobs point elsewhere.' },
  { name: 'http-addr', kind: 'string', valueName: 'HOST:PORT', defaultText: '127.0.0.1:9000', description: 'OTLP/HTTP + native ingest listener (port 0 = any free port).' },
  { name: 'otlp-grpc-addr', kind: 'string', valueName: 'HOST:PORT', defaultText: '127.0.0.1:4317', description: 'OTLP/gRPC ingest listener.' },
  { name: 'flight-addr', kind: 'string', valueName: 'HOST:PORT', defaultText: '127.0.0.1:50051', description: 'Arrow Flight SQL listener (gRPC; a loopback address also binds [::1]).' },
  { name: 'catalog', kind: 'string', valueName: 'SPEC', defaultText: 'sqlite:<data-dir>/catalog.sqlite', description: 'Catalog: sqlite:<path> or postgres://user@host:5432/db[?schema=name].' },
  { name: 'blobs', kind: 'string', valueName: 'SPEC', defaultText: '<data-dir>/blobs', description: 'Blob store: a directory, or s3://bucket/prefix (credentials from the AWS SDK chain, e.g. AWS_ACCESS_KEY_ID).' },
  { name: 's3-endpoint', kind: 'string', valueName: 'URL', description: 'S3-compatible endpoint (MinIO, s3rver, …); path-style addressing.' },
  { name: 's3-region', kind: 'string', valueName: 'REGION', defaultText: 'AWS SDK default (AWS_REGION), else us-east-1', description: 'S3 region.' },
  { name: 'api-keys-file', kind: 'string', valueName: 'FILE', description: 'JSON keyring [{"name": "...", "key": "..."}]; keys are accepted as "Authorization: Bearer <key>".' },
  { name: 'oidc-issuer', kind: 'string', valueName: 'URL', description: 'OIDC issuer (discovery + JWKS) whose JWTs are accepted as bearer tokens.' },
  { name: 'oidc-audience', kind: 'string', valueName: 'AUD', description: 'Required "aud" claim of OIDC tokens (mandatory with --oidc-issuer).' },
  { name: 'insecure-no-auth', kind: 'boolean', defaultText: 'false', description: 'Allow non-loopback listeners without any credentials configured.' },
  { name: 'cors-origins', kind: 'string', valueName: 'LIST', description: 'Comma-separated origins allowed to POST OTLP/HTTP from browsers (CORS is off without it).' },
  { name: 'segment-cache-mb', kind: 'string', valueName: 'N', defaultText: '256', description: 'Byte bound of the decoded-segment cache that makes repeated queries cheap; 0 disables it.' },
  { name: 'max-body-bytes', kind: 'string', valueName: 'N', defaultText: '20971520 (20 MiB)', description: 'OTLP request body limit, as received and after decompression.' },
  { name: 'tls-cert', kind: 'string', valueName: 'FILE', description: 'PEM certificate chain; with --tls-key every listener serves TLS (HTTPS, gRPC with ALPN h2). TLS is not authentication.' },
  { name: 'tls-key', kind: 'string', valueName: 'FILE', description: 'PEM private key of --tls-cert (mandatory with it).' },
  { name: 'log-level', kind: 'string', valueName: 'LEVEL', defaultText: 'warn', description: `Server log level: ${LOG_LEVELS.join(', ')}.` },
];

export function envName(flag: string): string {
  return `CONTRAIL_${flag.toUpperCase().replace(/-/g, '_')}`;
}

export const DEFAULT_DATA_DIR = './contrail-data';
export const DEFAULT_HTTP_ADDR = '127.0.0.1:9000';
export const DEFAULT_OTLP_GRPC_ADDR = '127.0.0.1:4317';
export const DEFAULT_FLIGHT_ADDR = '127.0.0.1:50051';

/** `host:port`, `[v6]:port`, or `:port` (all interfaces). */
export function parseListenAddress(flag: string, value: string): ListenAddress {
  const bad = (why: string) => new UsageError(`invalid --${flag} "${value}": ${why} (expected HOST:PORT, e.g. 127.0.0.1:9000)`);
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(value);
  if (v6) {
    host = v6[1];
    portText = v6[2];
    if (isIP(host) !== 6) throw bad('not an IPv6 address in brackets');
  } else {
    const colon = value.lastIndexOf(':');
    if (colon < 0) throw bad('missing port');
    host = value.slice(0, colon);
    portText = value.slice(colon + 1);
    if (host.includes(':')) throw bad('IPv6 addresses must be written in brackets, e.g. [::1]:9000');
    if (host === '') host = '0.0.0.0';
    if (isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) throw bad('not a host name or IP address');
  }
  if (!/^\d{1,5}$/.test(portText)) throw bad('port must be a number 0-65535');
  const port = Number(portText);
  if (port > 65535) throw bad('port must be a number 0-65535');
  return { host, port };
}

/** Loopback: 127.0.0.0/8, ::1 (and its IPv4-mapped forms), `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped !== null && mapped[1].startsWith('127.');
  }
  return false;
}

/** How to print a listen address in a URL (`[::1]` for IPv6). */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function parsePositiveInt(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`invalid --${flag} "${value}": expected a positive integer number of bytes`);
  }
  return Number(value);
}

function parseBool(flag: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new UsageError(`invalid ${envName(flag)}="${value}": expected true or false`);
}

function validateCatalogSpec(spec: string): void {
  if (spec.startsWith('sqlite:')) {
    if (spec.length === 'sqlite:'.length) throw new UsageError('invalid --catalog "sqlite:": missing path');
    return;
  }
  if (/^postgres(ql)?:\/\//.test(spec)) {
    try {
      new URL(spec);
    } catch {
      throw new UsageError(`invalid --catalog: not a valid postgres:// URL`);
    }
    return;
  }
  throw new UsageError(`invalid --catalog "${spec}": expected sqlite:<path> or postgres://…`);
}

function validateBlobsSpec(spec: string): void {
  if (spec.startsWith('s3://')) {
    const bucket = spec.slice(5).split('/')[0];
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new UsageError(`invalid --blobs "${spec}": expected s3://bucket/prefix with a valid bucket name`);
    }
    return;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new UsageError(`invalid --blobs "${spec}": expected a directory or s3://bucket/prefix`);
  }
  if (spec.trim() === '') throw new UsageError('invalid --blobs: empty');
}

/**
 * Parses `serve` arguments (after the verb) with the environment as fallback.
 * Returns `{ help: true }` when --help was asked. Throws UsageError for anything invalid.
 */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv): { help: true } | { help: false; config: ServeConfig } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const f of SERVE_FLAGS) options[f.name] = { type: f.kind };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(cleanParseArgsMessage(err));
  }
  if (values.help) return { help: true };

  const str = (name: string): string | undefined => {
    const v = values[name];
    if (typeof v === 'string') return v;
    const e = env[envName(name)];
    return e === undefined || e === '' ? undefined : e;
  };
  const flag = (name: string): boolean => {
    const v = values[name];
    if (typeof v === 'boolean') return v;
    const e = env[envName(name)];
    return e === undefined ? false : parseBool(name, e);
  };

  const dataDir = str('data-dir') ?? DEFAULT_DATA_DIR;
  const catalog = str('catalog');
  if (catalog !== undefined) validateCatalogSpec(catalog);
  const blobs = str('blobs');
  if (blobs !== undefined) validateBlobsSpec(blobs);
  const s3Endpoint = str('s3-endpoint');
  if (s3Endpoint !== undefined && !/^https?:\/\/[^/]/.test(s3Endpoint)) {
    throw new UsageError(`invalid --s3-endpoint "${s3Endpoint}": expected http(s)://host:port`);
  }
  const logLevel = (str('log-level') ?? 'warn').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`invalid --log-level "${logLevel}": expected one of ${LOG_LEVELS.join(', ')}`);
  }
  const maxBody = str('max-body-bytes');
  const cacheMb = str('segment-cache-mb');
  const cors = str('cors-origins');
  const oidcIssuer = str('oidc-issuer');
  const oidcAudience = str('oidc-audience');
  if (oidcAudience !== undefined && oidcIssuer === undefined) {
    throw new UsageError('--oidc-audience needs --oidc-issuer');
  }
  if (oidcIssuer !== undefined && oidcAudience === undefined) {
    throw new UsageError('--oidc-issuer needs --oidc-audience (the "aud" claim tokens must carry)');
  }
  if (oidcIssuer !== undefined && !/^https?:\/\/[^/]/.test(oidcIssuer)) {
    throw new UsageError(`invalid --oidc-issuer "${oidcIssuer}": expected an http(s) URL`);
  }

  const tls = parseTlsFiles(str('tls-cert'), str('tls-key'));

  const config: ServeConfig = {
    dataDir,
    httpAddr: parseListenAddress('http-addr', str('http-addr') ?? DEFAULT_HTTP_ADDR),
    otlpGrpcAddr: parseListenAddress('otlp-grpc-addr', str('otlp-grpc-addr') ?? DEFAULT_OTLP_GRPC_ADDR),
    flightAddr: parseListenAddress('flight-addr', str('flight-addr') ?? DEFAULT_FLIGHT_ADDR),
    catalog,
    blobs,
    s3Endpoint,
    s3Region: str('s3-region'),
    apiKeysFile: str('api-keys-file'),
    oidcIssuer,
    oidcAudience,
    insecureNoAuth: flag('insecure-no-auth'),
    corsOrigins: cors === undefined ? [] : cors.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    maxBodyBytes: maxBody === undefined ? undefined : parsePositiveInt('max-body-bytes', maxBody),
    segmentCacheMb: cacheMb === undefined ? undefined : parseCacheMb(cacheMb),
    logLevel: logLevel as LogLevel,
    ...(tls !== undefined ? { tls } : {}),
  };
  return { help: false, config };
}

// A certificate without its key (or the reverse) would silently serve plaintext: refuse it.
function parseTlsFiles(certFile: string | undefined, keyFile: string | undefined): TlsFiles | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (keyFile === undefined) throw new UsageError('--tls-cert needs --tls-key (the private key of the certificate)');
  if (certFile === undefined) throw new UsageError('--tls-key needs --tls-cert (the certificate chain of the key)');
  return { certFile, keyFile };
}

function parseCacheMb(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`invalid --segment-cache-mb "${text}": expected a whole number of MiB`);
  return Number(text);
}

/** True when some credential source is configured (API keys or OIDC). */
export function authConfigured(c: ServeConfig): boolean {
  return c.apiKeysFile !== undefined || c.oidcIssuer !== undefined;
}

/**
 * Without credentials every listener must be loopback, unless --insecure-no-auth.
 * Throws UsageError naming the offending listener.
 */
export function checkExposure(c: ServeConfig): void {
  if (authConfigured(c) || c.insecureNoAuth) return;
  const listeners: Array<[string, ListenAddress]> = [
    ['http-addr', c.httpAddr],
    ['otlp-grpc-addr', c.otlpGrpcAddr],
    ['flight-addr', c.flightAddr],
  ];
  for (const [flag, a] of listeners) {
    if (!isLoopbackHost(a.host)) {
      throw new UsageError(
        `refusing to listen on ${formatHostPort(a.host, a.port)} (--${flag}) without authentication: ` +
          'configure --api-keys-file or --oidc-issuer, bind a loopback address, or pass --insecure-no-auth',
      );
    }
  }
}

/** Default SQLite catalog path, for messages (lake/open.ts decides the real default). */
export function describeDefaultCatalog(dataDir: string): string {
  return `sqlite:${join(dataDir, 'catalog.sqlite')}`;
}

function cleanParseArgsMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  let m: RegExpExecArray | null;
  if ((m = /^Unknown option '(.+?)'/.exec(msg))) return `unknown option '${m[1]}'; see 'contrail serve --help'`;
  if ((m = /^Option '(--[\w-]+)(?: <value>)?' argument missing/.exec(msg))) return `option '${m[1]}' needs a value`;
  if ((m = /^Option '(--[\w-]+)' argument is ambiguous/.exec(msg))) {
    return `option '${m[1]}' needs a value (write ${m[1]}=VALUE for a value starting with '-')`;
  }
  if ((m = /^Option '(--[\w-]+)' does not take an argument/.exec(msg))) return `option '${m[1]}' takes no value`;
  if ((m = /^Unexpected argument '(.*?)'/.exec(msg))) return `unexpected argument '${m[1]}'; see 'contrail serve --help'`;
  return msg.split('\n')[0];
}
