// Failures → gRPC status: engine codes map directly, unsupported SQL is INVALID_ARGUMENT (ADBC
// retries on UNIMPLEMENTED), anything unexpected is INTERNAL; messages are one short line.
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { QueryError } from '../query/errors.js';
import { AuthError } from '../auth/types.js';

export class FlightError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'FlightError';
  }
}

export const unimplemented = (what: string) => new FlightError(status.UNIMPLEMENTED, `${what} is not supported by Contrail`);
export const invalidArgument = (message: string) => new FlightError(status.INVALID_ARGUMENT, message);
export const unauthenticated = (message: string) => new FlightError(status.UNAUTHENTICATED, message);

const QUERY_CODES: Record<string, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.INVALID_ARGUMENT,
  UNIMPLEMENTED: status.INVALID_ARGUMENT,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  CANCELLED: status.CANCELLED,
  DATA_LOSS: status.DATA_LOSS,
  UNAVAILABLE: status.UNAVAILABLE,
  INTERNAL: status.INTERNAL,
};

/** The status a failure is reported with; `unexpected` marks bugs worth logging in full. */
export function toServiceError(err: unknown, queryId?: string): ServiceError & { unexpected: boolean } {
  let code: status = status.INTERNAL;
  let message: string;
  let unexpected = false;
  if (err instanceof FlightError) {
    code = err.code;
    message = err.message;
  } else if (err instanceof QueryError) {
    code = QUERY_CODES[err.code] ?? status.INTERNAL;
    message = err.message;
    unexpected = err.code === 'INTERNAL';
  } else if (err instanceof AuthError) {
    code = status.UNAUTHENTICATED;
    message = err.message;
  } else {
    unexpected = true;
    message = `internal error: ${err instanceof Error ? err.message : String(err)}`;
  }
  message = message.split('\n')[0].slice(0, 900);
  if (queryId) message += ` [query_id=${queryId}]`;
  return Object.assign(new Error(message), { code, details: message, metadata: new Metadata(), unexpected });
}
