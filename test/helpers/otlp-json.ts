// Builds OTLP/JSON test payloads from the same objects the protobuf helpers encode: protobufjs'
// JSON view (camelCase keys, 64-bit as strings, enums as numbers, NaN as "NaN") with the OTLP
// deviation that trace/span ids are hex instead of base64.
import type protobuf from 'protobufjs';
import { LogsRequest, MetricsRequest, TracesRequest } from './otlp-proto.js';

const HEX_ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

function hexIds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(hexIds);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = HEX_ID_KEYS.has(k) && typeof x === 'string' ? Buffer.from(x, 'base64').toString('hex') : hexIds(x);
    }
    return out;
  }
  return v;
}

/** The OTLP/JSON object for a message given in the protobuf helpers' object form. */
export function otlpJsonObject(type: protobuf.Type, obj: object): Record<string, unknown> {
  const msg = type.fromObject(obj);
  const json = type.toObject(msg, { longs: String, enums: Number, bytes: String, json: true });
  return hexIds(json) as Record<string, unknown>;
}

const encodeJson = (type: protobuf.Type, obj: object): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(otlpJsonObject(type, obj)));

export const encodeLogsJson = (obj: object): Uint8Array => encodeJson(LogsRequest, obj);
export const encodeMetricsJson = (obj: object): Uint8Array => encodeJson(MetricsRequest, obj);
export const encodeTracesJson = (obj: object): Uint8Array => encodeJson(TracesRequest, obj);
