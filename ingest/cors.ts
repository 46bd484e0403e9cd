// CORS for browser exporters, off unless origins are configured (otlp-mapping §1.1).
import type { FastifyInstance } from 'fastify';

const DEFAULT_ALLOWED_HEADERS = 'content-type, content-encoding, authorization';

/** Adds CORS headers to answers for allowed origins and answers preflight OPTIONS on `paths`. */
export function enableCors(app: FastifyInstance, origins: readonly string[], paths: readonly string[]): void {
  const anyOrigin = origins.includes('*');
  const allowed = (origin: string | undefined): origin is string =>
    origin !== undefined && (anyOrigin || origins.includes(origin));

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (!allowed(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'Origin');
    reply.header('access-control-expose-headers', 'retry-after');
  });

  for (const url of paths) {
    app.options(url, async (request, reply) => {
      if (!allowed(request.headers.origin)) return reply.code(403).send();
      const requested = request.headers['access-control-request-headers'];
      return reply
        .code(204)
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', typeof requested === 'string' && requested ? requested : DEFAULT_ALLOWED_HEADERS)
        .header('access-control-max-age', '600')
        .send();
    });
  }
}
