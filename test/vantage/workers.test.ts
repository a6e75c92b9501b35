import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compareVantages } from '../../src/diagnose/compare-vantages.js';
import type { VantageOutcome } from '../../src/diagnose/vantage-types.js';
import { createPool, type Pool } from '../../src/database/connection.js';
import { migrate } from '../../src/store/pg/migrations.js';
import type { ClosableVantageProbes } from '../../src/vantage/pg-vantage-probes.js';
import { requireNamespaces } from '../helpers/netns.js';
import { asSuperuser, createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import {
  createWorkerRole,
  type Network,
  startNetwork,
  startWorkerProcess,
  type VantageFiles,
  type WorkerProcess,
  type WorkerRole,
  writeVantageFiles,
  openTestVantageProbes,
} from '../helpers/vantage-harness.js';

// Real workers, each in a network namespace of its own with its own mail server on 127.0.0.1,
// running as the least-privilege role through PostgreSQL's Unix socket; the bot's side is the
// real pg-boss queue. "aws-eu" drops outbound SYNs to 25 with nftables, as EC2 does by default.

const pgSkip = await requirePostgres();
const skip = pgSkip !== null || requireNamespaces() !== null;
const TIMEOUT = 120_000;

let db: TestDatabase;
let pool: Pool;
let files: VantageFiles;
const roles = new Map<string, WorkerRole>();
/** The role bound to a vantage, made on first use (one role per vantage, as in production). */
async function roleFor(vantage: string): Promise<WorkerRole> {
  const known = roles.get(vantage);
  if (known) return known;
  const made = await createWorkerRole(db, vantage);
  roles.set(vantage, made);
  return made;
}
let probes: ClosableVantageProbes;
const networks: Network[] = [];
const workers: WorkerProcess[] = [];

const request = (ports = [25, 587]) => ({ target: '127.0.0.1', ports, mx: 'auto' as const });
const byName = (outcomes: VantageOutcome[], name: string) => {
  const found = outcomes.find((outcome) => outcome.vantage === name);
  if (!found) throw new Error(`no outcome for ${name}`);
  return found;
};
const classes = (outcome: VantageOutcome): Record<number, string> =>
  outcome.kind === 'answered'
    ? Object.fromEntries(outcome.diagnosis.ports.map((p) => [p.port, p.class]))
    : { 0: outcome.kind };

describe.skipIf(skip)('probe workers in other networks', () => {
  beforeAll(async () => {
    db = await createTestDatabase('smtp_check_vantage');
    pool = createPool(db.url, { max: 4 });
    await migrate(pool, db.name);
    probes = await openTestVantageProbes(pool, db.url);
    files = writeVantageFiles();
    const [office, awsEu] = await Promise.all([
      startNetwork('office', files),
      startNetwork('aws-eu', files, { drop: 25 }),
    ]);
    networks.push(office!, awsEu!);
    workers.push(
      ...(await Promise.all([
        startWorkerProcess(office!, await roleFor('office'), files, { allowTargets: '127.0.0.0/8' }),
        startWorkerProcess(awsEu!, await roleFor('aws-eu'), files, { allowTargets: '127.0.0.0/8' }),
        // The same office network, but a worker whose own policy keeps to the default refusals.
        startWorkerProcess(office!, await roleFor('strict'), files, {}),
      ])),
    );
  }, TIMEOUT);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await probes?.close();
    await Promise.all(networks.map((network) => network.close()));
    await pool?.end();
    for (const made of roles.values()) await made.remove();
    await db?.drop();
    files?.remove();
  }, TIMEOUT);

  test(
    'each network answers for itself: 25 filtered from aws-eu, answering from office; the comparison names aws-eu',
    async () => {
      const seen: string[] = [];
      const outcomes = await probes.probeFrom(['office', 'aws-eu'], request(), {
        priority: 'interactive',
        onOutcome: (outcome) => seen.push(outcome.vantage),
      });
      expect(classes(byName(outcomes, 'aws-eu')), JSON.stringify(outcomes).slice(0, 800)).toMatchObject({
        25: 'filtered',
        587: 'open-starttls',
      });
      const office = classes(byName(outcomes, 'office'));
      expect(office).toMatchObject({ 587: 'open-starttls' });
      expect(office[25]).not.toBe('filtered');
      expect(seen.sort()).toEqual(['aws-eu', 'office']);

      const comparison = compareVantages(outcomes);
      const blocks = comparison.findings.find((finding) => finding.id === 'vantage-blocks-port');
      expect(blocks).toMatchObject({ port: 25, vantages: ['aws-eu'] });
      expect(blocks?.advice.join(' ')).toMatch(/aws-eu/);
      expect(comparison.summary).toMatch(/25 blocked from aws-eu/);
    },
    TIMEOUT,
  );

  test('the vantages announce themselves with a heartbeat, version and start time', async () => {
    const list = await probes.list();
    expect(list[0]).toMatchObject({ name: 'bot', local: true, live: true });
    for (const name of ['office', 'aws-eu', 'strict']) {
      const entry = list.find((vantage) => vantage.name === name);
      expect(entry).toMatchObject({ local: false, live: true, liveWorkers: 1 });
      expect(entry?.versions[0]).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  test(
    'the bot wakes the workers as it sends a job: answered long before their next poll',
    async () => {
      const office = networks.find((network) => network.name === 'office') as Network;
      const sleepy = await startWorkerProcess(office, await roleFor('sleepy'), files, {
        allowTargets: '127.0.0.0/8',
        args: ['--poll-seconds', '60'],
      });
      workers.push(sleepy);
      // The worker's slots looked for jobs as it started; the next look on its own is a minute away.
      const [outcome] = await probes.probeFrom(['sleepy'], request([587]), {
        priority: 'interactive',
        deadlineMs: 15_000,
      });
      expect(outcome).toMatchObject({ vantage: 'sleepy', kind: 'answered' });
    },
    TIMEOUT,
  );

  test('a vantage with no worker is reported at once, not after the deadline', async () => {
    const started = Date.now();
    const outcomes = await probes.probeFrom(['nowhere'], request(), {
      priority: 'interactive',
      deadlineMs: 60_000,
    });
    expect(outcomes).toEqual([{ vantage: 'nowhere', kind: 'no-worker', lastSeen: null }]);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  test(
    "a target the worker's own policy refuses comes back as refused, with nothing dialled",
    async () => {
      const [outcome] = await probes.probeFrom(['strict'], request(), { priority: 'interactive' });
      expect(outcome).toMatchObject({ vantage: 'strict', kind: 'refused' });
      expect(outcome?.kind === 'refused' && outcome.reason).toMatch(/loopback|private|ALLOW_TARGETS/i);
    },
    TIMEOUT,
  );

  test(
    'an answer that does not validate is never used: a forged class or a slack mention stays out',
    async () => {
      // The role bound to "forged" answers its own job through the worker functions, as a tampered
      // worker would: the database takes it (it is forged's job), the bot's validation refuses it.
      const forgedRole = await roleFor('forged');
      const forgedWorker = randomUUID();
      await asRole(forgedRole.role, (client) =>
        client.query("SELECT smtp_check_worker_hello('forged', $1, '0.1.0', 'x')", [forgedWorker]),
      );
      const answering = probes.probeFrom(['forged'], request([587]), { priority: 'interactive' });
      const forged = {
        kind: 'answered',
        version: '0.1.0',
        probe: {
          target: '127.0.0.1',
          host: '127.0.0.1',
          mx: null,
          addresses: ['127.0.0.1'],
          checkedAt: new Date().toISOString(),
          durationMs: 1,
          resolveFailure: null,
          ports: [{ port: 587, class: 'all-good <!channel>' }],
        },
      };
      await asRole(forgedRole.role, async (client) => {
        for (let attempt = 0; attempt < 100; attempt += 1) {
          const { rows } = await client.query<{ job_id: string }>(
            'SELECT job_id FROM smtp_check_worker_take($1, 1)',
            [forgedWorker],
          );
          if (rows[0]) {
            await client.query('SELECT smtp_check_worker_answer($1, $2, $3)', [
              rows[0].job_id,
              forgedWorker,
              JSON.stringify(forged),
            ]);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error('no job for forged');
      });
      const [outcome] = await answering;
      expect(outcome).toMatchObject({ vantage: 'forged', kind: 'failed' });
      expect(JSON.stringify(outcome)).not.toMatch(/channel|all-good/);
    },
    TIMEOUT,
  );

  /** Runs work on a connection logged in as `role` (the worker functions ask for session_user). */
  function asRole<T>(role: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
    return asSuperuser(db.name, async (client) => {
      await client.query(`SET SESSION AUTHORIZATION ${role}`);
      return work(client);
    });
  }

  describe('a worker stopped or killed mid-job', () => {
    let slowNetwork: Network;
    beforeAll(async () => {
      slowNetwork = await startNetwork('slow', files, { greetAfterMs: 3_000 });
    }, TIMEOUT);
    afterAll(async () => {
      await slowNetwork?.close();
    }, TIMEOUT);

    test(
      'SIGTERM: the running probe finishes and its answer arrives, then the worker exits 0',
      async () => {
        const worker = await startWorkerProcess(slowNetwork, await roleFor('slow-term'), files, {
          allowTargets: '127.0.0.0/8',
        });
        const answering = probes.probeFrom(['slow-term'], request([587]), { priority: 'interactive' });
        await worker.waitFor((line) => line.includes('"msg":"probing"'), 'the job taken');
        worker.child.kill('SIGTERM');
        const [outcome] = await answering;
        // The slow server greets after 3 s and offers no STARTTLS: a verdict only a finished probe gives.
        expect(classes(outcome!)).toEqual({ 587: 'no-starttls' });
        expect(await worker.exited).toEqual({ code: 0, signal: null });
        expect(worker.output()).toMatch(/worker stopped/);
        // Its log is one JSON record per line (LOG_FORMAT=json), for whatever collects it.
        const records = worker
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'));
        expect(records.length).toBeGreaterThanOrEqual(2);
        for (const record of records) expect(() => JSON.parse(record)).not.toThrow();
        const list = await probes.list();
        expect(list.find((vantage) => vantage.name === 'slow-term')).toMatchObject({
          live: false,
          liveWorkers: 0,
        });
      },
      TIMEOUT,
    );

    test(
      'SIGKILL mid-probe: the check says the vantage took the job and did not answer — never a port verdict',
      async () => {
        const worker = await startWorkerProcess(slowNetwork, await roleFor('slow-kill'), files, {
          allowTargets: '127.0.0.0/8',
        });
        const answering = probes.probeFrom(['slow-kill'], request([587]), {
          priority: 'interactive',
          deadlineMs: 6_000,
        });
        await worker.waitFor((line) => line.includes('"msg":"probing"'), 'the job taken');
        worker.child.kill('SIGKILL');
        const [outcome] = await answering;
        expect(outcome).toMatchObject({
          vantage: 'slow-kill',
          kind: 'no-answer',
          taken: true,
          deadlineMs: 6_000,
        });
        await worker.exited;
      },
      TIMEOUT,
    );
  });
});
