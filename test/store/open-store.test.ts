import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createLogger } from '../../src/log.js';
import { openStore } from '../../src/store/index.js';
import { describeDatabase, isPgWatchStore, LATEST_SCHEMA_VERSION } from '../../src/store/pg/index.js';
import { asSuperuser, requirePostgres } from '../helpers/postgres.js';
import { testDatabases } from './pg-test-support.js';
import { aWatch } from './watch-store-contract.js';

const skip = await requirePostgres();
const database = testDatabases();

function capturedLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'info', write: (line) => lines.push(line) }) };
}

describe('openStore()', () => {
  test('without DATABASE_URL it opens the JSON data file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'smtp-check-open-store-'));
    try {
      const file = join(dir, 'smtp-check.json');
      const store = await openStore({ dataFile: file, databaseUrl: null }, capturedLogger().logger);
      expect(store.location).toBe(file);
      expect(isPgWatchStore(store)).toBe(false);
      await store.saveWatch(aWatch());
      await store.close();
      expect((await stat(file)).size).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test.skipIf(skip !== null)(
    'with DATABASE_URL it migrates the database and keeps watches there, not in the file',
    async () => {
      const db = await database();
      const dir = await mkdtemp(join(tmpdir(), 'smtp-check-open-store-'));
      try {
        const { lines, logger } = capturedLogger();
        const file = join(dir, 'smtp-check.json');
        const store = await openStore({ dataFile: file, databaseUrl: db.url }, logger);
        expect(store.location).toBe(describeDatabase(db.url));
        expect(isPgWatchStore(store)).toBe(true);
        await store.saveWatch(aWatch());
        await store.close();
        await expect(stat(file)).rejects.toThrow(/ENOENT/);
        const rows = await asSuperuser(db.name, async (client) => ({
          watches: (await client.query('SELECT host FROM watches')).rows,
          version: (await client.query('SELECT max(version) AS v FROM smtp_check_schema')).rows[0]?.v,
        }));
        expect(rows).toEqual({ watches: [{ host: 'smtp.example.test' }], version: LATEST_SCHEMA_VERSION });
        expect(lines.map((line) => JSON.parse(line).msg)).toEqual([
          'opening the watch store in PostgreSQL',
          'database schema migrated',
        ]);
        for (const line of lines) expect(line).toContain(describeDatabase(db.url));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
