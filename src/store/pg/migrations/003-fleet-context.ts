import type { Migration } from '../../../database/migration.js';

export const fleetContext: Migration = {
  version: 3,
  name: 'check context and fleet limits',
  async up(client) {
    // A check's latest result, so any replica can answer a click or a `recheck` in its thread.
    await client.query(`CREATE TABLE check_results (
      channel text NOT NULL,
      message_ts text NOT NULL,
      diagnosis jsonb NOT NULL,
      requester text NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (channel, message_ts)
    )`);
    await client.query('CREATE INDEX check_results_updated_at ON check_results (updated_at)');

    // One row per admitted check in a rate window: scope is user, target or address.
    await client.query(`CREATE TABLE rate_events (
      scope text NOT NULL,
      key text NOT NULL,
      at timestamptz NOT NULL
    )`);
    await client.query('CREATE INDEX rate_events_key_at ON rate_events (scope, key, at)');

    // Who is checking a target now; a lease that is not renewed (its replica died) expires.
    await client.query(`CREATE TABLE target_leases (
      target text PRIMARY KEY,
      holder text NOT NULL,
      expires_at timestamptz NOT NULL
    )`);
  },
};
