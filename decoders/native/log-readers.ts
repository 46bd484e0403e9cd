// Readers of the `log` stream object types (native-format §8.1, §10.1): each fills the shared
// LogEvent from one object's bytes, or throws UnreadableObject.
import {
  PropertySet, TransitRecord, TransitString, readDynString, readStringRef, stringRefReader, u32At, i32At, unreadable,
  type DynStringSlot, type ReadScope, type TransitLayout, type Words,
} from './transit.js';
import { asProperties, asRecord, asString, dependencyAt, intMember, numberMember, valueMember } from './events.js';

const LEVEL_NAMES: Record<string, number> = { fatal: 1, error: 2, warn: 3, warning: 3, info: 4, debug: 5, trace: 6 };

/** The event being decoded. The message is bytes [msgStart, msgEnd) of msgSrc (msgValid: already
 * valid UTF-8), or msgText when it was decoded from UTF-16. */
export interface LogEvent extends Words {
  level: number;
  target: TransitString;
  msgSrc: Uint8Array;
  msgStart: number;
  msgEnd: number;
  msgValid: boolean;
  msgText: string | undefined;
  props: PropertySet | undefined;
}

export type EventReader = (start: number, end: number) => void;

export const EMPTY = TransitString.fromText('');

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
export function logReader(t: TransitLayout, s: ReadScope, ev: LogEvent): EventReader | undefined {
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
      let readTarget: ((at: number, end: number) => TransitString) | undefined;
      return (start, end) => {
        if (!ref) {
          ref = stringRef('StaticStringRef');
          readTarget = stringRefReader(s, ref);
        }
        readTimeAt(ev, b, start, end);
        if (start + 9 > end) unreadable('level exceeds its object');
        ev.level = b[start + 8];
        ev.target = readTarget!(start + 9, end);
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

