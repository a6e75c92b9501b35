import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPool, type Pool } from '../../src/database/connection.js';
import { migrate } from '../../src/store/pg/migrations.js';
import type { ClosableVantageProbes } from '../../src/vantage/pg-vantage-probes.js';
import type { RecordedCall } from '../helpers/fake-slack-api.js';
import { requireNamespaces } from '../helpers/netns.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import { type SlackTestApp, startSlackTestApp } from '../helpers/slack-test-app.js';
import { startVantageWorld, type VantageWorld, openTestVantageProbes } from '../helpers/vantage-harness.js';

// `/smtp-check 127.0.0.1 25,587 from office,aws-eu` through the real Bolt receiver (signed
// requests, the local Slack Web API), answered by real workers in two namespaces; and the same
// through the bot process in console mode, so the composition root's wiring is covered too.

const pgSkip = await requirePostgres();
const skip = pgSkip !== null || requireNamespaces() !== null;
const TIMEOUT = 120_000;
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe.skipIf(skip)('checks from several networks, in Slack and in the console', () => {
  let db: TestDatabase;
  let pool: Pool;
  let probes: ClosableVantageProbes;
  let world: VantageWorld;
  let slack: SlackTestApp;

  beforeAll(async () => {
    db = await createTestDatabase('smtp_check_vantage_slack');
    pool = createPool(db.url, { max: 4 });
    await migrate(pool, db.name);
    world = await startVantageWorld(db, async () => {
      probes = await openTestVantageProbes(pool, db.url);
    });
    slack = await startSlackTestApp({
      runCheck: async () => Promise.reject(new Error('unused')),
      vantages: probes,
    });
  }, TIMEOUT);

  afterAll(async () => {
    await slack?.close(5_000);
    await probes?.close();
    await world?.close();
    await pool?.end();
    await db?.drop();
  }, TIMEOUT);

  const parents = (call: RecordedCall) => call.method === 'chat.postMessage' && !call.body.thread_ts;

  test(
    'one message whose matrix fills in, the final result naming aws-eu, and the evidence per vantage in its thread',
    async () => {
      const response = await slack.command({
        text: '127.0.0.1 25,587 from office,aws-eu',
        response_url: slack.api.responseUrl('v'),
      });
      expect(response.status).toBe(200);
      const [parent] = await slack.api.waitForCalls(parents, 1, 60_000);
      const ts = String(parent?.response.ts);
      expect(JSON.stringify(parent?.body.blocks)).toMatch(/office[\s\S]*aws-eu/);
      // Two evidence replies (one per vantage) and the comparison.
      const replies = await slack.api.waitForCalls(
        (call) => call.method === 'chat.postMessage' && call.body.thread_ts === ts,
        3,
        60_000,
      );
      await slack.app.idle(20_000);
      const final = slack.api.calls
        .filter((call) => call.method === 'chat.update' && call.body.ts === ts)
        .at(-1);
      const finalText = JSON.stringify(final?.body);
      expect(finalText).toContain('25 blocked from aws-eu; open from office');
      expect(finalText).toMatch(/aws-eu {2}❌/);
      const threadText = replies.map((reply) => JSON.stringify(reply.body)).join('\n');
      expect(threadText).toMatch(/aws-eu/);
      expect(threadText).toMatch(/filtered/);
      const advice = JSON.stringify(replies.at(-1)?.body);
      expect(advice).toMatch(/aws-eu/);
      expect(advice).toMatch(/587/);
    },
    TIMEOUT,
  );

  test('/smtp-check vantages lists the networks with their heartbeat, to the requester only', async () => {
    const response = await slack.command({ text: 'vantages', response_url: slack.api.responseUrl('list') });
    expect(response.status).toBe(200);
    const [answer] = await slack.api.waitForResponses('list', 1, 20_000);
    const text = JSON.stringify(answer?.body);
    expect(text).toMatch(/\*bot\*/);
    expect(text).toMatch(/\*office\*[^"]*live/);
    expect(text).toMatch(/\*aws-eu\*[^"]*live/);
    expect(text).toMatch(/heartbeat/);
  });

  test('a bad vantage name is answered with what to type, and nothing is posted in the channel', async () => {
    const before = slack.api.calls.filter(parents).length;
    await slack.command({ text: '127.0.0.1 from AWS_EU!', response_url: slack.api.responseUrl('bad') });
    const [answer] = await slack.api.waitForResponses('bad', 1, 20_000);
    expect(JSON.stringify(answer?.body)).toMatch(/not a vantage name/);
    await slack.app.idle(5_000);
    expect(slack.api.calls.filter(parents)).toHaveLength(before);
  });

  test(
    'the bot process in console mode (DATABASE_URL set) asks the workers and prints the matrix',
    async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
        cwd: REPO,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: world.files.dir,
          DATABASE_URL: db.url,
          DATA_FILE: `${world.files.dir}/unused.json`,
          ALLOW_TARGETS: '127.0.0.0/8',
          NODE_EXTRA_CA_CERTS: world.files.caFile,
          LOG_LEVEL: 'warn',
          CHECK_SCHEDULE: '0 0 1 1 *',
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString('utf8');
      });
      child.stdin.end('127.0.0.1 25,587 from bot,office,aws-eu\nvantages\n');
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(err).not.toMatch(/error/i);
      expect(code).toBe(0);
      // Nothing listens on 127.0.0.1 in the bot's own network: 25 and 587 are refused there.
      expect(out).toMatch(/25 blocked from bot and aws-eu; (open|answers) from office/);
      expect(out).toMatch(/aws-eu\s+❌/);
      expect(out).toMatch(/\*bot\* — this bot’s own network/);
      expect(out).toMatch(/\*office\* — live · 1 worker/);
    },
    TIMEOUT,
  );

  test(
    'the terminal: smtp-check host --from office,aws-eu,nowhere --json adds vantages[] and the comparison',
    async () => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          CLI,
          '127.0.0.1',
          '--ports',
          '25,587',
          '--from',
          'office,aws-eu,nowhere',
          '--json',
        ],
        {
          cwd: REPO,
          env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: db.url, CONNECT_TIMEOUT_MS: '1000' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const json = JSON.parse(out);
      // Nothing listens on 127.0.0.1 here: the terminal's own verdict is "no usable port" (exit 1).
      expect(code).toBe(1);
      expect(json.ports.map((port: { class: string }) => port.class)).toEqual(['refused', 'refused']);
      const byName = Object.fromEntries(
        json.vantages.map((vantage: { name: string }) => [vantage.name, vantage]),
      );
      expect(byName['aws-eu'].ports.map((port: { class: string }) => port.class)).toEqual([
        'filtered',
        'open-starttls',
      ]);
      expect(byName['office'].status).toBe('answered');
      expect(byName['nowhere']).toMatchObject({ status: 'no-worker', ports: [], findings: [] });
      expect(json.comparison.summary).toMatch(/aws-eu/);
    },
    TIMEOUT,
  );
});
