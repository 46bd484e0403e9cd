// Exact 64-bit integers of OTLP/JSON without BigInt on the hot path: a non-negative value below
// 10^20 is held as (hi, lo) = (⌊v / 10^9⌋, v mod 10^9), both exact doubles, which compare
// lexicographically like the value itself.

export const LO_BASE = 1_000_000_000;
const LO_BASE_N = 1_000_000_000n;

// 2^63 = 9223372036 854775808; 2^64 - 1 = 18446744073 709551615.
const TWO_63_HI = 9223372036, TWO_63_LO = 854775808;
const U64_MAX_HI = 18446744073, U64_MAX_LO = 709551615;

/** v < 2^63 (the usable-timestamp bound), for a non-negative (hi, lo). */
export function below2p63(hi: number, lo: number): boolean {
  return hi < TWO_63_HI || (hi === TWO_63_HI && lo < TWO_63_LO);
}

/** Whether (hi, lo) with sign `neg` fits int64 (`signed`) or uint64. */
export function fitsInt64(hi: number, lo: number, neg: boolean, signed: boolean): boolean {
  if (!signed) return !neg || (hi === 0 && lo === 0);
  if (neg) return hi < TWO_63_HI || (hi === TWO_63_HI && lo <= TWO_63_LO);
  return below2p63(hi, lo);
}

export function fitsUint64(hi: number, lo: number): boolean {
  return hi < U64_MAX_HI || (hi === U64_MAX_HI && lo <= U64_MAX_LO);
}

export function partsToBigInt(hi: number, lo: number, neg: boolean): bigint {
  const v = hi === 0 ? BigInt(lo) : BigInt(hi) * LO_BASE_N + BigInt(lo);
  return neg ? -v : v;
}

/** Splits |v| (< 10^20 for callers that range-checked it) into [hi, lo]. */
export function bigIntToParts(v: bigint): [number, number] {
  const a = v < 0n ? -v : v;
  return [Number(a / LO_BASE_N), Number(a % LO_BASE_N)];
}
