// The few protobuf / JSON messages ingest writes: Export*ServiceResponse (with partial_success),
// google.rpc.Status, and google.rpc.RetryInfo packed in google.protobuf.Any.
import type { OtlpEncoding, OtlpSignal } from '../decoders/types.js';

function varint(value: bigint | number): number[] {
  let v = BigInt(value);
  if (v < 0n) v = BigInt.asUintN(64, v);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const tag = (field: number, wireType: number): number[] => varint((field << 3) | wireType);

function varintField(field: number, value: bigint | number): Buffer {
  return Buffer.from([...tag(field, 0), ...varint(value)]);
}

function bytesField(field: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([...tag(field, 2), ...varint(bytes.byteLength)]), bytes]);
}

const stringField = (field: number, s: string): Buffer => bytesField(field, Buffer.from(s, 'utf8'));

const REJECTED_JSON_KEY: Record<OtlpSignal, string> = {
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
  traces: 'rejectedSpans',
};

/** Export{Logs,Metrics,Trace}ServiceResponse: empty, or with partial_success when rejected > 0. */
export function exportResponseProto(rejected: number, errorMessage = ''): Buffer {
  if (rejected <= 0) return Buffer.alloc(0);
  const parts = [varintField(1, rejected)];
  if (errorMessage) parts.push(stringField(2, errorMessage));
  return bytesField(1, Buffer.concat(parts));
}

export function exportResponseJson(signal: OtlpSignal, rejected: number, errorMessage = ''): string {
  if (rejected <= 0) return '{}';
  const partial: Record<string, string> = { [REJECTED_JSON_KEY[signal]]: String(rejected) };
  if (errorMessage) partial.errorMessage = errorMessage;
  return JSON.stringify({ partialSuccess: partial });
}

export function exportResponse(signal: OtlpSignal, encoding: OtlpEncoding, rejected: number, errorMessage?: string): Buffer {
  return encoding === 'json'
    ? Buffer.from(exportResponseJson(signal, rejected, errorMessage), 'utf8')
    : exportResponseProto(rejected, errorMessage);
}

/** google.rpc.Status{code, message, details}. */
export function rpcStatusProto(code: number, message: string, details: Buffer[] = []): Buffer {
  const parts: Buffer[] = [];
  if (code !== 0) parts.push(varintField(1, code));
  if (message) parts.push(stringField(2, message));
  for (const d of details) parts.push(bytesField(3, d));
  return Buffer.concat(parts);
}

export function rpcStatus(encoding: OtlpEncoding, code: number, message: string): Buffer {
  return encoding === 'json'
    ? Buffer.from(JSON.stringify({ code, message }), 'utf8')
    : rpcStatusProto(code, message);
}

/** google.protobuf.Any{type_url, value} holding google.rpc.RetryInfo{retry_delay: Duration{seconds}}. */
export function retryInfoAny(retryDelaySeconds: number): Buffer {
  const duration = varintField(1, Math.max(0, Math.ceil(retryDelaySeconds)));
  const retryInfo = bytesField(1, duration);
  return Buffer.concat([stringField(1, 'type.googleapis.com/google.rpc.RetryInfo'), bytesField(2, retryInfo)]);
}
