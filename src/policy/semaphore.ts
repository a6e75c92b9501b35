/** Which waiters are served first when a slot frees: every 'high' one before any 'low' one. */
export type SemaphorePriority = 'high' | 'low';

/**
 * A counting semaphore: at most `limit` holders at once; the rest wait, 'high' priority first,
 * each priority in arrival order. The one concurrency helper of the project (checks, the per-target
 * cap, a watch tick's workers).
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Record<SemaphorePriority, Array<() => void>> = { high: [], low: [] };
  private peakActive = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`semaphore limit must be ≥ 1, got ${limit}`);
  }

  get inUse(): number {
    return this.active;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.high.length + this.waiting.low.length;
  }

  /** The highest number of simultaneous holders seen, for tests and benchmarks. */
  get peak(): number {
    return this.peakActive;
  }

  async run<T>(task: () => Promise<T>, priority: SemaphorePriority = 'high'): Promise<T> {
    await this.acquire(priority);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Runs `task` for every item, at most `limit` at once, starting them in the items' order. */
  async forEach<T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
    await Promise.all(items.map((item) => this.run(() => task(item))));
  }

  private acquire(priority: SemaphorePriority): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1;
      this.peakActive = Math.max(this.peakActive, this.active);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting[priority].push(resolve));
  }

  private release(): void {
    // The slot passes straight to the next waiter, so `active` stays as it is.
    const next = this.waiting.high.shift() ?? this.waiting.low.shift();
    if (next) {
      next();
      return;
    }
    this.active -= 1;
  }
}
