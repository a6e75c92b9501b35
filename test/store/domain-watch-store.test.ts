import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createMemoryWatchStore, openLowdbWatchStore, StoreError } from '../../src/store/index.js';
import {
  createPool,
  importProblem,
  importStoreData,
  migrate,
  openPgWatchStore,
} from '../../src/store/pg/index.js';
import { loadStoreData } from '../../src/store/store-data.js';
import { MIGRATIONS } from '../../src/store/pg/migrations/index.js';
import { requirePostgres } from '../helpers/postgres.js';
import { aDomainWatch } from './domain-watch-fixtures.js';
import { domainWatchStoreContract } from './domain-watch-store-contract.js';
import { snapshot, testDatabases } from './pg-test-support.js';
import { aWatch } from './watch-store-fixtures.js';

const skip = await requirePostgres();
const database = testDatabases();
const dir = await mkdtemp(join(tmpdir(), 'smtp-check-domains-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
let counter = 0;
const aFile = (): string => {
  counter += 1;
  return join(dir, `data-${counter}.json`);
};

domainWatchStoreContract('createMemoryWatchStore()', async () => createMemoryWatchStore());
domainWatchStoreContract('openLowdbWatchStore()', () => openLowdbWatchStore(aFile()));
domainWatchStoreContract('openPgWatchStore()', async () => openPgWatchStore((await database()).url), {
  skip,
});

describe('domain watches in the JSON file', () => {
  test('round-trip through the file', async () => {
    const file = aFile();
    const store = await openLowdbWatchStore(file);
    await store.saveDomainWatch(aDomainWatch({}, true));
    await store.close();
    const again = await openLowdbWatchStore(file);
    expect(await again.listDomainWatches()).toEqual([aDomainWatch({}, true)]);
    await again.close();
  });

  test('a file written before domain watches loads as it is, and keeps its layout until one is added', async () => {
    const file = aFile();
    const old = `{"version":2,"watches":{"C0/h.test":{"channel":"C0","host":"h.test","ports":[25],"addedBy":"U0","addedAt":"2026-03-01T12:00:00.000Z","alerts":{},"incident":null,"mute":null}},"history":{}}`;
    await writeFile(file, old);
    const store = await openLowdbWatchStore(file);
    expect(await store.listDomainWatches()).toEqual([]);
    await store.saveWatch(aWatch({ channel: 'C0', host: 'h.test', ports: [25, 587] }));
    expect(await readFile(file, 'utf8')).not.toContain('domainWatches');
    await store.saveDomainWatch(aDomainWatch());
    await store.close();
    expect(JSON.parse(await readFile(file, 'utf8')).domainWatches).toHaveProperty(['C0WATCH/example.com']);
  });

  test('a domain watch that does not fit is refused, naming it', async () => {
    const file = aFile();
    const broken = { ...aDomainWatch(), state: { ...aDomainWatch().state, announced: 'nothing' } };
    await writeFile(
      file,
      JSON.stringify({
        version: 2,
        watches: {},
        history: {},
        domainWatches: { 'C0WATCH/example.com': broken },
      }),
    );
    const error = await openLowdbWatchStore(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain('domain watch "C0WATCH/example.com"');
  });
});

describe.skipIf(skip !== null)('domain watches in PostgreSQL', () => {
  test('migration 7 on a database at version 6 keeps every existing row and adds the table', async () => {
    const db = await database();
    const pool = createPool(db.url);
    try {
      await migrate(
        pool,
        'test',
        MIGRATIONS.filter((m) => m.version <= 6),
      );
      await pool.query(
        `INSERT INTO watches (channel, host, ports, added_by, added_at)
          VALUES ('C0WATCH', 'smtp.example.test', '{25,587}', 'U0LEAD', '2026-03-01T12:00:00Z')`,
      );
      await pool.query(
        `INSERT INTO watch_incidents (channel, host, alert_ts, thread_ts, opened_at, since, status)
          VALUES ('C0WATCH', 'smtp.example.test', '1.1', '1.1', '2026-03-01T12:00:00Z', '2026-03-01T12:00:00Z', 'open')`,
      );
      const before = await snapshot(db.name);
      expect((await migrate(pool, 'test')).applied).toEqual(['7 domain watches']);
      const after = await snapshot(db.name);
      const { domain_watches: added, smtp_check_schema: versions, ...kept } = after;
      const { smtp_check_schema: versionsBefore, ...keptBefore } = before;
      expect(kept).toEqual(keptBefore);
      expect(added).toEqual([]);
      expect(versions?.length).toBe((versionsBefore?.length ?? 0) + 1);
    } finally {
      await pool.end();
    }
    const store = await openPgWatchStore(db.url);
    expect(await store.getWatch('C0WATCH', 'smtp.example.test')).toEqual(aWatch());
    expect((await store.getIncident('C0WATCH', 'smtp.example.test'))?.alertTs).toBe('1.1');
    await store.saveDomainWatch(aDomainWatch({}, true));
    expect(await store.listDomainWatches()).toEqual([aDomainWatch({}, true)]);
    await store.close();
  });

  test('store import carries domain watches over, and a second run leaves them as the database has them', async () => {
    const file = aFile();
    const json = await openLowdbWatchStore(file);
    await json.saveDomainWatch(aDomainWatch({}, true));
    await json.setDomainMute('C0WATCH', 'example.com', { until: '2026-03-02T00:00:00.000Z', by: 'U0LEAD' });
    await json.saveDomainWatch(aDomainWatch({ domain: 'example.net' }));
    await json.close();
    const loaded = loadStoreData(JSON.parse(await readFile(file, 'utf8')));
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(importProblem(loaded.data)).toBeNull();

    const db = await database();
    const store = await openPgWatchStore(db.url);
    const counts = await store.transaction('importing', (client) => importStoreData(client, loaded.data));
    expect(counts).toMatchObject({ domainWatches: 2, domainWatchesPresent: 0 });
    const muted = aDomainWatch({ mute: { until: '2026-03-02T00:00:00.000Z', by: 'U0LEAD' } }, true);
    expect(await store.getDomainWatch('C0WATCH', 'example.com')).toEqual(muted);
    expect(await store.getDomainWatch('C0WATCH', 'example.net')).toEqual(
      aDomainWatch({ domain: 'example.net' }),
    );

    // What the database learnt since wins over the file.
    await store.saveDomainWatchState('C0WATCH', 'example.com', aDomainWatch().state);
    const again = await store.transaction('importing', (client) => importStoreData(client, loaded.data));
    expect(again).toMatchObject({ domainWatches: 0, domainWatchesPresent: 2 });
    expect((await store.getDomainWatch('C0WATCH', 'example.com'))?.state.incident).toBeNull();
    await store.close();
  });

  test('a row whose state does not fit the records is refused as a StoreError, naming the watch', async () => {
    const db = await database();
    const store = await openPgWatchStore(db.url);
    await store.saveDomainWatch(aDomainWatch());
    await store.pool.query(`UPDATE domain_watches SET last = '{"verdict": "great"}'`);
    const error = await store.listDomainWatches().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain('example.com');
    await store.close();
  });
});
