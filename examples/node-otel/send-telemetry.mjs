// Sends logs, metrics and spans to Contrail with the OpenTelemetry JS SDK and its OTLP exporters.
//
//   node examples/node-otel/send-telemetry.mjs                    # http/protobuf → http://127.0.0.1:9000
//   OTEL_EXPORTER_OTLP_PROTOCOL=http/json node examples/node-otel/send-telemetry.mjs
//   OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317 \
//     node examples/node-otel/send-telemetry.mjs
//
// With authentication on, add OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <key>" (HTTP); for
// gRPC the script passes the same header as metadata.
import { context, trace, metrics } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, AggregationType } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

const protocol = process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
process.env.OTEL_EXPORTER_OTLP_ENDPOINT ??= protocol === 'grpc' ? 'http://127.0.0.1:4317' : 'http://127.0.0.1:9000';

// The exporters read OTEL_EXPORTER_OTLP_ENDPOINT (appending /v1/logs, /v1/metrics, /v1/traces for HTTP).
const packages = {
  'http/protobuf': ['exporter-logs-otlp-proto', 'exporter-metrics-otlp-proto', 'exporter-trace-otlp-proto'],
  'http/json': ['exporter-logs-otlp-http', 'exporter-metrics-otlp-http', 'exporter-trace-otlp-http'],
  grpc: ['exporter-logs-otlp-grpc', 'exporter-metrics-otlp-grpc', 'exporter-trace-otlp-grpc'],
}[protocol];
if (!packages) throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf, http/json or grpc (got ${protocol})`);
const [{ OTLPLogExporter }, { OTLPMetricExporter }, { OTLPTraceExporter }] = await Promise.all(
  packages.map((p) => import(`@opentelemetry/${p}`)),
);

let grpcOptions = {};
const auth = /(?:^|,)\s*authorization=([^,]+)/i.exec(process.env.OTEL_EXPORTER_OTLP_HEADERS ?? '');
if (protocol === 'grpc' && auth) {
  const { Metadata } = await import('@grpc/grpc-js');
  const metadata = new Metadata();
  metadata.set('authorization', decodeURIComponent(auth[1].trim()));
  grpcOptions = { metadata };
}

const resource = defaultResource().merge(resourceFromAttributes({
  'service.name': 'checkout',
  'service.namespace': 'shop',
  'service.version': '1.0.0',
  'service.instance.id': `checkout-${process.pid}`,
  'deployment.environment.name': 'dev',
}));

// Logs
const loggerProvider = new LoggerProvider({
  resource,
  processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter(grpcOptions) })],
});
const logger = loggerProvider.getLogger('example');
for (let i = 0; i < 5; i++) {
  logger.emit({
    severityNumber: i === 4 ? SeverityNumber.ERROR : SeverityNumber.INFO,
    severityText: i === 4 ? 'ERROR' : 'INFO',
    body: i === 4 ? 'payment declined' : `order ${1000 + i} accepted`,
    attributes: { 'order.id': 1000 + i },
  });
}

// Metrics: counter, up-down counter, gauge, observable gauge, histogram, exponential histogram.
const meterProvider = new MeterProvider({
  resource,
  readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(grpcOptions), exportIntervalMillis: 60_000 })],
  views: [{ instrumentName: 'payload.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
});
metrics.setGlobalMeterProvider(meterProvider);
const meter = meterProvider.getMeter('example');
meter.createCounter('orders', { unit: '{order}' }).add(5, { status: 'accepted' });
meter.createUpDownCounter('carts.open').add(3);
meter.createGauge('cpu.temperature', { unit: 'Cel' }).record(54.5);
meter.createObservableGauge('heap.used', { unit: 'By' }).addCallback((r) => r.observe(process.memoryUsage().heapUsed));
const latency = meter.createHistogram('request.duration', { unit: 'ms' });
const size = meter.createHistogram('payload.size', { unit: 'By' });
for (const ms of [12, 25, 31, 48, 120]) {
  latency.record(ms, { route: '/checkout' });
  size.record(ms * 97);
}

// Spans: a request with a child database call.
const tracerProvider = new BasicTracerProvider({
  resource,
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(grpcOptions))],
});
const tracer = tracerProvider.getTracer('example');
const root = tracer.startSpan('POST /checkout', { attributes: { 'http.request.method': 'POST' } });
const child = tracer.startSpan('INSERT orders', { attributes: { 'db.system.name': 'postgresql' } }, trace.setSpan(context.active(), root));
child.end();
root.addEvent('order.created', { 'order.id': 1004 });
root.end();

// Flush and stop: every provider exports what it holds before the process exits.
await loggerProvider.forceFlush();
await tracerProvider.forceFlush();
await Promise.all([loggerProvider.shutdown(), meterProvider.shutdown(), tracerProvider.shutdown()]);
console.log(`sent 5 log records, 6 metrics and 2 spans over ${protocol} to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`);
