import { describe, expect, test } from 'vitest';
import {
  createPgWatchStore,
  createPool,
  migrate,
  type PgWatchStore,
  type Pool,
} from '../../src/store/pg/index.js';
import type { HistorySample } from '../../src/watch-model/index.js';
import { requirePostgres } from '../helpers/postgres.js';
import { testDatabases } from './pg-test-support.js';
import { aState, aWatch } from './watch-store-fixtures.js';

// A tick's host on PostgreSQL: one statement to read it, one to write it — and an append that
// meets another writer's (the series changed between the read and the write) still lands once.

const skip = await requirePostgres();
const database = testDatabases();
const HOST = 'smtp.example.test';
const PORTS = [25, 465, 587, 2525];
const at = (minutes: number): string =>
  new Date(Date.parse('2026-03-01T12:00:00.000Z') + minutes * 60_000).toISOString();
const seen = (minutes: number, usable = true): HistorySample => ({
  at: at(minutes),
  class: usable ? 'open-starttls' : 'filtered',
  usable,
});

/** A store whose every statement (pool queries and transactions alike) is counted. */
async function countedStore(): Promise<{ store: PgWatchStore; counter: { statements: number } }> {
  const db = await database();
  const counter = { statements: 0 };
  const pool: Pool = createPool(db.url);
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      counter.statements += 1;
      return query(...args);
    };
  });
  await migrate(pool, db.name);
  return { store: createPgWatchStore({ pool, url: db.url }), counter };
}

describe.skipIf(skip !== null)('a tick’s host on PostgreSQL', () => {
  test('is read in one statement and written in one, history of every port and states together', async () => {
    const { store, counter } = await countedStore();
    try {
      await store.saveWatch(aWatch({ ports: PORTS }));
      for (const port of PORTS) await store.appendHistory(HOST, port, seen(0));
      const series = PORTS.map((port) => ({ port }));
      const before = counter.statements;
      const context = await store.loadTickContext({ host: HOST, channels: ['C0WATCH'], series });
      expect(counter.statements - before).toBe(1);
      await store.saveTickResult(
        {
          host: HOST,
          history: PORTS.map((port) => ({ port, sample: seen(15, port !== 25) })),
          watches: [
            { channel: 'C0WATCH', states: Object.fromEntries(PORTS.map((port) => [port, aState()])) },
          ],
        },
        context,
      );
      expect(counter.statements - before).toBe(2);
      for (const port of PORTS) {
        expect((await store.getHistory(HOST, port))?.samples).toBe(port === 25 ? '10' : '11');
      }
      expect(Object.keys(await store.getAlertStates('C0WATCH', HOST))).toEqual(PORTS.map(String));

      // New series are created by the same one statement.
      const fresh = await store.loadTickContext({ host: 'new.example.test', channels: [], series });
      const counted = counter.statements;
      await store.saveTickResult(
        { host: 'new.example.test', history: PORTS.map((port) => ({ port, sample: seen(15) })), watches: [] },
        fresh,
      );
      expect(counter.statements - counted).toBe(1);
      expect((await store.getHistory('new.example.test', 2525))?.samples).toBe('1');
    } finally {
      await store.close();
    }
  });

  test('two writes from the same read both land: the second appends again on the series as it is', async () => {
    const { store } = await countedStore();
    try {
      await store.appendHistory(HOST, 25, seen(0));
      const series = [{ port: 25 }, { port: 587 }];
      const [first, second] = await Promise.all([
        store.loadTickContext({ host: HOST, channels: [], series }),
        store.loadTickContext({ host: HOST, channels: [], series }),
      ]);
      await Promise.all([
        store.saveTickResult(
          {
            host: HOST,
            history: [
              { port: 25, sample: seen(15) },
              { port: 587, sample: seen(15) },
            ],
            watches: [],
          },
          first,
        ),
        store.saveTickResult(
          {
            host: HOST,
            history: [
              { port: 25, sample: seen(16, false) },
              { port: 587, sample: seen(16, false) },
            ],
            watches: [],
          },
          second,
        ),
      ]);
      for (const port of [25, 587]) {
        const samples = (await store.getHistory(HOST, port))?.samples ?? '';
        expect(samples.split('').sort().join('')).toBe(port === 25 ? '011' : '01');
      }
    } finally {
      await store.close();
    }
  });
});
