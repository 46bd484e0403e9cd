// The dependency buffer of a block (native-format §7) → a map from u64 id to value. Read first;
// references resolve against what was read before them.
import {
  DependencyMap, FrameCursor, PropertySet, TransitBuffer, TransitRecord, TransitString, UnreadableObject,
  readDynString, dynStringValue, readPod, u32At, unreadable, type DynStringSlot, type ReadScope, type TypeTable,
  type TransitValue,
} from './transit.js';

export interface UnreadableTally {
  count: number;
  firstReason: string | undefined;
}

export function noteUnreadable(t: UnreadableTally, e: UnreadableObject, where: string): void {
  t.count++;
  t.firstReason ??= `${where}: ${e.reason}`;
}

/**
 * Reads every dependency. Unreadable ones are absent and tallied; a framing error throws
 * TransitFramingError (the caller attributes it to the `dependencies` buffer).
 */
export function readDependencies(bytes: Uint8Array, table: TypeTable, tally: UnreadableTally): DependencyMap {
  const deps = new DependencyMap();
  const scope: ReadScope = { buf: new TransitBuffer(bytes), table, deps };
  const cursor = new FrameCursor(bytes, table);
  const slot: DynStringSlot = { start: 0, end: 0, text: undefined };
  const property = table.get('Property');
  while (cursor.next()) {
    const layout = cursor.layout!;
    const { start, end } = cursor;
    try {
      switch (layout.name) {
        case 'StaticString': {
          if (end - start < 8) unreadable('StaticString shorter than its id');
          deps.add(u32At(bytes, start), u32At(bytes, start + 4), TransitString.fromUtf8(bytes, start + 8, end));
          break;
        }
        case 'StaticStringDependency': {
          if (end - start < 8) unreadable('StaticStringDependency shorter than its id');
          readDynString(bytes, start + 8, end, slot);
          deps.add(u32At(bytes, start), u32At(bytes, start + 4), dynStringValue(bytes, slot));
          break;
        }
        case 'PropertySetDependency': {
          if (end - start < 12) unreadable('PropertySetDependency shorter than its header');
          const count = u32At(bytes, start + 8);
          if (!property || property.size === 0) unreadable('no fixed-size Property descriptor');
          if (count * property.size > end - start - 12) unreadable('property count exceeds the object');
          const entries = new Map<string, string>();
          for (let i = 0, at = start + 12; i < count; i++, at += property.size) {
            const p = readPod(scope, property, at, 1);
            if (!(p instanceof TransitRecord)) unreadable('Property is not a record');
            entries.set(p.string('name').text, p.string('value').text);
          }
          deps.add(u32At(bytes, start), u32At(bytes, start + 4), new PropertySet(entries));
          break;
        }
        default: {
          if (layout.size === 0 || layout.isReference) break; // no reader: skipped by its size (§11.2)
          const id = layout.member('id');
          if (!id || id.offset + 8 > layout.size || id.size < 8) unreadable(`${layout.name} has no u64 id member`);
          const value: TransitValue = readPod(scope, layout, start, 0);
          deps.add(u32At(bytes, start + id.offset), u32At(bytes, start + id.offset + 4), value);
        }
      }
    } catch (e) {
      if (!(e instanceof UnreadableObject)) throw e;
      noteUnreadable(tally, e, `dependency ${cursor.index} (${layout.name})`);
    }
  }
  return deps;
}
