import { describe, expect, test } from 'vitest';
import {
  cleanText,
  escapeMrkdwn,
  slackCode,
  slackCodeBlock,
  slackText,
  truncate,
} from '../../src/text/sanitize.js';

describe('cleanText()', () => {
  test.each([
    ['ANSI colours', '\u001b[31mred\u001b[0m', 'red'],
    ['OSC 8 hyperlinks', '\u001b]8;;https://evil\u0007x\u001b]8;;\u0007', 'x'],
    ['NUL, BEL, DEL, C1', 'a\u0000b\u0007c\u007fd\u0085e', 'abcde'],
    ['bidi overrides and isolates', 'a\u202eb\u2066c\u2069', 'abc'],
    ['zero-width and BOM', 'a\u200bb\ufeffc', 'abc'],
    ['invalid UTF-8 (U+FFFD)', Buffer.from([0x61, 0xff, 0x62]).toString('utf8'), 'a?b'],
    ['lone surrogates', 'a\ud800b\udc00c', 'a?b?c'],
    ['CRLF', 'a\r\nb', 'a\nb'],
    ['tag characters', 'a\udb40\udc41b', 'ab'],
  ])('removes %s', (_name, input, expected) => {
    expect(cleanText(input, 100)).toBe(expected);
  });

  test('keeps emoji and other scripts whole', () => {
    expect(cleanText('ok ✅ 日本 😀', 100)).toBe('ok ✅ 日本 😀');
  });

  test('caps 200 KB of input with an ellipsis', () => {
    // No clock here: linear work returns at once, and a regex that backtracked quadratically over
    // 300 000 characters would hang the run for minutes. The speed is a figure of `npm run bench`.
    const result = cleanText('\u0000'.repeat(100_000) + 'x'.repeat(200_000), 300);
    expect(result.length).toBeLessThanOrEqual(300);
    expect(result.endsWith('…')).toBe(true);
  });
});

describe('truncate()', () => {
  test('never splits a surrogate pair', () => {
    expect(truncate('ab😀cd', 4)).toBe('ab…');
  });
});

describe('escapeMrkdwn()', () => {
  test('neutralises mentions and links', () => {
    expect(escapeMrkdwn('<!channel> <@U1> <https://x|y> &')).toBe(
      '&lt;!channel&gt; &lt;@U1&gt; &lt;https://x|y&gt; &amp;',
    );
  });
});

describe('slackCode()', () => {
  test('cannot be closed early and stays on one line', () => {
    expect(slackCode('a`b\nc')).toBe("`a'b ⏎ c`");
  });
});

describe('slackCodeBlock()', () => {
  test('keeps the fence closed and says how many lines were left out', () => {
    const block = slackCodeBlock(
      Array.from({ length: 1_000 }, (_, index) => `250-line ${index} \`\`\``),
      500,
    );
    expect(block.startsWith('```')).toBe(true);
    expect(block.endsWith('```')).toBe(true);
    expect(block.match(/```/g)).toHaveLength(2);
    expect(block).toMatch(/… \d+ more lines truncated```$/);
    expect(block.length).toBeLessThan(560);
  });
});

describe('slackText()', () => {
  test('puts URLs, addresses and domains in code so Slack does not link them', () => {
    expect(slackText('see https://evil.example/x, mail a@evil.example or evil.example.')).toBe(
      'see `https://evil.example/x`, mail `a@evil.example` or `evil.example`.',
    );
  });

  test('a cut inside a span still closes it', () => {
    const text = slackText(`${'a'.repeat(20)} https://evil.example/${'b'.repeat(100)}`, 40);
    expect(text.match(/`/g)?.length ?? 0).toBe(2);
    expect(text.length).toBeLessThanOrEqual(40);
  });
});
