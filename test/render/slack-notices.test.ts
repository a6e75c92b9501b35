import { describe, expect, test } from 'vitest';
import { renderNotInChannel } from '../../src/render/slack-notices.js';

describe('renderNotInChannel()', () => {
  // The check starts before the bot finds out it cannot post: the notice must not promise a start.
  test('says the check is already running and where its result will come', () => {
    const { text } = renderNotInChannel();
    expect(text).not.toMatch(/running the check anyway/i);
    expect(text).toContain('The check is already running');
    expect(text).toContain('its result comes here, to you only');
    expect(text).toContain('/invite @smtp-check');
  });
});
