import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createPool, type Pool } from '../../src/database/connection.js';
import { silentLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/index.js';
import { createTargetPolicy } from '../../src/policy/index.js';
import { probeHost } from '../../src/probe/index.js';
import { migrate } from '../../src/store/pg/migrations.js';
import type { ClosableVantageProbes } from '../../src/vantage/pg-vantage-probes.js';
import { readVantageDirectory } from '../../src/vantage/read-vantage-directory.js';
import { startWorker } from '../../src/vantage/worker.js';
import { samplesOf, sampleValue } from '../helpers/exposition.js';
import {
  asSuperuser,
  createTestDatabase,
  requireInfrastructure,
  requirePostgres,
  type TestDatabase,
} from '../helpers/postgres.js';
import { QUICK_LIMITS } from '../helpers/probe-limits.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';
import { createWorkerRole, openTestVantageProbes, type WorkerRole } from '../helpers/vantage-harness.js';

// The vantages as Prometheus sees them. On the bot: each queue's depth and each worker's
// heartbeat age, read from the database once per scrape; the store's pool. In the worker: its
// jobs by outcome and its last heartbeat. A worker that stops leaves the bot's series.

const pgSkip = await requirePostgres();
const rootSkip = requireInfrastructure(
  'root (an OS user per worker role)',
  process.getuid?.() === 0 ? null : 'making the worker role’s OS user needs root',
);
const TIMEOUT = 60_000;

const botMetrics = () => createMetrics({ localVantage: 'bot', version: '0.0.0-test', processMetrics: false });

describe('a vantage directory that cannot be read', () => {
  test('shows directory_up 0 and no stale numbers; a slow read is given up', async () => {
    const metrics = botMetrics();
    let answer: () => Promise<never> = () => Promise.reject(new Error('database down'));
    metrics.observeVantages(() => answer(), 50);
    let text = await metrics.exposition();
    expect(sampleValue(text, 'smtp_check_vantage_directory_up')).toBe(0);
    expect(samplesOf(text, 'smtp_check_vantage_queue_depth')).toEqual([]);
    answer = () => new Promise<never>(() => undefined);
    const started = Date.now();
    text = await metrics.exposition();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(sampleValue(text, 'smtp_check_vantage_directory_up')).toBe(0);
  });
});

describe.skipIf(pgSkip !== null || rootSkip !== null)('vantage metrics on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: Pool;
  let probes: ClosableVantageProbes;
  let office: WorkerRole;
  let url: string;
  let smtp: RunningServer;

  beforeAll(async () => {
    db = await createTestDatabase('smtp_check_metrics');
    pool = createPool(db.url, { max: 4 });
    await migrate(pool, db.name);
    probes = await openTestVantageProbes(pool, db.url);
    office = await createWorkerRole(db, 'office');
    const password = randomBytes(12).toString('hex');
    const port = await asSuperuser(db.name, async (client) => {
      await client.query(`ALTER ROLE ${office.role} PASSWORD '${password}'`);
      return (await client.query<{ port: string }>("SELECT current_setting('port') AS port")).rows[0]?.port;
    });
    url = `postgres://${office.role}:${password}@127.0.0.1:${port}/${db.name}`;
    smtp = await startSmtpServer({ disabledCommands: ['STARTTLS'] });
  }, TIMEOUT);

  afterAll(async () => {
    await smtp?.close();
    await probes?.close();
    await pool?.end();
    await office?.remove();
    await db?.drop();
  }, TIMEOUT);

  test(
    'the worker counts its job and heartbeat; the bot shows its queue, its heartbeat age and its pool',
    async () => {
      const bot = botMetrics();
      bot.observeVantages(() => readVantageDirectory(pool));
      bot.observePool(pool);
      const workerMetrics = createMetrics({
        role: 'worker',
        localVantage: 'office',
        version: '0.0.0-test',
        processMetrics: false,
      });
      const worker = await startWorker({
        databaseUrl: url,
        vantage: 'office',
        policy: createTargetPolicy(['127.0.0.0/8']),
        allowedPorts: [smtp.port],
        limits: QUICK_LIMITS,
        probeHost,
        concurrency: 1,
        logger: silentLogger,
        version: '0.1.0',
        pollSeconds: 1,
        metrics: workerMetrics,
      });
      try {
        const [outcome] = await probes.probeFrom(
          ['office'],
          { target: '127.0.0.1', ports: [smtp.port], mx: 'auto' },
          { priority: 'interactive', deadlineMs: 20_000 },
        );
        expect(outcome).toMatchObject({ vantage: 'office', kind: 'answered' });

        // The bot can read the stored answer before the worker has its own reply to the same
        // statement, and the worker counts the job on that reply: wait for the count.
        const own = await vi.waitFor(
          async () => {
            const text = await workerMetrics.exposition();
            expect(sampleValue(text, 'smtp_check_worker_jobs_total', { outcome: 'answered' })).toBe(1);
            return text;
          },
          { timeout: 10_000, interval: 20 },
        );
        expect(sampleValue(own, 'smtp_check_worker_last_heartbeat_timestamp_seconds')).toBeGreaterThan(
          Date.now() / 1_000 - 30,
        );
        expect(sampleValue(own, 'smtp_check_stage_duration_seconds_count', { stage: 'connect' })).toBe(1);
        // A worker shows only its own series.
        expect(own).not.toContain('smtp_check_ticks_total');

        const text = await bot.exposition();
        expect(sampleValue(text, 'smtp_check_vantage_directory_up')).toBe(1);
        expect(sampleValue(text, 'smtp_check_vantage_queue_depth', { vantage: 'office' })).toBe(0);
        expect(sampleValue(text, 'smtp_check_vantage_workers_live', { vantage: 'office' })).toBe(1);
        const age = sampleValue(text, 'smtp_check_vantage_worker_heartbeat_age_seconds', {
          vantage: 'office',
          worker: worker.workerId,
        });
        expect(age).toBeGreaterThanOrEqual(0);
        expect(age).toBeLessThan(20);
        expect(sampleValue(text, 'smtp_check_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
      } finally {
        await worker.stop({ timeoutMs: 5_000 });
      }
      const after = await bot.exposition();
      expect(samplesOf(after, 'smtp_check_vantage_worker_heartbeat_age_seconds')).toEqual([]);
      expect(sampleValue(after, 'smtp_check_vantage_workers_live', { vantage: 'office' })).toBe(0);
    },
    TIMEOUT,
  );
});
