import type { Migration } from '../../../database/migration.js';

// One row per watch, per port state, per incident, per mute and per history series: a write
// touches the rows of its own watch only, so replicas re-testing different hosts never rewrite each
// other's data. A watch's state, incident and mute go with it (ON DELETE CASCADE). `position`
// keeps the order watches were first added in, which is the order the JSON file lists them in.
// A history series is read and written whole, so its class changes are one jsonb list of
// [epoch seconds, class, 1 usable / 0 not] — the data file's layout.

export const watchStoreTables: Migration = {
  version: 1,
  name: 'watch store tables',
  async up(client) {
    await client.query(`
      CREATE TABLE watches (
        channel text NOT NULL,
        host text NOT NULL,
        ports integer[] NOT NULL,
        added_by text NOT NULL,
        added_at timestamptz NOT NULL,
        position bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (channel, host)
      );
      CREATE INDEX watches_host ON watches (host);
      CREATE INDEX watches_position ON watches (position);

      CREATE TABLE watch_alert_states (
        channel text NOT NULL,
        host text NOT NULL,
        port integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
        phase text NOT NULL,
        streak integer NOT NULL CHECK (streak >= 0),
        since timestamptz NOT NULL,
        pending_since timestamptz,
        class text NOT NULL,
        usable boolean NOT NULL,
        checked_at timestamptz NOT NULL,
        days_left double precision,
        alertable boolean NOT NULL,
        announced_outage timestamptz,
        announced_at timestamptz,
        cert_band text,
        PRIMARY KEY (channel, host, port),
        FOREIGN KEY (channel, host) REFERENCES watches (channel, host) ON DELETE CASCADE
      );

      CREATE TABLE watch_incidents (
        channel text NOT NULL,
        host text NOT NULL,
        alert_ts text NOT NULL,
        thread_ts text NOT NULL,
        opened_at timestamptz NOT NULL,
        since timestamptz NOT NULL,
        last_reminder_at timestamptz,
        status text NOT NULL CHECK (status IN ('open', 'resolving')),
        resolved_at timestamptz,
        PRIMARY KEY (channel, host),
        FOREIGN KEY (channel, host) REFERENCES watches (channel, host) ON DELETE CASCADE
      );

      CREATE TABLE watch_mutes (
        channel text NOT NULL,
        host text NOT NULL,
        until timestamptz NOT NULL,
        muted_by text NOT NULL,
        PRIMARY KEY (channel, host),
        FOREIGN KEY (channel, host) REFERENCES watches (channel, host) ON DELETE CASCADE
      );

      CREATE TABLE history_series (
        host text NOT NULL,
        port integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
        samples text NOT NULL CHECK (samples ~ '^[01]*$'),
        last_at timestamptz NOT NULL,
        changes jsonb NOT NULL,
        PRIMARY KEY (host, port)
      );
      CREATE INDEX history_series_last_at ON history_series (last_at);
    `);
  },
};
