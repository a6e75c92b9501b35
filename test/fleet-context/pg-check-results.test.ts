import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPgCheckResults } from '../../src/fleet-context/index.js';
import { createPool } from '../../src/database/connection.js';
import { StoreError } from '../../src/store/index.js';
import { requirePostgres } from '../helpers/postgres.js';
import { aDiagnosisOf, aHostileDiagnosis, aTypicalDiagnosis } from '../helpers/slack-diagnoses.js';
import { createFleetTestDatabase, type FleetTestDatabase, unreachableDatabase } from './fleet-database.js';

const skip = await requirePostgres();

describe.skipIf(skip !== null)('createPgCheckResults()', () => {
  let fleet: FleetTestDatabase;
  beforeAll(async () => {
    fleet = await createFleetTestDatabase();
  });
  afterAll(async () => {
    await fleet?.close();
  });

  test('a result stored by one replica is read by another, diagnosis and requester intact', async () => {
    const one = createPgCheckResults(fleet.open());
    const two = createPgCheckResults(fleet.open());
    const diagnosis = aTypicalDiagnosis();
    const thread = { channel: 'C1', ts: '1700000000.000100' };
    await one.set(thread, { diagnosis, userId: 'U0ALICE' });
    expect(await two.get(thread)).toEqual({ diagnosis, userId: 'U0ALICE' });
    expect(await two.get({ channel: 'C2', ts: thread.ts })).toBeUndefined();
    expect(await two.get({ channel: 'C1', ts: '1700000000.000101' })).toBeUndefined();
  });

  test('a re-check replaces the result and keeps when the check was first stored', async () => {
    const db = fleet.open();
    const results = createPgCheckResults(db);
    const thread = { channel: 'C1', ts: '1700000000.000200' };
    await results.set(thread, { diagnosis: aTypicalDiagnosis(), userId: 'U0ALICE' });
    const changed = aDiagnosisOf({ 25: 'open-starttls', 587: 'filtered' });
    await results.set(thread, { diagnosis: changed, userId: 'U0ALICE' });
    expect((await results.get(thread))?.diagnosis).toEqual(changed);
    const { rows } = await db.pool.query<{ n: string; same: boolean }>(
      `SELECT count(*) AS n, bool_and(created_at < updated_at) AS same FROM check_results
       WHERE channel = 'C1' AND message_ts = $1`,
      [thread.ts],
    );
    expect(rows[0]).toEqual({ n: '1', same: true });
  });

  test('a server’s NUL bytes and broken UTF-16 are stored (as U+FFFD) instead of failing the write', async () => {
    const results = createPgCheckResults(fleet.open());
    const thread = { channel: 'C1', ts: '1700000000.000300' };
    const hostile = aHostileDiagnosis();
    await results.set(thread, { diagnosis: hostile, userId: 'U0ALICE' });
    const stored = JSON.stringify((await results.get(thread))?.diagnosis);
    expect(stored).not.toContain('\\u0000');
    expect(stored).toContain('\ufffd');
    expect((await results.get(thread))?.diagnosis.ports.length).toBe(hostile.ports.length);
  });

  test('a result past the retention is not returned, and the next write deletes it', async () => {
    const day = 24 * 3_600_000;
    let now = new Date('2026-11-01T00:00:00Z');
    const db = fleet.open();
    const results = createPgCheckResults(db, { retentionMs: 30 * day, pruneEveryMs: 0, now: () => now });
    const old = { channel: 'C9', ts: '1600000000.000001' };
    await results.set(old, { diagnosis: aTypicalDiagnosis(), userId: 'U0ALICE' });
    now = new Date(now.getTime() + 29 * day);
    expect(await results.get(old)).toBeDefined();
    now = new Date(now.getTime() + 2 * day);
    expect(await results.get(old)).toBeUndefined();
    await results.set(
      { channel: 'C9', ts: '1600000000.000002' },
      { diagnosis: aTypicalDiagnosis(), userId: 'U0BOB' },
    );
    const { rows } = await db.pool.query("SELECT message_ts FROM check_results WHERE channel = 'C9'");
    expect(rows).toEqual([{ message_ts: '1600000000.000002' }]);
  });

  test('beyond maxResults the least recently checked results are deleted', async () => {
    // Later than every result the other tests stored: the whole table is this test's to count.
    let now = new Date('2030-01-01T00:00:00Z');
    const db = fleet.open();
    const results = createPgCheckResults(db, { maxResults: 2, pruneEveryMs: 0, now: () => now });
    for (const ts of ['1.1', '1.2', '1.3']) {
      await results.set({ channel: 'C8', ts }, { diagnosis: aTypicalDiagnosis(), userId: 'U0ALICE' });
      now = new Date(now.getTime() + 1_000);
    }
    // Re-checking the oldest makes it the most recent.
    await results.set({ channel: 'C8', ts: '1.1' }, { diagnosis: aTypicalDiagnosis(), userId: 'U0ALICE' });
    const { rows } = await db.pool.query('SELECT message_ts FROM check_results ORDER BY message_ts');
    expect(rows).toEqual([{ message_ts: '1.1' }, { message_ts: '1.3' }]);
  });

  test('an unreachable database is a StoreError that does not show the password', async () => {
    const url = unreachableDatabase('hunter2-secret');
    const pool = createPool(url, { connectTimeoutMs: 1_000, onIdleError: () => undefined });
    try {
      const results = createPgCheckResults({ pool, url });
      const error = await results.get({ channel: 'C1', ts: '1.1' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).unavailable).toBe(true);
      expect((error as StoreError).message).toMatch(
        /^PostgreSQL at .*: reading a check result failed: ENOENT/,
      );
      expect((error as StoreError).message).not.toContain('hunter2-secret');
    } finally {
      await pool.end();
    }
  });
});
