import type { HomeView, SlackMessage } from '../../render/slack-blocks.js';

// The few things a use case needs from a chat platform. Slack implements it with the Web API,
// the console prints; use cases never see Bolt.

export interface PostedMessage {
  channel: string;
  ts: string;
}

export interface Chat {
  /** chat.postMessage; with threadTs it is a reply in that thread. */
  post(channel: string, message: SlackMessage, options?: { threadTs?: string }): Promise<PostedMessage>;
  /** chat.update; blocks are always sent again (text alone would drop them). */
  update(target: PostedMessage, message: SlackMessage): Promise<void>;
  /** chat.postEphemeral: only userId sees it. */
  postEphemeral(
    channel: string,
    userId: string,
    message: SlackMessage,
    options?: { threadTs?: string },
  ): Promise<void>;
  /** views.publish of the user's App Home tab. */
  publishHome(userId: string, view: HomeView): Promise<void>;
}

/**
 * An answer only the requester sees, through the request's own response_url (slash commands and
 * buttons). It works where the bot is not a member, which is why the fallback uses it.
 */
export type Respond = (message: SlackMessage) => Promise<void>;

/** Who asked, and where. */
export interface Requester {
  channelId: string;
  userId: string;
  /** Present for slash commands and button clicks; absent for events. */
  respond?: Respond;
}
