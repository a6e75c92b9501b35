import { type Columns, INCIDENT_COLUMNS, MUTE_COLUMNS, STATE_COLUMNS } from './watch-rows.js';

// The two statements of a scheduled tick's host (see pg-tick.ts): one read of everything the
// tick needs, one write of everything it keeps. Lists travel as jsonb, as in watch-rows.ts.

const names = (columns: Columns, alias = ''): string => columns.map(([name]) => `${alias}${name}`).join(', ');
const record = (columns: Columns): string => columns.map(([name, type]) => `${name} ${type}`).join(', ');
const updates = (columns: Columns, key: string[]): string =>
  columns
    .filter(([name]) => !key.includes(name))
    .map(([name]) => `${name} = EXCLUDED.${name}`)
    .join(', ');

/** Rows of `select` as one jsonb list (empty when none). */
const list = (select: string, order: string): string =>
  `(SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY ${order}), '[]'::jsonb) FROM (${select}) x)`;
const ofWatches = 'WHERE host = $1 AND channel = ANY($2::text[])';

export const TICK_SQL = {
  /**
   * $1 host, $2 channels, $3/$4 the series' ports and vantages. One row: the watches' states
   * (their own and their vantages'), incidents and mutes, and the series with their row version
   * (xmin), which the write compares before it replaces a series.
   */
  read: `SELECT
    ${list(`SELECT ${names(STATE_COLUMNS)} FROM watch_alert_states ${ofWatches}`, 'x.channel, x.vantage, x.port')} AS states,
    ${list(`SELECT ${names(INCIDENT_COLUMNS)} FROM watch_incidents ${ofWatches}`, 'x.channel')} AS incidents,
    ${list(`SELECT ${names(MUTE_COLUMNS)} FROM watch_mutes ${ofWatches}`, 'x.channel')} AS mutes,
    ${list(
      `SELECT port, vantage, samples, last_at, changes, xmin::text AS version FROM history_series
        WHERE host = $1 AND (port, vantage) IN (SELECT * FROM unnest($3::integer[], $4::text[]))`,
      'x.port, x.vantage',
    )} AS series`,

  /**
   * $1 host; $2 the watches saved: [{channel, all_vantages, close_incident}]; $3 their state rows;
   * $4 incident rows to open or update; $5 the series: [{port, vantage, samples, last_at, changes,
   * version}] — version null for a series that did not exist, which is created unless it exists by
   * now. The watches' rows are locked as saveAlertStatesIn locks them, and a watch gone is left
   * alone. A series is replaced only if its row is still the version read; the statement returns
   * the series it wrote, and the caller appends the others again on the series as they are.
   * Each row is written once: the states dropped are those not saved again.
   */
  write: `WITH input AS (
      SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(channel text, all_vantages boolean, close_incident boolean)
    ),
    w AS MATERIALIZED (
      SELECT t.channel, t.host, input.all_vantages, input.close_incident
        FROM watches t JOIN input USING (channel)
       WHERE t.host = $1
         FOR NO KEY UPDATE OF t
    ),
    new_states AS MATERIALIZED (
      SELECT ${names(STATE_COLUMNS, 'r.')} FROM jsonb_to_recordset($3::jsonb) AS r(${record(STATE_COLUMNS)})
        JOIN w ON w.channel = r.channel AND w.host = r.host
    ),
    dropped_states AS (
      DELETE FROM watch_alert_states s USING w
       WHERE s.channel = w.channel AND s.host = w.host AND (w.all_vantages OR s.vantage = '')
         AND NOT EXISTS (SELECT 1 FROM new_states n
                          WHERE n.channel = s.channel AND n.vantage = s.vantage AND n.port = s.port)
    ),
    saved_states AS (
      INSERT INTO watch_alert_states (${names(STATE_COLUMNS)}) SELECT ${names(STATE_COLUMNS)} FROM new_states
      ON CONFLICT (channel, host, vantage, port) DO UPDATE SET ${updates(STATE_COLUMNS, ['channel', 'host', 'vantage', 'port'])}
    ),
    closed_incidents AS (
      DELETE FROM watch_incidents i USING w
       WHERE i.channel = w.channel AND i.host = w.host AND w.close_incident
    ),
    saved_incidents AS (
      INSERT INTO watch_incidents (${names(INCIDENT_COLUMNS)})
      SELECT ${names(INCIDENT_COLUMNS, 'r.')} FROM jsonb_to_recordset($4::jsonb) AS r(${record(INCIDENT_COLUMNS)})
        JOIN w ON w.channel = r.channel AND w.host = r.host
      ON CONFLICT (channel, host) DO UPDATE SET ${updates(INCIDENT_COLUMNS, ['channel', 'host'])}
    ),
    series AS MATERIALIZED (
      SELECT * FROM jsonb_to_recordset($5::jsonb)
        AS r(port integer, vantage text, samples text, last_at timestamptz, changes jsonb, version text)
    ),
    replaced_series AS (
      UPDATE history_series h SET samples = s.samples, last_at = s.last_at, changes = s.changes
        FROM series s
       WHERE h.host = $1 AND h.port = s.port AND h.vantage = s.vantage
         AND s.version IS NOT NULL AND h.xmin = s.version::xid
      RETURNING h.port, h.vantage
    ),
    created_series AS (
      INSERT INTO history_series (host, port, vantage, samples, last_at, changes)
      SELECT $1, port, vantage, samples, last_at, changes FROM series WHERE version IS NULL
      ON CONFLICT (host, port, vantage) DO NOTHING
      RETURNING port, vantage
    )
    SELECT port, vantage FROM replaced_series UNION ALL SELECT port, vantage FROM created_series`,
} as const;

/**
 * A row read through to_jsonb, as the driver would have returned it from the table: its
 * timestamps are ISO strings in jsonb, Dates here.
 */
export function fromJsonRow<R>(row: Record<string, unknown>, columns: Columns): R {
  const converted: Record<string, unknown> = { ...row };
  for (const [name, type] of columns) {
    const value = row[name];
    if (type === 'timestamptz' && typeof value === 'string') converted[name] = new Date(value);
  }
  return converted as R;
}
