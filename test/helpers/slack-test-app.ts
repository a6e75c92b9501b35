import { silentLogger } from '../../src/log.js';
import { createSlackApp, type SlackApp, type SlackAppOptions } from '../../src/slack/index.js';
import { type FakeSlackApi, startFakeSlackApi } from './fake-slack-api.js';
import {
  postBlockAction,
  postEvent,
  postSlashCommand,
  type SignedPostOptions,
  type SlashCommand,
} from './slack-signed-request.js';

// The bot's Slack side as the e2e tests run it: the real Bolt app in HTTP mode on a free loopback
// port, talking to a local Slack Web API, with helpers that sign requests into its receiver.

export const TEST_BOT_TOKEN = 'xoxb-test-1234567890-abcdefghij';
export const TEST_SIGNING_SECRET = 'signing-secret-0123456789abcdef';

export type SlackTestAppOptions = Partial<Omit<SlackAppOptions, 'runCheck'>> &
  Pick<SlackAppOptions, 'runCheck'> & {
    /** A local Slack API to share (it is then not closed with the app); by default one is started. */
    api?: FakeSlackApi;
    /** Leave out the bot ids so start() verifies the token with auth.test, as production does. */
    authTest?: boolean;
  };

export interface SlackTestApp {
  api: FakeSlackApi;
  app: SlackApp;
  eventsUrl: string;
  botToken: string;
  signingSecret: string;
  /** A signed `/smtp-check` (channel C0CHECKS and user U0ALICE unless given). */
  command(command: SlashCommand, options?: SignedPostOptions): ReturnType<typeof postSlashCommand>;
  /** A signed Events API callback around this event. */
  event(event: Record<string, unknown>): ReturnType<typeof postEvent>;
  /** A signed click on a button of a message in a channel. */
  click(
    actionId: string,
    value: string | undefined,
    responseId: string,
    where: { user: string; channel: string; ts?: string },
  ): ReturnType<typeof postBlockAction>;
  /** Stops the app (draining checks for up to drainMs), then the Slack API it started. */
  close(drainMs?: number): Promise<void>;
}

export async function startSlackTestApp(options: SlackTestAppOptions): Promise<SlackTestApp> {
  const { api: shared, authTest = false, ...overrides } = options;
  const botToken = overrides.botToken ?? TEST_BOT_TOKEN;
  const signingSecret = overrides.signingSecret ?? TEST_SIGNING_SECRET;
  const api = shared ?? (await startFakeSlackApi({ botToken }));
  const app = createSlackApp({
    port: 0,
    host: '127.0.0.1',
    apiUrl: api.apiUrl,
    logger: silentLogger,
    ...(authTest ? {} : { botId: 'B0BOT', botUserId: 'U0BOT' }),
    ...overrides,
    botToken,
    signingSecret,
  });
  let port: number | null;
  try {
    ({ port } = await app.start());
  } catch (error) {
    if (!shared) await api.close();
    throw error;
  }
  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  return {
    api,
    app,
    eventsUrl,
    botToken,
    signingSecret,
    command: (command, postOptions) => postSlashCommand(eventsUrl, signingSecret, command, postOptions),
    event: (event) => postEvent(eventsUrl, signingSecret, event),
    click(actionId, value, responseId, where) {
      const ts = where.ts ?? '1700000000.000001';
      return postBlockAction(eventsUrl, signingSecret, {
        type: 'block_actions',
        user: { id: where.user, username: 'someone', team_id: 'T0TEAM' },
        api_app_id: 'A0APP',
        token: 'deprecated',
        team: { id: 'T0TEAM', domain: 'fake' },
        container: { type: 'message', message_ts: ts, channel_id: where.channel, is_ephemeral: false },
        channel: { id: where.channel, name: 'somewhere' },
        message: { type: 'message', ts, text: 'smtp-check' },
        response_url: api.responseUrl(responseId),
        trigger_id: '1.2.3',
        actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1' }],
      });
    },
    async close(drainMs = 5_000) {
      await app.stop({ drainMs });
      if (!shared) await api.close();
    },
  };
}
