// Fastify refuses a request whose Content-Type it cannot parse before any handler runs. Ingest does
// its own negotiation (OTLP) or ignores the header (native), so the header is taken out of fastify's
// view on arrival and kept here for the handlers.
import type { FastifyInstance, FastifyRequest } from 'fastify';

const original = new WeakMap<object, string | undefined>();

export function hideContentTypeFromFastify(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const value = request.headers['content-type'];
    original.set(request.raw, value);
    delete request.raw.headers['content-type'];
  });
}

/** The Content-Type header as the client sent it. */
export function requestContentType(request: FastifyRequest): string | undefined {
  return original.has(request.raw) ? original.get(request.raw) : request.headers['content-type'];
}
