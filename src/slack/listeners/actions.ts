import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTION_IDS } from '../../render/slack-action-ids.js';
import { toRespond } from '../slack-chat.js';
import type { PostedMessage, Requester, UseCases } from '../../chat/use-cases/index.js';

type ButtonArgs = { body: BlockButtonAction; respond: Parameters<typeof toRespond>[0] };

function parse({ body, respond }: ButtonArgs): {
  requester: Requester;
  message: PostedMessage | null;
  value?: string;
} {
  const channelId = body.channel?.id ?? body.container?.channel_id ?? '';
  const ts = body.message?.ts ?? body.container?.message_ts;
  const value = body.actions[0]?.value;
  return {
    requester: { channelId, userId: body.user.id, respond: toRespond(respond) },
    message: channelId && ts ? { channel: channelId, ts } : null,
    ...(value !== undefined ? { value } : {}),
  };
}

/** The buttons on a finished check and on watch messages. Each acks at once; the work happens after. */
export function registerActionListeners(app: App, useCases: UseCases): void {
  app.action<BlockButtonAction>(ACTION_IDS.rerun, async ({ ack, body, respond }) => {
    await ack();
    const { requester, message, value } = parse({ body, respond });
    if (message) await useCases.rerun(requester, message, value);
  });
  app.action<BlockButtonAction>(ACTION_IDS.showConfig, async ({ ack, body, respond }) => {
    await ack();
    const { requester, message, value } = parse({ body, respond });
    if (message) await useCases.showConfig(requester, message, value);
  });
  app.action<BlockButtonAction>(ACTION_IDS.watch, async ({ ack, body, respond }) => {
    await ack();
    const { requester, value } = parse({ body, respond });
    await useCases.watch(requester, value);
  });
  app.action<BlockButtonAction>(ACTION_IDS.unwatch, async ({ ack, body, respond }) => {
    await ack();
    const { requester, value } = parse({ body, respond });
    await useCases.unwatch(requester, value);
  });
  app.action<BlockButtonAction>(ACTION_IDS.domainPosture, async ({ ack, body, respond }) => {
    await ack();
    const { requester, message, value } = parse({ body, respond });
    await useCases.domainPosture(requester, message, value);
  });
}
