// Zero-copy IPC body layout for the column types DoGet streams (fixed width, bool, Utf8/Binary, List,
// Struct): field nodes, buffer regions and the buffer views to write, in IPC order. arrow-js's
// VectorAssembler always re-allocates list/string offsets; here offsets that already start at 0 (the
// usual case) are written as they are. Other types return undefined: the caller falls back to arrow-js.
import { Data, DataType, Type } from 'apache-arrow';
import { BufferRegion, FieldNode } from 'apache-arrow/ipc/metadata/message';

export interface Body {
  nodes: FieldNode[];
  regions: BufferRegion[];
  buffers: Uint8Array[];
  /** Sum of the buffers' lengths, each padded to 8 bytes (= the message's bodyLength). */
  byteLength: number;
}

const pad8 = (n: number) => (n + 7) & ~7;
const EMPTY = new Uint8Array(0);

const bytesOf = (v: ArrayBufferView): Uint8Array => (v instanceof Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength));

/** `length` bits of `bits` starting at bit `offset`, as a byte-aligned bitmap. */
function bitSlice(bits: Uint8Array, offset: number, length: number): Uint8Array {
  const bytes = (length + 7) >> 3;
  if ((offset & 7) === 0) return bits.subarray(offset >> 3, (offset >> 3) + bytes);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < length; i++) if ((bits[(offset + i) >> 3] >> ((offset + i) & 7)) & 1) out[i >> 3] |= 1 << (i & 7);
  return out;
}

class BodyBuilder implements Body {
  nodes: FieldNode[] = [];
  regions: BufferRegion[] = [];
  buffers: Uint8Array[] = [];
  byteLength = 0;

  add(bytes: Uint8Array): void {
    this.buffers.push(bytes);
    this.regions.push(new BufferRegion(this.byteLength, pad8(bytes.byteLength)));
    this.byteLength += pad8(bytes.byteLength);
  }

  /** False when the column's type is not handled here. */
  visit(data: Data): boolean {
    const { type, offset, length } = data;
    const nullCount = data.nullCount;
    this.nodes.push(new FieldNode(length, nullCount));
    this.add(nullCount > 0 && data.nullBitmap ? bitSlice(data.nullBitmap, offset, length) : EMPTY);
    switch (type.typeId) {
      case Type.Int:
      case Type.Float:
      case Type.Timestamp:
      case Type.Date:
      case Type.Time:
      case Type.Duration:
      case Type.Interval:
      case Type.Decimal:
      case Type.FixedSizeBinary:
        // arrow-js slices fixed-width values with the Data, so they start at element 0
        this.add(bytesOf((data.values as ArrayBufferView & { subarray(b: number, e: number): ArrayBufferView }).subarray(0, length * data.stride)));
        return true;
      case Type.Bool:
        this.add(bitSlice(data.values as Uint8Array, offset, length));
        return true;
      case Type.Utf8:
      case Type.Binary:
        this.offsetsAndRange(data.valueOffsets as Int32Array, length, (begin, end) => this.add(bytesOf((data.values as Uint8Array).subarray(begin, end))));
        return true;
      case Type.List: {
        const child = data.children[0];
        let ok = true;
        this.offsetsAndRange(data.valueOffsets as Int32Array, length, (begin, end) => (ok = this.visit(child.slice(begin, end - begin))));
        return ok;
      }
      case Type.Struct:
        // arrow-js slices struct children along with the struct
        return data.children.every((c) => this.visit(c));
      default:
        return false;
    }
  }

  /** Writes the (already sliced) offsets rebased to 0, then lets the caller write values [begin, end). */
  private offsetsAndRange(offsets: Int32Array, length: number, values: (begin: number, end: number) => void): void {
    const begin = length > 0 ? offsets[0] : 0;
    const end = length > 0 ? offsets[length] : 0;
    let out = offsets.subarray(0, length + 1);
    if (begin !== 0 || out.length < length + 1) {
      out = new Int32Array(length + 1);
      for (let i = 0; i <= length; i++) out[i] = offsets[i] - begin;
    }
    this.add(bytesOf(out));
    values(begin, end);
  }
}

/** The body of a record batch with these columns, or undefined when a type is not handled here. */
export function bodyOf(columns: readonly Data[]): Body | undefined {
  const b = new BodyBuilder();
  for (const c of columns) {
    if (DataType.isDictionary(c.type) || !b.visit(c)) return undefined;
  }
  return b;
}
