import type { DomainWatch } from '../watch-model/domain-watch.js';
import type { DomainWatchMethods } from '../watch-model/watch-store.js';
import type { StoreData } from './store-data.js';

// The domain watches of the in-memory layout (the lowdb file and the memory store): one entry per
// channel and domain, beside the host watches, so the two never share a key.

export function domainWatchKey(channel: string, domain: string): string {
  return `${channel}/${domain}`;
}

export function dataDomainWatches(data: () => StoreData, commit: () => Promise<void>): DomainWatchMethods {
  /** The section, created on the first write: a file without domain watches keeps its layout. */
  const section = (): Record<string, DomainWatch> => {
    const current = data();
    current.domainWatches ??= {};
    return current.domainWatches;
  };
  const find = (channel: string, domain: string): DomainWatch | undefined =>
    data().domainWatches?.[domainWatchKey(channel, domain)];

  return {
    async listDomainWatches(filter = {}) {
      return Object.values(data().domainWatches ?? {})
        .filter((w) => filter.channel === undefined || w.channel === filter.channel)
        .filter((w) => filter.domain === undefined || w.domain === filter.domain)
        .map((w) => structuredClone(w));
    },

    async getDomainWatch(channel, domain) {
      const found = find(channel, domain);
      return found === undefined ? null : structuredClone(found);
    },

    async saveDomainWatch(watch) {
      const previous = find(watch.channel, watch.domain);
      section()[domainWatchKey(watch.channel, watch.domain)] = structuredClone({
        ...watch,
        mute: previous === undefined ? watch.mute : previous.mute,
      });
      await commit();
    },

    async saveDomainWatchState(channel, domain, state) {
      const found = find(channel, domain);
      if (found === undefined) {
        data(); // a closed store refuses even a write that finds nothing
        return false;
      }
      found.state = structuredClone(state);
      await commit();
      return true;
    },

    async removeDomainWatch(channel, domain) {
      if (find(channel, domain) === undefined) return false;
      delete section()[domainWatchKey(channel, domain)];
      await commit();
      return true;
    },

    async setDomainMute(channel, domain, mute) {
      const found = find(channel, domain);
      if (found === undefined) return;
      found.mute = mute === null ? null : { until: mute.until, by: mute.by };
      await commit();
    },
  };
}
