import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { type HealthReport, READINESS_PARTS, type WorkerHealthReport } from './health.js';

// GET /healthz, /readyz and /metrics: on HTTP mode's own port (through Bolt's custom routes) and on
// HEALTH_PORT (a node:http server of its own) in every mode and in workers. One handler serves
// both, so a readiness change is logged once whichever port was asked.

/** Alive: the process serves HTTP. A stuck event loop answers nothing, which the prober sees. */
export const ALIVE_PATH = '/healthz';
/** Ready: the store answers, the schedule ticks, Slack is connected (or a worker's database and heartbeat). */
export const READY_PATH = '/readyz';
/** The Prometheus exposition. */
export const METRICS_PATH = '/metrics';
export const HEALTH_PATHS = [ALIVE_PATH, READY_PATH, METRICS_PATH] as const;

/** What /metrics serves: the metrics room's registry, or anything with the same two members. */
export interface MetricsSource {
  readonly contentType: string;
  exposition(): Promise<string>;
}

export type ReadinessReport = HealthReport | WorkerHealthReport;

export interface HealthEndpoints {
  /** What /readyz reports; without it, ready means alive. */
  ready?: (() => Promise<ReadinessReport>) | null;
  /** Without it, /metrics is 404. */
  metrics?: MetricsSource | null;
  logger: Logger;
}

/** Answers every request it is given: the three paths, 404 for any other, 405 for other methods. */
export type HealthHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * What /readyz serves of a report: `ok`, the known categories and the reasons. The endpoints need
 * no authentication, so the details (the database's host and name, a driver's or PostgreSQL's
 * words) stay in the log, and so does anything else a report might carry.
 */
export function servedReadiness(report: ReadinessReport): Record<string, unknown> {
  const record = report as unknown as Record<string, unknown>;
  const served: Record<string, unknown> = { ok: report.ok === true };
  for (const part of READINESS_PARTS) {
    if (typeof record[part] === 'string') served[part] = record[part];
  }
  const reasons = record['reasons'];
  if (Array.isArray(reasons)) served['reasons'] = reasons.filter((reason) => typeof reason === 'string');
  return served;
}

function answer(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string>,
): void {
  res.writeHead(status, { 'cache-control': 'no-store', ...headers });
  res.end(req.method === 'HEAD' ? undefined : body);
}

const JSON_TYPE = { 'content-type': 'application/json' };
const TEXT_TYPE = { 'content-type': 'text/plain; charset=utf-8' };

export function createHealthHandler(endpoints: HealthEndpoints): HealthHandler {
  const { logger } = endpoints;
  // Probes come every few seconds: the details are logged when the failing parts change, and once
  // when all is well again, not on every probe.
  let logged: string | null = null;
  const log = (report: ReadinessReport): void => {
    const failing = report.ok ? null : (report.reasons ?? []).join(', ');
    if (failing === logged) return;
    if (failing === null) logger.info('ready again');
    else logger.warn('not ready', { reasons: report.reasons ?? [], details: report.details ?? [] });
    logged = failing;
  };
  const json = (req: IncomingMessage, res: ServerResponse, status: number, body: object) =>
    answer(req, res, status, JSON.stringify(body), JSON_TYPE);

  const ready = (req: IncomingMessage, res: ServerResponse): void => {
    if (!endpoints.ready) {
      json(req, res, 200, { ok: true });
      return;
    }
    endpoints.ready().then(
      (report) => {
        log(report);
        json(req, res, report.ok ? 200 : 503, servedReadiness(report));
      },
      (error: unknown) => {
        logger.error('readiness check failed', { error });
        logged = 'readiness check: failed';
        json(req, res, 503, { ok: false, reasons: ['readiness check: failed'] });
      },
    );
  };

  const metrics = (req: IncomingMessage, res: ServerResponse, source: MetricsSource): void => {
    source.exposition().then(
      (text) => answer(req, res, 200, text, { 'content-type': source.contentType }),
      (error: unknown) => {
        logger.error('metrics exposition failed', { error });
        answer(req, res, 500, 'metrics unavailable (see the log)\n', TEXT_TYPE);
      },
    );
  };

  return (req, res) => {
    // A request target URL cannot read (`//[`) is answered, not thrown: a throw here ends the process.
    const path = URL.canParse(req.url ?? '/', 'http://health.invalid')
      ? new URL(req.url ?? '/', 'http://health.invalid').pathname
      : null;
    if (path === null) return answer(req, res, 400, 'bad request\n', TEXT_TYPE);
    const known =
      path === ALIVE_PATH || path === READY_PATH || (path === METRICS_PATH && !!endpoints.metrics);
    if (!known) return answer(req, res, 404, 'not found\n', TEXT_TYPE);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return answer(req, res, 405, 'only GET and HEAD\n', { ...TEXT_TYPE, allow: 'GET, HEAD' });
    if (path === ALIVE_PATH) return json(req, res, 200, { ok: true });
    if (path === READY_PATH) return ready(req, res);
    if (endpoints.metrics) return metrics(req, res, endpoints.metrics);
  };
}

export interface HealthServer {
  /** The port listened on (the one picked when 0 was asked). */
  readonly port: number;
  readonly host: string;
  /** Stops listening and ends open connections (a scraper's keep-alive would hold a close open). */
  close(): Promise<void>;
}

/** Listens on host:port with the handler; rejects when the port cannot be had. */
export async function startHealthServer(options: {
  host: string;
  port: number;
  handler: HealthHandler;
}): Promise<HealthServer> {
  const server = createServer(options.handler);
  // A slow or idle client holds nothing for long: these endpoints answer at once.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | null = null;
  return {
    port,
    host: options.host,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * The server on HEALTH_PORT and HEALTH_HOST, null when HEALTH_PORT is unset; logs where it listens
 * (the port picked when 0 was asked). Rejects with a message naming the setting.
 */
export async function startHealthPort(
  listen: { host: string; port: number } | null,
  handler: HealthHandler,
  logger: Logger,
): Promise<HealthServer | null> {
  if (listen === null) return null;
  let server: HealthServer;
  try {
    server = await startHealthServer({ ...listen, handler });
  } catch (error) {
    throw new Error(`HEALTH_PORT=${listen.port} on ${listen.host}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  logger.info('health and metrics listening', { host: server.host, port: server.port });
  return server;
}
