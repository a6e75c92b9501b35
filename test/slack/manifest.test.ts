import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { WATCH_VERBS } from '../../src/render/slack-usage.js';
import { SLACK_SURFACE } from '../../src/slack/index.js';

// No YAML parser in the project; the manifest is simple enough to read the lists it declares.
const manifest = readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8');

function listUnder(key: string): string[] {
  const lines = manifest.split('\n');
  const start = lines.findIndex((line) => line.trim() === `${key}:`);
  expect(start, `manifest has ${key}`).toBeGreaterThan(-1);
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const item = /^\s+- (.+)$/.exec(line);
    if (!item) break;
    items.push(item[1]!.trim());
  }
  return items;
}

describe('manifest.yml', () => {
  test('declares exactly the bot scopes the code uses', () => {
    expect(listUnder('bot').sort()).toEqual([...SLACK_SURFACE.botScopes].sort());
  });

  test('subscribes to exactly the events the listeners handle', () => {
    expect(listUnder('bot_events').sort()).toEqual([...SLACK_SURFACE.botEvents].sort());
  });

  test('declares the slash command with a usage hint, interactivity, the Home tab and Socket Mode', () => {
    expect(manifest).toContain(`- command: ${SLACK_SURFACE.command}\n`);
    expect(manifest).toMatch(/usage_hint: ".+"/);
    expect(manifest).toMatch(/interactivity:\n\s+is_enabled: true/);
    expect(manifest).toContain('home_tab_enabled: true');
    expect(manifest).toContain('socket_mode_enabled: true');
  });

  test('the usage hint names every watch command', () => {
    const hint = /usage_hint: "(.+)"/.exec(manifest)?.[1] ?? '';
    for (const verb of WATCH_VERBS) expect(hint).toMatch(new RegExp(`\\b${verb}\\b`));
  });

  test('the usage hint shows checks from other networks and the vantages list', () => {
    const hint = /usage_hint: "(.+)"/.exec(manifest)?.[1] ?? '';
    expect(hint).toMatch(/from aws-eu,office \| from all/);
    expect(hint).toMatch(/\bvantages\b/);
  });
});
