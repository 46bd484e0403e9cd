// Group commit: calls that arrive while a commit is running (or within the same event-loop turn)
// are committed together in one transaction, so one durable commit (one fsync / one PostgreSQL
// round trip chain) serves many callers. Each caller's promise settles only after the commit that
// holds its item is durable. When a grouped commit fails, its items are retried one by one, so a bad
// item fails only its own caller (and each item stays all-or-nothing).

export interface GroupCommitOptions {
  /** Most items in one grouped commit. */
  maxBatch?: number;
  /** Grouped commits allowed in flight at once (1 for a single connection). */
  maxInFlight?: number;
  /** How long the first item of a group waits for company before the group commits (default 0:
   * the end of the current event-loop turn). For a synchronous commit, which blocks the loop and so
   * never has callers arrive "while it runs", a short window is what gathers a group. */
  windowMs?: number;
}

interface Pending<T> {
  item: T;
  resolve(): void;
  reject(err: unknown): void;
}

export class GroupCommitter<T> {
  private queue: Pending<T>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly windowMs: number;
  private timer: NodeJS.Timeout | undefined;

  /** `commit` commits all given items in one transaction (all or nothing); it is also used with a
   * single item for the one-by-one retry. */
  constructor(
    private readonly commit: (items: T[]) => Promise<void>,
    opts: GroupCommitOptions = {},
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? 256);
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 1);
    this.windowMs = Math.max(0, opts.windowMs ?? 0);
  }

  /** Resolves once `item` is committed durably; rejects with the error of its own commit. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.timer && this.queue.length >= this.maxBatch) {
        // a full group does not wait for the rest of its window
        clearTimeout(this.timer);
        this.timer = undefined;
        this.scheduled = false;
      }
      this.schedule();
    });
  }

  /** Items waiting or being committed. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Resolves when every item submitted so far has settled. */
  async drain(): Promise<void> {
    while (this.pending > 0) {
      await new Promise<void>((r) => this.idle.push(r));
    }
  }

  private idle: (() => void)[] = [];

  private schedule(): void {
    if (this.queue.length === 0 && this.inFlight === 0 && this.idle.length > 0) {
      const waiters = this.idle;
      this.idle = [];
      for (const w of waiters) w();
    }
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    const go = (): void => {
      this.timer = undefined;
      this.scheduled = false;
      this.flush();
    };
    // setImmediate runs after the current poll phase: every call made by I/O callbacks that are
    // ready in this turn joins the group.
    if (this.windowMs > 0 && this.queue.length < this.maxBatch) this.timer = setTimeout(go, this.windowMs);
    else setImmediate(go);
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async run(batch: Pending<T>[]): Promise<void> {
    try {
      await this.commit(batch.map((p) => p.item));
      for (const p of batch) p.resolve();
      return;
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
    }
    // isolate the failure: every item in its own transaction, in arrival order
    for (const p of batch) {
      try {
        await this.commit([p.item]);
        p.resolve();
      } catch (err) {
        p.reject(err);
      }
    }
  }
}
