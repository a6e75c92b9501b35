import type { SpfEvaluation, SpfNode } from '../posture/index.js';
import { plural } from '../text/plural.js';
import { cleanText } from '../text/sanitize.js';

// The SPF include/redirect tree as lines of plain text, drawn once for the terminal and for Slack's
// code block. Every DNS string is cleaned and flattened to one line here: a record holding a
// newline must not be able to draw a line of its own in the tree.

export interface SpfTreeLine {
  /** `node`: a record's header; `record`: the record itself; `note`: an error or a remark. */
  kind: 'node' | 'record' | 'note';
  /** Tree drawing and indentation, then the text. */
  text: string;
}

/** The longest record a line shows (a TXT record can hold kilobytes; SPF's are short). */
const RECORD_MAX_CHARS = 1_000;

/** DNS text on one line: cleaned, newlines and tabs as spaces. */
export function oneLine(text: string, maxChars: number): string {
  return cleanText(text, maxChars)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\t/g, ' ');
}

function nodeTitle(node: SpfNode): string {
  const domain = oneLine(node.domain, 255);
  const name =
    node.via === 'include' ? `include:${domain}` : node.via === 'redirect' ? `redirect=${domain}` : domain;
  const lookups = node.terms.reduce((sum, term) => sum + term.lookups, 0);
  const voids = node.terms.reduce((sum, term) => sum + term.voidLookups, 0);
  const parts = [name];
  if (node.provider) parts.push(oneLine(node.provider, 60));
  parts.push(plural(lookups, 'lookup'));
  if (voids > 0) parts.push(plural(voids, 'void lookup'));
  return parts.join(' · ');
}

function nodeNotes(node: SpfNode): string[] {
  const notes: string[] = [];
  if (node.error) {
    const term = node.error.term ? ` (${oneLine(node.error.term, 120)})` : '';
    notes.push(`✘ ${node.error.kind}${term}: ${oneLine(node.error.message, 300)}`);
  }
  for (const term of node.terms) {
    if (term.macro) notes.push(`macro in ${oneLine(term.text, 120)}: its lookups depend on the message`);
    if ((term.mxHosts ?? 0) > 10)
      notes.push(`${oneLine(term.text, 120)} names ${term.mxHosts} MX hosts (at most 10)`);
  }
  const unreached = node.terms.filter((term) => term.unreached).length;
  if (unreached > 0) notes.push(`${plural(unreached, 'term')} never reached`);
  return notes;
}

/**
 * The tree, root first, children drawn with ├─ and └─. At most maxNodes records are drawn; a last
 * note says how many were left out.
 */
export function spfTreeLines(tree: SpfNode, maxNodes = 200): SpfTreeLine[] {
  const lines: SpfTreeLine[] = [];
  let drawn = 0;
  let skipped = 0;
  const walk = (node: SpfNode, prefix: string, last: boolean, root: boolean): void => {
    if (drawn >= maxNodes) {
      skipped += 1 + countNodes(node.children);
      return;
    }
    drawn += 1;
    const branch = root ? '' : `${prefix}${last ? '└─ ' : '├─ '}`;
    const childPrefix = root ? '' : `${prefix}${last ? '   ' : '│  '}`;
    const detail = `${childPrefix}${node.children.length > 0 ? '│ ' : '  '}`;
    lines.push({ kind: 'node', text: `${branch}${nodeTitle(node)}` });
    lines.push({
      kind: 'record',
      text: `${detail}${node.record === null ? '(no v=spf1 record)' : oneLine(node.record, RECORD_MAX_CHARS)}`,
    });
    for (const note of nodeNotes(node)) lines.push({ kind: 'note', text: `${detail}${note}` });
    node.children.forEach((child, index) => {
      walk(child, childPrefix, index === node.children.length - 1, false);
    });
  };
  walk(tree, '', true, true);
  if (skipped > 0) {
    lines.push({
      kind: 'note',
      text: `… ${plural(skipped, 'more record')} not drawn (the JSON output has them)`,
    });
  }
  return lines;
}

function countNodes(nodes: readonly SpfNode[]): number {
  return nodes.reduce((sum, node) => sum + 1 + countNodes(node.children), 0);
}

/** What `--ip` got: the result, the term that decided, the path, in plain cleaned text. */
export function spfResultLines(result: SpfEvaluation): string[] {
  const lines = [`${oneLine(result.ip, 45)}: ${result.result} (MAIL FROM ${oneLine(result.sender, 300)})`];
  if (result.decidedBy) {
    lines.push(
      `decided by ${oneLine(result.decidedBy.term, 200)} in ${oneLine(result.decidedBy.domain, 255)}`,
    );
  } else if (!result.error) {
    lines.push('no mechanism matched');
  }
  if (result.path.length > 0)
    lines.push(`path ${result.path.map((domain) => oneLine(domain, 255)).join(' → ')}`);
  lines.push(`${plural(result.lookups, 'lookup')}, ${plural(result.voidLookups, 'void lookup')}`);
  if (result.error) lines.push(`✘ ${result.error.kind}: ${oneLine(result.error.message, 300)}`);
  if (result.explanation) lines.push(`explanation: ${oneLine(result.explanation, 300)}`);
  return lines;
}
