// Per-query memory accounting for blocking operators (aggregate state, sort buffers).
import { resourcesExhausted } from '../errors.js';

export class MemoryPool {
  private used = 0;
  constructor(readonly budgetBytes: number) {}

  /** Adjusts one consumer's reservation from `before` to `after` bytes; fails past the budget. */
  resize(consumer: string, before: number, after: number): void {
    const next = this.used + after - before;
    // releasing never fails; a refused reservation leaves the pool as it was
    if (after > before && next > this.budgetBytes) {
      throw resourcesExhausted(`${consumer} needs more than the query's memory budget of ${this.budgetBytes} bytes`);
    }
    this.used = next;
  }

  get usedBytes(): number {
    return this.used;
  }
}
