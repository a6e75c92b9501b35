import { ACTION_IDS } from '../render/slack-action-ids.js';

// What the app registers with Slack. manifest.yml declares the same things; a test keeps the two
// in step, so a listener cannot be added without the manifest (or a scope kept that nothing uses).

import { SLASH_COMMAND } from '../text/slash-command.js';

export { SLASH_COMMAND };

export const SLACK_SURFACE = {
  command: SLASH_COMMAND,
  /**
   * chat:write: postMessage, update, postEphemeral; commands: the slash command; app_mentions:read:
   * the event; channels:history and groups:history: conversations.history and .replies, to find a
   * watch alert whose post was accepted but whose answer was lost (public and private channels);
   * files:write: files.uploadV2, for history pictures (without it the history comes as text).
   */
  botScopes: [
    'app_mentions:read',
    'channels:history',
    'chat:write',
    'commands',
    'files:write',
    'groups:history',
  ],
  botEvents: ['app_home_opened', 'app_mention'],
  actionIds: Object.values(ACTION_IDS),
} as const;
