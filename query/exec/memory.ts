// Per-query memory accounting for blocking operators (aggregate state, sort buffers).
import { resourcesExhausted } from '../errors.js';

export class MemoryPool {
  private used = 0;
  constructor(readonly budgetBytes: number) {}

  /** Adjusts one consumer's reservation from `before` to `after` bytes; fails past the budget. */
  resize(consumer: string, before: number, after: number): void {
    this.used += after - before;
    if (this.used > this.budgetBytes) {
      throw resourcesExhausted(`${consumer} needs more than the query's memory budget of ${this.budgetBytes} bytes`);
    }
  }

  get usedBytes(): number {
    return this.used;
  }
}
