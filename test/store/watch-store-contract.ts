import { describe, expect, test } from 'vitest';
import { DEFAULT_HISTORY_LIMITS, StoreError, type WatchStore } from '../../src/store/index.js';
import { aState, anIncident, aWatch } from './watch-store-fixtures.js';
import { watchStoreTickContract } from './watch-store-tick-contract.js';

// One behaviour for every WatchStore: the lowdb file, the in-memory store and PostgreSQL run this
// same suite (a tick's batched read and write: watch-store-tick-contract.ts).

export { aState, anIncident, aWatch } from './watch-store-fixtures.js';

/** `skip`: why this store cannot run here (PostgreSQL without a server), or null. */
export function watchStoreContract(
  name: string,
  open: () => Promise<WatchStore>,
  options: { skip?: string | null } = {},
): void {
  describe.skipIf(!!options.skip)(`${name} (WatchStore contract)`, () => {
    test('saves, finds, lists and removes watches by channel and host', async () => {
      const store = await open();
      await store.saveWatch(aWatch());
      await store.saveWatch(aWatch({ channel: 'C0OTHER' }));
      await store.saveWatch(aWatch({ host: 'mx.example.test', ports: [25] }));
      expect(await store.getWatch('C0WATCH', 'smtp.example.test')).toEqual(aWatch());
      expect(await store.getWatch('C0WATCH', 'nope.example.test')).toBeNull();
      expect((await store.listWatches()).length).toBe(3);
      expect((await store.listWatches({ channel: 'C0WATCH' })).map((w) => w.host).sort()).toEqual([
        'mx.example.test',
        'smtp.example.test',
      ]);
      expect((await store.listWatches({ host: 'smtp.example.test' })).map((w) => w.channel).sort()).toEqual([
        'C0OTHER',
        'C0WATCH',
      ]);
      expect(await store.removeWatch('C0WATCH', 'smtp.example.test')).toBe(true);
      expect(await store.removeWatch('C0WATCH', 'smtp.example.test')).toBe(false);
      expect(await store.getWatch('C0WATCH', 'smtp.example.test')).toBeNull();
      await store.close();
    });

    test('returns copies: changing a returned record does not change the store', async () => {
      const store = await open();
      await store.saveWatch(aWatch());
      await store.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: aState() });
      const watch = await store.getWatch('C0WATCH', 'smtp.example.test');
      watch?.ports.push(9999);
      const states = await store.getAlertStates('C0WATCH', 'smtp.example.test');
      if (states[25]) states[25].phase = 'blocked';
      expect((await store.getWatch('C0WATCH', 'smtp.example.test'))?.ports).toEqual([25, 587]);
      expect((await store.getAlertStates('C0WATCH', 'smtp.example.test'))[25]?.phase).toBe('ok');
      await store.close();
    });

    test('keeps alert states and the incident per watch, and saves them together', async () => {
      const store = await open();
      await store.saveWatch(aWatch());
      await store.saveWatch(aWatch({ channel: 'C0OTHER' }));
      const blocked = aState({
        phase: 'blocked',
        usable: false,
        class: 'filtered',
        announcedOutage: '2026-03-01T12:15:00.000Z',
      });
      await store.saveAlertStates(
        'C0WATCH',
        'smtp.example.test',
        { 25: blocked, 587: aState() },
        anIncident(),
      );
      expect(await store.getAlertStates('C0WATCH', 'smtp.example.test')).toEqual({
        25: blocked,
        587: aState(),
      });
      expect(await store.getAlertStates('C0OTHER', 'smtp.example.test')).toEqual({});
      expect(await store.getIncident('C0WATCH', 'smtp.example.test')).toEqual(anIncident());
      expect(await store.getIncident('C0OTHER', 'smtp.example.test')).toBeNull();
      expect(await store.listIncidents()).toEqual([anIncident()]);

      await store.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: aState() });
      expect(await store.getAlertStates('C0WATCH', 'smtp.example.test')).toEqual({ 25: aState() });
      expect(await store.getIncident('C0WATCH', 'smtp.example.test')).toEqual(anIncident());
      await store.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: aState() }, null);
      expect(await store.getIncident('C0WATCH', 'smtp.example.test')).toBeNull();
      await store.close();
    });

    test('re-saving a watch keeps its state, incident and mute; removing it drops them', async () => {
      const store = await open();
      await store.saveWatch(aWatch());
      await store.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: aState() }, anIncident());
      await store.setMute('C0WATCH', 'smtp.example.test', {
        channel: 'C0WATCH',
        host: 'smtp.example.test',
        until: '2026-03-01T14:00:00.000Z',
        by: 'U0LEAD',
      });
      await store.saveWatch(aWatch({ ports: [25, 465, 587] }));
      expect((await store.getAlertStates('C0WATCH', 'smtp.example.test'))[25]).toEqual(aState());
      expect(await store.getIncident('C0WATCH', 'smtp.example.test')).not.toBeNull();
      expect((await store.getMute('C0WATCH', 'smtp.example.test'))?.until).toBe('2026-03-01T14:00:00.000Z');

      await store.removeWatch('C0WATCH', 'smtp.example.test');
      await store.saveWatch(aWatch());
      expect(await store.getAlertStates('C0WATCH', 'smtp.example.test')).toEqual({});
      expect(await store.getIncident('C0WATCH', 'smtp.example.test')).toBeNull();
      expect(await store.getMute('C0WATCH', 'smtp.example.test')).toBeNull();
      await store.close();
    });

    test('keeps a watch’s vantages, and each vantage’s states apart from the watch’s own', async () => {
      const store = await open();
      const fromVantages = aWatch({ vantages: ['office', 'aws-eu'] });
      await store.saveWatch(fromVantages);
      await store.saveWatch(aWatch({ channel: 'C0OTHER' }));
      expect(await store.getWatch('C0WATCH', 'smtp.example.test')).toEqual(fromVantages);
      const blocked = aState({ phase: 'blocked', usable: false, class: 'filtered' });
      const hostWide = aState({ phase: 'suspect', usable: false, class: 'filtered' });
      await store.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: hostWide }, anIncident(), {
        office: { 25: aState(), 587: aState() },
        'aws-eu': { 25: blocked },
      });
      expect(await store.getAlertStates('C0WATCH', 'smtp.example.test')).toEqual({ 25: hostWide });
      expect(await store.getVantageStates('C0WATCH', 'smtp.example.test')).toEqual({
        office: { 25: aState(), 587: aState() },
        'aws-eu': { 25: blocked },
      });
      expect(await store.getVantageStates('C0OTHER', 'smtp.example.test')).toEqual({});

      // Without vantages, a save leaves theirs; with them, it replaces them all.
      await store.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: aState() });
      expect(Object.keys(await store.getVantageStates('C0WATCH', 'smtp.example.test')).sort()).toEqual([
        'aws-eu',
        'office',
      ]);
      await store.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: aState() }, undefined, {
        office: { 25: blocked },
        lab: {},
      });
      expect(await store.getVantageStates('C0WATCH', 'smtp.example.test')).toEqual({
        office: { 25: blocked },
      });
      expect(await store.getAlertStates('C0WATCH', 'smtp.example.test')).toEqual({ 25: aState() });
      expect(await store.getIncident('C0WATCH', 'smtp.example.test')).toEqual(anIncident());

      // Re-saving the watch keeps them; a watch from the bot's network only has no vantages field.
      await store.saveWatch(aWatch());
      expect(await store.getWatch('C0WATCH', 'smtp.example.test')).not.toHaveProperty('vantages');
      expect(await store.getVantageStates('C0WATCH', 'smtp.example.test')).toEqual({
        office: { 25: blocked },
      });
      await store.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: aState() }, undefined, {});
      expect(await store.getVantageStates('C0WATCH', 'smtp.example.test')).toEqual({});

      await store.saveAlertStates('C0WATCH', 'smtp.example.test', {}, undefined, { office: { 25: blocked } });
      await store.removeWatch('C0WATCH', 'smtp.example.test');
      await store.saveWatch(fromVantages);
      expect(await store.getVantageStates('C0WATCH', 'smtp.example.test')).toEqual({});
      await store.close();
    });

    test('keeps history per host × port × vantage; the bot’s own network is the series without one', async () => {
      const store = await open();
      const at = '2026-03-01T12:00:00.000Z';
      await store.appendHistory('smtp.example.test', 25, { at, class: 'open-starttls', usable: true });
      await store.appendHistory('smtp.example.test', 25, { at, class: 'filtered', usable: false }, 'aws-eu');
      await store.appendHistory(
        'smtp.example.test',
        25,
        { at: '2026-03-01T12:15:00.000Z', class: 'filtered', usable: false },
        'aws-eu',
      );
      expect(await store.getHistory('smtp.example.test', 25)).toEqual({
        host: 'smtp.example.test',
        port: 25,
        samples: '1',
        lastAt: at,
        changes: [{ at, class: 'open-starttls', usable: true }],
      });
      expect(await store.getHistory('smtp.example.test', 25, 'aws-eu')).toEqual({
        host: 'smtp.example.test',
        port: 25,
        vantage: 'aws-eu',
        samples: '00',
        lastAt: '2026-03-01T12:15:00.000Z',
        changes: [{ at, class: 'filtered', usable: false }],
      });
      expect(await store.getHistory('smtp.example.test', 25, 'office')).toBeNull();
      await store.close();
    });

    test('sets and lifts mutes; state of an unknown watch is ignored', async () => {
      const store = await open();
      await store.saveWatch(aWatch());
      const mute = {
        channel: 'C0WATCH',
        host: 'smtp.example.test',
        until: '2026-03-01T14:00:00.000Z',
        by: 'U0LEAD',
      };
      await store.setMute('C0WATCH', 'smtp.example.test', mute);
      expect(await store.getMute('C0WATCH', 'smtp.example.test')).toEqual(mute);
      await store.setMute('C0WATCH', 'smtp.example.test', null);
      expect(await store.getMute('C0WATCH', 'smtp.example.test')).toBeNull();
      await store.setMute('C0NONE', 'smtp.example.test', { ...mute, channel: 'C0NONE' });
      await store.saveAlertStates('C0NONE', 'smtp.example.test', { 25: aState() });
      expect(await store.getMute('C0NONE', 'smtp.example.test')).toBeNull();
      expect(await store.listWatches()).toHaveLength(1);
      await store.close();
    });

    test('a muted stretch is a change of its own in the history, kept across a reopen', async () => {
      const store = await open();
      const at = (minutes: number) =>
        new Date(Date.parse('2026-03-01T00:00:00.000Z') + minutes * 60_000).toISOString();
      const seen = { class: 'open-starttls' as const, usable: true };
      await store.appendHistory('smtp.example.test', 25, { at: at(0), ...seen });
      await store.appendHistory('smtp.example.test', 25, { at: at(15), ...seen, muted: true });
      await store.appendHistory('smtp.example.test', 25, { at: at(30), ...seen, muted: true });
      await store.appendHistory('smtp.example.test', 25, { at: at(45), ...seen });
      const series = await store.getHistory('smtp.example.test', 25);
      expect(series?.changes).toEqual([
        { at: at(0), ...seen },
        { at: at(15), ...seen, muted: true },
        { at: at(45), ...seen },
      ]);
      expect(series?.samples).toBe('1111');
      await store.close();
    });

    test('keeps history per host × port, bounded by count and by age', async () => {
      const store = await open();
      const start = Date.parse('2026-03-01T00:00:00.000Z');
      for (let i = 0; i < 60; i += 1) {
        const at = new Date(start + i * 15 * 60_000).toISOString();
        const usable = i % 10 !== 0;
        await store.appendHistory('smtp.example.test', 25, {
          at,
          class: usable ? 'open-starttls' : 'filtered',
          usable,
        });
      }
      const series = await store.getHistory('smtp.example.test', 25);
      expect(series?.samples).toHaveLength(48);
      expect(series?.samples.slice(-10)).toBe('0111111111');
      expect(series?.lastAt).toBe(new Date(start + 59 * 15 * 60_000).toISOString());
      expect(series?.changes.length).toBeLessThanOrEqual(DEFAULT_HISTORY_LIMITS.maxChanges);
      // Every change of the 60 observations (one failure in ten, and back) is kept for the timeline.
      expect(series?.changes).toHaveLength(12);
      expect(series?.changes.at(-1)).toMatchObject({ class: 'open-starttls', usable: true });
      expect(await store.getHistory('smtp.example.test', 587)).toBeNull();

      // 31 days later: old changes are gone, the latest stays; a stale series is deleted.
      await store.appendHistory('other.example.test', 25, {
        at: new Date(start).toISOString(),
        class: 'refused',
        usable: false,
      });
      const later = new Date(start + 31 * 86_400_000).toISOString();
      await store.appendHistory('smtp.example.test', 25, { at: later, class: 'open-starttls', usable: true });
      const aged = await store.getHistory('smtp.example.test', 25);
      expect(aged?.changes).toHaveLength(1);
      expect(await store.getHistory('other.example.test', 25)).toBeNull();
      await store.close();
    });

    test('keeps the change in force 30 days back, so a month of history starts known', async () => {
      const store = await open();
      const start = Date.parse('2026-03-01T00:00:00.000Z');
      const day = 86_400_000;
      const append = (days: number, usable: boolean) =>
        store.appendHistory('smtp.example.test', 25, {
          at: new Date(start + days * day).toISOString(),
          class: usable ? 'open-starttls' : 'filtered',
          usable,
        });
      await append(0, true);
      await append(20, false);
      await append(21, true);
      await append(40, true);
      // Day 0 is older than 30 days, but the port was usable from then until day 20.
      expect((await store.getHistory('smtp.example.test', 25))?.changes.map((c) => c.at)).toEqual([
        new Date(start).toISOString(),
        new Date(start + 20 * day).toISOString(),
        new Date(start + 21 * day).toISOString(),
      ]);
      await store.close();
    });

    test('lists watches and incidents in the order the watches were first added', async () => {
      const store = await open();
      for (const host of ['c.example.test', 'a.example.test', 'b.example.test']) {
        await store.saveWatch(aWatch({ host }));
        await store.saveAlertStates('C0WATCH', host, {}, anIncident({ host }));
      }
      await store.saveWatch(aWatch({ host: 'c.example.test', ports: [465] }));
      await store.removeWatch('C0WATCH', 'a.example.test');
      await store.saveWatch(aWatch({ host: 'a.example.test' }));
      const hosts = ['c.example.test', 'b.example.test', 'a.example.test'];
      expect((await store.listWatches()).map((w) => w.host)).toEqual(hosts);
      expect((await store.listIncidents()).map((i) => i.host)).toEqual(hosts.slice(0, 2));
      await store.close();
    });

    test('keeps history per host × port in whole seconds, with the samples of every append', async () => {
      const store = await open();
      await store.appendHistory('smtp.example.test', 587, {
        at: '2026-03-01T12:00:00.750Z',
        class: 'open-starttls',
        usable: true,
      });
      await store.appendHistory('smtp.example.test', 587, {
        at: '2026-03-01T12:15:00.250Z',
        class: 'open-starttls',
        usable: true,
      });
      await store.appendHistory('smtp.example.test', 587, {
        at: '2026-03-01T12:30:00.000Z',
        class: 'refused',
        usable: false,
      });
      expect(await store.getHistory('smtp.example.test', 587)).toEqual({
        host: 'smtp.example.test',
        port: 587,
        samples: '110',
        lastAt: '2026-03-01T12:30:00.000Z',
        changes: [
          { at: '2026-03-01T12:00:00.000Z', class: 'open-starttls', usable: true },
          { at: '2026-03-01T12:30:00.000Z', class: 'refused', usable: false },
        ],
      });
      await store.close();
    });

    test('concurrent history appends to one series all land', async () => {
      const store = await open();
      const start = Date.parse('2026-03-01T00:00:00.000Z');
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.appendHistory('smtp.example.test', 25, {
            at: new Date(start + i * 60_000).toISOString(),
            class: 'open-starttls',
            usable: true,
          }),
        ),
      );
      expect((await store.getHistory('smtp.example.test', 25))?.samples).toBe('1'.repeat(20));
      await store.close();
    });

    test('a closed store refuses calls with StoreError', async () => {
      const store = await open();
      await store.close();
      await expect(store.listWatches()).rejects.toBeInstanceOf(StoreError);
      await store.close();
    });

    test('concurrent writes all land', async () => {
      const store = await open();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.saveWatch(aWatch({ host: `h${i}.example.test` }))),
      );
      expect(await store.listWatches()).toHaveLength(50);
      await store.close();
    });

    watchStoreTickContract(open);
  });
}
