import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { describeDatabase } from '../database/database-url.js';
import { storeErrorFrom } from '../database/errors.js';
import type { FleetDatabase } from '../database/fleet-database.js';

/** Whether one part of the bot is working, and if not, why (the why is for the log, not for HTTP). */
export type Liveness = { ok: true } | { ok: false; reason: string };

/** `unavailable`: connecting or `SELECT 1` failed; `timed out`: no answer within the time allowed. */
export type DatabaseHealth = 'ok' | 'not configured' | 'unavailable' | 'timed out';
/** `late`: the watch schedule has not ticked for twice its interval. */
export type SchedulerHealth = 'ok' | 'not running' | 'late';
/** The JSON file's folder: the next save must be able to write there. */
export type DataFileHealth = 'ok' | 'not writable';
/** Socket Mode: `connected` or not; HTTP mode: `listening` or not. */
export type SlackHealth = 'connected' | 'reconnecting' | 'disconnected' | 'listening' | 'not listening';
/** A worker's heartbeat: `late` when the database has not taken one for four beats. */
export type HeartbeatHealth = 'ok' | 'late';

/** The categories a readiness report may serve, and nothing else (see servedReadiness). */
export const READINESS_PARTS = ['database', 'dataFile', 'scheduler', 'slack', 'heartbeat'] as const;

/**
 * What `GET /healthz` is built from: 200 with ok true, 503 with ok false and the reasons. The
 * endpoint needs no authentication, so what it serves names categories only (`database:
 * unavailable`, `scheduler: late`), never the database's host, port or name nor a driver's or
 * PostgreSQL's message: those are in `details`, which the server logs and never serves.
 */
export interface HealthReport {
  ok: boolean;
  database: DatabaseHealth;
  scheduler: SchedulerHealth;
  /** Present with the JSON file (no DATABASE_URL). */
  dataFile?: DataFileHealth;
  /** Present where a Slack connection is watched (Socket Mode and HTTP mode; not the console). */
  slack?: SlackHealth;
  /** Present when ok is false: one `part: state` per failing part. */
  reasons?: string[];
  /** Present when ok is false: what went wrong, in full, for the server's log only. */
  details?: string[];
}

/** The scheduler's side of health: main.ts calls tickStarted() at the start of every tick. */
export interface TickWatch {
  tickStarted(): void;
  liveness(): Liveness;
}

/**
 * Alive when the last tick started within 2 × the schedule's interval, or, before the first tick,
 * when the scheduler started within that time: a scheduler that never ticks is noticed too.
 */
export function createTickWatch(options: { intervalMs: number; now?: () => number }): TickWatch {
  const now = options.now ?? Date.now;
  const started = now();
  let lastTick: number | null = null;
  return {
    tickStarted() {
      lastTick = now();
    },
    liveness() {
      const since = lastTick ?? started;
      const silentMs = now() - since;
      if (silentMs <= 2 * options.intervalMs) return { ok: true };
      const seconds = Math.round(silentMs / 1000);
      return {
        ok: false,
        reason:
          lastTick === null
            ? `the watch schedule has not ticked in the ${seconds} s since it started`
            : `the watch schedule last ticked ${seconds} s ago (every ${Math.round(options.intervalMs / 1000)} s expected)`,
      };
    },
  };
}

export interface HealthOptions {
  /** The fleet's database; absent in the JSON-file mode. */
  db?: FleetDatabase | null;
  /** The watch schedule; absent where none runs. */
  scheduler?: { liveness(): Liveness } | null;
  /** The JSON file (when there is no database): its folder must be writable. */
  dataFile?: string | null;
  /** The Slack connection, as SlackApp.connection() tells it; absent in the console. */
  slack?: { connection(): SlackHealth } | null;
  /** How long `SELECT 1` may take. */
  timeoutMs?: number;
}

/** Why the database is not healthy: its category, and the message naming it (host and name, no password). */
export interface DatabaseProblem {
  state: 'unavailable' | 'timed out';
  message: string;
}

/** Null when the database answers `SELECT 1` within timeoutMs, else why not. */
export async function pingDatabase(db: FleetDatabase, timeoutMs: number): Promise<DatabaseProblem | null> {
  let timer: NodeJS.Timeout | undefined;
  const query = db.pool.query('SELECT 1');
  // A late answer or failure of a query that lost the race is of no interest any more.
  query.catch(() => undefined);
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    if ((await Promise.race([query, timeout])) === 'timeout') {
      return {
        state: 'timed out',
        message: `PostgreSQL at ${describeDatabase(db.url)}: no answer to SELECT 1 within ${timeoutMs} ms`,
      };
    }
    return null;
  } catch (error) {
    return { state: 'unavailable', message: storeErrorFrom(error, db.url, 'SELECT 1').message };
  } finally {
    clearTimeout(timer);
  }
}

/** The health of this replica: the database answers `SELECT 1` in time and the schedule ticks. */
export function createHealth(options: HealthOptions): () => Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  return async () => {
    const reasons: string[] = [];
    const details: string[] = [];
    let database: DatabaseHealth = 'not configured';
    if (options.db) {
      const problem = await pingDatabase(options.db, timeoutMs);
      database = problem?.state ?? 'ok';
      if (problem !== null) {
        reasons.push(`database: ${problem.state}`);
        details.push(problem.message);
      }
    }
    let dataFile: DataFileHealth | undefined;
    if (options.dataFile) {
      const problem = await dataFileProblem(options.dataFile);
      dataFile = problem === null ? 'ok' : 'not writable';
      if (problem !== null) {
        reasons.push('dataFile: not writable');
        details.push(problem);
      }
    }
    let scheduler: SchedulerHealth = 'not running';
    if (options.scheduler) {
      const liveness = options.scheduler.liveness();
      scheduler = liveness.ok ? 'ok' : 'late';
      if (!liveness.ok) {
        reasons.push('scheduler: late');
        details.push(liveness.reason);
      }
    }
    let slack: SlackHealth | undefined;
    if (options.slack) {
      slack = options.slack.connection();
      if (slack !== 'connected' && slack !== 'listening') {
        reasons.push(`slack: ${slack}`);
        details.push(`the Slack connection is ${slack}`);
      }
    }
    const ok = reasons.length === 0;
    return {
      ok,
      database,
      ...(dataFile === undefined ? {} : { dataFile }),
      scheduler,
      ...(slack === undefined ? {} : { slack }),
      ...(ok ? {} : { reasons, details }),
    };
  };
}

/** Null when the JSON file's folder may be written (the store saves by writing beside the file). */
async function dataFileProblem(file: string): Promise<string | null> {
  const folder = dirname(resolve(file));
  try {
    await access(folder, constants.W_OK);
    return null;
  } catch (error) {
    return `the data file's folder ${folder} is not writable: ${(error as Error).message}`;
  }
}

/** What /readyz reports of a worker: its database answers and its heartbeat is taken. */
export interface WorkerHealthReport {
  ok: boolean;
  database: DatabaseHealth;
  heartbeat: HeartbeatHealth;
  reasons?: string[];
  details?: string[];
}

export interface WorkerHealthOptions {
  db: FleetDatabase;
  /** When the database last took the worker's heartbeat (ms since the epoch), and how often it beats. */
  heartbeat: { lastAt(): number; intervalMs: number };
  timeoutMs?: number;
  now?: () => number;
}

/**
 * A worker is ready when its database answers `SELECT 1` in time and its last heartbeat was taken
 * within four beats: the window after which the bot stops counting a worker as running.
 */
export function createWorkerHealth(options: WorkerHealthOptions): () => Promise<WorkerHealthReport> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const now = options.now ?? Date.now;
  return async () => {
    const reasons: string[] = [];
    const details: string[] = [];
    const problem = await pingDatabase(options.db, timeoutMs);
    if (problem !== null) {
      reasons.push(`database: ${problem.state}`);
      details.push(problem.message);
    }
    const silentMs = now() - options.heartbeat.lastAt();
    const late = silentMs > 4 * options.heartbeat.intervalMs;
    if (late) {
      reasons.push('heartbeat: late');
      details.push(`the last heartbeat was taken ${Math.round(silentMs / 1000)} s ago`);
    }
    const ok = reasons.length === 0;
    return {
      ok,
      database: problem?.state ?? 'ok',
      heartbeat: late ? 'late' : 'ok',
      ...(ok ? {} : { reasons, details }),
    };
  };
}
