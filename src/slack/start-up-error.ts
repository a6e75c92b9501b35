// Why the Slack side could not start, said as one line per problem with the fix. A revoked token or
// an unreachable API is a setting to change, not a crash: main.ts prints these and exits 2.

/** What start-up was doing when it failed: each names the setting that is likely wrong. */
export type StartUpStep = 'verify-bot-token' | 'open-socket' | 'listen';

export class SlackStartUpError extends Error {
  constructor(
    readonly problems: string[],
    options: { cause: unknown },
  ) {
    super(problems.join('\n'), options);
    this.name = 'SlackStartUpError';
  }
}

/** The Web API client's errors, by their stable `code` (several copies of the SDK may be loaded). */
interface SlackSdkError {
  code?: string;
  data?: { error?: string; needed?: string };
  statusCode?: number;
  original?: unknown;
}

/** The innermost system error code (ECONNREFUSED, ENOTFOUND…) under a request error. */
function systemCode(error: unknown): string | null {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    current =
      (current as { original?: unknown; cause?: unknown }).original ?? (current as { cause?: unknown }).cause;
  }
  return null;
}

/** The message at the bottom of the cause chain ("bad port", "getaddrinfo ENOTFOUND …"). */
function innermostMessage(error: unknown): string | null {
  let message: string | null = null;
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (current instanceof Error) message = current.message;
    current = (current as { original?: unknown }).original ?? (current as { cause?: unknown }).cause;
  }
  return message;
}

const BOT_TOKEN_FIX =
  'reinstall the app (OAuth & Permissions → Reinstall to Workspace) and copy the Bot User OAuth Token (xoxb-…)';
const APP_TOKEN_FIX =
  'create an app-level token with the connections:write scope (Basic Information → App-Level Tokens) and copy it (xapp-…)';

function platformProblem(step: StartUpStep, slackError: string, needed: string | undefined): string {
  if (step === 'verify-bot-token') {
    switch (slackError) {
      case 'invalid_auth':
      case 'not_authed':
      case 'token_revoked':
      case 'token_expired':
      case 'account_inactive':
        return `SLACK_BOT_TOKEN is not valid for this workspace (${slackError}): ${BOT_TOKEN_FIX}`;
      default:
        return `Slack refused SLACK_BOT_TOKEN (auth.test: ${slackError}): ${BOT_TOKEN_FIX}`;
    }
  }
  switch (slackError) {
    case 'invalid_auth':
    case 'not_authed':
    case 'token_revoked':
    case 'token_expired':
      return `SLACK_APP_TOKEN is not valid for this app (${slackError}): ${APP_TOKEN_FIX}`;
    case 'not_allowed_token_type':
      return `SLACK_APP_TOKEN is not an app-level token (not_allowed_token_type): ${APP_TOKEN_FIX}`;
    case 'missing_scope':
      return `SLACK_APP_TOKEN lacks the ${needed ?? 'connections:write'} scope (missing_scope): ${APP_TOKEN_FIX}`;
    default:
      return `Slack refused to open a Socket Mode connection (apps.connections.open: ${slackError}): check that Socket Mode is enabled for the app and that SLACK_APP_TOKEN is its app-level token`;
  }
}

/**
 * The problems behind a start-up failure, or null when the error is not one a setting explains
 * (a bug: the caller lets it through with its stack).
 */
export function describeStartUpError(
  error: unknown,
  step: StartUpStep,
  settings: { apiUrl: string; port?: number | undefined },
): string[] | null {
  const sdk = error as SlackSdkError;
  switch (sdk?.code) {
    case 'slack_webapi_platform_error':
      return [platformProblem(step, sdk.data?.error ?? 'unknown_error', sdk.data?.needed)];
    case 'slack_webapi_request_error': {
      const reason = systemCode(error) ?? innermostMessage(error);
      return [
        `cannot reach the Slack API at ${settings.apiUrl}${reason ? ` (${reason})` : ''}: check SLACK_API_URL, DNS and the way out of this network (proxy, firewall)`,
      ];
    }
    case 'slack_webapi_http_error':
      return [
        `the Slack API at ${settings.apiUrl} answered HTTP ${sdk.statusCode ?? '?'}: check SLACK_API_URL (Slack's is https://slack.com/api/)`,
      ];
  }
  const code = systemCode(error);
  if (step === 'listen' && (code === 'EADDRINUSE' || code === 'EACCES')) {
    const why = code === 'EADDRINUSE' ? 'is already in use on this machine' : 'needs privileges (below 1024)';
    return [
      `PORT=${settings.port ?? '?'} ${why}: choose another PORT (and update the Request URLs in the app's settings)`,
    ];
  }
  return null;
}
