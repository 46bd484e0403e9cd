// Ticks → Unix nanoseconds (native-format §9), bit-compatible with Micromegas: the tick difference
// is exact, then one double multiply by 1e9/f and Rust-style rounding (half away from zero).
// TickConverter does the same on 32-bit words so the per-event path allocates no BigInt.

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const TWO32 = 0x1_0000_0000;

/** The process clock calibration: `start_time` (Unix ns), `start_ticks`, effective frequency (ticks/s). */
export interface ProcessClock {
  startTime: bigint;
  startTicks: bigint;
  /** Effective ticks per second, > 0 (the process's `tsc_frequency`, or the §9 estimate). */
  frequency: number;
}

/** Rust `f64::round`: halves round away from zero (JS Math.round rounds -0.5 to -0). */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

function inI64(v: bigint): bigint | undefined {
  return v < I64_MIN || v > I64_MAX ? undefined : v;
}

/** ns of a tick count relative to `start_ticks` (block begin/end ticks); undefined outside Int64. */
export function relativeTicksToNs(ticks: bigint, clock: ProcessClock): bigint | undefined {
  if (clock.frequency === 1e9) return inI64(clock.startTime + ticks);
  const r = roundHalfAwayFromZero(Number(ticks) * (1e9 / clock.frequency));
  if (!Number.isFinite(r) || Math.abs(r) > 2 ** 64) return undefined;
  return inI64(clock.startTime + BigInt(r));
}

/** ns of an absolute event tick count (same clock as `start_ticks`); undefined outside Int64. */
export function ticksToNs(ticks: bigint, clock: ProcessClock): bigint | undefined {
  return relativeTicksToNs(ticks - clock.startTicks, clock);
}

/**
 * §9 estimate for `tsc_frequency ≤ 0`: round(E_ticks / E_seconds) from the process's latest block
 * (`endTicks` relative to start_ticks, `endTime` Unix ns). Throws when E_seconds ≤ 0.
 */
export function estimateTscFrequency(processId: string, startTime: bigint, latestEndTime: bigint, latestEndTicks: bigint): number {
  const seconds = Number(latestEndTime - startTime) / 1e9;
  if (!(seconds > 0)) throw new Error(`process ${processId} has tsc_frequency <= 0 and no block after its start time: its segments cannot be decoded`);
  const f = roundHalfAwayFromZero(Number(latestEndTicks) / seconds);
  if (!(f > 0) || !Number.isFinite(f)) throw new Error(`process ${processId}: cannot estimate a positive tsc frequency`);
  return f;
}

/** The effective frequency: `tsc_frequency` when > 0, else the estimate (needs the latest block). */
export function effectiveFrequency(
  process: { process_id: string; tsc_frequency: bigint; start_time: bigint },
  latestBlock?: { endTime: bigint; endTicks: bigint },
): number {
  if (process.tsc_frequency > 0n) return Number(process.tsc_frequency);
  if (!latestBlock) throw new Error(`process ${process.process_id} has tsc_frequency <= 0 and no block to estimate it from`);
  return estimateTscFrequency(process.process_id, process.start_time, latestBlock.endTime, latestBlock.endTicks);
}

function lo32(v: bigint): number {
  return Number(BigInt.asUintN(32, v));
}
function hi32(v: bigint): number {
  return Number(BigInt.asIntN(32, v >> 32n));
}

/** Per-event conversion on (lo, hi) words. After a successful `convert`, the result is in `lo`/`hi`. */
export class TickConverter {
  /** Result: low word (unsigned) and high word (signed) of the Int64 ns. */
  lo = 0;
  hi = 0;
  private readonly exact: boolean;
  /** When the frequency is 1e9 and S − T0 fits Int64: S − T0 as (unsigned lo, signed hi) words, so a
   * caller may inline the exact path (ns = t + offset, out of range when the high word overflows). */
  readonly exactOffset: { readonly lo: number; readonly hi: number } | undefined;
  private readonly k: number;
  // Exact path: ns = t + (S − T0); general path: T0 and S as words.
  private readonly cLo: number;
  private readonly cHi: number;
  private readonly cFits: boolean;
  private readonly t0Lo: number;
  private readonly t0Hi: number;
  private readonly sLo: number;
  private readonly sHi: number;

  constructor(readonly clock: ProcessClock) {
    this.exact = clock.frequency === 1e9;
    this.k = 1e9 / clock.frequency;
    const c = clock.startTime - clock.startTicks;
    this.cFits = c >= I64_MIN && c <= I64_MAX;
    this.cLo = lo32(c);
    this.cHi = hi32(c);
    this.t0Lo = lo32(clock.startTicks);
    this.t0Hi = hi32(clock.startTicks);
    this.sLo = lo32(clock.startTime);
    this.sHi = hi32(clock.startTime);
    this.exactOffset = this.exact && this.cFits ? { lo: this.cLo, hi: this.cHi } : undefined;
  }

  /** Converts the absolute tick count hi·2^32 + lo (lo taken unsigned, hi signed); false when the
   * result is outside the Int64 range. */
  convert(tLo: number, tHi: number): boolean {
    tLo >>>= 0;
    tHi |= 0;
    if (this.exact) {
      if (!this.cFits) return this.slow(tLo, tHi);
      return this.add(tLo, tHi, this.cLo, this.cHi);
    }
    let dLo = tLo - this.t0Lo;
    let dHi = tHi - this.t0Hi;
    if (dLo < 0) {
      dLo += TWO32;
      dHi -= 1;
    }
    const r = roundHalfAwayFromZero((dHi * TWO32 + dLo) * this.k);
    if (!(Math.abs(r) < 2 ** 53)) return this.slow(tLo, tHi);
    const rHi = Math.floor(r / TWO32);
    return this.add(r - rHi * TWO32, rHi, this.sLo, this.sHi);
  }

  private add(aLo: number, aHi: number, bLo: number, bHi: number): boolean {
    let lo = aLo + bLo;
    let hi = aHi + bHi;
    if (lo >= TWO32) {
      lo -= TWO32;
      hi += 1;
    }
    if (hi < -0x80000000 || hi > 0x7fffffff) return false;
    this.lo = lo;
    this.hi = hi;
    return true;
  }

  private slow(tLo: number, tHi: number): boolean {
    const ns = ticksToNs((BigInt(tHi) << 32n) | BigInt(tLo), this.clock);
    if (ns === undefined) return false;
    this.lo = lo32(ns);
    this.hi = hi32(ns);
    return true;
  }

  /** The last result as a BigInt. */
  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}
