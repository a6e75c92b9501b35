import { createHmac } from 'node:crypto';

// Requests as Slack sends them to an HTTP-mode app: signed with v0 HMAC-SHA256 of `v0:ts:body`.

export interface SignedPostOptions {
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Overrides the computed signature (to test refusal). */
  signature?: string;
}

export interface SignedPostResult {
  status: number;
  body: string;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

async function post(
  url: string,
  secret: string,
  body: string,
  contentType: string,
  options: SignedPostOptions,
) {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1_000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      // Exactly this: Bolt answers 400 to a `; charset=…` suffix on forms.
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? sign(secret, timestamp, body),
    },
    body,
  });
  return { status: response.status, body: await response.text() } satisfies SignedPostResult;
}

export interface SlashCommand {
  text: string;
  channel_id?: string;
  user_id?: string;
  response_url: string;
  command?: string;
}

export function postSlashCommand(
  url: string,
  secret: string,
  command: SlashCommand,
  options: SignedPostOptions = {},
) {
  const form = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TEAM',
    team_domain: 'fake',
    channel_id: command.channel_id ?? 'C0CHECKS',
    channel_name: 'checks',
    user_id: command.user_id ?? 'U0ALICE',
    user_name: 'alice',
    command: command.command ?? '/smtp-check',
    text: command.text,
    api_app_id: 'A0APP',
    response_url: command.response_url,
    trigger_id: '1.2.3',
  });
  return post(url, secret, form.toString(), 'application/x-www-form-urlencoded', options);
}

export function postEvent(
  url: string,
  secret: string,
  event: Record<string, unknown>,
  options: SignedPostOptions = {},
) {
  const body = JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: 'T0TEAM',
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1_000),
    authorizations: [{ team_id: 'T0TEAM', user_id: 'U0BOT', is_bot: true }],
    event,
  });
  return post(url, secret, body, 'application/json', options);
}

export function postBlockAction(
  url: string,
  secret: string,
  payload: Record<string, unknown>,
  options: SignedPostOptions = {},
) {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return post(url, secret, body, 'application/x-www-form-urlencoded', options);
}
