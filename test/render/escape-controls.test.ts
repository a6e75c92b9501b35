import { describe, expect, test } from 'vitest';
import { escapeControls } from '../../src/text/sanitize.js';

describe('escapeControls()', () => {
  test.each([
    ['OSC window title', 'a\u001b]0;pwned\u0007b', 'a\\x1b]0;pwned\\x07b'],
    ['CSI clear screen', '\u001b[2Jx', '\\x1b[2Jx'],
    ['C1 CSI', '\u009b31m', '\\x9b31m'],
    ['right-to-left override', 'moc.\u202elive', 'moc.\\u202elive'],
    ['zero-width space', 'a\u200bb', 'a\\u200bb'],
    ['newline and tab', 'a\nb\tc', 'a\\x0ab\\x09c'],
    ['Unicode tag character', 'a\udb40\udc41', 'a\\u{e0041}'],
    ['lone surrogate', 'a\ud800b', 'a\\ud800b'],
    ['plain text and emoji', 'smtp.example.com 📮 é', 'smtp.example.com 📮 é'],
  ])('%s', (_name, input, expected) => {
    expect(escapeControls(input)).toBe(expected);
  });

  test('keeps newlines when asked, still escaping carriage returns', () => {
    expect(escapeControls('a\r\nb', { keepNewlines: true })).toBe('a\\x0d\nb');
  });
});
