import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLowdbWatchStore, type WatchStore } from '../src/store/index.js';
import { importProblem, importStoreData, openPgWatchStore } from '../src/store/pg/index.js';
import { loadStoreData } from '../src/store/store-data.js';
import { createTestDatabase, postgresUnavailable } from '../test/helpers/postgres.js';
import { percentile, timed } from './stats.js';
import { CHANNEL, fill, host, PORTS, state } from './store-bench.js';

// One store write at 10 000 watches (4 ports each, full history, an incident and a mute on one
// watch in ten), on the JSON file and on PostgreSQL holding the same data: the file is filled
// through the store's API as store-bench.ts does, then copied into a fresh database by the import
// command's code. Measured as a re-test does it: one awaited saveAlertStates, and one saveWatch
// (a watch changed), one at a time, on watches spread over the whole list. The first writes warm
// up (the pool's connection, the file's cache) and are not counted.

export interface StoreWriteFigures {
  saveAlertStatesMs: number[];
  saveWatchMs: number[];
  /** Nearest-rank 99th percentile of each. */
  p99: { saveAlertStates: number; saveWatch: number };
}

export interface PgStoreBenchResult {
  watches: number;
  series: number;
  lowdb: StoreWriteFigures & { fileBytes: number };
  /** Null with `postgresSkipped` when no PostgreSQL server could be used. */
  postgres: (StoreWriteFigures & { database: string; importMs: number }) | null;
  postgresSkipped: string | null;
}

const WARM_UP = 5;

async function measureWrites(store: WatchStore, watches: number, writes: number): Promise<StoreWriteFigures> {
  const saveAlertStatesMs: number[] = [];
  const saveWatchMs: number[] = [];
  const addedAt = new Date(Date.now() - 86_400_000).toISOString();
  for (let i = 0; i < WARM_UP + writes; i += 1) {
    const h = host((i * 7_919) % watches);
    const at = new Date().toISOString();
    // Port 25 flips between blocked and open, so every save changes what is stored.
    const blocked = i % 2 === 0;
    const states = Object.fromEntries(
      PORTS.map((port) => {
        const down = blocked && port === 25;
        return [port, state(at, !down, down ? 'filtered' : 'open-starttls')];
      }),
    );
    const saveStates = await timed(() => store.saveAlertStates(CHANNEL, h, states));
    const ports = i % 2 === 0 ? PORTS : PORTS.slice(0, 3);
    const saveWatch = await timed(() =>
      store.saveWatch({ channel: CHANNEL, host: h, ports, addedBy: 'U0ADMIN', addedAt }),
    );
    if (i < WARM_UP) continue;
    saveAlertStatesMs.push(saveStates.ms);
    saveWatchMs.push(saveWatch.ms);
  }
  return {
    saveAlertStatesMs,
    saveWatchMs,
    p99: { saveAlertStates: percentile(saveAlertStatesMs, 99), saveWatch: percentile(saveWatchMs, 99) },
  };
}

/** Copies the data file into the database, as `smtp-check store import` does; returns its duration. */
async function importFile(file: string, url: string): Promise<number> {
  const loaded = loadStoreData(JSON.parse(readFileSync(file, 'utf8')));
  if (!loaded.ok) throw new Error(`the bench's data file cannot be read back: ${loaded.reason}`);
  const problem = importProblem(loaded.data);
  if (problem !== null) throw new Error(`the bench's data file cannot be imported: ${problem}`);
  const store = await openPgWatchStore(url);
  try {
    const { ms } = await timed(() =>
      store.transaction('importing the bench data', (client) => importStoreData(client, loaded.data)),
    );
    // Fresh statistics, as autovacuum would have gathered on a database that grew to this size.
    await store.pool.query('ANALYZE');
    return ms;
  } finally {
    await store.close();
  }
}

/**
 * p99 latency of saveAlertStates and saveWatch at `watches` watches on the JSON file and on
 * PostgreSQL. `databaseUrl`: an empty database to use; without it a database is created on the
 * local test server (started if installed) and dropped afterwards.
 */
export async function pgStoreBench(
  options: { watches?: number; writes?: number; databaseUrl?: string } = {},
): Promise<PgStoreBenchResult> {
  const watches = options.watches ?? 10_000;
  const writes = options.writes ?? 200;
  const dir = mkdtempSync(join(tmpdir(), 'smtp-check-pg-store-bench-'));
  const file = join(dir, 'smtp-check.json');
  try {
    const lowdb = await openLowdbWatchStore(file);
    await fill(lowdb, watches);
    await lowdb.close();
    const fileBytes = statSync(file).size;

    let postgres: PgStoreBenchResult['postgres'] = null;
    let postgresSkipped: string | null = null;
    const unavailable = options.databaseUrl === undefined ? await postgresUnavailable() : null;
    if (unavailable !== null) {
      postgresSkipped = unavailable;
    } else {
      const created = options.databaseUrl === undefined ? await createTestDatabase('smtp_check_bench') : null;
      const url = options.databaseUrl ?? created?.url ?? '';
      try {
        const importMs = await importFile(file, url);
        const store = await openPgWatchStore(url);
        try {
          postgres = { ...(await measureWrites(store, watches, writes)), database: store.location, importMs };
        } finally {
          await store.close();
        }
      } finally {
        await created?.drop();
      }
    }

    // The file is measured after the import read it, so both stores start from the same data.
    const reopened = await openLowdbWatchStore(file);
    let lowdbFigures: StoreWriteFigures;
    try {
      lowdbFigures = await measureWrites(reopened, watches, writes);
    } finally {
      await reopened.close();
    }
    return {
      watches,
      series: watches * PORTS.length,
      lowdb: { ...lowdbFigures, fileBytes },
      postgres,
      postgresSkipped,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
