// OTLP request objects (protobufjs object form) used by the ingest tests.
import type { OtlpSignal } from '../../decoders/types.js';
import { encodeLogsRequest, encodeMetricsRequest, encodeTracesRequest } from '../helpers/otlp-proto.js';
import { encodeLogsJson, encodeMetricsJson, encodeTracesJson } from '../helpers/otlp-json.js';

export const T0 = 1_700_000_000_000_000_000n;

const resource = (service: string) => ({
  attributes: [
    { key: 'service.name', value: { stringValue: service } },
    { key: 'host.name', value: { stringValue: 'test-host' } },
  ],
});

const hex = (s: string) => Buffer.from(s, 'hex');

export function logsRequest(service = 'svc-logs', message = 'hello'): object {
  return {
    resourceLogs: [
      {
        resource: resource(service),
        scopeLogs: [
          {
            scope: { name: 'test-scope' },
            logRecords: [
              { timeUnixNano: String(T0), severityNumber: 9, body: { stringValue: message } },
              { timeUnixNano: String(T0 + 1000n), severityNumber: 13, body: { stringValue: `${message} 2` } },
            ],
          },
        ],
      },
    ],
  };
}

/** Two gauge points, one of them with time_unix_nano = 0 (rejected) when `withRejected`. */
export function metricsRequest(service = 'svc-metrics', withRejected = false): object {
  const points = [{ timeUnixNano: String(T0), asDouble: 1.5 }];
  if (withRejected) points.push({ timeUnixNano: '0', asDouble: 2.5 });
  return {
    resourceMetrics: [
      {
        resource: resource(service),
        scopeMetrics: [{ scope: { name: 'm' }, metrics: [{ name: 'cpu', unit: '%', gauge: { dataPoints: points } }] }],
      },
    ],
  };
}

/** One good span, plus one whose span_id is 4 bytes (rejected) when `withRejected`. */
export function tracesRequest(service = 'svc-traces', withRejected = false): object {
  const span = (spanId: string) => ({
    traceId: hex('0102030405060708090a0b0c0d0e0f10'),
    spanId: hex(spanId),
    name: 'op',
    kind: 2,
    startTimeUnixNano: String(T0),
    endTimeUnixNano: String(T0 + 5000n),
  });
  const spans = [span('1112131415161718')];
  if (withRejected) spans.push(span('21222324'));
  return { resourceSpans: [{ resource: resource(service), scopeSpans: [{ scope: { name: 't' }, spans }] }] };
}

export const REQUESTS: Record<OtlpSignal, (service?: string) => object> = {
  logs: logsRequest,
  metrics: metricsRequest,
  traces: tracesRequest,
};

export const ENCODE_PROTO: Record<OtlpSignal, (obj: object) => Uint8Array> = {
  logs: encodeLogsRequest,
  metrics: encodeMetricsRequest,
  traces: encodeTracesRequest,
};

export const ENCODE_JSON: Record<OtlpSignal, (obj: object) => Uint8Array> = {
  logs: encodeLogsJson,
  metrics: encodeMetricsJson,
  traces: encodeTracesJson,
};

export const RECORDS_PER_REQUEST: Record<OtlpSignal, number> = { logs: 2, metrics: 1, traces: 1 };
