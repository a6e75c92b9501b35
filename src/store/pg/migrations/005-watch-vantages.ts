import type { Migration } from '../../../database/migration.js';

// Watches from vantages (probe workers in other networks). Every existing row keeps its meaning
// through the column defaults: a watch with no vantages is watched from the bot's own network, and
// the alert states and history series with the empty vantage are the ones every watch kept before
// — the watch's own states, and the bot's own observations.
// - watches.vantages: the vantages a watch is watched from;
// - watch_alert_states.vantage: '' for the watch's own states (host-wide for a watch from
//   vantages), a vantage's name for that vantage's;
// - history_series.vantage: '' for the bot's own network, a vantage's name for that vantage's.

export const watchVantages: Migration = {
  version: 5,
  name: 'watches from vantages',
  async up(client) {
    await client.query(`
      ALTER TABLE watches ADD COLUMN vantages text[] NOT NULL DEFAULT '{}';

      ALTER TABLE watch_alert_states ADD COLUMN vantage text NOT NULL DEFAULT '';
      ALTER TABLE watch_alert_states DROP CONSTRAINT watch_alert_states_pkey;
      ALTER TABLE watch_alert_states ADD PRIMARY KEY (channel, host, vantage, port);

      ALTER TABLE history_series ADD COLUMN vantage text NOT NULL DEFAULT '';
      ALTER TABLE history_series DROP CONSTRAINT history_series_pkey;
      ALTER TABLE history_series ADD PRIMARY KEY (host, port, vantage);
    `);
  },
};
