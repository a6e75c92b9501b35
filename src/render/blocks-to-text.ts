import type { Block, TextObject } from './slack-blocks.js';

// How a message would look in Slack, as terminal text. Input is already sanitised mrkdwn (ANSI and
// control characters gone), so undoing the HTML escapes for display is safe.

export interface TextOptions {
  /** Display names for user ids (`U0CONSOLE` → `you`). */
  users?: Record<string, string>;
}

export function mrkdwnToText(text: string, options: TextOptions = {}): string {
  return text
    .replace(/<@([A-Z0-9]+)>/g, (_, id: string) => `@${options.users?.[id] ?? id}`)
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(
      /```([\s\S]*?)```/g,
      (_, code: string) => `\n${code.replace(/^\n+|\n+$/g, '').replace(/^/gm, '    ')}\n`,
    )
    .replace(/\n{3,}/g, '\n\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const textOf = (text: TextObject, options: TextOptions): string =>
  text.type === 'mrkdwn' ? mrkdwnToText(text.text, options) : text.text;

export function blocksToText(blocks: readonly Block[], options: TextOptions = {}): string {
  const lines: string[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'header':
        lines.push(block.text.text.toUpperCase());
        break;
      case 'section':
        if (block.text) lines.push(textOf(block.text, options).replace(/^\n+|\s+$/g, ''));
        for (const field of block.fields ?? []) {
          const [label = '', ...rest] = textOf(field, options).split('\n');
          lines.push(`  ${label.replace(/\*/g, '')}: ${rest.join(' · ')}`);
        }
        break;
      case 'context':
        lines.push(`  · ${block.elements.map((element) => textOf(element, options)).join(' ')}`);
        break;
      case 'divider':
        lines.push('────────');
        break;
      case 'actions':
        lines.push(block.elements.map((button) => `[ ${button.text.text} ]`).join(' '));
        break;
    }
  }
  return lines.join('\n');
}
