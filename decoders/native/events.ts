// Helpers the view decoders share to read event members by name (never by offset) and to resolve
// what they refer to; each throws UnreadableObject when the mapping cannot be satisfied.
import {
  KIND_REF, PropertySet, TransitRecord, TransitString, isIntegerKind, readIntWords, readMember, readNumber,
  unreadable, isNumericKind, type Member, type ReadScope, type TransitLayout, type TransitValue, type Words,
} from './transit.js';
import { scopeHash } from './xxh32.js';

/** The first of `names` that the layout has. */
export function memberOf(layout: TransitLayout, ...names: string[]): Member | undefined {
  for (const n of names) {
    const m = layout.member(n);
    if (m) return m;
  }
  return undefined;
}

/** Integer member (e.g. `time`) of a POD object at `base` into `out`. */
export function intMember(s: ReadScope, layout: TransitLayout, m: Member | undefined, base: number, out: Words): void {
  if (!m) unreadable(`${layout.name} lacks a needed member`);
  if (m.offset + m.size > layout.size) unreadable(`member ${m.name} exceeds its object`);
  if (!isIntegerKind(m.kind)) unreadable(`member ${m.name} is not an integer`);
  readIntWords(m.kind, s.buf.bytes, base + m.offset, out);
}

/** Numeric member as a double. */
export function numberMember(s: ReadScope, layout: TransitLayout, m: Member | undefined, base: number): number {
  if (!m) unreadable(`${layout.name} lacks a needed member`);
  if (m.offset + m.size > layout.size) unreadable(`member ${m.name} exceeds its object`);
  if (!isNumericKind(m.kind)) unreadable(`member ${m.name} is not numeric`);
  return readNumber(m.kind, s.buf, base + m.offset);
}

/** Any member's value (references resolved, nested types read). */
export function valueMember(s: ReadScope, layout: TransitLayout, m: Member | undefined, base: number): TransitValue {
  if (!m) unreadable(`${layout.name} lacks a needed member`);
  return readMember(s, m, base, layout.size, 0);
}

export function asRecord(v: TransitValue, what: string): TransitRecord {
  if (!(v instanceof TransitRecord)) unreadable(`${what} is not a record`);
  return v;
}
export function asString(v: TransitValue, what: string): TransitString {
  if (!(v instanceof TransitString)) unreadable(`${what} is not a string`);
  return v;
}
export function asProperties(v: TransitValue, what: string): PropertySet {
  if (!(v instanceof PropertySet)) unreadable(`${what} is not a property set`);
  return v;
}

/** The dependency a u64 id at `at` names (dynamic readers), bounded by `end`. */
export function dependencyAt(s: ReadScope, at: number, end: number): TransitValue {
  if (at + 8 > end) unreadable('dependency id exceeds its object');
  const b = s.buf.bytes;
  const v = s.deps.get(
    (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0,
    (b[at + 4] | (b[at + 5] << 8) | (b[at + 6] << 16) | (b[at + 7] << 24)) >>> 0,
  );
  if (v === undefined) unreadable('referenced dependency is missing');
  return v;
}

/** True when `m` holds a dependency reference (as opposed to an inline value). */
export function isReferenceMember(m: Member): boolean {
  return m.kind === KIND_REF;
}

/** The scope of a span event (§10.3 step 4). */
export interface SpanScope {
  name: string;
  filename: string;
  target: string;
  line: number;
  hash: number;
}

export function makeScope(name: string, filename: string, target: string, line: number): SpanScope {
  return { name, filename, target, line: line >>> 0, hash: scopeHash(name, filename, target, line >>> 0) };
}

/** Scope of a `SpanRecord`, memoised on the record. */
export function spanRecordScope(record: TransitRecord): SpanScope {
  const memo = record.memo as SpanScope | undefined;
  if (memo) return memo;
  const scope = makeScope(record.string('name').text, record.string('file').text, record.string('target').text, record.number('line'));
  record.memo = scope;
  return scope;
}

/** Scope of a named span: the name from the event, the rest from a `SpanLocationRecord`. */
export function namedSpanScope(location: TransitRecord, name: TransitString): SpanScope {
  let byName = location.memo as Map<string, SpanScope> | undefined;
  if (!byName) location.memo = byName = new Map();
  const text = name.text;
  let scope = byName.get(text);
  if (!scope) {
    scope = makeScope(text, location.string('file').text, location.string('target').text, location.number('line'));
    byName.set(text, scope);
  }
  return scope;
}
