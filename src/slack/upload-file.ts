import type { App } from '@slack/bolt';
import type { ChatImage } from '../chat/use-cases/chat.js';

type WebClient = App['client'];

/**
 * One PNG through files.uploadV2: the WebClient asks files.getUploadURLExternal for a URL, sends
 * the bytes there and shares the file with files.completeUploadExternal, which posts it in the
 * channel (or thread) with the comment. It needs the `files:write` scope; a refusal at any step
 * rejects with Slack's error (`missing_scope` for an install made before pictures existed).
 */
export async function uploadImage(
  client: WebClient,
  channel: string,
  image: ChatImage,
  options: { threadTs?: string },
): Promise<void> {
  const file = {
    file: Buffer.from(image.png),
    filename: image.filename,
    title: image.title,
    alt_text: image.altText,
    initial_comment: image.comment,
  };
  // The thread is a destination of its own in the WebClient's types: with it, or the channel alone.
  await client.filesUploadV2(
    options.threadTs
      ? { ...file, channel_id: channel, thread_ts: options.threadTs }
      : { ...file, channel_id: channel },
  );
}
