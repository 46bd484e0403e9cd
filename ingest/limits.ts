// Size limits and the in-flight byte budget (backpressure) shared by the HTTP and gRPC listeners.
import { BackpressureError } from './errors.js';

const MiB = 1024 * 1024;

export interface IngestLimits {
  /** OTLP body, before and after Content-Encoding is undone. */
  maxBodyBytes: number;
  maxNativeBlockBytes: number;
  maxNativeRegistrationBytes: number;
  /** Bytes of request bodies held at once across all requests; over it → 429 / UNAVAILABLE. */
  maxInFlightBytes: number;
}

export const DEFAULT_LIMITS: IngestLimits = {
  maxBodyBytes: 20 * MiB,
  maxNativeBlockBytes: 100 * MiB,
  maxNativeRegistrationBytes: 1 * MiB,
  maxInFlightBytes: 256 * MiB,
};

export function resolveLimits(partial: Partial<IngestLimits> | undefined): IngestLimits {
  return { ...DEFAULT_LIMITS, ...partial };
}

/** A reservation against the budget; release() is idempotent. */
export interface Reservation {
  grow(bytes: number): void;
  release(): void;
}

export class InFlightBudget {
  private used = 0;
  constructor(readonly capacity: number) {}

  get inFlight(): number {
    return this.used;
  }

  /** Reserves `bytes` now (throws BackpressureError when over capacity); grow() reserves more later. */
  reserve(bytes: number): Reservation {
    let held = 0;
    const take = (n: number): void => {
      // A request alone is always let through (its own size limits bound it).
      const others = this.used - held;
      if (n > 0 && others > 0 && this.used + n > this.capacity) {
        throw new BackpressureError(1);
      }
      this.used += n;
      held += n;
    };
    take(bytes);
    let released = false;
    return {
      grow: (n) => {
        if (released) return;
        take(n);
      },
      release: () => {
        if (released) return;
        released = true;
        this.used -= held;
        held = 0;
      },
    };
  }
}

const budgets = new WeakMap<object, InFlightBudget>();

/** One budget per deps object, so an HTTP app and a gRPC server built from the same deps share it. */
export function budgetFor(deps: object, capacity: number): InFlightBudget {
  let b = budgets.get(deps);
  if (!b) {
    b = new InFlightBudget(capacity);
    budgets.set(deps, b);
  }
  return b;
}
