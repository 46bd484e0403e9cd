// Gathers of typed arrays by row index, one monomorphic loop per element kind; 64-bit values are
// moved as Int32 word pairs so no BigInt is created per row.
type Indices = ArrayLike<number>;

function gather32(src: Int32Array, idx: Indices): Int32Array {
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = src[idx[i]];
  return out;
}

function gatherF64(src: Float64Array, idx: Indices): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = src[idx[i]];
  return out;
}

function gather8(src: Uint8Array, idx: Indices): Uint8Array {
  const out = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = src[idx[i]];
  return out;
}

function gather64(src: BigInt64Array | BigUint64Array, idx: Indices): BigInt64Array | BigUint64Array {
  const n = idx.length;
  const out = src instanceof BigInt64Array ? new BigInt64Array(n) : new BigUint64Array(n);
  const sw = new Int32Array(src.buffer, src.byteOffset, src.length * 2);
  const ow = new Int32Array(out.buffer, 0, n * 2);
  for (let i = 0; i < n; i++) {
    const j = 2 * idx[i];
    ow[2 * i] = sw[j];
    ow[2 * i + 1] = sw[j + 1];
  }
  return out;
}

/** src[idx[i]] for every i, or undefined when src is not a typed array handled here. */
export function gatherTyped(src: unknown, idx: Indices): Int32Array | Uint32Array | Float64Array | Uint8Array | BigInt64Array | BigUint64Array | undefined {
  if (src instanceof Float64Array) return gatherF64(src, idx);
  if (src instanceof Int32Array) return gather32(src, idx);
  if (src instanceof Uint32Array) return new Uint32Array(gather32(new Int32Array(src.buffer, src.byteOffset, src.length), idx).buffer);
  if (src instanceof Uint8Array) return gather8(src, idx);
  if (src instanceof BigInt64Array || src instanceof BigUint64Array) return gather64(src, idx);
  return undefined;
}
