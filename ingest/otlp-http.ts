// OTLP/HTTP routes (otlp-mapping §1.1–§1.2): both path families, content negotiation, limits, auth,
// Export*ServiceResponse on success and google.rpc.Status bodies on every error.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OtlpEncoding, OtlpSignal } from '../decoders/types.js';
import type { IngestContext } from './context.js';
import { OTLP_CODINGS, parseContentEncoding } from './decompress.js';
import { answerFor, RpcCode, UnsupportedMediaError } from './errors.js';
import { requestContentType } from './content-type.js';
import { receiveBody } from './request-body.js';
import { exportResponse, rpcStatus } from './rpc-messages.js';
import { ingestOtlp } from './service.js';

export const OTLP_SIGNALS: readonly OtlpSignal[] = ['logs', 'metrics', 'traces'];

export function otlpPaths(signal: OtlpSignal): string[] {
  return [`/ingestion/otlp/v1/${signal}`, `/v1/${signal}`];
}

const MEDIA_TYPES: Record<string, OtlpEncoding> = {
  'application/x-protobuf': 'proto',
  'application/protobuf': 'proto',
  'application/json': 'json',
};

interface Negotiated {
  mediaType: string;
  encoding: OtlpEncoding;
}

/** Media type without parameters, compared case-insensitively; null when not an OTLP one. */
function negotiate(contentType: string | undefined): Negotiated | null {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const encoding = MEDIA_TYPES[mediaType];
  return encoding ? { mediaType, encoding } : null;
}

function sendStatus(
  reply: FastifyReply,
  negotiated: Negotiated | null,
  httpStatus: number,
  rpcCode: number,
  message: string,
): FastifyReply {
  const encoding = negotiated?.encoding ?? 'proto';
  return reply
    .code(httpStatus)
    .type(negotiated?.mediaType ?? 'application/x-protobuf')
    .send(rpcStatus(encoding, rpcCode, message));
}

function sendFailure(ctx: IngestContext, request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const answer = answerFor(err, ctx.retryAfterSeconds);
  if (answer.unexpected) request.log.error({ err }, 'OTLP ingest failed');
  else if (answer.httpStatus >= 500) request.log.warn({ err }, 'OTLP ingest: backend unavailable');
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
  if (answer.httpStatus === 401) reply.header('www-authenticate', 'Bearer');
  return sendStatus(reply, negotiate(requestContentType(request)), answer.httpStatus, answer.rpcCode, answer.message);
}

async function handleExport(ctx: IngestContext, signal: OtlpSignal, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const negotiated = negotiate(requestContentType(request));
  let release = (): void => {};
  try {
    const identity = await ctx.deps.auth.authenticate(request.headers.authorization);
    if (!negotiated) throw new UnsupportedMediaError('unsupported Content-Type; use application/x-protobuf or application/json');
    const codings = parseContentEncoding(request.headers['content-encoding'], OTLP_CODINGS);
    const received = await receiveBody(request.raw, codings, ctx.limits.maxBodyBytes, ctx.budget);
    release = received.release;
    const result = await ingestOtlp(ctx.deps, signal, negotiated.encoding, received.body, identity);
    return reply
      .code(200)
      .type(negotiated.mediaType)
      .send(exportResponse(signal, negotiated.encoding, result.rejected, result.rejectMessage));
  } catch (err) {
    return sendFailure(ctx, request, reply, err);
  } finally {
    release();
  }
}

/** Fastify plugin: POST handlers plus 405 for every other method on the OTLP paths. */
export async function otlpHttpRoutes(app: FastifyInstance, ctx: IngestContext): Promise<void> {
  const corsEnabled = (ctx.deps.corsOrigins?.length ?? 0) > 0;
  const otherMethods = ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', ...(corsEnabled ? [] : ['OPTIONS'])];
  for (const signal of OTLP_SIGNALS) {
    for (const url of otlpPaths(signal)) {
      app.post(url, (request, reply) => handleExport(ctx, signal, request, reply));
      app.route({
        method: otherMethods,
        url,
        handler: (request, reply) =>
          sendStatus(reply.header('allow', 'POST'), negotiate(requestContentType(request)), 405, RpcCode.INVALID_ARGUMENT, 'method not allowed; use POST'),
      });
    }
  }
  // Errors raised by fastify itself before a handler runs (e.g. an unparsable Content-Type header).
  app.setErrorHandler((err, request, reply) => {
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return sendStatus(reply, negotiate(requestContentType(request)), status, RpcCode.INVALID_ARGUMENT, 'bad request');
    }
    return sendFailure(ctx, request, reply, err);
  });
}
