import type pg from 'pg';
import type { Logger } from '../../log.js';
import type { Incident, PortAlertStates, VantageAlertStates } from '../../watch-model/index.js';
import { appendToSeries, historyHorizon, PRUNE_EVERY_MS, toHistorySeries } from '../store-data.js';
import { StoreError } from '../../database/store-error.js';
import {
  DEFAULT_HISTORY_LIMITS,
  type HistoryLimits,
  type WatchStore,
} from '../../watch-model/watch-store.js';
import { createPool, isUnavailable, type Pool, type PoolClient } from '../../database/connection.js';
import { fromDriver, inTransaction, type Queryable } from '../../database/transaction.js';
import { describeDatabase, redactUrl } from '../../database/database-url.js';
import { migrate } from './migrations.js';
import { createPgTick } from './pg-tick.js';
import { pgDomainWatches } from './pg-domain-watches.js';
import {
  type IncidentRow,
  incidentRow,
  muteRow,
  type SeriesRow,
  SQL,
  type StateRow,
  stateRow,
  toIncident,
  toSeries,
  toState,
  toWatch,
  type WatchRow,
  watchRow,
} from './watch-rows.js';

// The WatchStore on PostgreSQL, for replicas sharing one database. Each call is one statement or
// one transaction on a pooled connection; the data lives in the database only, so every replica
// sees every other's writes. A driver error becomes a StoreError that names host and database.

/**
 * saveAlertStates inside the caller's transaction, so that other rows (an alert ledger) commit or
 * roll back with the states. False, and nothing written, when the watch no longer exists. The watch
 * row stays locked until the transaction ends: saves of one watch's states happen one at a time.
 * `vantages` replaces every vantage's states; undefined leaves them.
 */
export async function saveAlertStatesIn(
  client: Queryable,
  channel: string,
  host: string,
  states: PortAlertStates,
  incident?: Incident | null,
  vantages?: VantageAlertStates,
): Promise<boolean> {
  const watch = await client.query(
    'SELECT 1 FROM watches WHERE channel = $1 AND host = $2 FOR NO KEY UPDATE',
    [channel, host],
  );
  if (watch.rowCount === 0) return false;
  await client.query(
    `DELETE FROM watch_alert_states WHERE channel = $1 AND host = $2 AND ($3 OR vantage = '')`,
    [channel, host, vantages !== undefined],
  );
  const rows = [
    ...Object.entries(states).map(([port, state]) => stateRow(channel, host, Number(port), state)),
    ...Object.entries(vantages ?? {}).flatMap(([vantage, byPort]) =>
      Object.entries(byPort).map(([port, state]) => stateRow(channel, host, Number(port), state, vantage)),
    ),
  ];
  if (rows.length > 0) await client.query(SQL.insertStates, [JSON.stringify(rows)]);
  if (incident === null) {
    await client.query('DELETE FROM watch_incidents WHERE channel = $1 AND host = $2', [channel, host]);
  } else if (incident !== undefined) {
    await client.query(SQL.upsertIncidents, [JSON.stringify([incidentRow(channel, host, incident)])]);
  }
  return true;
}

export interface PgWatchStore extends WatchStore {
  /** The pool the store runs on; close() ends it. */
  readonly pool: Pool;
  /** Runs work in one transaction (see inTransaction); `doing` names the work in errors. */
  transaction<T>(doing: string, work: (client: PoolClient) => Promise<T>): Promise<T>;
}

/** Whether the bot's store is the PostgreSQL one (openStore returns it as a plain WatchStore). */
export function isPgWatchStore(store: WatchStore): store is PgWatchStore {
  return 'transaction' in store && 'pool' in store;
}

export interface PgWatchStoreOptions {
  pool: Pool;
  /** DATABASE_URL; only host and database ever appear in messages. */
  url: string;
  limits?: HistoryLimits;
  logger?: Logger;
}

/** The store on a pool whose database has the current schema (see migrate). */
export function createPgWatchStore(options: PgWatchStoreOptions): PgWatchStore {
  const { pool, url, logger } = options;
  const limits = options.limits ?? DEFAULT_HISTORY_LIMITS;
  const location = describeDatabase(url);
  let closed = false;
  let lastPruneMs = Number.NEGATIVE_INFINITY;

  const ensureOpen = (): void => {
    if (closed) throw new StoreError(`the store at ${location} is closed`, { file: location });
  };
  const query = async <R extends pg.QueryResultRow>(
    doing: string,
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> => {
    ensureOpen();
    try {
      return await pool.query<R>(text, values);
    } catch (error) {
      throw fromDriver(error, url, doing);
    }
  };
  const transaction = async <T>(doing: string, work: (client: PoolClient) => Promise<T>): Promise<T> => {
    ensureOpen();
    return inTransaction(pool, url, doing, work, logger);
  };

  /** Deletes the series nobody updated for the history's age, once per PRUNE_EVERY_MS of observations. */
  const pruneAfter = async (client: Queryable, at: number): Promise<void> => {
    if (at * 1000 - lastPruneMs < PRUNE_EVERY_MS) return;
    lastPruneMs = at * 1000;
    // SKIP LOCKED: a series another replica is updating right now is not stale; never wait for it.
    await client.query(
      `DELETE FROM history_series WHERE (host, port, vantage) IN (
        SELECT host, port, vantage FROM history_series WHERE last_at < to_timestamp($1) FOR UPDATE SKIP LOCKED)`,
      [historyHorizon(at, limits)],
    );
  };

  const store: PgWatchStore = {
    location,
    pool,
    transaction,
    ...pgDomainWatches(query, location),

    async listWatches(filter = {}) {
      const { rows } = await query<WatchRow>(
        'listing watches',
        `${SQL.selectWatches} WHERE ($1::text IS NULL OR channel = $1) AND ($2::text IS NULL OR host = $2)
          ORDER BY position`,
        [filter.channel ?? null, filter.host ?? null],
      );
      return rows.map(toWatch);
    },

    async getWatch(channel, host) {
      const { rows } = await query<WatchRow>(
        'reading a watch',
        `${SQL.selectWatches} WHERE channel = $1 AND host = $2`,
        [channel, host],
      );
      return rows[0] === undefined ? null : toWatch(rows[0]);
    },

    async saveWatch(watch) {
      await query('saving a watch', SQL.upsertWatch, [JSON.stringify([watchRow(watch)])]);
    },

    async removeWatch(channel, host) {
      const { rowCount } = await query(
        'removing a watch',
        'DELETE FROM watches WHERE channel = $1 AND host = $2',
        [channel, host],
      );
      return (rowCount ?? 0) > 0;
    },

    async getAlertStates(channel, host) {
      const { rows } = await query<StateRow>(
        'reading alert states',
        `${SQL.selectStates} WHERE channel = $1 AND host = $2 AND vantage = '' ORDER BY port`,
        [channel, host],
      );
      const states: PortAlertStates = {};
      for (const row of rows) states[row.port] = toState(row);
      return states;
    },

    async getVantageStates(channel, host) {
      const { rows } = await query<StateRow>(
        'reading vantage alert states',
        `${SQL.selectStates} WHERE channel = $1 AND host = $2 AND vantage <> '' ORDER BY vantage, port`,
        [channel, host],
      );
      const states: VantageAlertStates = {};
      for (const row of rows) {
        const byPort = states[row.vantage] ?? {};
        byPort[row.port] = toState(row);
        states[row.vantage] = byPort;
      }
      return states;
    },

    async saveAlertStates(channel, host, states, incident, vantages) {
      await transaction('saving alert states', (client) =>
        saveAlertStatesIn(client, channel, host, states, incident, vantages),
      );
    },

    async getIncident(channel, host) {
      const { rows } = await query<IncidentRow>(
        'reading an incident',
        `${SQL.selectIncidents} WHERE i.channel = $1 AND i.host = $2`,
        [channel, host],
      );
      return rows[0] === undefined ? null : toIncident(rows[0]);
    },

    async listIncidents() {
      const { rows } = await query<IncidentRow>(
        'listing incidents',
        `${SQL.selectIncidents} ORDER BY w.position`,
      );
      return rows.map(toIncident);
    },

    async getMute(channel, host) {
      const { rows } = await query<{ until: Date; muted_by: string }>(
        'reading a mute',
        'SELECT until, muted_by FROM watch_mutes WHERE channel = $1 AND host = $2',
        [channel, host],
      );
      const row = rows[0];
      return row === undefined ? null : { channel, host, until: row.until.toISOString(), by: row.muted_by };
    },

    async setMute(channel, host, mute) {
      if (mute === null) {
        await query('lifting a mute', 'DELETE FROM watch_mutes WHERE channel = $1 AND host = $2', [
          channel,
          host,
        ]);
        return;
      }
      await transaction('setting a mute', async (client) => {
        // Only a watched host can be muted; the lock keeps the watch until the mute is written.
        const watched = await client.query(
          'SELECT 1 FROM watches WHERE channel = $1 AND host = $2 FOR KEY SHARE',
          [channel, host],
        );
        if (watched.rowCount === 0) return;
        await client.query(SQL.upsertMutes, [JSON.stringify([muteRow(channel, host, mute)])]);
      });
    },

    async appendHistory(host, port, sample, vantage) {
      // The bot's own network is the series with the empty vantage, as before vantages existed.
      const seriesVantage = vantage ?? '';
      await transaction('appending history', async (client) => {
        // The row exists (empty when new) and is locked: appends to one series happen one at a time.
        await client.query(
          `INSERT INTO history_series (host, port, vantage, samples, last_at, changes)
            VALUES ($1, $2, $3, '', $4, '[]') ON CONFLICT DO NOTHING`,
          [host, port, seriesVantage, sample.at],
        );
        const { rows } = await client.query<SeriesRow>(
          `${SQL.selectSeries} WHERE host = $1 AND port = $2 AND vantage = $3 FOR UPDATE`,
          [host, port, seriesVantage],
        );
        const previous = rows[0] === undefined ? undefined : toSeries(rows[0]);
        const series = appendToSeries(previous, sample, limits);
        await client.query(
          `UPDATE history_series SET samples = $4, last_at = to_timestamp($5), changes = $6::jsonb
            WHERE host = $1 AND port = $2 AND vantage = $3`,
          [host, port, seriesVantage, series[0], series[1], JSON.stringify(series[2])],
        );
        await pruneAfter(client, series[1]);
      });
    },

    async getHistory(host, port, vantage) {
      const { rows } = await query<SeriesRow>(
        'reading history',
        `${SQL.selectSeries} WHERE host = $1 AND port = $2 AND vantage = $3`,
        [host, port, vantage ?? ''],
      );
      return rows[0] === undefined ? null : toHistorySeries(host, port, toSeries(rows[0]), vantage);
    },

    loadTickContext: (request) => tick.loadTickContext(request),
    saveTickResult: (result, context) => tick.saveTickResult(result, context),

    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
  const tick = createPgTick({
    query,
    appendHistory: (host, port, sample, vantage) => store.appendHistory(host, port, sample, vantage),
    pruneAfter: async (at) => {
      try {
        await pruneAfter(pool, at);
      } catch (error) {
        throw fromDriver(error, url, 'deleting stale history');
      }
    },
    limits,
  });
  return store;
}

export interface OpenPgWatchStoreOptions {
  limits?: HistoryLimits;
  logger?: Logger;
  /** Connections this process may hold (default 10). */
  maxConnections?: number;
  connectTimeoutMs?: number;
}

/** What a failure to reach or prepare the database at start means, in one line with the fix. */
function startUpError(error: unknown, url: string): StoreError {
  if (error instanceof StoreError) return error;
  const where = describeDatabase(url);
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const reason = `${code ? `${code} ` : ''}${redactUrl(message ?? String(error), url)}`;
  if (isUnavailable(error)) {
    return new StoreError(
      `PostgreSQL at ${where} is not reachable: ${reason} — check DATABASE_URL and that the server runs`,
      { file: where, unavailable: true },
    );
  }
  return new StoreError(
    `PostgreSQL at ${where} cannot be used: ${reason} — check DATABASE_URL (user, password, database name) and that the role may create tables`,
    { file: where },
  );
}

/**
 * Connects, brings the schema up to date (once across replicas starting together) and returns the
 * store. Throws StoreError when the database cannot be reached or holds a newer schema.
 */
export async function openPgWatchStore(
  url: string,
  options: OpenPgWatchStoreOptions = {},
): Promise<PgWatchStore> {
  const { logger } = options;
  const where = describeDatabase(url);
  const pool = createPool(url, {
    ...(options.maxConnections !== undefined ? { max: options.maxConnections } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    onIdleError: (error) =>
      logger?.warn('an idle PostgreSQL connection was lost; the next query opens a new one', {
        database: where,
        code: (error as { code?: string }).code,
        reason: redactUrl(error.message, url),
      }),
  });
  try {
    const migration = await migrate(pool, where);
    if (migration.applied.length > 0) {
      logger?.info('database schema migrated', { database: where, from: migration.from, to: migration.to });
    }
  } catch (error) {
    await pool.end().catch((endError: unknown) =>
      logger?.warn('could not close the PostgreSQL pool after a failed start', {
        database: where,
        reason: redactUrl((endError as Error).message, url),
      }),
    );
    throw startUpError(error, url);
  }
  return createPgWatchStore({
    pool,
    url,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(logger ? { logger } : {}),
  });
}
