import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { createPgFleetCoordinator } from '../../src/fleet/pg-fleet-coordinator.js';
import { silentLogger } from '../../src/log.js';
import type { DomainReport } from '../../src/posture-report/types.js';
import { openPgWatchStore, saveAlertStatesIn } from '../../src/store/pg/index.js';
import type { WatchStore } from '../../src/watch-model/watch-store.js';
import { recheckWatches } from '../../src/watch/recheck-watches.js';
import { createWatchCommands } from '../../src/watch/watch-commands.js';
import { type DnsRecords, startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { aDomainReport } from '../helpers/domain-report-builder.js';
import type { RecordedCall, StoredMessage } from '../helpers/fake-slack-api.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import { dmarcFacts } from '../helpers/posture-builders.js';
import { TICK_MS, World } from '../watch/watch-harness.js';
import { postSlashCommand } from '../helpers/slack-signed-request.js';
import {
  CHANNEL,
  DEADLINE_MS,
  type Fleet,
  type Replica,
  SIGNING_SECRET,
  startFleet,
} from './fleet-harness.js';

// A watched domain in a fleet: two real bot processes on one PostgreSQL database, ticking every two
// seconds (the same slots), their domain reports asking a local DNS server (DNS_RESOLVER) whose
// zone the test changes while they run, against the local Slack Web API.

const skip = await requirePostgres();
const TEST_TIMEOUT = { timeout: 4 * DEADLINE_MS };
const DOMAIN = 'example.com';
const CLAIM = `domain:${DOMAIN}`;

const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .publicKey.export({ type: 'spki', format: 'der' })
  .toString('base64');
const dmarc = (policy: string): DnsRecords => ({ TXT: [`v=DMARC1; p=${policy}`] });
const ZONE: Record<string, DnsRecords> = {
  'example.com': {
    MX: [{ exchange: 'mx1.example.com', priority: 10 }],
    TXT: ['v=spf1 ip4:192.0.2.0/24 -all'],
  },
  // A public address (only ever a DNS answer here): the report calls documentation ranges private.
  'mx1.example.com': { A: ['93.184.215.14'] },
  '14.215.184.93.in-addr.arpa': { PTR: ['mx1.example.com'] },
  '_dmarc.example.com': dmarc('reject'),
  'default._domainkey.example.com': { TXT: [`v=DKIM1; k=rsa; p=${dkimKey}`] },
};

let fleet: Fleet | undefined;
let dns: TestDnsServer | undefined;

afterEach(async () => {
  await fleet?.close();
  await dns?.close();
  fleet = undefined;
  dns = undefined;
});

/** `/smtp-check watch domain …` through a replica; resolves once the confirmation is posted. */
async function watchDomain(f: Fleet, replica: Replica): Promise<void> {
  const ack = await postSlashCommand(replica.eventsUrl(), SIGNING_SECRET, {
    text: `watch domain ${DOMAIN}`,
    channel_id: CHANNEL,
    user_id: 'U0LEAD',
    response_url: f.api.responseUrl('watch-domain'),
  });
  expect(ack.status).toBe(200);
  const [confirmation] = await f.api.waitForCalls(
    (call) =>
      call.method === 'chat.postMessage' &&
      call.ok &&
      String(call.body.text).includes(`Watching the domain \`${DOMAIN}\``),
    1,
    DEADLINE_MS,
  );
  expect(String(confirmation?.body.text)).toContain('DMARC p=reject');
}

/** Top-level messages in the channel posted as alerts about the domain (resolved ones too). */
const domainAlerts = (f: Fleet): StoredMessage[] =>
  f.api
    .messagesIn(CHANNEL)
    .filter(
      (message) => message.thread_ts === undefined && message.postedText.startsWith(`🚨 \`${DOMAIN}\`:`),
    );

/** The slots a replica's finished ticks were for. */
const slotsOf = (replica: Replica): string[] =>
  replica
    .lines()
    .filter((line) => line.msg === 'watch tick finished')
    .map((line) => String(line.slot));

describe.skipIf(skip !== null)('a watched domain in a fleet of two replicas', () => {
  test(
    'a domain whose DMARC got weaker raises one alert across the fleet, and its recovery is posted once',
    TEST_TIMEOUT,
    async () => {
      dns = await startDnsServer(ZONE);
      fleet = await startFleet();
      // DNS only: the MX host's address is a real one, never dialled from a test.
      const env = { DNS_RESOLVER: dns.server, DOMAIN_MX_PROBE: 'off' };
      const [a, b] = [await fleet.startReplica(env), await fleet.startReplica(env)] as const;
      await watchDomain(fleet, a);
      // Slots before this one may have listed the watches before the domain was added.
      const watchedFrom = Date.now();
      await Promise.all([a.moreTicks(2), b.moreTicks(2)]);
      expect(domainAlerts(fleet)).toEqual([]);

      dns.set('_dmarc.example.com', dmarc('none'));
      const [alertCall] = await fleet.api.waitForCalls(
        (call) =>
          call.method === 'chat.postMessage' &&
          call.ok &&
          String(call.body.text).startsWith(`🚨 \`${DOMAIN}\`: DMARC policy weakened: reject → none`),
        1,
        DEADLINE_MS,
      );
      const alertTs = String(alertCall?.response.ts);
      // Both replicas go on ticking while it stays weaker: nothing more is posted at top level.
      await Promise.all([a.moreTicks(3), b.moreTicks(3)]);
      expect(domainAlerts(fleet)).toHaveLength(1);

      dns.set('_dmarc.example.com', dmarc('reject'));
      await fleet.api.waitForCalls(
        (call) => call.method === 'chat.update' && call.ok && call.body.ts === alertTs,
        1,
        DEADLINE_MS,
      );
      await Promise.all([a.moreTicks(3), b.moreTicks(3)]);

      expect(domainAlerts(fleet).map((message) => message.ts)).toEqual([alertTs]);
      const thread = fleet.api.messagesIn(CHANNEL).filter((message) => message.thread_ts === alertTs);
      expect(thread.map((message) => message.text.split('\n')[0])).toEqual([
        '✅ DMARC policy back to reject',
      ]);
      expect(thread[0]?.text).toContain(`\`${DOMAIN}\` is back to its baseline.`);
      const updates = fleet.api.calls.filter(
        (call: RecordedCall) => call.method === 'chat.update' && call.body.ts === alertTs,
      );
      expect(updates).toHaveLength(1);
      expect(String(updates[0]?.body.text)).toContain('Resolved');
      expect(fleet.api.calls.filter((call) => !call.ok)).toEqual([]);

      // The ledger holds the alert and the recovery under the domain's key, each posted once.
      const posts = await fleet.rows<{
        host: string;
        kind: string;
        status: string;
        ts: string;
        attempts: number;
      }>('SELECT host, kind, status, ts, attempts FROM fleet_alert_posts ORDER BY created_at');
      expect(posts).toEqual([
        { host: CLAIM, kind: 'alert', status: 'posted', ts: alertTs, attempts: 1 },
        { host: CLAIM, kind: 'recovery', status: 'posted', ts: thread[0]?.ts, attempts: 1 },
      ]);
      const [watch] = await fleet.rows<{ incident: unknown; announced: unknown[] }>(
        'SELECT incident, announced FROM domain_watches WHERE channel = $1 AND domain = $2',
        [CHANNEL, DOMAIN],
      );
      expect(watch).toEqual({ incident: null, announced: [] });

      // The replicas ticked the same slots, and in each the domain was claimed once and done.
      const shared = slotsOf(a).filter((slot) => slotsOf(b).includes(slot) && Date.parse(slot) > watchedFrom);
      expect(shared.length).toBeGreaterThanOrEqual(6);
      const rows = await fleet.rows<{ tick: Date; claims: number; done: boolean }>(
        'SELECT tick, claims, done_at IS NOT NULL AS done FROM fleet_tick_hosts WHERE host = $1',
        [CLAIM],
      );
      const bySlot = new Map(rows.map((row) => [row.tick.toISOString(), row]));
      for (const slot of shared) expect(bySlot.get(slot)).toMatchObject({ claims: 1, done: true });
      for (const replica of [a, b]) {
        expect(replica.child.exitCode).toBeNull();
        expect(replica.output()).not.toMatch(/unhandled|uncaught|domain watch re-check failed/i);
      }
    },
  );
});

describe.skipIf(skip !== null)('a replica whose save fails right after it posted a domain alert', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  test('the next tick adopts the alert from the ledger instead of posting it again', async () => {
    db = await createTestDatabase('smtp_check_domain_save');
    const pgStore = await openPgWatchStore(db.url);
    try {
      const world = new World();
      let report: DomainReport = aDomainReport();
      const checkDomain = async (): Promise<DomainReport> => ({
        ...report,
        facts: { ...report.facts, checkedAt: world.now().toISOString() },
      });
      // The database goes away between the ledger's commit and the save of the incident, once.
      let failNextIncidentSave = true;
      const store: WatchStore = new Proxy(pgStore, {
        get(target, name, receiver) {
          if (name !== 'saveDomainWatchState') return Reflect.get(target, name, receiver);
          return async (...args: Parameters<WatchStore['saveDomainWatchState']>) => {
            if (args[2].incident !== null && failNextIncidentSave) {
              failNextIncidentSave = false;
              throw new Error('connection terminated');
            }
            return target.saveDomainWatchState(...args);
          };
        },
      });
      const commands = createWatchCommands({
        store,
        runCheck: world.runCheck,
        checkDomain,
        now: world.now,
        logger: silentLogger,
      });
      expect((await commands.addDomainWatch({ channel: CHANNEL, user: 'U0LEAD', words: [DOMAIN] })).ok).toBe(
        true,
      );
      const fleetCoordinator = createPgFleetCoordinator({
        pool: pgStore.pool,
        url: db.url,
        leaseMs: 30_000,
        batchSize: 4,
        logger: silentLogger,
        replica: 'replica-0',
        store: { transaction: (doing, work) => pgStore.transaction(doing, work), saveAlertStatesIn },
      });
      const tick = () => {
        world.nowMs += TICK_MS;
        return recheckWatches({
          store,
          runCheck: world.runCheck,
          checkDomain,
          notify: world.notifier,
          now: world.now,
          logger: silentLogger,
          concurrency: 1,
          jitterMs: 0,
          fleet: fleetCoordinator,
          slot: world.now(),
        });
      };

      report = aDomainReport({ dmarc: dmarcFacts({ policy: 'none' }) });
      await tick();
      const [alert, ...more] = world.notifier.take();
      expect(alert?.method).toBe('postDomainAlert');
      expect(more).toEqual([]);
      expect(failNextIncidentSave).toBe(false);

      await tick();
      await tick();
      expect(world.notifier.take()).toEqual([]);
      const watch = await pgStore.getDomainWatch(CHANNEL, DOMAIN);
      expect(watch?.state.incident).toMatchObject({ status: 'open', alertTs: alert?.ts });
    } finally {
      await pgStore.close();
    }
  }, 60_000);
});

describe.skipIf(skip !== null)('two replicas that re-check one domain in the same tick', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  test('post one alert: its ledger key is the tick slot, not either replica’s clock', async () => {
    db = await createTestDatabase('smtp_check_domain_lapsed');
    const store = await openPgWatchStore(db.url);
    try {
      const world = new World();
      let report: DomainReport = aDomainReport();
      const commands = createWatchCommands({
        store,
        runCheck: world.runCheck,
        checkDomain: async () => report,
        now: world.now,
        logger: silentLogger,
      });
      expect((await commands.addDomainWatch({ channel: CHANNEL, user: 'U0LEAD', words: [DOMAIN] })).ok).toBe(
        true,
      );
      const coordinator = (replica: string) =>
        createPgFleetCoordinator({
          pool: store.pool,
          url: db!.url,
          // A lease shorter than replica-0's re-check: replica-1 takes the domain over in the same tick.
          leaseMs: 1,
          batchSize: 4,
          logger: silentLogger,
          replica,
          store: { transaction: (doing, work) => store.transaction(doing, work), saveAlertStatesIn },
        });
      report = aDomainReport({ dmarc: dmarcFacts({ policy: 'none' }) });
      const slot = new Date(world.nowMs + TICK_MS);
      // replica-0 holds its report until replica-1 has finished the whole tick.
      let releaseFirst: () => void = () => {};
      const firstHeld = new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      let firstAsked: () => void = () => {};
      const firstStarted = new Promise<void>((resolve) => {
        firstAsked = resolve;
      });
      const tickOf = (replica: string, nowMs: number, checkDomain: () => Promise<DomainReport>) =>
        recheckWatches({
          store,
          runCheck: world.runCheck,
          checkDomain,
          notify: world.notifier,
          now: () => new Date(nowMs),
          logger: silentLogger,
          concurrency: 1,
          jitterMs: 0,
          fleet: coordinator(replica),
          slot,
        });
      const first = tickOf('replica-0', slot.getTime() + 1_000, async () => {
        firstAsked();
        await firstHeld;
        return report;
      });
      await firstStarted;
      await tickOf('replica-1', slot.getTime() + 45_000, async () => report);
      releaseFirst();
      await first;
      const alerts = world.notifier.take().filter((call) => call.method === 'postDomainAlert');
      expect(alerts).toHaveLength(1);
    } finally {
      await store.close();
    }
  }, 60_000);
});
