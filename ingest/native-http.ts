// Native (Micromegas-compatible) routes (native-format §2): CBOR bodies, Content-Type not inspected,
// gzip/deflate undone, plain-text one-line answers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IngestContext } from './context.js';
import { NATIVE_CODINGS, parseContentEncoding } from './decompress.js';
import { answerFor } from './errors.js';
import { MalformedPayloadError } from '../decoders/types.js';
import { receiveBody } from './request-body.js';
import { ingestNativeBlock, ingestNativeProcess, ingestNativeStream, type IngestDeps, type NativeIngestResult } from './service.js';

type NativeHandler = (deps: IngestDeps, body: Uint8Array) => Promise<NativeIngestResult>;

export const NATIVE_PATHS = ['/ingestion/insert_process', '/ingestion/insert_stream', '/ingestion/insert_block'];

function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').send(text.replace(/[\r\n]+/g, ' ') + '\n');
}

function sendFailure(ctx: IngestContext, request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const answer = answerFor(err, ctx.retryAfterSeconds);
  if (answer.unexpected) request.log.error({ err }, 'native ingest failed');
  else if (answer.httpStatus >= 500) request.log.warn({ err }, 'native ingest: backend unavailable');
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
  if (answer.httpStatus === 401) reply.header('www-authenticate', 'Bearer');
  return sendText(reply, answer.httpStatus, answer.message);
}

function route(ctx: IngestContext, handler: NativeHandler, maxBytes: number) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    let release = (): void => {};
    try {
      await ctx.deps.auth.authenticate(request.headers.authorization);
      const codings = parseContentEncoding(request.headers['content-encoding'], NATIVE_CODINGS);
      const received = await receiveBody(request.raw, codings, maxBytes, ctx.budget);
      release = received.release;
      if (received.body.length === 0) throw new MalformedPayloadError('empty body');
      await handler(ctx.deps, received.body);
      return reply.code(200).send();
    } catch (err) {
      return sendFailure(ctx, request, reply, err);
    } finally {
      release();
    }
  };
}

/** Fastify plugin: the three native routes. */
export async function nativeHttpRoutes(app: FastifyInstance, ctx: IngestContext): Promise<void> {
  const { maxNativeRegistrationBytes, maxNativeBlockBytes } = ctx.limits;
  app.post('/ingestion/insert_process', route(ctx, ingestNativeProcess, maxNativeRegistrationBytes));
  app.post('/ingestion/insert_stream', route(ctx, ingestNativeStream, maxNativeRegistrationBytes));
  app.post('/ingestion/insert_block', route(ctx, ingestNativeBlock, maxNativeBlockBytes));
  app.setErrorHandler((err, request, reply) => {
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) return sendText(reply, status, 'bad request');
    return sendFailure(ctx, request, reply, err);
  });
}
