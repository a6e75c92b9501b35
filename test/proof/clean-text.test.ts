import { describe, expect, test } from 'vitest';
import { cleanText } from '../../src/proof/describe-failure.js';

// What a server says in a refused login or send reaches the report, the JSON and Slack: it is
// cleaned as every other server text is, whatever the secret scrubbing leaves.

describe('cleanText() of the proof', () => {
  test.each([
    ['a right-to-left override', '535 5.7.8 \u202eliaf\u202c ok', '535 5.7.8 liaf ok'],
    ['a zero-width joiner and a BOM', '550 \ufeffno\u200d such user', '550 no such user'],
    ['an ANSI colour escape', '421 \u001b[31mbusy\u001b[0m', '421 busy'],
    ['a tab and a bell', '554\tno\u0007', '554 no'],
  ])('removes %s', (_what, reply, shown) => {
    expect(cleanText(reply)).toBe(shown);
  });

  test('keeps newlines of a multi-line reply and caps the length', () => {
    expect(cleanText('535-5.7.8 one\n535 5.7.8 two')).toBe('535-5.7.8 one\n535 5.7.8 two');
    const long = cleanText(`550 ${'x'.repeat(1_000)}`);
    expect(long.length).toBe(401);
    expect(long.endsWith('…')).toBe(true);
  });

  test('scrubs the secret before cleaning', () => {
    expect(cleanText('535 bad password hunter22', ['hunter22'])).not.toContain('hunter22');
  });
});
