import type { Metrics } from '../metrics/index.js';
import type { WatchStore } from '../watch-model/watch-store.js';

// smtp_check_store_up follows every store operation, whichever backend and caller: the store is
// wrapped once where it is built instead of each of its methods being instrumented. Refusals are
// values in this program, so a rejected operation is the store failing (a disk, a database).

/** The same store, each asynchronous method reporting whether it succeeded. */
export function observeStore<S extends WatchStore>(store: S, metrics: Metrics): S {
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = value.apply(target, args);
        if (result instanceof Promise) {
          result.then(
            () => metrics.storeOperation(true),
            () => metrics.storeOperation(false),
          );
        }
        return result;
      };
    },
  });
}
