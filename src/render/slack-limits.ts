import { truncate } from '../text/sanitize.js';
import type {
  ActionsBlock,
  Block,
  ContextBlock,
  SectionBlock,
  SlackMessage,
  TextObject,
} from './slack-blocks.js';

// Slack rejects a whole message (invalid_blocks) when one element is over a limit, so every
// message is fitted here as the last step of rendering: long content shrinks, it never bounces.

export const SLACK_LIMITS = {
  blocks: 50,
  homeBlocks: 100,
  sectionText: 3_000,
  fields: 10,
  fieldText: 2_000,
  headerText: 150,
  contextElements: 10,
  contextText: 2_000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  /** Slack cuts message text above 40 000 characters; notifications only need a line. */
  messageText: 3_900,
} as const;

/** The visible mark left wherever something was cut to fit. */
export const TRUNCATED_NOTE = '…truncated';

/**
 * Cuts mrkdwn to maxChars with a visible note, without leaving a code fence open, a half
 * entity (`&am`) or a half link (`<https://…`) that would make Slack render garbage.
 */
export function truncateMrkdwn(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const note = `\n${TRUNCATED_NOTE}`;
  const fenceClose = '\n```';
  let kept = truncate(text, Math.max(0, maxChars - note.length - fenceClose.length), '');
  kept = kept.replace(/&[a-z#0-9]{0,5}$/i, '').replace(/<[^>\n]*$/, '');
  const fences = kept.match(/```/g)?.length ?? 0;
  if (fences % 2 === 1) kept += fenceClose;
  return kept + note;
}

function fitText(text: TextObject, maxChars: number): TextObject {
  if (text.text.length <= maxChars) return text;
  const cut = text.type === 'mrkdwn' ? truncateMrkdwn(text.text, maxChars) : truncate(text.text, maxChars);
  return { ...text, text: cut };
}

function fitSection(block: SectionBlock): SectionBlock {
  const fitted: SectionBlock = { ...block };
  if (block.text) fitted.text = fitText(block.text, SLACK_LIMITS.sectionText);
  if (block.fields) {
    let fields = block.fields.map((field) => fitText(field, SLACK_LIMITS.fieldText));
    if (fields.length > SLACK_LIMITS.fields) {
      const hidden = fields.length - SLACK_LIMITS.fields + 1;
      fields = [
        ...fields.slice(0, SLACK_LIMITS.fields - 1),
        { type: 'mrkdwn', text: `${TRUNCATED_NOTE} (${hidden} more)` },
      ];
    }
    fitted.fields = fields;
  }
  return fitted;
}

function fitContext(block: ContextBlock): ContextBlock {
  let elements = block.elements.map((element) => fitText(element, SLACK_LIMITS.contextText));
  if (elements.length > SLACK_LIMITS.contextElements) {
    const hidden = elements.length - SLACK_LIMITS.contextElements + 1;
    elements = [
      ...elements.slice(0, SLACK_LIMITS.contextElements - 1),
      { type: 'mrkdwn', text: `${TRUNCATED_NOTE} (${hidden} more)` },
    ];
  }
  return { ...block, elements };
}

function fitActions(block: ActionsBlock): ActionsBlock {
  // A cut button value would be a corrupt payload, so an oversized button is dropped instead.
  const elements = block.elements
    .filter((button) => (button.value ?? '').length <= SLACK_LIMITS.buttonValue)
    .slice(0, SLACK_LIMITS.actionsElements)
    .map((button) => ({
      ...button,
      text: { ...button.text, text: truncate(button.text.text, SLACK_LIMITS.buttonText) },
    }));
  return { ...block, elements };
}

function fitBlock(block: Block): Block | null {
  switch (block.type) {
    case 'section':
      return fitSection(block);
    case 'header':
      return { ...block, text: { ...block.text, text: truncate(block.text.text, SLACK_LIMITS.headerText) } };
    case 'context':
      return block.elements.length === 0 ? null : fitContext(block);
    case 'actions': {
      const fitted = fitActions(block);
      return fitted.elements.length === 0 ? null : fitted;
    }
    case 'divider':
      return block;
  }
}

/** Groups lines into chunks that each fit a section (so a long list becomes several sections). */
export function packLines(
  lines: readonly string[],
  maxChars: number = SLACK_LIMITS.sectionText - 100,
): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current !== '' && current.length + 1 + line.length > maxChars) {
      chunks.push(current);
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/** Fits a list of blocks into maxBlocks, replacing the overflow with a note that says how much. */
export function fitBlocks(blocks: Block[], maxBlocks: number = SLACK_LIMITS.blocks): Block[] {
  const fitted = blocks.map(fitBlock).filter((block): block is Block => block !== null);
  if (fitted.length <= maxBlocks) return fitted;
  const hidden = fitted.length - maxBlocks + 1;
  return [
    ...fitted.slice(0, maxBlocks - 1),
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${TRUNCATED_NOTE}: ${hidden} more blocks not shown` }],
    },
  ];
}

export function fitMessage(message: SlackMessage): SlackMessage {
  return { text: truncateMrkdwn(message.text, SLACK_LIMITS.messageText), blocks: fitBlocks(message.blocks) };
}

/** Every way a message breaks Slack's limits, as readable strings; empty when it fits. */
export function findLimitViolations(
  message: SlackMessage,
  maxBlocks: number = SLACK_LIMITS.blocks,
): string[] {
  const problems: string[] = [];
  const over = (what: string, length: number, max: number): void => {
    if (length > max) problems.push(`${what}: ${length} > ${max}`);
  };
  over('message text', message.text.length, SLACK_LIMITS.messageText);
  over('blocks', message.blocks.length, maxBlocks);
  message.blocks.forEach((block, index) => {
    const at = `block ${index} (${block.type})`;
    switch (block.type) {
      case 'section':
        if (!block.text && !block.fields) problems.push(`${at}: neither text nor fields`);
        if (block.text) over(`${at} text`, block.text.text.length, SLACK_LIMITS.sectionText);
        if (block.fields) {
          over(`${at} fields`, block.fields.length, SLACK_LIMITS.fields);
          for (const field of block.fields) over(`${at} field`, field.text.length, SLACK_LIMITS.fieldText);
        }
        break;
      case 'header':
        over(`${at} text`, block.text.text.length, SLACK_LIMITS.headerText);
        break;
      case 'context':
        over(`${at} elements`, block.elements.length, SLACK_LIMITS.contextElements);
        for (const element of block.elements)
          over(`${at} element`, element.text.length, SLACK_LIMITS.contextText);
        break;
      case 'actions':
        over(`${at} elements`, block.elements.length, SLACK_LIMITS.actionsElements);
        for (const button of block.elements) {
          over(`${at} button text`, button.text.text.length, SLACK_LIMITS.buttonText);
          over(`${at} button value`, (button.value ?? '').length, SLACK_LIMITS.buttonValue);
        }
        break;
      case 'divider':
        break;
    }
  });
  return problems;
}
