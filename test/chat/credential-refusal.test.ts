import { describe, expect, test } from 'vitest';
import { parseCommand } from '../../src/chat/use-cases/parse-command.js';

// Credential and send tests belong to the terminal: in chat the password would stay in the
// channel's history. A command that asks for one is refused; one that seems to carry a password
// also says to change it.

describe('parseCommand() for credential and send tests', () => {
  test.each([
    'smtp.example.com --user alice',
    'smtp.example.com --from a@example.com --to b@example.net',
    'smtp.example.com 587 --user=alice',
  ])('`%s` is refused with the terminal command', (text) => {
    const command = parseCommand(text);
    expect(command.kind).toBe('help');
    expect(command.kind === 'help' && command.problem).toContain('npx smtp-check HOST --user NAME');
    expect(command.kind === 'help' && command.problem).not.toContain('change that password');
  });

  test.each([
    'smtp.example.com --user alice --password hunter2',
    'smtp.example.com --user alice --pass=hunter2',
    'smtp://alice:hunter2@smtp.example.com:587',
    'smtp.example.com SMTP_PASSWORD=hunter2',
  ])('`%s` also warns that the password must be changed', (text) => {
    const command = parseCommand(text);
    expect(command.kind === 'help' && command.problem).toContain('change that password now');
    expect(JSON.stringify(command)).not.toContain('hunter2');
  });

  test.each([
    'watch smtp.example.com --password=hunter2',
    'watch smtp.example.com 25,587 --pass hunter2',
    'watch smtp.example.com from office password=hunter2',
    'mute smtp.example.com 2h --password=hunter2',
  ])('`%s`: a watch command gets the same warning as a check, and never echoes the password', (text) => {
    const command = parseCommand(text);
    expect(command).toEqual(parseCommand('smtp.example.com --password=hunter2'));
    expect(JSON.stringify(command)).not.toContain('hunter2');
  });

  test('an ordinary check is untouched', () => {
    expect(parseCommand('smtp.example.com 25,587').kind).toBe('check');
  });
});
