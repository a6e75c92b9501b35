import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { userMention } from '../../src/render/slack-format.js';

function adminProblems(id: string): string[] {
  try {
    loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-abc', SLACK_APP_TOKEN: 'xapp-1-def', WATCH_ADMINS: id });
    return [];
  } catch (error) {
    if (error instanceof ConfigError)
      return error.problems.filter((problem) => problem.includes('WATCH_ADMINS'));
    throw error;
  }
}

describe('one Slack user id pattern', () => {
  // The same id is a mention in a message exactly when WATCH_ADMINS accepts it.
  test.each([
    ['U012ABCDEF', true],
    ['W0123ABC', true],
    ['U1', false],
    ['u012abcdef', false],
    ['!channel', false],
    [`U${'A'.repeat(21)}`, false],
  ])('%s: accepted %s', (id, valid) => {
    expect(userMention(id) === `<@${id}>`).toBe(valid);
    expect(adminProblems(id).length === 0).toBe(valid);
  });
});
