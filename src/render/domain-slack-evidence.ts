import { type DestinationStatus, destinationStatus } from './domain-summary.js';
import type { DkimKey, DmarcDestination, PostureFacts } from '../posture/index.js';
import { plural } from '../text/plural.js';
import { escapeMrkdwn, slackCode, slackCodeBlock, slackText } from '../text/sanitize.js';
import { oneLine, spfResultLines, spfTreeLines } from './domain-spf-tree.js';
import { type Block, context, section } from './slack-blocks.js';
import { packLines, SLACK_LIMITS, TRUNCATED_NOTE } from './slack-limits.js';

// The evidence replies of a domain report in Slack: what DNS answered for each part. DNS text
// reaches mrkdwn only inside code (slackCode, slackCodeBlock), where Slack neither links nor
// mentions; prose around it is our own words.

/** Room for a code block inside one section, with its title line. */
const CODE_BLOCK_CHARS = SLACK_LIMITS.sectionText - 200;
/** A huge include tree keeps this many sections; the JSON output has the rest. */
const MAX_TREE_SECTIONS = 12;
const MAX_LIST_LINES = 60;

/** Untrusted prose on one line: a line break in DNS text must not start a line of the message. */
export function slackLine(text: string, maxChars: number): string {
  return slackText(text.replace(/\s*[\r\n]+\s*/g, ' '), maxChars);
}

/** How long a line is once slackCodeBlock has escaped it. */
function escapedLength(line: string): number {
  return escapeMrkdwn(line).length + 1;
}

/**
 * Lines in code blocks across as many sections as they need (up to maxSections), the first one
 * titled; what does not fit is counted in a last note rather than cut mid-line.
 */
export function codeSections(title: string, lines: readonly string[], maxSections: number): Block[] {
  const chunks: string[][] = [[]];
  let used = 0;
  for (const line of lines) {
    const length = Math.min(escapedLength(line), 1_001);
    const current = chunks[chunks.length - 1] ?? [];
    if (current.length > 0 && used + length > CODE_BLOCK_CHARS) {
      chunks.push([line]);
      used = length;
    } else {
      current.push(line);
      used += length;
    }
  }
  const kept = chunks.slice(0, maxSections);
  const blocks: Block[] = kept.map((chunk, index) =>
    section(`${index === 0 ? `${title}\n` : ''}${slackCodeBlock(chunk, CODE_BLOCK_CHARS, 1_000)}`),
  );
  const left = chunks.slice(maxSections).reduce((sum, chunk) => sum + chunk.length, 0);
  if (left > 0)
    blocks.push(context(`${TRUNCATED_NOTE}: ${plural(left, 'more line')}; the JSON output has them all`));
  return blocks;
}

/** A list as sections of at most MAX_LIST_LINES lines, with a note for the rest. */
export function listSections(lines: readonly string[]): Block[] {
  const shown = lines.slice(0, MAX_LIST_LINES);
  if (lines.length > MAX_LIST_LINES) shown.push(`${TRUNCATED_NOTE}: ${lines.length - MAX_LIST_LINES} more`);
  return packLines(shown).map(section);
}

export function spfBlocks(facts: PostureFacts, summary: string): Block[] {
  const spf = facts.spf;
  const blocks: Block[] = [section(`*SPF* ${summary}`)];
  if (spf.lookupError) {
    blocks.push(section(`No answer for the TXT records: ${slackCode(spf.lookupError, 300)}`));
    return blocks;
  }
  if (spf.records.length > 1) {
    blocks.push(
      ...codeSections(
        `*${spf.records.length} v=spf1 records*: a receiver answers permerror and uses none`,
        spf.records.map((record) => oneLine(record, 1_000)),
        2,
      ),
    );
  }
  if (spf.tree) {
    const lines = spfTreeLines(spf.tree).map((line) => line.text);
    blocks.push(
      ...codeSections('*Include tree*, each record with the DNS lookups it costs', lines, MAX_TREE_SECTIONS),
    );
  } else if (spf.records.length === 0) {
    blocks.push(section(`No v=spf1 record at ${slackCode(spf.domain, 260)}.`));
  }
  if (spf.records.length > 0) {
    const facts = [
      `${spf.lookups} of 10 DNS lookups`,
      `${plural(spf.voidLookups, 'void lookup')} of 2`,
      `an address no mechanism lists gets \`${spf.worstCase}\``,
    ];
    if (spf.macros) facts.push('some lookups depend on macros');
    blocks.push(context(facts.join(' · ')));
  }
  if (spf.error) {
    blocks.push(
      section(
        `❌ ${slackCode(spf.error.kind, 40)} in ${slackCode(spf.error.domain, 260)}: ${slackCode(spf.error.message, 400)}`,
      ),
    );
  }
  if (spf.result)
    blocks.push(...codeSections('*For the sending address* (`--ip`)', spfResultLines(spf.result), 1));
  return blocks;
}

function dkimLine(key: DkimKey): string {
  const selector = slackCode(key.selector, 80);
  const why =
    key.source === 'given'
      ? 'given'
      : key.source === 'provider'
        ? `${key.provider ? slackCode(key.provider, 60) : 'a provider'}'s selector`
        : 'common selector';
  if (key.lookupError) return `❓ ${selector} no answer: ${slackCode(key.lookupError, 200)} (${why})`;
  if (!key.found) return `➖ ${selector} not found (${why})`;
  const parts: string[] = [];
  if (key.revoked) parts.push('*revoked* (empty `p=`)');
  else {
    const type = slackCode(key.keyType ?? 'rsa', 20);
    parts.push(typeof key.bits === 'number' ? `${type} ${key.bits}-bit` : `${type}, size unreadable`);
  }
  if (key.testing) parts.push('testing (`t=y`)');
  if (key.problem) parts.push(slackCode(key.problem, 200));
  if (key.cname) parts.push(`CNAME → ${slackCode(key.cname, 260)}`);
  const icon = key.revoked || key.problem ? '❌' : '✅';
  return `${icon} ${selector} ${parts.join(' · ')} (${why})`;
}

export function dkimBlocks(facts: PostureFacts, summary: string): Block[] {
  if (facts.dkim.length === 0) return [section(`*DKIM* ${summary}\nNo selector was tried.`)];
  return [section(`*DKIM* ${summary}`), ...listSections(facts.dkim.map(dkimLine))];
}

function destinationLine(tag: 'rua' | 'ruf', destination: DmarcDestination): string {
  const where: Record<DestinationStatus, string> = {
    unusable: 'unusable',
    own: 'own domain',
    authorized: 'external · authorized ✅',
    unauthorized: `external · *not authorized* ❌ (no v=DMARC1 at ${slackCode(destination.authorizationName ?? '_report._dmarc', 260)})`,
    unknown: 'external · authorization unknown ❓',
  };
  const problem = destination.problem ? ` · ${slackCode(destination.problem, 200)}` : '';
  return `${tag} ${slackCode(destination.uri, 300)} ${where[destinationStatus(destination)]}${problem}`;
}

export function dmarcBlocks(facts: PostureFacts, summary: string): Block[] {
  const dmarc = facts.dmarc;
  const blocks: Block[] = [section(`*DMARC* ${summary}`)];
  if (dmarc.lookupError) {
    blocks.push(section(`No answer: ${slackCode(dmarc.lookupError, 300)}`));
    return blocks;
  }
  if (dmarc.records.length > 1) {
    blocks.push(
      ...codeSections(
        `*${dmarc.records.length} v=DMARC1 records*: none applies`,
        dmarc.records.map((record) => oneLine(record, 1_000)),
        2,
      ),
    );
  } else if (dmarc.record === null) {
    blocks.push(
      section(
        `No record at ${slackCode(`_dmarc.${facts.request.domain}`, 270)} nor at the organizational domain ${slackCode(dmarc.organizationalDomain, 260)}.`,
      ),
    );
  } else {
    const at = slackCode(`_dmarc.${dmarc.sourceDomain ?? facts.request.domain}`, 270);
    const whose = dmarc.source === 'organizational' ? ' (the organizational domain’s)' : '';
    blocks.push(...codeSections(`At ${at}${whose}`, [oneLine(dmarc.record, 1_000)], 1));
    const lines = [
      `policy \`${dmarc.policy ?? '—'}\` · subdomains \`${dmarc.subdomainPolicy ?? '—'}\` · pct ${dmarc.pct} · alignment DKIM ${dmarc.alignment.dkim}, SPF ${dmarc.alignment.spf}`,
      ...dmarc.rua.map((destination) => destinationLine('rua', destination)),
      ...dmarc.ruf.map((destination) => destinationLine('ruf', destination)),
    ];
    if (dmarc.rua.length === 0) lines.push('no `rua`: nobody receives the aggregate reports');
    blocks.push(...listSections(lines));
  }
  const notes = [
    ...(dmarc.treeWalk ? [`DMARCbis tree walk: ${slackLine(dmarc.treeWalk.note, 400)}`] : []),
    ...dmarc.syntaxErrors.map((error) => `❌ ${slackCode(error, 300)}`),
  ];
  if (notes.length > 0) blocks.push(...listSections(notes));
  return blocks;
}

export function bimiBlocks(facts: PostureFacts, summary: string): Block[] {
  const bimi = facts.bimi;
  const title = `*BIMI* ${summary}`;
  if (bimi.lookupError) return [section(`${title}\nNo answer: ${slackCode(bimi.lookupError, 300)}`)];
  if (bimi.record === null) return [section(`${title}\nNone at ${slackCode(bimi.name, 270)}.`)];
  const lines = [
    `logo ${bimi.logo ? slackCode(bimi.logo, 500) : 'none'}`,
    `mark certificate ${bimi.authority ? slackCode(bimi.authority, 500) : 'none'}`,
    ...bimi.problems.map((problem) => `⚠️ ${slackCode(problem, 300)}`),
  ];
  return [
    section(title),
    ...codeSections(`At ${slackCode(bimi.name, 270)}`, [oneLine(bimi.record, 1_000)], 1),
    ...listSections(lines),
  ];
}

export function mxBlocks(facts: PostureFacts, summary: string): Block[] {
  const mx = facts.mx;
  const title = `*MX* ${summary}`;
  if (mx.lookupError) return [section(`${title}\nNo answer: ${slackCode(mx.lookupError, 300)}`)];
  if (mx.nullMx)
    return [section(`${title}\nNull MX (\`0 .\`): the domain says it receives no mail (RFC 7505).`)];
  if (mx.implicit) {
    const addresses = mx.implicit.addresses
      .slice(0, 8)
      .map((address) => slackCode(address, 45))
      .join(' ');
    return [
      section(
        `${title}\nNo MX records: mail goes to the domain's own address (RFC 5321): ${addresses || 'none'}`,
      ),
    ];
  }
  const lines = [...mx.hosts]
    .sort((a, b) => a.priority - b.priority)
    .map((host) => {
      const addresses = host.addresses
        .slice(0, 6)
        .map((address) => slackCode(address, 45))
        .join(' ');
      const more = host.addresses.length > 6 ? ` +${host.addresses.length - 6}` : '';
      const cname = host.cname ? ` · ❌ a CNAME to ${slackCode(host.cname, 260)} (RFC 2181 forbids it)` : '';
      const error = host.lookupError ? ` · no answer: ${slackCode(host.lookupError, 200)}` : '';
      return `${host.priority} ${slackCode(host.exchange, 260)} ${addresses || 'no address'}${more}${cname}${error}`;
    });
  return [section(title), ...listSections(lines)];
}

export function sendingAddressBlocks(facts: PostureFacts): Block[] {
  const sending = facts.sendingAddress;
  if (!sending) return [];
  const ip = slackCode(sending.ip, 45);
  if (sending.lookupError)
    return [section(`*Sending address* ${ip}: no answer: ${slackCode(sending.lookupError, 300)}`)];
  const ptr =
    sending.ptr.length > 0
      ? sending.ptr
          .slice(0, 6)
          .map((name) => slackCode(name, 260))
          .join(' ')
      : 'no PTR record';
  const confirmed = sending.forwardConfirmed ? 'forward-confirmed ✅' : '*not forward-confirmed* ❌';
  return [section(`*Sending address* ${ip} · PTR ${ptr} · ${confirmed}`)];
}
