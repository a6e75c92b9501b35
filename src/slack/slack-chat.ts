import type { App, types } from '@slack/bolt';
import type { Logger } from '../log.js';
import type { Block } from '../render/slack-blocks.js';
import type { Chat, PostedMessage, Respond } from '../chat/use-cases/chat.js';
import { ChatError } from '../chat/use-cases/chat-error.js';
import { DEFAULT_RETRY, type RetryOptions, withRateLimitRetry } from './with-rate-limit-retry.js';

type WebClient = App['client'];
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
): Chat {
  // `idempotent` says whether the call may be repeated after an unknown outcome (see withRateLimitRetry).
  const call = <T>(method: string, run: () => Promise<T>, idempotent = false): Promise<T> =>
    withRateLimitRetry(
      async () => {
        try {
          return await run();
        } catch (error) {
          throw toChatError(error);
        }
      },
      {
        ...retry,
        onRetry: ({ attempt, waitMs, reason }) =>
          logger.warn('Slack call failed, retrying', { method, attempt, waitMs, reason }),
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
          unfurl_links: false,
          unfurl_media: false,
        }),
      );
      if (!result.ts || !result.channel)
        throw new ChatError('invalid_response', 'chat.postMessage returned no ts');
      return { channel: result.channel, ts: result.ts };
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
