import type { Migration } from '../../../database/migration.js';

// Watched sending domains: one row per channel and domain, in a table of their own, so a host watch
// and a domain watch of the same name never share a state, an incident or a mute. A domain watch's
// state is small and always read and written whole by one tick, so its snapshots, the degradations
// last announced and its incident are jsonb (the records of domain-watch.ts, checked on read).
// Nothing of the earlier tables changes: every existing row keeps its meaning.

export const domainWatches: Migration = {
  version: 7,
  name: 'domain watches',
  async up(client) {
    await client.query(`
      CREATE TABLE domain_watches (
        channel text NOT NULL,
        domain text NOT NULL,
        selectors text[] NOT NULL DEFAULT '{}',
        added_by text NOT NULL,
        added_at timestamptz NOT NULL,
        baseline jsonb NOT NULL,
        last jsonb NOT NULL,
        announced jsonb NOT NULL DEFAULT '[]',
        degraded_since timestamptz,
        incident jsonb,
        mute_until timestamptz,
        muted_by text,
        position bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (channel, domain)
      );
      CREATE INDEX domain_watches_domain ON domain_watches (domain);
    `);
  },
};
