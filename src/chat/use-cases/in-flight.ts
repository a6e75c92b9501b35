/**
 * Tracks work that outlives its request (a check keeps going after ack), so shutdown can stop
 * taking new work and wait, bounded, for what is running.
 */
export interface InFlight {
  /** Runs task unless closed (null). The promise settles when it ends and never rejects. */
  run(task: () => Promise<void>): Promise<void> | null;
  readonly size: number;
  readonly closed: boolean;
  /** Stops accepting new work. */
  close(): void;
  /** Resolves true when nothing is running, false when timeoutMs passed first. */
  idle(timeoutMs?: number): Promise<boolean>;
}

export function createInFlight(onError: (error: unknown) => void): InFlight {
  const running = new Set<Promise<void>>();
  let closed = false;
  let waiters: Array<() => void> = [];

  const settle = (): void => {
    if (running.size > 0) return;
    const done = waiters;
    waiters = [];
    for (const wake of done) wake();
  };

  return {
    run(task) {
      if (closed) return null;
      const promise: Promise<void> = task()
        .catch(onError)
        .finally(() => {
          running.delete(promise);
          settle();
        });
      running.add(promise);
      return promise;
    },
    get size() {
      return running.size;
    },
    get closed() {
      return closed;
    },
    close() {
      closed = true;
    },
    idle(timeoutMs) {
      if (running.size === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const wake = (): void => {
          if (timer) clearTimeout(timer);
          resolve(true);
        };
        waiters.push(wake);
        if (timeoutMs !== undefined) {
          timer = setTimeout(() => {
            waiters = waiters.filter((waiter) => waiter !== wake);
            resolve(false);
          }, timeoutMs);
          timer.unref();
        }
      });
    },
  };
}
