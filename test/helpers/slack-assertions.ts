import type { Block, SlackMessage } from '../../src/render/slack-blocks.js';

/** Every string a Slack client would render from a message: text, section text, fields, buttons. */
export function textsOf(message: { text?: string; blocks?: readonly Block[] }): string[] {
  const texts: string[] = message.text !== undefined ? [message.text] : [];
  for (const block of message.blocks ?? []) {
    switch (block.type) {
      case 'section':
        if (block.text) texts.push(block.text.text);
        for (const field of block.fields ?? []) texts.push(field.text);
        break;
      case 'header':
        texts.push(block.text.text);
        break;
      case 'context':
        for (const element of block.elements) texts.push(element.text);
        break;
      case 'actions':
        for (const button of block.elements) texts.push(button.text.text);
        break;
      case 'divider':
        break;
    }
  }
  return texts;
}

/**
 * Slack markup that would notify or link: `<!channel>`, `<@U…>`, `<#C…>`, `<https://…|…>`. Only
 * the allowed user mentions and allowed link prefixes are let through.
 */
export function unsafeMarkup(
  message: { text?: string; blocks?: readonly Block[] },
  allowed: { users?: string[]; linkPrefixes?: string[] } = {},
): string[] {
  const found: string[] = [];
  for (const text of textsOf(message)) {
    for (const [markup] of text.matchAll(/<[^>]*>?/g)) {
      const user = /^<@([A-Z0-9]+)>$/.exec(markup);
      if (user && allowed.users?.includes(user[1] ?? '')) continue;
      if (allowed.linkPrefixes?.some((prefix) => markup.startsWith(`<${prefix}`))) continue;
      found.push(markup);
    }
  }
  return found;
}

/** Characters that must never reach Slack: C0/C1 controls but tab/newline, ESC, bidi, lone surrogates. */
export function forbiddenCharacters(
  message: SlackMessage | { text?: string; blocks?: readonly Block[] },
): string[] {
  const bad =
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff\u200b]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  return textsOf(message).filter((text) => bad.test(text));
}

/**
 * Text outside code spans and code blocks. Slack turns a bare URL in prose into a link even when
 * `<` and `>` are escaped; inside code it stays text. Server text must therefore only appear here
 * in code.
 */
export function proseOf(message: { text?: string; blocks?: readonly Block[] }): string {
  return textsOf(message)
    .map((text) => text.replace(/```[\s\S]*?```/g, ' ').replace(/`[^`\n]*`/g, ' '))
    .join('\n');
}
