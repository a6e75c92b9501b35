import { expect, test } from 'vitest';
import { StoreError, type WatchStore } from '../../src/store/index.js';
import type { HistorySample, Mute, TickResult } from '../../src/watch-model/index.js';
import { aState, anIncident, aWatch } from './watch-store-fixtures.js';

// A scheduled tick's batched read and write of one host (loadTickContext, saveTickResult): what
// they read and write is what the separate calls read and write. Part of the WatchStore contract
// (watch-store-contract.ts), for every store.

const HOST = 'smtp.example.test';
const at = (minutes: number): string =>
  new Date(Date.parse('2026-03-01T12:00:00.000Z') + minutes * 60_000).toISOString();
const seen = (minutes: number, usable = true, extra: Partial<HistorySample> = {}): HistorySample => ({
  at: at(minutes),
  class: usable ? 'open-starttls' : 'filtered',
  usable,
  ...extra,
});
const aMute = (channel: string): Mute => ({ channel, host: HOST, until: at(120), by: 'U0LEAD' });

export function watchStoreTickContract(open: () => Promise<WatchStore>): void {
  test('loadTickContext reads each channel’s states, vantages’ states, incident and mute, and the series asked for', async () => {
    const store = await open();
    await store.saveWatch(aWatch({ vantages: ['office', 'aws-eu'] }));
    await store.saveWatch(aWatch({ channel: 'C0OTHER' }));
    await store.saveWatch(aWatch({ channel: 'C0ELSE' }));
    const blocked = aState({ phase: 'blocked', usable: false, class: 'filtered' });
    await store.saveAlertStates('C0WATCH', HOST, { 25: blocked, 587: aState() }, anIncident(), {
      office: { 25: aState() },
      'aws-eu': { 25: blocked, 587: aState() },
    });
    await store.saveAlertStates('C0OTHER', HOST, { 25: aState() });
    await store.setMute('C0OTHER', HOST, aMute('C0OTHER'));
    await store.appendHistory(HOST, 25, seen(0));
    await store.appendHistory(HOST, 25, seen(0, false), 'aws-eu');
    await store.appendHistory(HOST, 587, seen(0));

    const context = await store.loadTickContext({
      host: HOST,
      channels: ['C0WATCH', 'C0OTHER', 'C0GONE'],
      series: [{ port: 25 }, { port: 25, vantage: 'aws-eu' }, { port: 465 }, { port: 25, vantage: 'office' }],
    });
    expect(context.host).toBe(HOST);
    expect([...context.watches.keys()].sort()).toEqual(['C0GONE', 'C0OTHER', 'C0WATCH']);
    expect(context.watches.get('C0WATCH')).toEqual({
      states: await store.getAlertStates('C0WATCH', HOST),
      vantages: await store.getVantageStates('C0WATCH', HOST),
      incident: anIncident(),
      mute: null,
    });
    expect(context.watches.get('C0OTHER')).toEqual({
      states: { 25: aState() },
      vantages: {},
      incident: null,
      mute: aMute('C0OTHER'),
    });
    expect(context.watches.get('C0GONE')).toEqual({ states: {}, vantages: {}, incident: null, mute: null });
    const byKey = (series: { port: number; vantage?: string }) => `${series.port}@${series.vantage ?? ''}`;
    expect([...context.history].sort((a, b) => byKey(a).localeCompare(byKey(b)))).toEqual([
      await store.getHistory(HOST, 25),
      await store.getHistory(HOST, 25, 'aws-eu'),
    ]);
    await store.close();
  });

  test('saveTickResult appends every observation and saves every watch’s states as the separate calls do', async () => {
    const store = await open();
    await store.saveWatch(aWatch({ vantages: ['office'] }));
    await store.saveWatch(aWatch({ channel: 'C0OTHER' }));
    await store.saveAlertStates('C0WATCH', HOST, { 25: aState() }, anIncident(), {
      office: { 25: aState() },
    });
    await store.saveAlertStates(
      'C0OTHER',
      HOST,
      { 25: aState(), 587: aState() },
      anIncident({ channel: 'C0OTHER' }),
    );
    await store.appendHistory(HOST, 25, seen(0));
    const series = [{ port: 25 }, { port: 587 }, { port: 25, vantage: 'office' }];
    const context = await store.loadTickContext({ host: HOST, channels: ['C0WATCH', 'C0OTHER'], series });

    const blocked = aState({ phase: 'blocked', usable: false, class: 'filtered' });
    const result: TickResult = {
      host: HOST,
      history: [
        { port: 25, sample: seen(15, false, { muted: true }) },
        { port: 587, sample: seen(15) },
        { port: 25, vantage: 'office', sample: seen(15, false) },
      ],
      watches: [
        // Vantages given: they replace the stored ones; the incident is closed.
        {
          channel: 'C0WATCH',
          states: { 587: blocked },
          incident: null,
          vantages: { office: { 587: blocked } },
        },
        // Neither: the incident stays.
        { channel: 'C0OTHER', states: { 25: blocked } },
        // A watch that is gone is ignored.
        { channel: 'C0GONE', states: { 25: blocked }, incident: anIncident({ channel: 'C0GONE' }) },
      ],
    };
    await store.saveTickResult(result, context);

    expect(await store.getAlertStates('C0WATCH', HOST)).toEqual({ 587: blocked });
    expect(await store.getVantageStates('C0WATCH', HOST)).toEqual({ office: { 587: blocked } });
    expect(await store.getIncident('C0WATCH', HOST)).toBeNull();
    expect(await store.getAlertStates('C0OTHER', HOST)).toEqual({ 25: blocked });
    expect(await store.getIncident('C0OTHER', HOST)).toEqual(anIncident({ channel: 'C0OTHER' }));
    expect(await store.getWatch('C0GONE', HOST)).toBeNull();
    expect(await store.getIncident('C0GONE', HOST)).toBeNull();
    expect((await store.listWatches()).map((watch) => watch.channel).sort()).toEqual(['C0OTHER', 'C0WATCH']);
    expect(await store.getHistory(HOST, 25)).toEqual({
      host: HOST,
      port: 25,
      samples: '10',
      lastAt: at(15),
      changes: [
        { at: at(0), class: 'open-starttls', usable: true },
        { at: at(15), class: 'filtered', usable: false, muted: true },
      ],
    });
    expect((await store.getHistory(HOST, 587))?.samples).toBe('1');
    expect(await store.getHistory(HOST, 25, 'office')).toMatchObject({ vantage: 'office', samples: '0' });

    // A new incident is opened, and the vantages' states are kept when none are given.
    await store.saveTickResult({
      host: HOST,
      history: [],
      watches: [{ channel: 'C0WATCH', states: {}, incident: anIncident() }],
    });
    expect(await store.getIncident('C0WATCH', HOST)).toEqual(anIncident());
    expect(await store.getVantageStates('C0WATCH', HOST)).toEqual({ office: { 587: blocked } });
    expect(await store.getAlertStates('C0WATCH', HOST)).toEqual({});
    await store.close();
  });

  test('saveTickResult lands every append: without a context, on a series changed since the read, twice in one result', async () => {
    const store = await open();
    await store.appendHistory(HOST, 25, seen(0));
    const context = await store.loadTickContext({
      host: HOST,
      channels: [],
      series: [{ port: 25 }, { port: 587 }],
    });
    // Another writer appends to both series after the read (587 did not exist then).
    await store.appendHistory(HOST, 25, seen(5, false));
    await store.appendHistory(HOST, 587, seen(5, false));
    await store.saveTickResult(
      {
        host: HOST,
        history: [
          { port: 25, sample: seen(15) },
          { port: 587, sample: seen(15) },
          { port: 587, sample: seen(16) },
        ],
        watches: [],
      },
      context,
    );
    expect((await store.getHistory(HOST, 25))?.samples).toBe('101');
    expect((await store.getHistory(HOST, 587))?.samples).toBe('011');
    expect((await store.getHistory(HOST, 587))?.lastAt).toBe(at(16));

    await store.saveTickResult({ host: HOST, history: [{ port: 25, sample: seen(30, false) }], watches: [] });
    expect((await store.getHistory(HOST, 25))?.samples).toBe('1010');
    // A context read again after the writes is current: its appends land once each.
    const again = await store.loadTickContext({ host: HOST, channels: [], series: [{ port: 25 }] });
    await store.saveTickResult({ host: HOST, history: [{ port: 25, sample: seen(45) }], watches: [] }, again);
    expect((await store.getHistory(HOST, 25))?.samples).toBe('10101');
    await store.close();
  });

  test('the batched read and write of a closed store reject with StoreError', async () => {
    const store = await open();
    await store.close();
    await expect(
      store.loadTickContext({ host: HOST, channels: ['C0WATCH'], series: [] }),
    ).rejects.toBeInstanceOf(StoreError);
    await expect(
      store.saveTickResult({ host: HOST, history: [{ port: 25, sample: seen(0) }], watches: [] }),
    ).rejects.toBeInstanceOf(StoreError);
  });
}
