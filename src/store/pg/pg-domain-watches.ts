import type pg from 'pg';
import { toJsonb } from '../../database/jsonb.js';
import type { DomainWatchMethods } from '../../watch-model/watch-store.js';
import {
  DOMAIN_SQL,
  type DomainWatchRow,
  domainStateValues,
  domainWatchRow,
  toDomainWatch,
} from './domain-watch-rows.js';

// The domain watches of the PostgreSQL store: each call one statement on the pool. A tick writes a
// watch's state in one UPDATE, which finds nothing once the watch was removed.

type Query = <R extends pg.QueryResultRow>(
  doing: string,
  text: string,
  values?: unknown[],
) => Promise<pg.QueryResult<R>>;

export function pgDomainWatches(query: Query, location: string): DomainWatchMethods {
  return {
    async listDomainWatches(filter = {}) {
      const { rows } = await query<DomainWatchRow>(
        'listing domain watches',
        `${DOMAIN_SQL.select} WHERE ($1::text IS NULL OR channel = $1) AND ($2::text IS NULL OR domain = $2)
          ORDER BY position`,
        [filter.channel ?? null, filter.domain ?? null],
      );
      return rows.map((row) => toDomainWatch(row, location));
    },

    async getDomainWatch(channel, domain) {
      const { rows } = await query<DomainWatchRow>(
        'reading a domain watch',
        `${DOMAIN_SQL.select} WHERE channel = $1 AND domain = $2`,
        [channel, domain],
      );
      return rows[0] === undefined ? null : toDomainWatch(rows[0], location);
    },

    async saveDomainWatch(watch) {
      await query('saving a domain watch', DOMAIN_SQL.upsert, [toJsonb([domainWatchRow(watch)])]);
    },

    async saveDomainWatchState(channel, domain, state) {
      const { rowCount } = await query('saving a domain watch’s state', DOMAIN_SQL.saveState, [
        channel,
        domain,
        ...domainStateValues(state),
      ]);
      return (rowCount ?? 0) > 0;
    },

    async removeDomainWatch(channel, domain) {
      const { rowCount } = await query(
        'removing a domain watch',
        'DELETE FROM domain_watches WHERE channel = $1 AND domain = $2',
        [channel, domain],
      );
      return (rowCount ?? 0) > 0;
    },

    async setDomainMute(channel, domain, mute) {
      await query(
        'setting a domain mute',
        'UPDATE domain_watches SET mute_until = $3, muted_by = $4 WHERE channel = $1 AND domain = $2',
        [channel, domain, mute?.until ?? null, mute?.by ?? null],
      );
    },
  };
}
