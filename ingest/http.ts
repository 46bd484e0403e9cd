// The HTTP ingest app: OTLP/HTTP and native routes, health and readiness.
import Fastify, { type FastifyInstance } from 'fastify';
import { ingestContext } from './context.js';
import { hideContentTypeFromFastify } from './content-type.js';
import { enableCors } from './cors.js';
import { healthRoutes } from './health.js';
import { nativeHttpRoutes, NATIVE_PATHS } from './native-http.js';
import { OTLP_SIGNALS, otlpHttpRoutes, otlpPaths } from './otlp-http.js';
import type { IngestDeps } from './service.js';

/** PEM certificate chain and private key for an HTTPS listener. */
export interface HttpsKeyPair {
  cert: Buffer;
  key: Buffer;
}

export async function buildIngestApp(deps: IngestDeps, opts: { tls?: HttpsKeyPair } = {}): Promise<FastifyInstance> {
  const ctx = ingestContext(deps);
  const base = { logger: deps.logger ?? false, exposeHeadRoutes: false };
  // An https.Server only changes the listener: routes and handlers see the same request objects,
  // so the instance is typed like the plaintext one for callers.
  const app = opts.tls
    ? (Fastify({ ...base, https: { cert: opts.tls.cert, key: opts.tls.key } }) as unknown as FastifyInstance)
    : Fastify(base);

  // Handlers read request.raw themselves (size caps, decompression), so fastify never parses or
  // buffers a body: the stored OTLP JSON is byte for byte what was sent.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  hideContentTypeFromFastify(app);

  if (deps.corsOrigins && deps.corsOrigins.length > 0) {
    enableCors(app, deps.corsOrigins, [...OTLP_SIGNALS.flatMap(otlpPaths), ...NATIVE_PATHS]);
  }
  await app.register(healthRoutes, ctx);
  await app.register(otlpHttpRoutes, ctx);
  await app.register(nativeHttpRoutes, ctx);
  app.setErrorHandler((err, request, reply) => {
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) return reply.code(status).send({ error: 'bad request' });
    request.log.error({ err }, 'unexpected error');
    return reply.code(500).send({ error: 'internal error' });
  });
  return app;
}
