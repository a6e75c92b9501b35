import type { FakeSlackApi, RecordedCall } from './fake-slack-api.js';
import type { SlackTestApp } from './slack-test-app.js';

/** A signed `@smtp-check recheck` from `user` in the thread of the check posted at parentTs. */
export function mentionRecheck(slack: SlackTestApp, parentTs: string, user: string, channel = 'C0CHECKS') {
  return slack.event({
    type: 'app_mention',
    user,
    text: '<@U0BOT> recheck',
    ts: '1700000000.999999',
    thread_ts: parentTs,
    channel,
    event_ts: '1700000000.999999',
  });
}

/**
 * Waits for a re-check's live reply in the thread at parentTs, for its final ('Re-checked') update,
 * and for the parent's update that says who re-checked it.
 */
export async function finishedRecheck(
  api: FakeSlackApi,
  parentTs: string,
): Promise<{
  reply: RecordedCall | undefined;
  finished: RecordedCall | undefined;
  parent: RecordedCall | undefined;
}> {
  const [reply] = await api.waitForCalls(
    (call) =>
      call.method === 'chat.postMessage' &&
      call.ok &&
      call.body.thread_ts === parentTs &&
      String(call.body.text).startsWith('Re-checking'),
  );
  const [finished] = await api.waitForCalls(
    (call) =>
      call.method === 'chat.update' &&
      call.body.ts === reply?.response.ts &&
      String(call.body.text).startsWith('Re-checked'),
  );
  const [parent] = await api.waitForCalls(
    (call) =>
      call.method === 'chat.update' &&
      call.body.ts === parentTs &&
      JSON.stringify(call.body.blocks).includes('re-checked for'),
  );
  return { reply, finished, parent };
}
