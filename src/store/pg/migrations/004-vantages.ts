import type { Migration } from '../../../database/migration.js';

// Probe workers in other networks ("vantages"). The job queue itself is pg-boss's own schema
// (installed by the bot when it starts); these two tables are all a worker writes besides it:
// its heartbeat, and the facts it found for a check. A worker's role may insert here and touch
// nothing else of the bot's (see src/vantage/worker-role.ts).
export const vantages: Migration = {
  version: 4,
  name: 'vantage workers and their answers',
  async up(client) {
    // One row per worker process: it announces itself at start and renews last_seen while it runs.
    await client.query(`CREATE TABLE vantage_workers (
      worker_id uuid PRIMARY KEY,
      vantage text NOT NULL CHECK (vantage ~ '^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$'),
      version text NOT NULL CHECK (length(version) <= 40),
      hostname text NOT NULL CHECK (length(hostname) <= 255),
      started_at timestamptz NOT NULL,
      last_seen timestamptz NOT NULL,
      stopped_at timestamptz
    )`);
    await client.query('CREATE INDEX vantage_workers_vantage ON vantage_workers (vantage, last_seen DESC)');

    // What a vantage found for one check: facts, judged by the bot after validation. A retried job
    // answers once (the first answer stays).
    await client.query(`CREATE TABLE vantage_results (
      check_id uuid NOT NULL,
      vantage text NOT NULL,
      worker_id uuid NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      result jsonb NOT NULL,
      PRIMARY KEY (check_id, vantage)
    )`);
    await client.query('CREATE INDEX vantage_results_received_at ON vantage_results (received_at)');
  },
};
