// Test oracle: the OTLP .proto files of proto/ loaded with protobufjs. Objects use protobufjs'
// camelCase field names (keepCase: false), i.e. the OTLP/JSON key spelling; 64-bit fields accept
// decimal strings, numbers or Long and decode as Long (convert with `toObject(..., {longs: String})`).
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import protobuf from 'protobufjs';
import { REPO_ROOT } from './repo-root.js';

const PROTO_DIR = path.join(REPO_ROOT, 'proto') + path.sep;

export const OTLP_PROTO_FILES = [
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'google/rpc/status.proto',
  'google/rpc/error_details.proto',
];

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_DIR, target));
  root.loadSync(OTLP_PROTO_FILES, { keepCase: false });
  root.resolveAll();
  return root;
}

export const otlpRoot: protobuf.Root = loadRoot();

const C = 'opentelemetry.proto.collector';
export const LogsRequest = otlpRoot.lookupType(`${C}.logs.v1.ExportLogsServiceRequest`);
export const MetricsRequest = otlpRoot.lookupType(`${C}.metrics.v1.ExportMetricsServiceRequest`);
export const TracesRequest = otlpRoot.lookupType(`${C}.trace.v1.ExportTraceServiceRequest`);
export const LogsResponse = otlpRoot.lookupType(`${C}.logs.v1.ExportLogsServiceResponse`);
export const MetricsResponse = otlpRoot.lookupType(`${C}.metrics.v1.ExportMetricsServiceResponse`);
export const TracesResponse = otlpRoot.lookupType(`${C}.trace.v1.ExportTraceServiceResponse`);
export const ResourceLogs = otlpRoot.lookupType('opentelemetry.proto.logs.v1.ResourceLogs');
export const ResourceMetrics = otlpRoot.lookupType('opentelemetry.proto.metrics.v1.ResourceMetrics');
export const ResourceSpans = otlpRoot.lookupType('opentelemetry.proto.trace.v1.ResourceSpans');
export const RpcStatus = otlpRoot.lookupType('google.rpc.Status');
export const RetryInfo = otlpRoot.lookupType('google.rpc.RetryInfo');

/** Plain-object view used by the helpers: 64-bit as decimal strings, bytes as Uint8Array, enums as numbers. */
export const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: Number, bytes: Uint8Array as never, defaults: false };

function encode(type: protobuf.Type, obj: object): Uint8Array {
  const err = type.verify(type.fromObject(obj));
  if (err) throw new Error(`${type.name}: ${err}`);
  return type.encode(type.fromObject(obj)).finish();
}

function decode(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  return type.toObject(type.decode(bytes), TO_OBJECT);
}

export const encodeLogsRequest = (obj: object): Uint8Array => encode(LogsRequest, obj);
export const encodeMetricsRequest = (obj: object): Uint8Array => encode(MetricsRequest, obj);
export const encodeTracesRequest = (obj: object): Uint8Array => encode(TracesRequest, obj);
export const decodeLogsRequest = (bytes: Uint8Array): Record<string, unknown> => decode(LogsRequest, bytes);
export const decodeMetricsRequest = (bytes: Uint8Array): Record<string, unknown> => decode(MetricsRequest, bytes);
export const decodeTracesRequest = (bytes: Uint8Array): Record<string, unknown> => decode(TracesRequest, bytes);
export const decodeResourceLogs = (bytes: Uint8Array): Record<string, unknown> => decode(ResourceLogs, bytes);
export const decodeResourceMetrics = (bytes: Uint8Array): Record<string, unknown> => decode(ResourceMetrics, bytes);
export const decodeResourceSpans = (bytes: Uint8Array): Record<string, unknown> => decode(ResourceSpans, bytes);
