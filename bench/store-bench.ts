import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PortClass } from '../src/probe/index.js';
import { DEFAULT_HISTORY_LIMITS, openLowdbWatchStore, type WatchStore } from '../src/store/index.js';
import type { PortAlertState } from '../src/watch/index.js';
import { timed } from './stats.js';

// The lowdb store at its worst realistic size: 1 000 watches × 4 ports, every port with alert
// state, one watch in ten with an open incident and a mute, and every history series full (48
// samples, the maximum of class changes). Built through the store's own API, then measured:
// one awaited write at a time (no group commit to hide behind), and a fresh open of the file.

export interface StoreBenchResult {
  watches: number;
  series: number;
  fileBytes: number;
  /** What one series holds after the fill (proves the history is full). */
  samplesPerSeries: number;
  changesPerSeries: number;
  writeMs: number[];
  openMs: number[];
}

export const PORTS = [25, 465, 587, 2525];
export const CHANNEL = 'C0STORE';
export const host = (i: number) => `mail-${i}.customer-${i % 37}.example.com`;

export function state(at: string, usable: boolean, cls: PortClass): PortAlertState {
  return {
    phase: usable ? 'ok' : 'blocked',
    streak: 0,
    since: at,
    pendingSince: null,
    class: cls,
    usable,
    checkedAt: at,
    daysLeft: 63,
    alertable: true,
    announcedOutage: usable ? null : at,
    announcedAt: usable ? null : at,
    certBand: 'ok',
  };
}

/** Fills the store through its own API: watches, full history, alert states, incidents and mutes. */
export async function fill(store: WatchStore, watches: number): Promise<void> {
  const now = Date.now();
  const addedAt = new Date(now - 86_400_000).toISOString();
  await Promise.all(
    Array.from({ length: watches }, (_, i) =>
      store.saveWatch({ channel: CHANNEL, host: host(i), ports: PORTS, addedBy: 'U0ADMIN', addedAt }),
    ),
  );
  // Every 4th observation flips usable/filtered, so each series also holds its maximum of changes.
  const rounds = DEFAULT_HISTORY_LIMITS.maxSamples;
  for (let round = 0; round < rounds; round += 1) {
    const at = new Date(now - (rounds - round) * 15 * 60_000).toISOString();
    const usable = Math.floor(round / 4) % 2 === 0;
    const cls: PortClass = usable ? 'open-starttls' : 'filtered';
    await Promise.all(
      Array.from({ length: watches }, (_, i) =>
        PORTS.map((port) => store.appendHistory(host(i), port, { at, class: cls, usable })),
      ).flat(),
    );
  }
  const at = new Date(now).toISOString();
  await Promise.all(
    Array.from({ length: watches }, (_, i) => {
      const troubled = i % 10 === 0;
      const states = Object.fromEntries(
        PORTS.map((port) => [
          port,
          state(at, !(troubled && port === 25), troubled && port === 25 ? 'filtered' : 'open-starttls'),
        ]),
      );
      const incident = troubled
        ? {
            channel: CHANNEL,
            host: host(i),
            alertTs: `1772366400.${String(i).padStart(6, '0')}`,
            threadTs: `1772366400.${String(i).padStart(6, '0')}`,
            openedAt: at,
            since: at,
            lastReminderAt: null,
            status: 'open' as const,
            resolvedAt: null,
          }
        : undefined;
      return store.saveAlertStates(CHANNEL, host(i), states, incident).then(() =>
        troubled
          ? store.setMute(CHANNEL, host(i), {
              channel: CHANNEL,
              host: host(i),
              until: new Date(now + 3_600_000).toISOString(),
              by: 'U0ADMIN',
            })
          : undefined,
      );
    }),
  );
}

export async function storeBench(options: { watches?: number; writes?: number; opens?: number } = {}) {
  const watches = options.watches ?? 1_000;
  const dir = mkdtempSync(join(tmpdir(), 'smtp-check-store-bench-'));
  const file = join(dir, 'smtp-check.json');
  try {
    const store = await openLowdbWatchStore(file);
    await fill(store, watches);
    const sample = await store.getHistory(host(0), 25);
    // One write = one awaited store call: the change, then the whole file rewritten (temp + rename).
    const writeMs: number[] = [];
    for (let i = 0; i < (options.writes ?? 30); i += 1) {
      const at = new Date().toISOString();
      const { ms } = await timed(() =>
        store.appendHistory(host(i % watches), 587, { at, class: 'open-starttls', usable: true }),
      );
      writeMs.push(ms);
    }
    await store.close();
    const fileBytes = statSync(file).size;

    // Start-up read: what the bot does at start — open, parse, validate and migrate-check the file.
    const openMs: number[] = [];
    for (let i = 0; i < (options.opens ?? 15); i += 1) {
      const { ms, value } = await timed(() => openLowdbWatchStore(file));
      openMs.push(ms);
      await value.close();
    }
    return {
      watches,
      series: watches * PORTS.length,
      fileBytes,
      samplesPerSeries: sample?.samples.length ?? 0,
      changesPerSeries: sample?.changes.length ?? 0,
      writeMs,
      openMs,
    } satisfies StoreBenchResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
