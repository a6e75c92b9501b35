import { describe, expect, test } from 'vitest';
import type { Block } from '../../src/render/slack-blocks.js';
import { findLimitViolations, fitMessage, packLines, truncateMrkdwn } from '../../src/render/slack-limits.js';

const long = (length: number) => 'x'.repeat(length);

describe('fitMessage()', () => {
  test('brings every oversized element inside the limits, leaving a visible note', () => {
    const blocks: Block[] = [
      { type: 'header', text: { type: 'plain_text', text: long(500) } },
      { type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${long(10_000)}\`\`\`` } },
      {
        type: 'section',
        fields: Array.from({ length: 15 }, () => ({ type: 'mrkdwn' as const, text: long(3_000) })),
      },
      {
        type: 'context',
        elements: Array.from({ length: 15 }, () => ({ type: 'mrkdwn' as const, text: 'c' })),
      },
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: 'a', text: { type: 'plain_text', text: long(100) }, value: 'ok' },
          { type: 'button', action_id: 'b', text: { type: 'plain_text', text: 'b' }, value: long(3_000) },
        ],
      },
      ...Array.from({ length: 80 }, (): Block => ({ type: 'divider' })),
    ];
    const message = { text: long(50_000), blocks };
    expect(findLimitViolations(message).length).toBeGreaterThan(5);
    const fitted = fitMessage(message);
    expect(findLimitViolations(fitted)).toEqual([]);
    expect(fitted.blocks).toHaveLength(50);
    expect(JSON.stringify(fitted.blocks.at(-1))).toContain('…truncated: 36 more blocks not shown');
    const section = fitted.blocks[1];
    expect(section?.type === 'section' && section.text?.text.endsWith('```\n…truncated')).toBe(true);
    const actions = fitted.blocks[4];
    expect(actions?.type === 'actions' && actions.elements.map((button) => button.action_id)).toEqual(['a']);
  });
});

describe('truncateMrkdwn()', () => {
  test.each([
    ['a half entity', `${long(80)} &amp;&lt;${long(30)}`, /x \n…truncated$/],
    ['a half link', `${long(80)} <https://example.com/long|label>`, /x \n…truncated$/],
  ])('does not leave %s', (_name, text, expected) => {
    expect(truncateMrkdwn(text, 100)).toMatch(expected);
  });
});

test('packLines() splits a long list into section-sized chunks', () => {
  const chunks = packLines(
    Array.from({ length: 100 }, () => long(100)),
    1_000,
  );
  expect(chunks.every((chunk) => chunk.length <= 1_000)).toBe(true);
  expect(chunks.join('\n')).toBe(Array.from({ length: 100 }, () => long(100)).join('\n'));
});
