import type { Incident, Mute, PortAlertState, Watch } from '../../watch-model/index.js';
import type { SeriesEntry } from '../store-data.js';

// The watch store's records as table rows, and the statements that write many rows in one round
// trip (a jsonb list expanded by jsonb_to_recordset): the store and the JSON import share them.

export type Columns = ReadonlyArray<readonly [name: string, type: string]>;

const WATCH_COLUMNS: Columns = [
  ['channel', 'text'],
  ['host', 'text'],
  ['ports', 'integer[]'],
  ['added_by', 'text'],
  ['added_at', 'timestamptz'],
  ['vantages', 'text[]'],
];

export const STATE_COLUMNS: Columns = [
  ['channel', 'text'],
  ['host', 'text'],
  ['vantage', 'text'],
  ['port', 'integer'],
  ['phase', 'text'],
  ['streak', 'integer'],
  ['since', 'timestamptz'],
  ['pending_since', 'timestamptz'],
  ['class', 'text'],
  ['usable', 'boolean'],
  ['checked_at', 'timestamptz'],
  ['days_left', 'double precision'],
  ['alertable', 'boolean'],
  ['announced_outage', 'timestamptz'],
  ['announced_at', 'timestamptz'],
  ['cert_band', 'text'],
];

export const INCIDENT_COLUMNS: Columns = [
  ['channel', 'text'],
  ['host', 'text'],
  ['alert_ts', 'text'],
  ['thread_ts', 'text'],
  ['opened_at', 'timestamptz'],
  ['since', 'timestamptz'],
  ['last_reminder_at', 'timestamptz'],
  ['status', 'text'],
  ['resolved_at', 'timestamptz'],
];

export const MUTE_COLUMNS: Columns = [
  ['channel', 'text'],
  ['host', 'text'],
  ['until', 'timestamptz'],
  ['muted_by', 'text'],
];

const SERIES_COLUMNS: Columns = [
  ['host', 'text'],
  ['port', 'integer'],
  ['vantage', 'text'],
  ['samples', 'text'],
  ['last_at', 'timestamptz'],
  ['changes', 'jsonb'],
];

/**
 * INSERT of the rows in $1 (a jsonb list of objects keyed by column name). With `update`, a row
 * whose key exists replaces it; otherwise it is left and the statement returns only new keys.
 */
function insertRows(
  table: string,
  columns: Columns,
  key: string[],
  onConflict: 'update' | 'nothing',
): string {
  const names = columns.map(([name]) => name).join(', ');
  const record = columns.map(([name, type]) => `${name} ${type}`).join(', ');
  const updates = columns
    .filter(([name]) => !key.includes(name))
    .map(([name]) => `${name} = EXCLUDED.${name}`)
    .join(', ');
  const conflict = onConflict === 'update' ? `DO UPDATE SET ${updates}` : 'DO NOTHING';
  return `INSERT INTO ${table} (${names}) SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS r(${record})
    ON CONFLICT (${key.join(', ')}) ${conflict} RETURNING ${key.join(', ')}`;
}

export const SQL = {
  insertNewWatches: insertRows('watches', WATCH_COLUMNS, ['channel', 'host'], 'nothing'),
  upsertWatch: insertRows('watches', WATCH_COLUMNS, ['channel', 'host'], 'update'),
  insertStates: insertRows(
    'watch_alert_states',
    STATE_COLUMNS,
    ['channel', 'host', 'vantage', 'port'],
    'update',
  ),
  upsertIncidents: insertRows('watch_incidents', INCIDENT_COLUMNS, ['channel', 'host'], 'update'),
  upsertMutes: insertRows('watch_mutes', MUTE_COLUMNS, ['channel', 'host'], 'update'),
  insertNewSeries: insertRows('history_series', SERIES_COLUMNS, ['host', 'port', 'vantage'], 'nothing'),
  selectWatches: 'SELECT channel, host, ports, added_by, added_at, vantages FROM watches',
  selectStates: `SELECT ${STATE_COLUMNS.map(([name]) => name).join(', ')} FROM watch_alert_states`,
  selectIncidents: `SELECT ${INCIDENT_COLUMNS.map(([name]) => `i.${name}`).join(', ')}
    FROM watch_incidents i JOIN watches w USING (channel, host)`,
  selectSeries: 'SELECT samples, last_at, changes FROM history_series',
} as const;

export interface WatchRow {
  channel: string;
  host: string;
  ports: number[];
  added_by: string;
  added_at: Date;
  vantages: string[];
}

export interface StateRow {
  channel: string;
  host: string;
  /** '' for the watch's own states. */
  vantage: string;
  port: number;
  phase: PortAlertState['phase'];
  streak: number;
  since: Date;
  pending_since: Date | null;
  class: PortAlertState['class'];
  usable: boolean;
  checked_at: Date;
  days_left: number | null;
  alertable: boolean;
  announced_outage: Date | null;
  announced_at: Date | null;
  cert_band: PortAlertState['certBand'];
}

export interface IncidentRow {
  channel: string;
  host: string;
  alert_ts: string;
  thread_ts: string;
  opened_at: Date;
  since: Date;
  last_reminder_at: Date | null;
  status: Incident['status'];
  resolved_at: Date | null;
}

export interface SeriesRow {
  samples: string;
  last_at: Date;
  changes: SeriesEntry[2];
}

const iso = (time: Date): string => time.toISOString();
const isoOrNull = (time: Date | null): string | null => (time === null ? null : time.toISOString());

// Rows to write carry ISO strings (jsonb has no timestamp type; the recordset casts them).

export const watchRow = (w: Watch) => ({
  channel: w.channel,
  host: w.host,
  ports: w.ports,
  added_by: w.addedBy,
  added_at: w.addedAt,
  vantages: w.vantages ?? [],
});

/** `vantage` '' (the default) is the watch's own state. */
export const stateRow = (channel: string, host: string, port: number, s: PortAlertState, vantage = '') => ({
  channel,
  host,
  vantage,
  port,
  phase: s.phase,
  streak: s.streak,
  since: s.since,
  pending_since: s.pendingSince,
  class: s.class,
  usable: s.usable,
  checked_at: s.checkedAt,
  days_left: s.daysLeft,
  alertable: s.alertable,
  announced_outage: s.announcedOutage,
  announced_at: s.announcedAt,
  cert_band: s.certBand,
});

/** The incident of the watch (channel, host); the record's own channel and host are not used. */
export const incidentRow = (channel: string, host: string, i: Omit<Incident, 'channel' | 'host'>) => ({
  channel,
  host,
  alert_ts: i.alertTs,
  thread_ts: i.threadTs,
  opened_at: i.openedAt,
  since: i.since,
  last_reminder_at: i.lastReminderAt,
  status: i.status,
  resolved_at: i.resolvedAt,
});

export const muteRow = (channel: string, host: string, m: Pick<Mute, 'until' | 'by'>) => ({
  channel,
  host,
  until: m.until,
  muted_by: m.by,
});

/** `vantage` '' (the default) is the bot's own network. */
export const seriesRow = (host: string, port: number, s: SeriesEntry, vantage = '') => ({
  host,
  port,
  vantage,
  samples: s[0],
  last_at: new Date(s[1] * 1000).toISOString(),
  changes: s[2],
});

export const toWatch = (r: WatchRow): Watch => ({
  channel: r.channel,
  host: r.host,
  ports: r.ports,
  addedBy: r.added_by,
  addedAt: iso(r.added_at),
  ...(r.vantages.length > 0 ? { vantages: r.vantages } : {}),
});

export const toState = (r: StateRow): PortAlertState => ({
  phase: r.phase,
  streak: r.streak,
  since: iso(r.since),
  pendingSince: isoOrNull(r.pending_since),
  class: r.class,
  usable: r.usable,
  checkedAt: iso(r.checked_at),
  daysLeft: r.days_left,
  alertable: r.alertable,
  announcedOutage: isoOrNull(r.announced_outage),
  announcedAt: isoOrNull(r.announced_at),
  certBand: r.cert_band,
});

export const toIncident = (r: IncidentRow): Incident => ({
  channel: r.channel,
  host: r.host,
  alertTs: r.alert_ts,
  threadTs: r.thread_ts,
  openedAt: iso(r.opened_at),
  since: iso(r.since),
  lastReminderAt: isoOrNull(r.last_reminder_at),
  status: r.status,
  resolvedAt: isoOrNull(r.resolved_at),
});

export const toSeries = (r: SeriesRow): SeriesEntry => [r.samples, r.last_at.getTime() / 1000, r.changes];
