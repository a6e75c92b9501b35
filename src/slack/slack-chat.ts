import type { App, types } from '@slack/bolt';
import type { Logger } from '../log.js';
import { type Metrics, NO_METRICS } from '../metrics/index.js';
import type { Block } from '../render/slack-blocks.js';
import type { Chat, PostedMessage, Respond } from '../chat/use-cases/chat.js';
import { ChatError } from '../chat/use-cases/chat-error.js';
import { uploadImage } from './upload-file.js';
import {
  classifyFailure,
  DEFAULT_RETRY,
  type RetryOptions,
  withRateLimitRetry,
} from './with-rate-limit-retry.js';

type WebClient = App['client'];

/** The metadata event type of watch posts; its payload's `key` names the announcement. */
export const WATCH_POST_EVENT_TYPE = 'smtp_check_watch_post';
/** How far findPost pages back through a channel (each page is one conversations.history call). */
const FIND_POST_PAGES = 5;
const FIND_POST_PAGE_SIZE = 200;
/** Slack's clock and ours may disagree; a message is looked for a little before the intent. */
const FIND_POST_SKEW_S = 120;
// Our block types are a structural subset of @slack/types; one cast here keeps render Slack-free.
type SlackBlocks = types.KnownBlock[];
const asSlackBlocks = (blocks: Block[]): SlackBlocks => blocks as unknown as SlackBlocks;

/** Turns the WebClient's error classes (told apart by code) into a ChatError the use cases branch on. */
export function toChatError(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  const coded = error as {
    code?: string;
    data?: { error?: string };
    retryAfter?: number;
    statusCode?: number;
  };
  switch (coded?.code) {
    case 'slack_webapi_platform_error':
      return new ChatError(coded.data?.error ?? 'unknown_error', `Slack answered ${coded.data?.error}`, {
        cause: error,
      });
    case 'slack_webapi_rate_limited_error':
      return new ChatError('ratelimited', 'Slack rate-limited the call', {
        cause: error,
        retryAfterMs: (coded.retryAfter ?? 1) * 1_000,
      });
    case 'slack_webapi_http_error':
      return new ChatError('http_error', `Slack answered HTTP ${coded.statusCode}`, { cause: error });
    case 'slack_webapi_request_error':
      return new ChatError('request_failed', 'the request to Slack failed', { cause: error });
    default:
      return new ChatError('request_failed', error instanceof Error ? error.message : String(error), {
        cause: error,
      });
  }
}

export function createSlackChat(
  client: WebClient,
  logger: Logger,
  retry: RetryOptions = DEFAULT_RETRY,
  metrics: Metrics = NO_METRICS,
): Chat {
  // `idempotent` says whether the call may be repeated after an unknown outcome (see withRateLimitRetry).
  // Every attempt is counted with its outcome, so a 429 that a retry got past still shows.
  const call = <T>(method: string, run: () => Promise<T>, idempotent = false): Promise<T> =>
    withRateLimitRetry(
      async () => {
        try {
          const result = await run();
          metrics.slackCall(method, 'ok');
          return result;
        } catch (error) {
          const failure = toChatError(error);
          metrics.slackCall(method, classifyFailure(failure));
          throw failure;
        }
      },
      {
        ...retry,
        onRetry: ({ attempt, waitMs, reason }) => {
          metrics.slackRetry(method);
          logger.warn('Slack call failed, retrying', { method, attempt, waitMs, reason });
        },
      },
      idempotent,
    );

  return {
    async post(channel, message, options = {}): Promise<PostedMessage> {
      const result = await call('chat.postMessage', () =>
        client.chat.postMessage({
          channel,
          text: message.text,
          blocks: asSlackBlocks(message.blocks),
          ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
          ...(options.key
            ? { metadata: { event_type: WATCH_POST_EVENT_TYPE, event_payload: { key: options.key } } }
            : {}),
          unfurl_links: false,
          unfurl_media: false,
        }),
      );
      if (!result.ts || !result.channel)
        throw new ChatError('invalid_response', 'chat.postMessage returned no ts');
      return { channel: result.channel, ts: result.ts };
    },
    async findPost(channel, key, { since, threadTs }) {
      const oldest = Math.max(0, Math.floor(since.getTime() / 1_000) - FIND_POST_SKEW_S).toString();
      let cursor: string | undefined;
      for (let page = 0; page < FIND_POST_PAGES; page += 1) {
        const query = {
          channel,
          oldest,
          limit: FIND_POST_PAGE_SIZE,
          include_all_metadata: true,
          ...(cursor ? { cursor } : {}),
        };
        // Reading cannot post anything: a lost answer is simply asked again.
        const result = threadTs
          ? await call(
              'conversations.replies',
              () => client.conversations.replies({ ...query, ts: threadTs }),
              true,
            )
          : await call('conversations.history', () => client.conversations.history(query), true);
        const found = (result.messages ?? []).find(
          (message) =>
            message.metadata?.event_type === WATCH_POST_EVENT_TYPE &&
            (message.metadata.event_payload as { key?: unknown } | undefined)?.key === key,
        );
        if (found?.ts) return { channel, ts: found.ts };
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!result.has_more || cursor === undefined) return null;
      }
      return null;
    },
    async update(target, message) {
      await call(
        'chat.update',
        () =>
          client.chat.update({
            channel: target.channel,
            ts: target.ts,
            text: message.text,
            blocks: asSlackBlocks(message.blocks),
          }),
        // The same blocks set again on the same ts: repeating it cannot duplicate anything.
        true,
      );
    },
    async postEphemeral(channel, userId, message, options = {}) {
      await call('chat.postEphemeral', () =>
        client.chat.postEphemeral({
          channel,
          user: userId,
          text: message.text,
          blocks: asSlackBlocks(message.blocks),
          ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
        }),
      );
    },
    async publishHome(userId, view) {
      await call(
        'views.publish',
        () =>
          client.views.publish({
            user_id: userId,
            view: { type: 'home', blocks: asSlackBlocks(view.blocks) },
          }),
        true,
      );
    },
    async uploadImage(channel, image, options = {}) {
      await call('files.uploadV2', () => uploadImage(client, channel, image, options));
    },
  };
}

type BoltRespond = (message: {
  response_type: 'ephemeral';
  replace_original: false;
  text: string;
  blocks: SlackBlocks;
}) => Promise<unknown>;

/** response_url answers are always ephemeral and never replace the message a button sits on. */
export function toRespond(respond: BoltRespond): Respond {
  return async (message) => {
    try {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: message.text,
        blocks: asSlackBlocks(message.blocks),
      });
    } catch (error) {
      throw new ChatError('respond_failed', 'posting to response_url failed', { cause: error });
    }
  };
}
