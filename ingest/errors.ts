// Typed failures of the ingest tier and how each one is answered over HTTP and gRPC
// (otlp-mapping §1.2, §1.3; native-format §2).
import { OidcUnavailableError } from '../auth/oidc.js';
import { AuthError } from '../auth/types.js';
import { MalformedPayloadError } from '../decoders/types.js';

/** Blob store or catalog did not answer: the client should retry later (503 / UNAVAILABLE). */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: 'catalog' | 'blob store',
    cause: unknown,
  ) {
    super(`${backend} unavailable`, { cause });
    this.name = 'BackendUnavailableError';
  }
}

/** Body over a size limit before or after decoding (413 / RESOURCE_EXHAUSTED, not retryable). */
export class PayloadTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
    this.name = 'PayloadTooLargeError';
  }
}

/** Unsupported Content-Type or Content-Encoding (415). */
export class UnsupportedMediaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedMediaError';
  }
}

/** The in-flight byte budget is exhausted (429 / UNAVAILABLE). */
export class BackpressureError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('ingest is over capacity, retry later');
    this.name = 'BackpressureError';
  }
}

/** google.rpc.Code values used by ingest. */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export interface FailureAnswer {
  httpStatus: number;
  rpcCode: number;
  /** Short, client-safe. */
  message: string;
  retryAfterSeconds?: number;
  /** True for errors that are bugs (logged at error level). */
  unexpected: boolean;
}

/** Maps any thrown value to the answer the client gets; never leaks internals for unexpected errors. */
export function answerFor(err: unknown, defaultRetryAfterSeconds: number): FailureAnswer {
  if (err instanceof MalformedPayloadError) {
    return { httpStatus: 400, rpcCode: RpcCode.INVALID_ARGUMENT, message: err.message, unexpected: false };
  }
  if (err instanceof AuthError) {
    return { httpStatus: 401, rpcCode: RpcCode.UNAUTHENTICATED, message: err.message, unexpected: false };
  }
  if (err instanceof PayloadTooLargeError) {
    return { httpStatus: 413, rpcCode: RpcCode.RESOURCE_EXHAUSTED, message: err.message, unexpected: false };
  }
  if (err instanceof UnsupportedMediaError) {
    return { httpStatus: 415, rpcCode: RpcCode.INVALID_ARGUMENT, message: err.message, unexpected: false };
  }
  if (err instanceof BackpressureError) {
    return {
      httpStatus: 429,
      rpcCode: RpcCode.RESOURCE_EXHAUSTED,
      message: err.message,
      retryAfterSeconds: err.retryAfterSeconds,
      unexpected: false,
    };
  }
  if (err instanceof BackendUnavailableError) {
    return {
      httpStatus: 503,
      rpcCode: RpcCode.UNAVAILABLE,
      message: `${err.backend} unavailable, retry later`,
      retryAfterSeconds: defaultRetryAfterSeconds,
      unexpected: false,
    };
  }
  if (err instanceof OidcUnavailableError) {
    return {
      httpStatus: 503,
      rpcCode: RpcCode.UNAVAILABLE,
      message: 'identity provider unavailable, retry later',
      retryAfterSeconds: defaultRetryAfterSeconds,
      unexpected: false,
    };
  }
  return { httpStatus: 500, rpcCode: RpcCode.INTERNAL, message: 'internal error', unexpected: true };
}
