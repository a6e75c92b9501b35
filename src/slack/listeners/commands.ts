import type { App } from '@slack/bolt';
import type { UseCases } from '../../chat/use-cases/index.js';
import { toRespond } from '../slack-chat.js';
import { SLASH_COMMAND } from '../slack-surface.js';

/** `/smtp-check …`: ack first (Slack gives three seconds, a probe takes longer), then delegate. */
export function registerCommandListeners(app: App, useCases: UseCases): void {
  app.command(SLASH_COMMAND, async ({ command, ack, respond }) => {
    await ack();
    await useCases.command(
      { channelId: command.channel_id, userId: command.user_id, respond: toRespond(respond) },
      command.text ?? '',
    );
  });
}
