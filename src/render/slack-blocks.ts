// The subset of Block Kit this app sends. Declared here rather than imported from @slack/types so
// render stays free of Slack packages; the shapes are structurally what Slack's API expects.

export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
}

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export type TextObject = MrkdwnText | PlainText;

export interface SectionBlock {
  type: 'section';
  block_id?: string;
  text?: TextObject;
  fields?: TextObject[];
}

export interface HeaderBlock {
  type: 'header';
  block_id?: string;
  text: PlainText;
}

export interface ContextBlock {
  type: 'context';
  block_id?: string;
  elements: TextObject[];
}

export interface DividerBlock {
  type: 'divider';
  block_id?: string;
}

export interface ButtonElement {
  type: 'button';
  action_id: string;
  text: PlainText;
  value?: string;
  style?: 'primary' | 'danger';
}

export interface ActionsBlock {
  type: 'actions';
  block_id?: string;
  elements: ButtonElement[];
}

export type Block = SectionBlock | HeaderBlock | ContextBlock | DividerBlock | ActionsBlock;

/** A message as chat.postMessage / chat.update / response_url take it: fallback text plus blocks. */
export interface SlackMessage {
  /** Notification and accessibility text; parsed as mrkdwn by Slack, so it is escaped too. */
  text: string;
  blocks: Block[];
}

/** A Home tab view (views.publish). */
export interface HomeView {
  type: 'home';
  blocks: Block[];
}

export const mrkdwn = (text: string): MrkdwnText => ({ type: 'mrkdwn', text });
export const plain = (text: string): PlainText => ({ type: 'plain_text', text, emoji: true });
export const section = (text: string): SectionBlock => ({ type: 'section', text: mrkdwn(text) });
export const context = (...texts: string[]): ContextBlock => ({
  type: 'context',
  elements: texts.map(mrkdwn),
});
export const divider = (): DividerBlock => ({ type: 'divider' });
export const header = (text: string): HeaderBlock => ({ type: 'header', text: plain(text) });
