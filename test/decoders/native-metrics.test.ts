import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeNativeMetrics, nativeDecodeContext, type NativeDecodeContext } from '../../decoders/native/index.js';
import { measuresSchema } from '../../decoders/otlp/schemas.js';
import { encodeBlockPayload, type TransitTypeInput } from '../helpers/native-encoder.js';
import {
  BLOCK_ID, batchRowObjects, DependencyWriter, START_TIME, SDK_METRICS_DEPS, SDK_METRICS_OBJECTS, TransitBufferWriter, UPSTREAM_METRICS_DEPS,
  UPSTREAM_METRICS_OBJECTS, pod, processRow, streamRow,
} from '../helpers/native-events.js';

const T0 = 1_000_000n;

function ctxFor(deps: TransitTypeInput[], objs: TransitTypeInput[], frequency?: bigint): NativeDecodeContext {
  const process = processRow(frequency ? { tsc_frequency: frequency } : {});
  return nativeDecodeContext({ blockId: BLOCK_ID, insertTime: 1n, process, stream: streamRow(deps, objs), objectOffset: 0n });
}

const COLS = ['time', 'name', 'unit', 'target', 'value', 'properties'];

for (const [label, D, O, addString] of [
  ['SDK descriptors', SDK_METRICS_DEPS, SDK_METRICS_OBJECTS, (w: DependencyWriter, id: number, s: string) => w.string(id, s)],
  ['upstream-style descriptors', UPSTREAM_METRICS_DEPS, UPSTREAM_METRICS_OBJECTS, (w: DependencyWriter, id: number, s: string) => w.staticString(id, s)],
] as const) {
  test(`every §8.2 event type decodes to measures rows (${label}), in either byte-field form`, () => {
    const w = new DependencyWriter(D);
    const strings = ['cpu', '%', 'sys', 'f.rs', 'latency', 'ticks', 'unit', 'ms', 'host', 'a', 'name', 'renamed'];
    strings.forEach((s, i) => addString(w, i + 1, s));
    w.record('MetricMetadataDependency', { id: 50, name: 1, unit: 2, target: 3, file: 4, line: 7, lod: 1 });
    w.record('MetricMetadataDependency', { id: 51, name: 5, unit: 6, target: 3, file: 4, line: 8, lod: 1 });
    w.propertySet(60, [[9, 10]]);
    w.propertySet(61, [[7, 8], [11, 12]]);
    const deps = w.finish();
    const objs = new TransitBufferWriter(O)
      .entry('FloatMetricEvent', pod(O, 'FloatMetricEvent', { desc: 50, value: 0.25, time: T0 + 1n }))
      .entry('IntegerMetricEvent', pod(O, 'IntegerMetricEvent', { desc: 50, value: 2n ** 53n + 2n, time: T0 + 2n }))
      .entry('IntegerMetricEvent', pod(O, 'IntegerMetricEvent', { desc: 51, value: 1_500_000_000n, time: T0 + 3n }))
      .entry('TaggedFloatMetricEvent', pod(O, 'TaggedFloatMetricEvent', { desc: 50, properties: 60, value: -1.5, time: T0 + 4n }))
      .entry('TaggedIntegerMetricEvent', pod(O, 'TaggedIntegerMetricEvent', { desc: 51, properties: 61, value: 7, time: T0 + 5n }))
      .finish();
    for (const legacyBytes of [false, true]) {
      const got = batchRowObjects(decodeNativeMetrics(encodeBlockPayload(deps, objs, { legacyBytes }), ctxFor(D, O), COLS));
      assert.deepEqual(got, [
        { time: START_TIME + 1n, name: 'cpu', unit: '%', target: 'sys', value: 0.25, properties: '{}' },
        { time: START_TIME + 2n, name: 'cpu', unit: '%', target: 'sys', value: 2 ** 53 + 2, properties: '{}' },
        // unit `ticks` on an integer metric: value / f and unit seconds (f = 1e9).
        { time: START_TIME + 3n, name: 'latency', unit: 'seconds', target: 'sys', value: 1.5, properties: '{}' },
        { time: START_TIME + 4n, name: 'cpu', unit: '%', target: 'sys', value: -1.5, properties: '{"host":"a"}' },
        // properties `unit` and `name` override the descriptor's; the final unit is ms (no ticks conversion).
        { time: START_TIME + 5n, name: 'renamed', unit: 'ms', target: 'sys', value: 7, properties: '{"name":"renamed","unit":"ms"}' },
      ]);
    }
  });
}

test('a ticks metric divides by the effective frequency, and a tagged unit override to ticks converts too', () => {
  const D = SDK_METRICS_DEPS;
  const O = SDK_METRICS_OBJECTS;
  const deps = new DependencyWriter(D)
    .string(1, 'wait').string(2, 'ticks').string(3, 't').string(4, 'ns').string(5, 'unit')
    .record('MetricMetadataDependency', { id: 10, name: 1, unit: 2, target: 3, file: 3, line: 0, lod: 1 })
    .record('MetricMetadataDependency', { id: 11, name: 1, unit: 4, target: 3, file: 3, line: 0, lod: 1 })
    .propertySet(20, [[5, 2]])
    .finish();
  const objs = new TransitBufferWriter(O)
    .entry('IntegerMetricEvent', pod(O, 'IntegerMetricEvent', { desc: 10, value: 3000, time: T0 }))
    .entry('TaggedIntegerMetricEvent', pod(O, 'TaggedIntegerMetricEvent', { desc: 11, properties: 20, value: 600, time: T0 }))
    .entry('FloatMetricEvent', pod(O, 'FloatMetricEvent', { desc: 10, value: 3000, time: T0 }))
    .finish();
  const got = batchRowObjects(decodeNativeMetrics(encodeBlockPayload(deps, objs), ctxFor(D, O, 3_000_000_000n), ['unit', 'value']));
  assert.deepEqual(got, [
    { unit: 'seconds', value: 3000 / 3e9 },
    { unit: 'seconds', value: 600 / 3e9 },
    { unit: 'ticks', value: 3000 }, // float metrics are never converted
  ]);
});

test('the native decoder produces exactly the shared measures schema', () => {
  const D = SDK_METRICS_DEPS;
  const O = SDK_METRICS_OBJECTS;
  const deps = new DependencyWriter(D).string(1, 'n').record('MetricMetadataDependency', { id: 2, name: 1, unit: 1, target: 1, file: 1, line: 0, lod: 0 }).finish();
  const objs = new TransitBufferWriter(O).entry('FloatMetricEvent', pod(O, 'FloatMetricEvent', { desc: 2, value: 1, time: T0 })).finish();
  const [batch] = decodeNativeMetrics(encodeBlockPayload(deps, objs), ctxFor(D, O), null);
  assert.deepEqual(
    batch.schema.fields.map((f) => [f.name, String(f.type), f.nullable]),
    measuresSchema.fields.map((f) => [f.name, String(f.type), f.nullable]),
  );
  assert.equal(batch.numRows, 1);
});
