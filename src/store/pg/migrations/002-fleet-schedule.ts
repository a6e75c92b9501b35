import type { Migration } from '../../../database/migration.js';

// Two tables shared by the replicas of a fleet:
// - fleet_tick_hosts: which replica re-tests which host in a scheduled tick (claimed with FOR UPDATE
//   SKIP LOCKED under a lease, marked done once re-tested), so each host is re-tested once per tick;
// - fleet_alert_posts: one row per alert, reminder or thread update the watches post, under a unique
//   key, written before the post (pending) and completed with Slack's ts (posted), so a second
//   replica, or a later tick after a lost answer, never posts the same thing again.

export const fleetSchedule: Migration = {
  version: 2,
  name: 'fleet schedule and alert posts',
  async up(client) {
    await client.query(`CREATE TABLE fleet_tick_hosts (
      tick timestamptz NOT NULL,
      host text NOT NULL,
      position integer NOT NULL,
      claimed_by text,
      lease_until timestamptz,
      claims integer NOT NULL DEFAULT 0,
      done_at timestamptz,
      PRIMARY KEY (tick, host)
    )`);
    await client.query('CREATE INDEX fleet_tick_hosts_open ON fleet_tick_hosts (tick) WHERE done_at IS NULL');
    await client.query(`CREATE TABLE fleet_alert_posts (
      channel text NOT NULL,
      host text NOT NULL,
      kind text NOT NULL,
      slot text NOT NULL,
      key text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'posted')),
      ts text,
      claimed_by text,
      lease_until timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      posted_at timestamptz,
      PRIMARY KEY (channel, host, kind, slot)
    )`);
    // The key is derived from the primary key; a unique index of its own would make two replicas'
    // simultaneous inserts fail instead of meeting in ON CONFLICT.
    await client.query('CREATE INDEX fleet_alert_posts_key ON fleet_alert_posts (key)');
    await client.query('CREATE INDEX fleet_alert_posts_created ON fleet_alert_posts (created_at)');
  },
};
