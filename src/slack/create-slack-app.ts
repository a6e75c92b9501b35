import type { AddressInfo } from 'node:net';
import type { VantageProbes } from '../vantage/types.js';
import { App, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { Admit, AsyncAdmit } from '../check/admission.js';
import {
  createHealthHandler,
  HEALTH_PATHS,
  type HealthHandler,
  type SlackHealth,
} from '../fleet-context/index.js';
import type { RunCheck } from '../check/types.js';
import type { Logger, LogLevel } from '../log.js';
import type { Metrics } from '../metrics/index.js';
import { createBoltLogger } from './bolt-logger.js';
import { registerActionListeners } from './listeners/actions.js';
import { registerCommandListeners } from './listeners/commands.js';
import { registerEventListeners } from './listeners/events.js';
import { createSlackChat } from './slack-chat.js';
import { describeStartUpError, SlackStartUpError, type StartUpStep } from './start-up-error.js';
import type { AlertNotifier, WatchCommands } from '../watch/index.js';
import {
  type CheckResults,
  chatNotifier,
  createUseCases,
  type RecoveryPictureSource,
  type UseCases,
} from '../chat/use-cases/index.js';
import { DEFAULT_RETRY, type RetryOptions } from './with-rate-limit-retry.js';
import type { CheckDomain } from '../posture-report/index.js';

export const EVENTS_PATH = '/slack/events';

export interface SlackAppOptions {
  botToken: string;
  /** Socket Mode when set (SLACK_APP_TOKEN). */
  appToken?: string;
  /** HTTP mode (SLACK_SIGNING_SECRET + PORT) when there is no app token. */
  signingSecret?: string;
  /** HTTP mode: the port to listen on; 0 picks a free one. */
  port?: number;
  /** HTTP mode: the interface to listen on (default: all). */
  host?: string;
  /** SLACK_API_URL, e.g. `https://slack.com/api/`; used by the WebClient and by Socket Mode. */
  apiUrl?: string;
  /** Known bot ids skip auth.test; without them start() calls it (and fails early on a bad token). */
  botId?: string;
  botUserId?: string;
  runCheck: RunCheck;
  logger: Logger;
  /** Level for Bolt's own logs (our logger filters too). */
  logLevel?: LogLevel;
  results?: CheckResults;
  /** Port allow-list and rate limits for chat-started checks (the fleet's answer asynchronously). */
  admit?: Admit | AsyncAdmit;
  /**
   * HTTP mode: serves GET /healthz, /readyz and /metrics on PORT, beside EVENTS_PATH (see
   * createHealthHandler). Without it /healthz and /readyz answer 200 while the process serves HTTP.
   */
  health?: HealthHandler;
  /** The watch use cases (watch, unwatch, list, mute, history, App Home). */
  watches?: WatchCommands;
  /** Probing from other networks (DATABASE_URL and workers); without it only the bot's own. */
  vantages?: VantageProbes;
  /** The bot's own vantage name (VANTAGE_NAME). */
  localVantage?: string;
  /** How 429 answers are retried (see withRateLimitRetry). */
  retry?: RetryOptions;
  /** Counts Slack Web API calls, retries and 429s. */
  metrics?: Metrics;
  /** Per Slack API call. */
  requestTimeoutMs?: number;
  /** CHECK_TIMEZONE, for the times in history pictures (UTC when unset). */
  timeZone?: string;
  /** The domain report (`/smtp-check domain example.com` and the Domain posture button). */
  checkDomain?: CheckDomain;
}

export interface SlackApp {
  readonly mode: 'socket' | 'http';
  readonly useCases: UseCases;
  /** Where scheduled watch alerts are posted (the same Web API client and retries as checks). */
  readonly notifier: AlertNotifier;
  /**
   * Verifies the token (auth.test unless ids were given), then listens or connects. A failure a
   * setting explains (a revoked token, a missing scope, an unreachable API, a busy port) rejects
   * with SlackStartUpError, one line per problem with its fix.
   */
  start(): Promise<{ port: number | null }>;
  /**
   * Whether Slack can reach the bot now: Socket Mode's WebSocket is connected (not reconnecting or
   * closed), HTTP mode's server listens. What /readyz reports as `slack`.
   */
  connection(): SlackHealth;
  /** Stops taking requests, then waits up to drainMs for checks in flight. */
  stop(options?: { drainMs?: number }): Promise<{ drained: boolean }>;
  /** Resolves true once no check is running (false after timeoutMs). */
  idle(timeoutMs?: number): Promise<boolean>;
}

/** Where the notifier reads a watch's history for the picture it posts when a port recovers. */
function picturesFrom(options: SlackAppOptions): RecoveryPictureSource | undefined {
  const { watches } = options;
  if (!watches) return undefined;
  return {
    history: (input) => watches.historyOf(input),
    logger: options.logger,
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  };
}

function normaliseApiUrl(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const boltLogger = createBoltLogger(options.logger, options.logLevel ?? 'info');
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: normaliseApiUrl(options.apiUrl) } : {}),
    // The WebClient's own retries (ten over half an hour, network errors included) would keep a
    // check in flight for 30 minutes and could post a message twice; withRateLimitRetry retries
    // only 429s, a bounded number of times, in the Chat adapter.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.requestTimeoutMs ?? 15_000,
  };
  const mode = options.appToken ? 'socket' : 'http';
  let httpReceiver: HTTPReceiver | null = null;
  let receiver: HTTPReceiver | SocketModeReceiver;
  if (options.appToken) {
    // Bolt builds its own SocketModeReceiver without clientOptions, so apps.connections.open would
    // ignore SLACK_API_URL; building it here passes the URL through.
    receiver = new SocketModeReceiver({
      appToken: options.appToken,
      logger: boltLogger,
      installerOptions: {
        clientOptions: { ...(options.apiUrl ? { slackApiUrl: normaliseApiUrl(options.apiUrl) } : {}) },
      },
    });
  } else {
    if (!options.signingSecret) throw new Error('HTTP mode needs a signing secret (SLACK_SIGNING_SECRET)');
    httpReceiver = new HTTPReceiver({
      signingSecret: options.signingSecret,
      endpoints: EVENTS_PATH,
      // Every method, so the handler answers 405 where Bolt would answer 404.
      customRoutes: HEALTH_PATHS.map((path) => ({
        path,
        method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        handler: options.health ?? createHealthHandler({ logger: options.logger }),
      })),
      // Off: the ack must reach Slack before the probe starts, not after the handler ends.
      processBeforeResponse: false,
      logger: boltLogger,
    });
    receiver = httpReceiver;
  }
  const knownIds = options.botId !== undefined && options.botUserId !== undefined;
  const app = new App({
    token: options.botToken,
    ...(knownIds ? { botId: options.botId, botUserId: options.botUserId } : {}),
    receiver,
    logger: boltLogger,
    clientOptions,
    deferInitialization: true,
    tokenVerificationEnabled: !knownIds,
  });
  app.error(async (error) => {
    options.logger.error('Slack listener error', { error, code: error.code });
  });

  const chat = createSlackChat(app.client, options.logger, options.retry ?? DEFAULT_RETRY, options.metrics);
  const useCases = createUseCases({
    chat,
    runCheck: options.runCheck,
    logger: options.logger,
    ...(options.results ? { results: options.results } : {}),
    ...(options.admit ? { admit: options.admit } : {}),
    ...(options.watches ? { watches: options.watches } : {}),
    ...(options.vantages ? { vantages: options.vantages } : {}),
    ...(options.localVantage ? { localVantage: options.localVantage } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    ...(options.checkDomain ? { checkDomain: options.checkDomain } : {}),
  });
  registerCommandListeners(app, useCases);
  registerActionListeners(app, useCases);
  registerEventListeners(app, useCases);

  // Socket Mode: the client says connected on Slack's hello, and closes, reconnects or disconnects
  // on its own (a network drop, Slack recycling the connection); HTTP mode: set by start and stop.
  let connection: SlackHealth = mode === 'socket' ? 'disconnected' : 'not listening';
  if (receiver instanceof SocketModeReceiver) {
    const { client } = receiver;
    client.on('connected', () => {
      connection = 'connected';
    });
    client.on('close', () => {
      connection = 'disconnected';
    });
    client.on('reconnecting', () => {
      connection = 'reconnecting';
    });
    client.on('disconnected', () => {
      connection = 'disconnected';
    });
  }

  let started = false;
  return {
    mode,
    useCases,
    notifier: chatNotifier(chat, picturesFrom(options)),
    async start() {
      const step = async <T>(name: StartUpStep, run: () => Promise<T>): Promise<T> => {
        try {
          return await run();
        } catch (error) {
          const problems = describeStartUpError(error, name, {
            apiUrl: normaliseApiUrl(options.apiUrl ?? 'https://slack.com/api/'),
            port: options.port,
          });
          if (problems) throw new SlackStartUpError(problems, { cause: error });
          throw error;
        }
      };
      await step('verify-bot-token', () => app.init());
      started = true;
      if (httpReceiver) {
        const receiverOf = httpReceiver;
        const server = await step('listen', () =>
          receiverOf.start({ port: options.port ?? 3000, ...(options.host ? { host: options.host } : {}) }),
        );
        const address = server.address() as AddressInfo | null;
        connection = 'listening';
        options.logger.info('Slack app listening', { mode, port: address?.port, path: EVENTS_PATH });
        return { port: address?.port ?? null };
      }
      // The Socket Mode client retries a refused apps.connections.open forever when the answer is
      // not one it knows to be final (missing_scope, not_allowed_token_type): ask once first, so a
      // wrong app token is reported instead of retried in silence.
      await step('open-socket', () =>
        new webApi.WebClient(options.appToken, {
          ...clientOptions,
          logger: boltLogger,
        }).apps.connections.open({}),
      );
      await step('open-socket', () => app.start());
      options.logger.info('Slack app connected', { mode });
      return { port: null };
    },
    connection: () => connection,
    async stop({ drainMs = 30_000 } = {}) {
      useCases.inFlight.close();
      if (mode === 'http') connection = 'not listening';
      if (started) {
        started = false;
        await app
          .stop()
          .catch((error: unknown) => options.logger.warn('stopping the receiver failed', { error }));
      }
      const drained = await useCases.inFlight.idle(drainMs);
      if (!drained)
        options.logger.warn('checks still running at shutdown', { running: useCases.inFlight.size });
      return { drained };
    },
    idle: (timeoutMs) => useCases.inFlight.idle(timeoutMs),
  };
}
