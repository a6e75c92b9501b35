/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** Resolves after `ms`, or at once when `signal` aborts. The real clock: a test injects its own. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
