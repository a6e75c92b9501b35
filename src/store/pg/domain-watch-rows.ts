import { toJsonb } from '../../database/jsonb.js';
import { StoreError } from '../../database/store-error.js';
import type { DomainWatch } from '../../watch-model/domain-watch.js';
import { domainWatchStateSchema } from '../domain-schema.js';
import type { Columns } from './watch-rows.js';

// A domain watch as a row of domain_watches (migration 007), and the statements that write it:
// the store and the JSON import share them.

const DOMAIN_WATCH_COLUMNS: Columns = [
  ['channel', 'text'],
  ['domain', 'text'],
  ['selectors', 'text[]'],
  ['added_by', 'text'],
  ['added_at', 'timestamptz'],
  ['baseline', 'jsonb'],
  ['last', 'jsonb'],
  ['announced', 'jsonb'],
  ['degraded_since', 'timestamptz'],
  ['incident', 'jsonb'],
  ['mute_until', 'timestamptz'],
  ['muted_by', 'text'],
];

const NAMES = DOMAIN_WATCH_COLUMNS.map(([name]) => name).join(', ');
const RECORD = DOMAIN_WATCH_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');
/** Columns a saved watch replaces: all but the key and the mute, which a person sets. */
const REPLACED = DOMAIN_WATCH_COLUMNS.map(([name]) => name)
  .filter((name) => !['channel', 'domain', 'mute_until', 'muted_by'].includes(name))
  .map((name) => `${name} = EXCLUDED.${name}`)
  .join(', ');

export const DOMAIN_SQL = {
  select: `SELECT ${NAMES} FROM domain_watches`,
  /** The rows in $1 (a jsonb list); an existing watch keeps its mute. */
  upsert: `INSERT INTO domain_watches (${NAMES}) SELECT ${NAMES} FROM jsonb_to_recordset($1::jsonb) AS r(${RECORD})
    ON CONFLICT (channel, domain) DO UPDATE SET ${REPLACED}`,
  /** The rows in $1 that are not there yet; returns the keys it added. */
  insertNew: `INSERT INTO domain_watches (${NAMES}) SELECT ${NAMES} FROM jsonb_to_recordset($1::jsonb) AS r(${RECORD})
    ON CONFLICT (channel, domain) DO NOTHING RETURNING channel, domain`,
  saveState: `UPDATE domain_watches SET baseline = $3::jsonb, last = $4::jsonb, announced = $5::jsonb,
      degraded_since = $6, incident = $7::jsonb
    WHERE channel = $1 AND domain = $2`,
} as const;

export interface DomainWatchRow {
  channel: string;
  domain: string;
  selectors: string[];
  added_by: string;
  added_at: Date;
  baseline: unknown;
  last: unknown;
  announced: unknown;
  degraded_since: Date | null;
  incident: unknown;
  mute_until: Date | null;
  muted_by: string | null;
}

export const domainWatchRow = (w: DomainWatch) => ({
  channel: w.channel,
  domain: w.domain,
  selectors: w.selectors,
  added_by: w.addedBy,
  added_at: w.addedAt,
  baseline: w.state.baseline,
  last: w.state.last,
  announced: w.state.announced,
  degraded_since: w.state.degradedSince,
  incident: w.state.incident,
  mute_until: w.mute?.until ?? null,
  muted_by: w.mute?.by ?? null,
});

/** The state's values for DOMAIN_SQL.saveState after channel and domain. */
export const domainStateValues = (state: DomainWatch['state']): unknown[] => [
  toJsonb(state.baseline),
  toJsonb(state.last),
  toJsonb(state.announced),
  state.degradedSince,
  state.incident === null ? null : toJsonb(state.incident),
];

/** The row as a record; jsonb that does not fit the records is refused as a StoreError. */
export function toDomainWatch(r: DomainWatchRow, location: string): DomainWatch {
  const state = domainWatchStateSchema.safeParse({
    baseline: r.baseline,
    last: r.last,
    announced: r.announced,
    degradedSince: r.degraded_since?.toISOString() ?? null,
    incident: r.incident,
  });
  if (!state.success) {
    throw new StoreError(
      `the domain watch of ${r.domain} in channel ${r.channel} holds a state this smtp-check cannot read: ${state.error.issues[0]?.message ?? 'invalid'}`,
      { file: location },
    );
  }
  return {
    channel: r.channel,
    domain: r.domain,
    selectors: r.selectors,
    addedBy: r.added_by,
    addedAt: r.added_at.toISOString(),
    state: state.data,
    mute: r.mute_until === null ? null : { until: r.mute_until.toISOString(), by: r.muted_by ?? '' },
  };
}
