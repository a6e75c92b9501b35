import type { HomeView, SlackMessage } from '../../src/render/slack-blocks.js';
import type { Chat, PostedMessage } from '../../src/slack/index.js';

export type ChatEvent =
  | { kind: 'post'; channel: string; ts: string; threadTs?: string; message: SlackMessage }
  | { kind: 'update'; channel: string; ts: string; message: SlackMessage }
  | { kind: 'ephemeral'; channel: string; userId: string; message: SlackMessage }
  | { kind: 'home'; userId: string; view: HomeView };

/** A Chat that records what a use case did, for tests of the use cases without Bolt. */
export function recordingChat(
  options: { failPost?: (channel: string, threadTs?: string) => Error | null } = {},
) {
  const events: ChatEvent[] = [];
  let counter = 0;
  const chat: Chat = {
    async post(channel, message, { threadTs } = {}): Promise<PostedMessage> {
      const failure = options.failPost?.(channel, threadTs);
      if (failure) throw failure;
      counter += 1;
      const ts = `1.${counter}`;
      events.push({ kind: 'post', channel, ts, message, ...(threadTs ? { threadTs } : {}) });
      return { channel, ts };
    },
    async update(target, message) {
      events.push({ kind: 'update', channel: target.channel, ts: target.ts, message });
    },
    async postEphemeral(channel, userId, message) {
      events.push({ kind: 'ephemeral', channel, userId, message });
    },
    async publishHome(userId, view) {
      events.push({ kind: 'home', userId, view });
    },
  };
  return { chat, events };
}
