import type { App } from '@slack/bolt';
import type { UseCases } from '../../chat/use-cases/index.js';

/** Events are acknowledged by Bolt itself before these run (processBeforeResponse stays off). */
export function registerEventListeners(app: App, useCases: UseCases): void {
  app.event('app_mention', async ({ event }) => {
    if (!event.user) return;
    await useCases.mention({
      channelId: event.channel,
      userId: event.user,
      text: event.text,
      ts: event.ts,
      ...(event.thread_ts ? { threadTs: event.thread_ts } : {}),
    });
  });
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab === 'home') await useCases.homeOpened(event.user);
  });
}
