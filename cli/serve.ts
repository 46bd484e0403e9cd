// `contrail serve`: opens the lake, starts the ingest listeners, and shuts down gracefully on
// SIGTERM / SIGINT (stop accepting, finish in-flight requests, close gRPC, catalog, blob store).
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { openBlobStore, openCatalog } from '../lake/open.js';
import type { BlobStore, Catalog } from '../lake/types.js';
import { createAuthenticator } from '../auth/index.js';
import type { IngestDeps } from '../ingest/service.js';
import { buildIngestApp } from '../ingest/http.js';
import { startOtlpGrpcServer } from '../ingest/grpc.js';
import { startFlightSqlServer } from '../flightsql/server.js';
import { type ServeConfig, type TlsFiles, UsageError, authConfigured, checkExposure, formatHostPort } from './config.js';

/** How long a graceful shutdown may take before the process gives up and exits 1. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

function say(line: string): void {
  process.stdout.write(`contrail: ${line}\n`);
}

type Closer = { name: string; close: () => Promise<void> };

type KeyPair = { cert: Buffer; key: Buffer };

async function readPem(flag: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new Error(`cannot read --${flag} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Reads and checks the pair up front: a bad PEM or a key of another certificate fails here, by name. */
async function loadKeyPair(files: TlsFiles): Promise<KeyPair> {
  const pair = { cert: await readPem('tls-cert', files.certFile), key: await readPem('tls-key', files.keyFile) };
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new Error(`invalid --tls-cert / --tls-key: ${err instanceof Error ? err.message : String(err)}`);
  }
  return pair;
}

/** Closes in reverse order of opening; reports but survives individual failures. */
async function closeAll(closers: Closer[]): Promise<boolean> {
  let ok = true;
  for (const c of [...closers].reverse()) {
    try {
      await c.close();
    } catch (err) {
      ok = false;
      process.stderr.write(`contrail: error closing ${c.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return ok;
}

/** Starts the server; resolves with the exit code once it has shut down (or failed to start). */
export async function runServe(config: ServeConfig, version: string): Promise<number> {
  checkExposure(config);

  // Listeners that take requests first close first; stores close last.
  const drainers: Closer[] = [];
  const stores: Closer[] = [];
  let shuttingDown = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));

  const shutdown = async (why: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    say(`${why}: stopping (finishing in-flight requests)`);
    const timer = setTimeout(() => {
      process.stderr.write('contrail: shutdown timed out; exiting\n');
      resolveDone(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    const drained = await Promise.all(drainers.map((d) => closeAll([d])));
    const closed = await closeAll(stores);
    clearTimeout(timer);
    say('stopped');
    resolveDone(drained.every(Boolean) && closed ? 0 : 1);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      process.stderr.write(`contrail: second ${signal}; exiting now\n`);
      process.exit(1);
    }
    void shutdown(`received ${signal}`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    const tls = config.tls === undefined ? undefined : await loadKeyPair(config.tls);
    const httpScheme = tls ? 'https' : 'http';
    const lakeOpts = { dataDir: config.dataDir, s3Endpoint: config.s3Endpoint, s3Region: config.s3Region };
    const catalog: Catalog = await openCatalog(config.catalog, lakeOpts);
    stores.push({ name: 'catalog', close: () => catalog.close() });
    const blobs: BlobStore = await openBlobStore(config.blobs, lakeOpts);
    stores.push({ name: 'blob store', close: () => blobs.close() });
    const auth = await createAuthenticator({
      apiKeysFile: config.apiKeysFile,
      oidcIssuer: config.oidcIssuer,
      oidcAudience: config.oidcAudience,
    });

    say(`version ${version} starting: catalog ${catalog.description}, blobs ${blobs.description}`);
    if (auth.enabled) {
      say(`authentication on (${[config.apiKeysFile && 'API keys', config.oidcIssuer && 'OIDC'].filter(Boolean).join(' + ')})`);
    } else if (config.insecureNoAuth && !authConfigured(config)) {
      say('WARNING: authentication is off (--insecure-no-auth): anyone who can reach the listeners can write');
    } else {
      say('no credentials configured: listening on loopback addresses only');
    }
    if (tls) say(`TLS on for every listener (certificate ${config.tls!.certFile})`);

    const deps: IngestDeps = {
      catalog,
      blobs,
      auth,
      corsOrigins: config.corsOrigins.length > 0 ? config.corsOrigins : undefined,
      logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
      ...(config.maxBodyBytes !== undefined ? { limits: { maxBodyBytes: config.maxBodyBytes } } : {}),
    };

    const app = await buildIngestApp(deps, { tls });
    drainers.push({ name: 'HTTP listener', close: () => app.close() });
    await app.listen({ host: config.httpAddr.host, port: config.httpAddr.port });
    const httpAddr = app.server.address() as AddressInfo;
    say(`OTLP/HTTP + native ingest listening on ${httpScheme}://${formatHostPort(config.httpAddr.host, httpAddr.port)}`);

    const grpc = await startOtlpGrpcServer(formatHostPort(config.otlpGrpcAddr.host, config.otlpGrpcAddr.port), deps, { tls });
    drainers.push({ name: 'OTLP/gRPC listener', close: () => grpc.close() });
    // OTLP exporters take an http(s):// URL for gRPC endpoints too.
    say(`OTLP/gRPC ingest listening on ${httpScheme}://${formatHostPort(config.otlpGrpcAddr.host, grpc.port)}`);

    const flight = await startFlightSqlServer(formatHostPort(config.flightAddr.host, config.flightAddr.port), {
      catalog,
      blobs,
      auth,
      serverVersion: version,
      tls,
      ...(config.segmentCacheMb !== undefined ? { segmentCacheBytes: config.segmentCacheMb * 1024 * 1024 } : {}),
      logger: config.logLevel === 'silent' || config.logLevel === 'warn' || config.logLevel === 'error' || config.logLevel === 'fatal'
        ? undefined
        : (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
    });
    drainers.push({ name: 'Flight SQL listener', close: () => flight.close() });
    say(`Flight SQL listening on ${tls ? 'grpcs' : 'grpc'}://${formatHostPort(config.flightAddr.host, flight.port)}`);
    if (shuttingDown) return done;
    say('ready');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`contrail: failed to start: ${msg}\n`);
    shuttingDown = true;
    await closeAll(drainers);
    await closeAll(stores);
    return 1;
  }
  return done;
}
