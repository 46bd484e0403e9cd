// Dictionary → plain Utf8/Binary column by typed-array copies: each code's value bytes are gathered
// into one buffer with fresh offsets, without materializing JS strings (DoGet hydrates by default).
import { Data, Dictionary, Type, makeData } from 'apache-arrow';

/** The dictionary column's values as a plain column, or undefined if its value type is not Utf8/Binary. */
export function hydrateStrings(data: Data<Dictionary>): Data | undefined {
  const valueType = data.type.dictionary;
  const dict = data.dictionary;
  if ((valueType.typeId !== Type.Utf8 && valueType.typeId !== Type.Binary) || !dict || dict.data.length !== 1) return undefined;
  const values = dict.data[0];
  const dictOffsets = values.valueOffsets as Int32Array;
  const dictBytes = values.values as Uint8Array;
  const codes = data.values as ArrayLike<number>; // already sliced to this column's rows
  const { length, offset } = data;
  const nullBitmap = data.nullCount > 0 ? data.nullBitmap : undefined;
  const isValid = (i: number) => !nullBitmap || ((nullBitmap[(offset + i) >> 3] >> ((offset + i) & 7)) & 1) === 1;
  const offsets = new Int32Array(length + 1);
  let total = 0;
  for (let i = 0; i < length; i++) {
    if (isValid(i)) total += dictOffsets[codes[i] + 1] - dictOffsets[codes[i]];
    offsets[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < length; i++) {
    const at = offsets[i];
    if (offsets[i + 1] > at) bytes.set(dictBytes.subarray(dictOffsets[codes[i]], dictOffsets[codes[i] + 1]), at);
  }
  // the validity bitmap is reused as is, so the new column keeps the source's bit offset
  return makeData({ type: valueType as never, offset, length, nullCount: data.nullCount, nullBitmap, valueOffsets: offsets, data: bytes }) as Data;
}
