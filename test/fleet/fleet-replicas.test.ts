import { afterEach, describe, expect, test } from 'vitest';
import { requirePostgres } from '../helpers/postgres.js';
import { CHANNEL, DEADLINE_MS, type Fleet, startFleet } from './fleet-harness.js';

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
      expect(thread.map((message) => message.text.split('\n')[0])).toEqual([
        expect.stringContaining(`Port ${blocked.port} recovered`),
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
