// Native `metrics` stream segment → `measures` record batches (native-format §8.2, §10.2).
import type { Data, Dictionary, Int32, RecordBatch, Utf8 } from 'apache-arrow';
import { type DecodeOptions, batchRowsOf } from '../context.js';
import { DictionaryColumn, Float64Column, Int64Column, Utf8Column } from '../columns.js';
import { projectFields } from '../otlp/schemas.js';
import { BatchAssembler } from '../otlp/decode-common.js';
import {
  FrameCursor, KIND_U64, PropertySet, TransitString, UnreadableObject, isIntegerKind, unreadable, type ReadScope, type TransitLayout,
  type Words,
} from './transit.js';
import { asProperties, asRecord, intMember, memberOf, numberMember, valueMember } from './events.js';
import { noteUnreadable } from './dependencies.js';
import { type NativeDecodeContext, asCorrupt, openSegment, reportSegment } from './segment.js';
import { TickConverter } from './ticks.js';

interface MetricEvent extends Words {
  name: TransitString;
  unit: TransitString;
  target: TransitString;
  value: number;
  props: PropertySet | undefined;
}

/** name / unit / target of a `MetricMetadataDependency`, memoised on the record. */
interface MetricDesc {
  name: TransitString;
  unit: TransitString;
  target: TransitString;
}

const SECONDS = TransitString.fromText('seconds');

export function* decodeNativeMetrics(
  payload: Uint8Array,
  ctx: NativeDecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
): Generator<RecordBatch, void, undefined> {
  const fields = projectFields('measures', projection);
  const seg = openSegment(payload, ctx);
  const scope: ReadScope = { buf: seg.objects, table: ctx.descriptors.objects, deps: seg.deps };
  const out = new BatchAssembler(fields, ctx);
  const batchRows = batchRowsOf(opts);
  const want = new Set(fields.map((f) => f.name));
  const dict = (name: string): DictionaryColumn | undefined => {
    const f = fields.find((x) => x.name === name);
    return f ? new DictionaryColumn(f.type as Dictionary<Utf8, Int32>) : undefined;
  };
  const time = want.has('time') ? new Int64Column('timestamp') : undefined;
  const target = dict('target');
  const name = dict('name');
  const unit = dict('unit');
  const value = want.has('value') ? new Float64Column() : undefined;
  const properties = want.has('properties') ? new Utf8Column() : undefined;
  const ticks = new TickConverter(ctx.clock);
  const frequency = ctx.clock.frequency;
  const ev: MetricEvent = { lo: 0, hi: 0, name: SECONDS, unit: SECONDS, target: SECONDS, value: 0, props: undefined };
  const readers = ctx.descriptors.objects.types.map((t) => metricReader(t, scope, ev, frequency));
  let rows = 0;
  let skipped = 0;

  const flush = (): RecordBatch => {
    const length = rows;
    rows = 0;
    return out.batch(length, (col): Data => {
      switch (col) {
        case 'time':
          return time!.finish();
        case 'target':
          return target!.finish();
        case 'name':
          return name!.finish();
        case 'unit':
          return unit!.finish();
        case 'value':
          return value!.finish();
        case 'properties':
          return properties!.finish();
      }
      throw new Error(`native measures decoder has no column ${col}`);
    });
  };

  const cursor = new FrameCursor(seg.objects.bytes, ctx.descriptors.objects);
  for (;;) {
    try {
      if (!cursor.next()) break;
    } catch (e) {
      throw asCorrupt(e, ctx.blockId, 'objects');
    }
    const read = readers[cursor.typeIndex];
    if (!read) {
      skipped++;
      continue;
    }
    try {
      read(cursor.start);
      if (!ticks.convert(ev.lo, ev.hi)) unreadable('time outside the Int64 nanosecond range');
    } catch (e) {
      if (!(e instanceof UnreadableObject)) throw e;
      noteUnreadable(seg.tally, e, `object ${cursor.index} (${cursor.layout!.name})`);
      continue;
    }
    time?.appendWords(ticks.lo, ticks.hi);
    target?.appendCode(target.codeOf(ev.target.bytes, 0, ev.target.bytes.length));
    name?.appendCode(name.codeOf(ev.name.bytes, 0, ev.name.bytes.length));
    unit?.appendCode(unit.codeOf(ev.unit.bytes, 0, ev.unit.bytes.length));
    value?.append(ev.value);
    if (properties) {
      if (ev.props) {
        const j = ev.props.jsonBytes();
        properties.appendRaw(j, 0, j.length);
      } else {
        properties.writeAscii('{}');
        properties.endValue();
      }
    }
    if (++rows === batchRows) yield flush();
  }
  reportSegment(ctx, seg.tally, skipped);
  if (rows > 0) yield flush();
}

function metricDesc(v: unknown): MetricDesc {
  const record = asRecord(v as never, 'metric descriptor');
  const memo = record.memo as MetricDesc | undefined;
  if (memo) return memo;
  const desc = { name: record.string('name'), unit: record.string('unit'), target: record.string('target') };
  record.memo = desc;
  return desc;
}

function metricReader(t: TransitLayout, s: ReadScope, ev: MetricEvent, frequency: number): ((start: number) => void) | undefined {
  let tagged: boolean;
  switch (t.name) {
    case 'FloatMetricEvent':
    case 'IntegerMetricEvent':
      tagged = false;
      break;
    case 'TaggedFloatMetricEvent':
    case 'TaggedIntegerMetricEvent':
      tagged = true;
      break;
    default:
      return undefined;
  }
  const integer = t.name.includes('Integer');
  const desc = t.member('desc');
  const props = memberOf(t, 'properties');
  const valueM = t.member('value');
  const time = t.member('time');
  const words: Words = { lo: 0, hi: 0 };
  return (start) => {
    const d = metricDesc(valueMember(s, t, desc, start));
    intMember(s, t, time, start, ev);
    ev.name = d.name;
    ev.unit = d.unit;
    ev.target = d.target;
    if (integer && valueM && isIntegerKind(valueM.kind)) {
      intMember(s, t, valueM, start, words);
      // One rounding: the high word is unsigned for u64, signed otherwise.
      ev.value = (valueM.kind === KIND_U64 ? words.hi >>> 0 : words.hi) * 0x1_0000_0000 + words.lo;
    } else ev.value = numberMember(s, t, valueM, start);
    if (tagged) {
      const set = asProperties(valueMember(s, t, props, start), 'properties');
      ev.props = set;
      const n = set.get('name');
      const u = set.get('unit');
      const tg = set.get('target');
      if (n !== undefined) ev.name = TransitString.fromText(n);
      if (u !== undefined) ev.unit = TransitString.fromText(u);
      if (tg !== undefined) ev.target = TransitString.fromText(tg);
    } else ev.props = undefined;
    if (integer && ev.unit.text === 'ticks') {
      ev.value = ev.value / frequency;
      ev.unit = SECONDS;
    }
  };
}
