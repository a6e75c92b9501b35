import type { HomeView, SlackMessage } from '../../render/slack-blocks.js';

// The few things a use case needs from a chat platform. Slack implements it with the Web API,
// the console prints; use cases never see Bolt.

export interface PostedMessage {
  channel: string;
  ts: string;
}

export interface Chat {
  /**
   * chat.postMessage; with threadTs it is a reply in that thread. A `key` is carried in the
   * message's metadata, so findPost can tell later whether the message reached the channel.
   */
  post(
    channel: string,
    message: SlackMessage,
    options?: { threadTs?: string; key?: string },
  ): Promise<PostedMessage>;
  /**
   * The message posted with `key` since `since` (in the thread of threadTs when given), or null.
   * Absent where a post cannot be lost (the console).
   */
  findPost?(
    channel: string,
    key: string,
    options: { since: Date; threadTs?: string },
  ): Promise<PostedMessage | null>;
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
  /**
   * files.uploadV2: the picture in the channel (in the thread of threadTs when given) with its
   * comment. Absent where pictures cannot be shown.
   */
  uploadImage?(channel: string, image: ChatImage, options?: { threadTs?: string }): Promise<void>;
}

/** A picture to post: PNG bytes, with the message that goes with it (mrkdwn) and alt text. */
export interface ChatImage {
  png: Uint8Array;
  filename: string;
  title: string;
  /** For screen readers; at most 1 000 characters. */
  altText: string;
  /** Posted with the picture; carries the same facts, for whoever cannot see it. */
  comment: string;
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
