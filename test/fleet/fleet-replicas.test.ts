import { afterEach, describe, expect, test } from 'vitest';
import { requirePostgres } from '../helpers/postgres.js';
import { CHANNEL, DEADLINE_MS, type Fleet, startFleet, type WatchedHost } from './fleet-harness.js';

// Two real bot processes on one PostgreSQL database, ticking every two seconds, against the local
// Slack Web API and SMTP servers on loopback addresses.

const skip = await requirePostgres();
const TEST_TIMEOUT = { timeout: 4 * DEADLINE_MS };
let fleet: Fleet | undefined;

afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

/** Ticks that are over (not the one running now): every host in them was claimed once and done. */
async function finishedTicks(f: Fleet) {
  return f.rows<{ tick: Date; host: string; claimed_by: string; claims: number; done: boolean }>(
    `SELECT tick, host, claimed_by, claims, done_at IS NOT NULL AS done FROM fleet_tick_hosts
      WHERE tick < (SELECT max(tick) FROM fleet_tick_hosts) - interval '10 seconds' ORDER BY tick, host`,
  );
}

describe.skipIf(skip !== null)('a fleet of two replicas', () => {
  test(
    'a watched port that becomes blocked raises one alert and one incident thread across the fleet',
    TEST_TIMEOUT,
    async () => {
      fleet = await startFleet();
      const hosts = [await fleet.healthyHost(2), await fleet.healthyHost(3), await fleet.healthyHost(4)];
      const [a, b] = [await fleet.startReplica(), await fleet.startReplica()] as const;
      for (const host of hosts) await fleet.watch(a, host);
      await Promise.all([a.moreTicks(2), b.moreTicks(2)]);

      const [blocked] = hosts as [(typeof hosts)[0]];
      await blocked.block();
      const [alertCall] = await fleet.api.waitForCalls(
        (call) =>
          call.method === 'chat.postMessage' &&
          call.ok &&
          String(call.body.text).startsWith(`🚨 ${blocked.host}`),
        1,
        DEADLINE_MS,
      );
      const alertTs = String(alertCall?.response.ts);
      // Both replicas go on ticking while it stays blocked: nothing more is posted at top level.
      await Promise.all([a.moreTicks(3), b.moreTicks(3)]);
      await blocked.restore();
      await fleet.api.waitForCalls(
        (call) => call.method === 'chat.update' && call.ok && call.body.ts === alertTs,
        1,
        DEADLINE_MS,
      );
      await Promise.all([a.moreTicks(3), b.moreTicks(3)]);

      expect(fleet.alerts(blocked.host)).toHaveLength(1);
      const thread = fleet.api.messagesIn(CHANNEL).filter((message) => message.thread_ts === alertTs);
      // The recovery, then the picture of the day: each once, whichever replica posted it.
      expect(thread.map((message) => message.text.split('\n')[0])).toEqual([
        expect.stringContaining(`Port ${blocked.port} recovered`),
        expect.stringContaining(`Port *${blocked.port}* was blocked`),
      ]);
      const updates = fleet.api.calls.filter(
        (call) => call.method === 'chat.update' && call.body.ts === alertTs,
      );
      expect(updates).toHaveLength(1);
      expect(String(updates[0]?.body.text)).toContain('Resolved');
      // Only that host ever alerted.
      expect(
        fleet.api.messagesIn(CHANNEL).filter((message) => message.postedText.startsWith('🚨')),
      ).toHaveLength(1);

      // Each host once per tick, by one replica or the other, and both replicas did their share.
      const ticks = await finishedTicks(fleet);
      expect(ticks.length).toBeGreaterThan(hosts.length * 4);
      expect(ticks.filter((row) => row.claims !== 1 || !row.done)).toEqual([]);
      expect(new Set(ticks.map((row) => row.claimed_by))).toEqual(new Set([a.replicaId(), b.replicaId()]));
      // The ledger holds the alert and the recovery, each posted once.
      const posts = await fleet.rows<{ kind: string; status: string; ts: string; attempts: number }>(
        'SELECT kind, status, ts, attempts FROM fleet_alert_posts ORDER BY created_at',
      );
      expect(posts).toEqual([
        { kind: 'alert', status: 'posted', ts: alertTs, attempts: 1 },
        { kind: 'recovery', status: 'posted', ts: thread[0]?.ts, attempts: 1 },
      ]);
    },
  );
});

/** Two replicas watching `hosts` (through the first), each with a tick behind it. */
async function twoReplicasWatching(f: Fleet, hosts: WatchedHost[]) {
  const replicas = [await f.startReplica(), await f.startReplica()] as const;
  for (const host of hosts) await f.watch(replicas[0], host);
  await Promise.all(replicas.map((replica) => replica.moreTicks(1)));
  return replicas;
}

describe.skipIf(skip !== null)('a fleet of two replicas, one of them killed', () => {
  test(
    'a replica killed with SIGKILL mid-tick: its host is re-tested by the other, nothing is alerted twice',
    TEST_TIMEOUT,
    async () => {
      fleet = await startFleet();
      // The slow host keeps a tick busy for seconds: the replica that claims it is killed while on it.
      const slow = await fleet.slowHost(2, 2_500);
      const blocked = await fleet.healthyHost(3);
      const [a, b] = await twoReplicasWatching(fleet, [slow, blocked]);
      await blocked.block();

      // The next claim of the slow host, whichever replica makes it.
      const claim = await Promise.race(
        [a, b].map((replica) =>
          replica
            .nextLog(isClaimOf(slow.host), 'a claim of the slow host')
            .then((line) => ({ replica, line })),
        ),
      );
      const victim = claim.replica;
      const survivor = victim === a ? b : a;
      victim.child.kill('SIGKILL');
      expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const killedTick = new Date(String(claim.line.tick));
      const victimId = victim.replicaId();

      // The survivor re-tests the slow host: in the killed tick once the lease lapses, or in its next one.
      const retested = await poll(async () => {
        const rows = await fleet!.rows<{ tick: Date; claims: number }>(
          `SELECT tick, claims FROM fleet_tick_hosts
          WHERE host = $1 AND tick >= $2 AND claimed_by = $3 AND done_at IS NOT NULL ORDER BY tick LIMIT 1`,
          [slow.host, killedTick, survivor.replicaId()],
        );
        return rows[0];
      });
      const killedRow = await fleet.rows<{ claimed_by: string; done: boolean }>(
        'SELECT claimed_by, done_at IS NOT NULL AS done FROM fleet_tick_hosts WHERE host = $1 AND tick = $2',
        [slow.host, killedTick],
      );
      // Taken over within the killed tick (claims 2), or left to lapse while the survivor skipped that slot.
      if (retested.tick.getTime() === killedTick.getTime()) expect(retested.claims).toBe(2);
      else expect(killedRow).toEqual([{ claimed_by: victimId, done: false }]);

      await fleet.api.waitForCalls(
        (call) =>
          call.method === 'chat.postMessage' &&
          call.ok &&
          String(call.body.text).startsWith(`🚨 ${blocked.host}`),
        1,
        DEADLINE_MS,
      );
      await survivor.moreTicks(3);
      expect(fleet.alerts(blocked.host)).toHaveLength(1);
      expect(fleet.alerts(slow.host)).toEqual([]);
    },
  );
});

/** A debug line of a replica claiming hosts, one of them `host`. */
function isClaimOf(host: string) {
  return (line: { msg: string; hosts?: unknown }): boolean =>
    line.msg === 'fleet hosts claimed' && Array.isArray(line.hosts) && line.hosts.includes(host);
}

/** Asks until the answer is defined, for up to the deadline. */
async function poll<T>(ask: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + DEADLINE_MS;
  for (;;) {
    const answer = await ask();
    if (answer !== undefined) return answer;
    if (Date.now() > until) throw new Error('no answer before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.skipIf(skip !== null)('a fleet of two replicas when Slack or the database fails', () => {
  /** Two replicas watching one healthy host, each with a tick behind it. */
  async function watchingOneHost(f: Fleet) {
    const host = await f.healthyHost(2);
    return { host, replicas: await twoReplicasWatching(f, [host]) };
  }
  const alertPosts = (f: Fleet, host: string) =>
    f.api.calls.filter(
      (call) =>
        call.method === 'chat.postMessage' &&
        call.body.thread_ts === undefined &&
        String(call.body.text).startsWith(`🚨 ${host}`),
    );

  test(
    'Slack answers the alert with 429, then 500: it is posted on a later tick, once',
    TEST_TIMEOUT,
    async () => {
      fleet = await startFleet();
      const { host, replicas } = await watchingOneHost(fleet);
      fleet.api.failNext('chat.postMessage', { retryAfterSeconds: 1 });
      fleet.api.failNext('chat.postMessage', { status: 500 });
      await host.block();
      await fleet.api.waitForCalls(
        (call) =>
          call.method === 'chat.postMessage' &&
          call.ok &&
          String(call.body.text).startsWith(`🚨 ${host.host}`),
        1,
        DEADLINE_MS,
      );
      await Promise.all(replicas.map((replica) => replica.moreTicks(3)));

      expect(alertPosts(fleet, host.host).map((call) => call.fault ?? 'ok')).toEqual([
        '429',
        'http 500',
        'ok',
      ]);
      expect(fleet.alerts(host.host)).toHaveLength(1);
      // The 500 left the outcome unknown: the channel was read before the alert was posted again.
      const retry = fleet.api.calls.indexOf(alertPosts(fleet, host.host)[2]!);
      const lookUp = fleet.api.calls.findIndex((call) => call.method === 'conversations.history');
      expect(lookUp).toBeGreaterThan(-1);
      expect(lookUp).toBeLessThan(retry);
    },
  );

  test(
    'Slack posts the alert but answers 500: the next tick finds it in the channel and posts nothing',
    TEST_TIMEOUT,
    async () => {
      fleet = await startFleet();
      const { host, replicas } = await watchingOneHost(fleet);
      fleet.api.failNext('chat.postMessage', { status: 500, processed: true });
      await host.block();
      const [lookUp] = await fleet.api.waitForCalls(
        (call) =>
          call.method === 'conversations.history' &&
          call.ok &&
          JSON.stringify(call.response.messages).includes('smtp_check_watch_post'),
        1,
        DEADLINE_MS,
      );
      await Promise.all(replicas.map((replica) => replica.moreTicks(3)));

      expect(alertPosts(fleet, host.host).map((call) => call.fault ?? 'ok')).toEqual([
        'http 500 after processing',
      ]);
      const [alert] = fleet.alerts(host.host);
      expect(fleet.alerts(host.host)).toHaveLength(1);
      expect(lookUp?.body.include_all_metadata).toBe('true');
      // The found message is the incident's alert: the ledger and the store carry its ts.
      const posts = await fleet.rows<{ status: string; ts: string }>(
        'SELECT status, ts FROM fleet_alert_posts',
      );
      expect(posts).toEqual([{ status: 'posted', ts: alert?.ts }]);
      const replicasFound = replicas.flatMap((replica) =>
        replica.lines().filter((line) => /found in the channel; not posted again/.test(line.msg)),
      );
      expect(replicasFound).toHaveLength(1);
    },
  );

  test(
    'the database goes away mid-tick: the tick ends cleanly, the next resumes, one alert',
    TEST_TIMEOUT,
    async () => {
      fleet = await startFleet();
      const slow = await fleet.slowHost(3, 2_000);
      const host = await fleet.healthyHost(2);
      const replicas = await twoReplicasWatching(fleet, [host, slow]);
      await host.block();
      // While a replica is on the slow host, the database refuses connections and its backends are
      // terminated (this database only: other tests share the server).
      await Promise.race(
        replicas.map((replica) => replica.nextLog(isClaimOf(slow.host), 'a claim of the slow host')),
      );
      await fleet.outage(true);
      const [stopped] = await Promise.race(
        replicas.map((replica) =>
          replica
            .nextLog((line) => /^watch tick (stopped early|failed)/.test(line.msg), 'a tick that stopped')
            .then((line) => [{ replica, line }] as const),
        ),
      );
      await fleet.outage(false);
      expect(stopped.line.level).toBe('error');

      await fleet.api.waitForCalls(
        (call) =>
          call.method === 'chat.postMessage' &&
          call.ok &&
          String(call.body.text).startsWith(`🚨 ${host.host}`),
        1,
        DEADLINE_MS,
      );
      // The replica whose tick stopped ticks again, whole.
      await stopped.replica.nextLog(
        (line) => line.msg === 'watch tick finished' && line.fleetFailures === 0,
        'a whole tick after the outage',
      );
      await Promise.all(replicas.map((replica) => replica.moreTicks(3)));

      expect(fleet.alerts(host.host)).toHaveLength(1);
      for (const replica of replicas) {
        expect(replica.child.exitCode).toBeNull();
        expect(replica.output()).not.toMatch(/unhandled|uncaught|could not start/i);
      }
    },
  );
});
