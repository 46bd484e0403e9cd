// OTLP/gRPC (otlp-mapping §1.3): the three collector Export methods over grpc-js, registered with
// identity (de)serializers so the stored blob is exactly the received request message.
import * as grpc from '@grpc/grpc-js';
import type { OtlpSignal } from '../decoders/types.js';
import { ingestContext, type IngestContext } from './context.js';
import { answerFor, RpcCode } from './errors.js';
import { exportResponseProto, retryInfoAny, rpcStatusProto } from './rpc-messages.js';
import { ingestOtlp, type IngestDeps } from './service.js';

const SERVICES: Record<OtlpSignal, { service: string }> = {
  logs: { service: 'opentelemetry.proto.collector.logs.v1.LogsService' },
  metrics: { service: 'opentelemetry.proto.collector.metrics.v1.MetricsService' },
  traces: { service: 'opentelemetry.proto.collector.trace.v1.TraceService' },
};

/** Time given to in-flight calls on close() before connections are cut. */
const GRACEFUL_CLOSE_MS = 5000;

const identity = (b: Buffer): Buffer => b;

function exportDefinition(signal: OtlpSignal): grpc.ServiceDefinition {
  return {
    Export: {
      path: `/${SERVICES[signal].service}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
}

const RPC_TO_GRPC: Record<number, grpc.status> = {
  [RpcCode.INVALID_ARGUMENT]: grpc.status.INVALID_ARGUMENT,
  [RpcCode.PERMISSION_DENIED]: grpc.status.PERMISSION_DENIED,
  [RpcCode.RESOURCE_EXHAUSTED]: grpc.status.RESOURCE_EXHAUSTED,
  [RpcCode.INTERNAL]: grpc.status.INTERNAL,
  [RpcCode.UNAVAILABLE]: grpc.status.UNAVAILABLE,
  [RpcCode.UNAUTHENTICATED]: grpc.status.UNAUTHENTICATED,
};

function failure(ctx: IngestContext, err: unknown): grpc.ServiceError {
  const answer = answerFor(err, ctx.retryAfterSeconds);
  if (answer.unexpected) console.error('OTLP/gRPC ingest failed:', err);
  // 413 is RESOURCE_EXHAUSTED without RetryInfo; backpressure and backend failures are UNAVAILABLE.
  const retryable = answer.retryAfterSeconds !== undefined;
  const code = retryable ? grpc.status.UNAVAILABLE : RPC_TO_GRPC[answer.rpcCode] ?? grpc.status.INTERNAL;
  const metadata = new grpc.Metadata();
  if (retryable) {
    const status = rpcStatusProto(code, answer.message, [retryInfoAny(answer.retryAfterSeconds!)]);
    metadata.set('grpc-status-details-bin', status);
  }
  return Object.assign(new Error(answer.message), { code, details: answer.message, metadata });
}

function exportHandler(ctx: IngestContext, signal: OtlpSignal): grpc.handleUnaryCall<Buffer, Buffer> {
  return (call, callback) => {
    void (async () => {
      let release = (): void => {};
      try {
        const auth = call.metadata.get('authorization')[0];
        const who = await ctx.deps.auth.authenticate(typeof auth === 'string' ? auth : auth?.toString('utf8'));
        release = ctx.budget.reserve(call.request.length).release;
        const result = await ingestOtlp(ctx.deps, signal, 'proto', call.request, who);
        callback(null, exportResponseProto(result.rejected, result.rejectMessage));
      } catch (err) {
        callback(failure(ctx, err));
      } finally {
        release();
      }
    })();
  };
}

export interface OtlpGrpcServer {
  port: number;
  /** Graceful: lets in-flight calls finish, then forces the shutdown after a timeout. */
  close(): Promise<void>;
}

/** PEM certificate chain and private key; grpc-js then serves TLS and negotiates ALPN `h2`. */
export interface GrpcTlsKeyPair {
  cert: Buffer;
  key: Buffer;
}

/** Plaintext h2c without `tls`; TLS without client certificates otherwise. */
export function grpcServerCredentials(tls?: GrpcTlsKeyPair): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }], false);
}

export async function startOtlpGrpcServer(
  addr: string,
  deps: IngestDeps,
  opts: { tls?: GrpcTlsKeyPair } = {},
): Promise<OtlpGrpcServer> {
  const ctx = ingestContext(deps);
  const server = new grpc.Server({
    'grpc.max_receive_message_length': ctx.limits.maxBodyBytes,
  });
  for (const signal of Object.keys(SERVICES) as OtlpSignal[]) {
    server.addService(exportDefinition(signal), { Export: exportHandler(ctx, signal) });
  }
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(addr, grpcServerCredentials(opts.tls), (err, boundPort) =>
      err ? reject(err) : resolve(boundPort),
    );
  });
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, GRACEFUL_CLOSE_MS);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return closing;
    },
  };
}
