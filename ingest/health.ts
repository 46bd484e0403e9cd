// GET /health (process alive) and GET /ready (both backends answer).
import type { FastifyInstance } from 'fastify';
import type { IngestContext } from './context.js';

const PING_TIMEOUT_MS = 3000;

async function answers(ping: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('ping timed out')), PING_TIMEOUT_MS);
  });
  try {
    await Promise.race([ping(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export async function healthRoutes(app: FastifyInstance, ctx: IngestContext): Promise<void> {
  app.get('/health', async (_request, reply) => reply.code(200).send({ status: 'ok' }));
  app.get('/ready', async (request, reply) => {
    const [catalogOk, blobsOk] = await Promise.all([
      answers(() => ctx.deps.catalog.ping()),
      answers(() => ctx.deps.blobs.ping()),
    ]);
    if (catalogOk && blobsOk) return reply.code(200).send({ status: 'ready' });
    const failed = [...(catalogOk ? [] : ['catalog']), ...(blobsOk ? [] : ['blob store'])];
    request.log.warn({ failed }, 'not ready');
    return reply
      .code(503)
      .header('retry-after', String(ctx.retryAfterSeconds))
      .send({ status: 'unavailable', failed });
  });
}
