// Shared request objects for the OTLP index tests (protobufjs object form, see test/helpers).
const ids = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const s = (key: string, v: string) => ({ key, value: { stringValue: v } });

export const LOGS = {
  resourceLogs: [
    {
      resource: {
        attributes: [
          s('service.name', 'checkout'),
          { key: 'process.pid', value: { intValue: '-9223372036854775808' } },
          { key: 'ratio', value: { doubleValue: 0.1 } },
          { key: 'big', value: { doubleValue: 1e21 } },
          { key: 'flag', value: { boolValue: true } },
          { key: 'raw', value: { bytesValue: Uint8Array.from([0xff, 0x00, 0x41]) } },
          { key: 'list', value: { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'x' }, {}] } } },
          { key: 'map', value: { kvlistValue: { values: [{ key: 'b', value: { doubleValue: 2 } }, { key: 'a', value: { boolValue: false } }] } } },
          { key: 'empty' },
        ],
        droppedAttributesCount: 1,
        entityRefs: [{ type: 'service', idKeys: ['service.name'] }],
      },
      scopeLogs: [
        {
          scope: { name: 'lib', version: '1', attributes: [s('k', 'v')] },
          logRecords: [
            { timeUnixNano: '1000', body: { stringValue: 'hello' }, severityNumber: 9, attributes: [s('a', 'b')], traceId: ids(16, 1), spanId: ids(8, 2), flags: 1, eventName: 'ev' },
            { timeUnixNano: '0', observedTimeUnixNano: '500' },
            {},
            { timeUnixNano: '9223372036854775808', observedTimeUnixNano: '700' },
          ],
          schemaUrl: 'https://example.com/schema',
        },
        { logRecords: [{ timeUnixNano: '2000', body: { kvlistValue: { values: [{ key: 'n', value: { arrayValue: {} } }] } } }] },
      ],
    },
    { resource: { attributes: [s('service.name', 'idle')] }, scopeLogs: [{ scope: { name: 'x' } }] },
    { scopeLogs: [{ logRecords: [{ severityText: 'no time at all' }] }] },
  ],
};

export const METRICS = {
  resourceMetrics: [
    {
      resource: { attributes: [s('service.name', 'meter')] },
      scopeMetrics: [
        {
          scope: { name: 'm' },
          metrics: [
            {
              name: 'g', unit: 'ms', metadata: [s('m', 'd')],
              gauge: {
                dataPoints: [
                  { timeUnixNano: '10', asDouble: 1, attributes: [s('p', 'q')], exemplars: [{ timeUnixNano: '9', asInt: '2', spanId: ids(8, 3), traceId: ids(16, 4) }] },
                  { timeUnixNano: '0', asInt: '5' },
                  { timeUnixNano: '20' },
                  { timeUnixNano: '30', flags: 1 },
                ],
              },
            },
            { name: 's', sum: { dataPoints: [{ timeUnixNano: '15', startTimeUnixNano: '1', asInt: '3' }], aggregationTemporality: 2, isMonotonic: true } },
            {
              name: 'h',
              histogram: {
                aggregationTemporality: 1,
                dataPoints: [
                  { timeUnixNano: '40', count: '3', sum: 4.5, bucketCounts: ['1', '2'], explicitBounds: [1], min: 0.5, max: 3 },
                  { timeUnixNano: '41', count: '6', bucketCounts: ['1', '2', '3'], explicitBounds: [1] },
                  { timeUnixNano: '42', count: '3', bucketCounts: ['1', '1', '1'], explicitBounds: [2, 1] },
                  { timeUnixNano: '43', count: '9223372036854775808' },
                  { timeUnixNano: '44', count: '2', sum: 3 },
                ],
              },
            },
            {
              name: 'e',
              exponentialHistogram: {
                aggregationTemporality: 2,
                dataPoints: [
                  { timeUnixNano: '50', count: '6', scale: 0, zeroCount: '1', positive: { offset: 0, bucketCounts: ['2', '3'] }, negative: { offset: -1, bucketCounts: ['1'] } },
                  { timeUnixNano: '51', scale: 21 },
                  { timeUnixNano: '52', scale: -10, positive: { offset: 2, bucketCounts: ['1'] } },
                ],
              },
            },
            {
              name: 'q',
              summary: {
                dataPoints: [
                  { timeUnixNano: '60', count: '2', sum: 3, quantileValues: [{ quantile: 0.5, value: 1 }, { quantile: 1, value: 2 }] },
                  { timeUnixNano: '0', count: '1' },
                ],
              },
            },
            { name: 'no-data' },
          ],
        },
      ],
    },
    { resource: { attributes: [s('service.name', 'empty')] }, scopeMetrics: [{ metrics: [{ name: 'nothing' }] }] },
  ],
};

/** Expected rejection counts of METRICS by reason. */
export const METRICS_REJECTED = 8;

export const TRACES = {
  resourceSpans: [
    {
      resource: { attributes: [s('service.name', 'tracer'), s('host.name', 'h1')] },
      scopeSpans: [
        {
          scope: { name: 't' },
          spans: [
            {
              traceId: ids(16, 0xab), spanId: ids(8, 0xcd), parentSpanId: ids(8, 0xef), name: 'root', kind: 2,
              startTimeUnixNano: '100', endTimeUnixNano: '200', flags: 0x301, traceState: 'a=b',
              attributes: [s('http.route', '/x')],
              events: [{ timeUnixNano: '150', name: 'ev', attributes: [s('e', 'f')] }],
              links: [{ traceId: ids(16, 1), spanId: ids(8, 1), attributes: [s('l', 'm')], flags: 1 }],
              status: { code: 2, message: 'boom' },
            },
            { traceId: ids(8, 1), spanId: ids(8, 1), startTimeUnixNano: '110', endTimeUnixNano: '120' },
            { traceId: ids(16, 1), startTimeUnixNano: '110', endTimeUnixNano: '120' },
            { traceId: ids(16, 1), spanId: ids(8, 1), startTimeUnixNano: '0', endTimeUnixNano: '300' },
            { traceId: ids(16, 1), spanId: ids(8, 1), startTimeUnixNano: '50', endTimeUnixNano: '0' },
          ],
        },
      ],
    },
  ],
};

// --- tiny protobuf builders --------------------------------------------------------------------

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A length-delimited field. */
export function msg(field: number, body: Uint8Array): Uint8Array {
  return Uint8Array.from([...varint((field << 3) | 2), ...varint(body.length), ...body]);
}

export function wrapLogRecord(record: Uint8Array): Uint8Array {
  return msg(1, msg(2, msg(2, record)));
}
