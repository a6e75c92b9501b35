import { describe, expect, test } from 'vitest';
import type { WatchStore } from '../../src/store/index.js';
import { aDomainWatch } from './domain-watch-fixtures.js';
import { aWatch } from './watch-store-fixtures.js';

// Domain watches, the same in every WatchStore: the JSON file, memory and PostgreSQL.

export function domainWatchStoreContract(
  name: string,
  open: () => Promise<WatchStore>,
  options: { skip?: string | null } = {},
): void {
  describe.skipIf(!!options.skip)(`${name} (domain watches)`, () => {
    test('saves, finds, lists and removes domain watches by channel and domain', async () => {
      const store = await open();
      await store.saveDomainWatch(aDomainWatch({}, true));
      await store.saveDomainWatch(aDomainWatch({ channel: 'C0OTHER' }));
      await store.saveDomainWatch(aDomainWatch({ domain: 'example.net' }));
      expect(await store.getDomainWatch('C0WATCH', 'example.com')).toEqual(aDomainWatch({}, true));
      expect(await store.getDomainWatch('C0WATCH', 'example.org')).toBeNull();
      expect((await store.listDomainWatches()).length).toBe(3);
      expect((await store.listDomainWatches({ channel: 'C0WATCH' })).map((w) => w.domain).sort()).toEqual([
        'example.com',
        'example.net',
      ]);
      expect((await store.listDomainWatches({ domain: 'example.com' })).map((w) => w.channel).sort()).toEqual(
        ['C0OTHER', 'C0WATCH'],
      );
      expect(await store.removeDomainWatch('C0WATCH', 'example.com')).toBe(true);
      expect(await store.removeDomainWatch('C0WATCH', 'example.com')).toBe(false);
      expect(await store.getDomainWatch('C0WATCH', 'example.com')).toBeNull();
      await store.close();
    });

    test('a tick’s state replaces the state only, and finds nothing once the watch is gone', async () => {
      const store = await open();
      await store.saveDomainWatch(aDomainWatch());
      await store.setDomainMute('C0WATCH', 'example.com', {
        until: '2026-03-02T00:00:00.000Z',
        by: 'U0LEAD',
      });
      const { state } = aDomainWatch({}, true);
      expect(await store.saveDomainWatchState('C0WATCH', 'example.com', state)).toBe(true);
      expect(await store.getDomainWatch('C0WATCH', 'example.com')).toEqual(
        aDomainWatch({ mute: { until: '2026-03-02T00:00:00.000Z', by: 'U0LEAD' } }, true),
      );
      // Watching again keeps the mute a person set.
      await store.saveDomainWatch(aDomainWatch());
      expect((await store.getDomainWatch('C0WATCH', 'example.com'))?.mute?.by).toBe('U0LEAD');
      await store.setDomainMute('C0WATCH', 'example.com', null);
      expect((await store.getDomainWatch('C0WATCH', 'example.com'))?.mute).toBeNull();
      await store.removeDomainWatch('C0WATCH', 'example.com');
      expect(await store.saveDomainWatchState('C0WATCH', 'example.com', state)).toBe(false);
      expect(await store.getDomainWatch('C0WATCH', 'example.com')).toBeNull();
      await store.close();
    });

    test('a host watch and a domain watch of one name are separate records', async () => {
      const store = await open();
      await store.saveWatch(aWatch({ host: 'example.com' }));
      await store.saveDomainWatch(aDomainWatch({}, true));
      expect(await store.getIncident('C0WATCH', 'example.com')).toBeNull();
      expect(await store.listIncidents()).toEqual([]);
      expect(await store.removeWatch('C0WATCH', 'example.com')).toBe(true);
      expect((await store.getDomainWatch('C0WATCH', 'example.com'))?.state.incident?.status).toBe('open');
      await store.close();
    });
  });
}
