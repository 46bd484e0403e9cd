// Readers for the `cpu` stream events (native-format §8.3): thread and async span begin/end, plain
// (SpanRecord) or named (SpanLocationRecord + StringId name). Members are found by name.
import { unreadable, type ReadScope, type TransitLayout, type Words } from './transit.js';
import {
  asRecord, asString, intMember, memberOf, namedSpanScope, numberMember, spanRecordScope, valueMember, type SpanScope,
} from './events.js';

export const THREAD_SPAN = 1;
export const ASYNC_SPAN = 2;

export interface SpanEvent extends Words {
  begin: boolean;
  scope: SpanScope;
  spanId: Words;
  parentSpanId: Words;
  depth: number;
}

export function newSpanEvent(): SpanEvent {
  return {
    lo: 0, hi: 0, begin: false, scope: { name: '', filename: '', target: '', line: 0, hash: 0 },
    spanId: { lo: 0, hi: 0 }, parentSpanId: { lo: 0, hi: 0 }, depth: 0,
  };
}

export interface SpanReader {
  family: typeof THREAD_SPAN | typeof ASYNC_SPAN;
  read(start: number): void;
}

const NAMES: Record<string, [family: typeof THREAD_SPAN | typeof ASYNC_SPAN, begin: boolean, named: boolean]> = {
  BeginThreadSpanEvent: [THREAD_SPAN, true, false],
  EndThreadSpanEvent: [THREAD_SPAN, false, false],
  BeginThreadNamedSpanEvent: [THREAD_SPAN, true, true],
  EndThreadNamedSpanEvent: [THREAD_SPAN, false, true],
  BeginAsyncSpanEvent: [ASYNC_SPAN, true, false],
  EndAsyncSpanEvent: [ASYNC_SPAN, false, false],
  BeginAsyncNamedSpanEvent: [ASYNC_SPAN, true, true],
  EndAsyncNamedSpanEvent: [ASYNC_SPAN, false, true],
};

/** The reader of a span event type, or undefined for any other type. Dynamic descriptors of these
 * names have no reader (they are POD upstream). */
export function spanReader(t: TransitLayout, s: ReadScope, ev: SpanEvent): SpanReader | undefined {
  const spec = Object.hasOwn(NAMES, t.name) ? NAMES[t.name] : undefined;
  if (!spec || t.size === 0) return undefined;
  const [family, begin, named] = spec;
  const time = t.member('time');
  const desc = named ? memberOf(t, 'thread_span_location', 'span_location') : memberOf(t, 'thread_span_desc', 'span_desc');
  const name = t.member('name');
  const spanId = t.member('span_id');
  const parent = t.member('parent_span_id');
  const depth = t.member('depth');
  return {
    family,
    read(start: number): void {
      const record = asRecord(valueMember(s, t, desc, start), 'span descriptor');
      ev.scope = named ? namedSpanScope(record, asString(valueMember(s, t, name, start), 'span name')) : spanRecordScope(record);
      intMember(s, t, time, start, ev);
      ev.begin = begin;
      if (family === ASYNC_SPAN) {
        intMember(s, t, spanId, start, ev.spanId);
        intMember(s, t, parent, start, ev.parentSpanId);
        const d = numberMember(s, t, depth, start);
        if (!(d >= 0 && d <= 0xffffffff)) unreadable('depth outside the u32 range');
        ev.depth = d;
      }
    },
  };
}
