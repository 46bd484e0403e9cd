// Native `log` stream segment → `log_entries` record batches (native-format §8.1, §10.1).
import { isUtf8 } from 'node:buffer';
import type { Data, Dictionary, Int32, RecordBatch, Utf8 } from 'apache-arrow';
import { type DecodeOptions, batchRowsOf } from '../context.js';
import { DictionaryColumn, Int32Column, Int64Column, Utf8Column } from '../columns.js';
import { projectFields } from '../otlp/schemas.js';
import { BatchAssembler } from '../otlp/decode-common.js';
import {
  FrameCursor, PropertySet, TransitRecord, TransitString, UnreadableObject, readDynString, readStringRef, u32At, i32At,
  unreadable, type DynStringSlot, type ReadScope, type TransitLayout, type Words,
} from './transit.js';
import { asProperties, asRecord, asString, dependencyAt, intMember, numberMember, valueMember } from './events.js';
import { noteUnreadable } from './dependencies.js';
import { type NativeDecodeContext, asCorrupt, openSegment, reportSegment } from './segment.js';
import { TickConverter } from './ticks.js';

const LEVEL_NAMES: Record<string, number> = { fatal: 1, error: 2, warn: 3, warning: 3, info: 4, debug: 5, trace: 6 };

/** The event being decoded. The message is bytes [msgStart, msgEnd) of msgSrc (msgValid: already
 * valid UTF-8), or msgText when it was decoded from UTF-16. */
interface LogEvent extends Words {
  level: number;
  target: TransitString;
  msgSrc: Uint8Array;
  msgStart: number;
  msgEnd: number;
  msgValid: boolean;
  msgText: string | undefined;
  props: PropertySet | undefined;
}

type EventReader = (start: number, end: number) => void;

export function* decodeNativeLogs(
  payload: Uint8Array,
  ctx: NativeDecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
): Generator<RecordBatch, void, undefined> {
  const fields = projectFields('log_entries', projection);
  const seg = openSegment(payload, ctx);
  const scope: ReadScope = { buf: seg.objects, table: ctx.descriptors.objects, deps: seg.deps };
  const bytes = seg.objects.bytes;
  const out = new BatchAssembler(fields, ctx);
  const batchRows = batchRowsOf(opts);
  const want = new Set(fields.map((f) => f.name));
  const targetField = fields.find((f) => f.name === 'target');
  const time = want.has('time') ? new Int64Column('timestamp') : undefined;
  const target = targetField ? new DictionaryColumn(targetField.type as Dictionary<Utf8, Int32>) : undefined;
  const level = want.has('level') ? new Int32Column() : undefined;
  const msg = want.has('msg') ? new Utf8Column() : undefined;
  // Messages are at most the object buffer's size: one allocation instead of repeated doubling.
  msg?.reserve(Math.min(bytes.length, 64 * 1024 * 1024));
  const properties = want.has('properties') ? new Utf8Column() : undefined;
  const ticks = new TickConverter(ctx.clock);
  const ev: LogEvent = {
    lo: 0, hi: 0, level: 0, target: EMPTY, msgSrc: bytes, msgStart: 0, msgEnd: 0, msgValid: false, msgText: undefined, props: undefined,
  };
  const readers = ctx.descriptors.objects.types.map((t) => logReader(t, scope, ev));
  let rows = 0;
  let skipped = 0;
  let lastTarget: TransitString | undefined;
  let lastTargetCode = 0;

  const flush = (): RecordBatch => {
    const length = rows;
    rows = 0;
    lastTarget = undefined;
    return out.batch(length, (name): Data => {
      switch (name) {
        case 'time':
          return time!.finish();
        case 'target':
          return target!.finish();
        case 'level':
          return level!.finish();
        case 'msg':
          return msg!.finish();
        case 'properties':
          return properties!.finish();
      }
      throw new Error(`native log_entries decoder has no column ${name}`);
    });
  };

  const cursor = new FrameCursor(bytes, ctx.descriptors.objects);
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
      read(cursor.start, cursor.end);
      if (!ticks.convert(ev.lo, ev.hi)) unreadable('time outside the Int64 nanosecond range');
    } catch (e) {
      if (!(e instanceof UnreadableObject)) throw e;
      noteUnreadable(seg.tally, e, `object ${cursor.index} (${cursor.layout!.name})`);
      continue;
    }
    time?.appendWords(ticks.lo, ticks.hi);
    if (target) {
      if (ev.target !== lastTarget) {
        lastTarget = ev.target;
        lastTargetCode = target.codeOf(ev.target.bytes, 0, ev.target.bytes.length);
      }
      target.appendCode(lastTargetCode);
    }
    level?.append(ev.level | 0);
    if (msg) {
      if (ev.msgText !== undefined) msg.appendString(ev.msgText);
      else if (ev.msgValid) msg.appendRaw(ev.msgSrc, ev.msgStart, ev.msgEnd);
      // Longer messages: node's native (SIMD) UTF-8 check beats the JS loop despite the subarray.
      else if (ev.msgEnd - ev.msgStart > 32 && isUtf8(ev.msgSrc.subarray(ev.msgStart, ev.msgEnd))) msg.appendRaw(ev.msgSrc, ev.msgStart, ev.msgEnd);
      else msg.appendUtf8(ev.msgSrc, ev.msgStart, ev.msgEnd);
    }
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

const EMPTY = TransitString.fromText('');

/** Level and target of a `LogMetadataRecord`, memoised on the record. */
interface LogDesc {
  level: number;
  target: TransitString;
}
function logDesc(v: unknown): LogDesc {
  const record = asRecord(v as never, 'log descriptor');
  const memo = record.memo as LogDesc | undefined;
  if (memo) return memo;
  const desc = { level: record.number('level'), target: record.string('target') };
  record.memo = desc;
  return desc;
}

function setMessageString(ev: LogEvent, s: TransitString): void {
  ev.msgSrc = s.bytes;
  ev.msgStart = 0;
  ev.msgEnd = s.bytes.length;
  ev.msgValid = true;
  ev.msgText = undefined;
}

/** Reads a DynString at `at` into the event's message. */
function setMessageDyn(ev: LogEvent, b: Uint8Array, at: number, end: number, slot: DynStringSlot): void {
  readDynString(b, at, end, slot);
  ev.msgSrc = b;
  ev.msgStart = slot.start;
  ev.msgEnd = slot.end;
  ev.msgValid = false;
  ev.msgText = slot.text;
}

function setMessageRest(ev: LogEvent, b: Uint8Array, at: number, end: number): void {
  if (at > end) unreadable('object shorter than its header');
  ev.msgSrc = b;
  ev.msgStart = at;
  ev.msgEnd = end;
  ev.msgValid = false;
  ev.msgText = undefined;
}

function readTimeAt(ev: LogEvent, b: Uint8Array, at: number, end: number): void {
  if (at + 8 > end) unreadable('time exceeds its object');
  ev.lo = u32At(b, at);
  ev.hi = i32At(b, at + 4);
}

/** TaggedLogString: `level` / `target` properties override the descriptor's. */
function applyOverrides(ev: LogEvent): void {
  const props = ev.props!;
  const lv = props.get('level');
  if (lv !== undefined) {
    const n = LEVEL_NAMES[lv.toLowerCase()];
    if (n !== undefined) ev.level = n;
  }
  const tg = props.get('target');
  if (tg !== undefined) ev.target = TransitString.fromText(tg);
}

/** The reader of one object type, or undefined when log_entries does not map it. */
function logReader(t: TransitLayout, s: ReadScope, ev: LogEvent): EventReader | undefined {
  const b = s.buf.bytes;
  const slot: DynStringSlot = { start: 0, end: 0, text: undefined };
  const stringRef = (name: string): TransitLayout => {
    const layout = s.table.get(name);
    if (!layout) unreadable(`no ${name} descriptor`);
    if (layout.size === 0) unreadable(`${name} descriptor is dynamic`);
    return layout;
  };
  switch (t.name) {
    case 'LogStaticStrEvent': {
      const desc = t.member('desc');
      const time = t.member('time');
      return (start) => {
        const record = valueMember(s, t, desc, start);
        const d = logDesc(record);
        intMember(s, t, time, start, ev);
        ev.level = d.level;
        ev.target = d.target;
        setMessageString(ev, (record as TransitRecord).string('fmt_str'));
        ev.props = undefined;
      };
    }
    case 'LogStringEvent':
    case 'LogStringEventV2': {
      const v2 = t.name === 'LogStringEventV2';
      return (start, end) => {
        const d = logDesc(dependencyAt(s, start, end));
        readTimeAt(ev, b, start + 8, end);
        ev.level = d.level;
        ev.target = d.target;
        if (v2) setMessageDyn(ev, b, start + 16, end, slot);
        else setMessageRest(ev, b, start + 16, end);
        ev.props = undefined;
      };
    }
    case 'LogStaticStrInteropEvent': {
      const time = t.member('time');
      const level = t.member('level');
      const target = t.member('target');
      const message = t.member('msg');
      return (start) => {
        intMember(s, t, time, start, ev);
        ev.level = numberMember(s, t, level, start);
        ev.target = asString(valueMember(s, t, target, start), 'target');
        setMessageString(ev, asString(valueMember(s, t, message, start), 'msg'));
        ev.props = undefined;
      };
    }
    case 'LogStringInteropEventV2':
      return (start, end) => {
        const ref = stringRef('StringId');
        readTimeAt(ev, b, start, end);
        if (start + 12 > end) unreadable('level exceeds its object');
        ev.level = u32At(b, start + 8);
        ev.target = readStringRef(s, ref, start + 12, end);
        setMessageRest(ev, b, start + 12 + ref.size, end);
        ev.props = undefined;
      };
    case 'LogStringInteropEventV3':
    case 'TaggedLogInteropEvent': {
      const tagged = t.name === 'TaggedLogInteropEvent';
      let ref: TransitLayout | undefined;
      return (start, end) => {
        ref ??= stringRef('StaticStringRef');
        readTimeAt(ev, b, start, end);
        if (start + 9 > end) unreadable('level exceeds its object');
        ev.level = b[start + 8];
        ev.target = readStringRef(s, ref, start + 9, end);
        let at = start + 9 + ref.size;
        if (tagged) {
          ev.props = asProperties(dependencyAt(s, at, end), 'properties');
          at += 8;
        } else ev.props = undefined;
        setMessageDyn(ev, b, at, end, slot);
      };
    }
    case 'TaggedLogString':
      return (start, end) => {
        const d = logDesc(dependencyAt(s, start, end));
        ev.props = asProperties(dependencyAt(s, start + 8, end), 'properties');
        readTimeAt(ev, b, start + 16, end);
        ev.level = d.level;
        ev.target = d.target;
        setMessageDyn(ev, b, start + 24, end, slot);
        applyOverrides(ev);
      };
  }
  return undefined;
}

