// Shared payload objects (protobufjs object form) of the OTLP decoder tests.
const s = (key: string, v: string) => ({ key, value: { stringValue: v } });
const id = (n: number, fill: number) => new Uint8Array(n).fill(fill);

/** Edge cases of §5.1/§6: key order by UTF-8 bytes, duplicates, escapes, every body kind. */
export const TRICKY_LOGS = {
  resourceLogs: [
    {
      resource: { attributes: [s('service.name', 'checkout')] },
      scopeLogs: [
        {
          scope: { name: 'tricky', attributes: [s('otel.trace_id', 'scope-wins'), { key: 'no-value' }, { key: 'n', value: { intValue: '-3' } }] },
          schemaUrl: 'https://s',
          logRecords: [
            {
              timeUnixNano: '1700000000123456789',
              severityNumber: 17,
              severityText: 'ERROR',
              body: { stringValue: 'quote " backslash \\ newline \n tab \t nul \u0000 emoji 😀' },
              attributes: [
                s('\uffff', 'bmp-last'), s('😀', 'astral'), s('a', 'first'), s('a', 'second'),
                { key: 'i', value: { intValue: '9223372036854775807' } },
                { key: 'neg', value: { intValue: '-9223372036854775808' } },
                { key: 'small', value: { intValue: '-1' } },
                { key: 'd', value: { doubleValue: 1e21 } }, { key: 'nan', value: { doubleValue: NaN } },
                { key: 'inf', value: { doubleValue: -Infinity } }, { key: 'int-double', value: { doubleValue: 3 } },
                { key: 'b', value: { boolValue: false } }, { key: 'bytes', value: { bytesValue: Uint8Array.from([0xfb, 0xff]) } },
                { key: 'arr', value: { arrayValue: { values: [{ intValue: '1' }, {}, { kvlistValue: { values: [s('z', '1'), s('y', '2')] } }] } } },
                { key: 'otel.scope.name', value: { stringValue: 'overridden' } },
                { key: 'ctl\u001f', value: { stringValue: '\u007f\u2028' } },
              ],
              traceId: new Uint8Array(16).fill(0xab),
              spanId: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 0xff]),
              eventName: 'evt',
            },
            { observedTimeUnixNano: '9007199254740993', severityNumber: 1, body: { intValue: '-42' } },
            { severityNumber: 24, body: { doubleValue: NaN }, traceId: new Uint8Array(15) },
            { severityNumber: 25, body: { boolValue: true } },
            { severityNumber: 5, body: { bytesValue: Uint8Array.from([1, 2, 3]) } },
            { severityNumber: 13, body: { kvlistValue: { values: [s('b', 'x'), { key: 'a', value: { doubleValue: 0.1 } }] } } },
            { severityNumber: 21, body: { arrayValue: { values: [{ doubleValue: Infinity }, { boolValue: true }] } } },
            { body: {} },
          ],
        },
        { logRecords: [{ timeUnixNano: '18446744073709551615', observedTimeUnixNano: '18446744073709551614' }] },
      ],
    },
  ],
};

export const TRICKY_TRACES = {
  resourceSpans: [
    {
      resource: { attributes: [s('service.name', 'api')] },
      scopeSpans: [
        {
          scope: { name: 'http', version: '1.2', attributes: [s('lib', 'x')] },
          schemaUrl: 'https://schema',
          spans: [
            {
              traceId: id(16, 0xa1), spanId: id(8, 0xb2), parentSpanId: id(8, 0xc3), traceState: 'k=v', name: 'GET /',
              kind: 2, startTimeUnixNano: '1700000000000000001', endTimeUnixNano: '1700000000500000003',
              attributes: [s('http.method', 'GET'), { key: 'http.status', value: { intValue: '200' } }, s('otel.scope.name', 'lost')],
              events: [
                { timeUnixNano: '1700000000000000002', name: 'exception', attributes: [s('z', '1'), s('a', '"q"')] },
                { name: 'no-time' },
              ],
              links: [{ traceId: id(16, 1), spanId: id(8, 2), traceState: 'dropped', attributes: [s('l', 'y')] }],
              status: { code: 2, message: 'boom' },
              flags: 257,
              droppedAttributesCount: 3,
            },
            { traceId: id(16, 1), spanId: id(8, 1), parentSpanId: id(8, 0), startTimeUnixNano: '20', endTimeUnixNano: '10', kind: 9, status: { code: 7 } },
            { traceId: id(16, 1), spanId: id(8, 3), parentSpanId: id(4, 1), startTimeUnixNano: '5', endTimeUnixNano: '6', status: { code: 1, message: '' } },
            { traceId: id(15, 1), spanId: id(8, 1), startTimeUnixNano: '1', endTimeUnixNano: '2' },
            { traceId: id(16, 1), spanId: id(7, 1), startTimeUnixNano: '1', endTimeUnixNano: '2' },
            { traceId: id(16, 1), spanId: id(8, 1), startTimeUnixNano: '0', endTimeUnixNano: '2' },
            { traceId: id(16, 1), spanId: id(8, 1), startTimeUnixNano: '1', endTimeUnixNano: '9223372036854775808' },
          ],
        },
        { spans: [{ traceId: id(16, 9), spanId: id(8, 9), startTimeUnixNano: '9223372036854775807', endTimeUnixNano: '1', name: 'é😀' }] },
      ],
    },
  ],
};

export const TRICKY_METRICS = {
  resourceMetrics: [
    {
      scopeMetrics: [
        {
          scope: { name: 'meter', version: 'ignored-for-metrics' },
          metrics: [
            { name: 'cpu', unit: '1', gauge: { dataPoints: [
              { timeUnixNano: '1700000000000000001', asDouble: 0.25, attributes: [s('core', '0')] },
              { timeUnixNano: '1700000000000000002', asInt: '9007199254740993', attributes: [s('core', '1')] },
              { timeUnixNano: '1700000000000000003', asInt: '-5' },
              { timeUnixNano: '1700000000000000004', asDouble: NaN },
              { timeUnixNano: '1700000000000000005' },
              { timeUnixNano: '1700000000000000006', asDouble: 1, flags: 1 },
            ] } },
            { name: 'requests', unit: '{req}', sum: { aggregationTemporality: 1, isMonotonic: false, dataPoints: [
              { timeUnixNano: '10', startTimeUnixNano: '5', asInt: '7', attributes: [s('route', '/a')] },
            ] } },
            { name: 'latency', unit: 'ms', summary: { dataPoints: [
              { timeUnixNano: '20', count: '10', sum: 55.5, attributes: [s('k', 'v')], quantileValues: [
                { quantile: 0, value: 1 }, { quantile: 0.5, value: 5 }, { quantile: 0.99, value: 9.5 }, { quantile: 1, value: 10 }, { quantile: 0, value: 0.5 },
              ] },
              { timeUnixNano: '21', count: '0' },
              { timeUnixNano: '22', count: '3', flags: 1 },
            ] } },
            { name: 'size', unit: 'By', histogram: { aggregationTemporality: 2, dataPoints: [
              { timeUnixNano: '30', startTimeUnixNano: '29', count: '9223372036854775807', sum: -1, min: -3, max: 1e300,
                bucketCounts: ['9223372036854775807', '0', '9223372036854775806'], explicitBounds: [-1.5, 2], attributes: [s('h', '1')] },
              { timeUnixNano: '31', count: '0', explicitBounds: [1, 2] },
              { timeUnixNano: '32', count: '1', bucketCounts: ['1'] },
            ] } },
            { name: 'exp', unit: 's', exponentialHistogram: { aggregationTemporality: 9, dataPoints: [
              { timeUnixNano: '40', count: '6', scale: 0, zeroCount: '1', zeroThreshold: 0, positive: { offset: 0, bucketCounts: ['2', '3'] } },
              { timeUnixNano: '41', count: '9', scale: 1, zeroCount: '2', zeroThreshold: 1.5, positive: { offset: -1, bucketCounts: ['1', '2', '3'] }, negative: { offset: 1, bucketCounts: ['4', '5'] }, sum: 2, min: -4, max: 3 },
              { timeUnixNano: '42', count: '1', scale: -10, negative: { offset: -2, bucketCounts: ['1'] } },
              { timeUnixNano: '43', count: '0', scale: 20 },
              { timeUnixNano: '44', count: '1', scale: -10, positive: { offset: 1000000, bucketCounts: ['1'] } },
            ] } },
          ],
        },
      ],
    },
  ],
};

