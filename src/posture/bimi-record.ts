import { truncate } from '../text/sanitize.js';
import { describeFailure } from './describe-failure.js';
import type { BimiFacts, PostureDns } from './types.js';

// BIMI (draft-brand-indicators-for-message-identification): `default._bimi.<domain>` TXT
// `v=BIMI1; l=<logo>; a=<mark certificate>`. Nothing is fetched: the URLs are what the record says.

const VERSION = /^\s*v\s*=\s*BIMI1\s*(?:;|$)/i;
const MAX_QUOTED = 100;

export interface BimiRecord {
  tags: Record<string, string>;
  /** `l=`; an empty string when the record declines to show a logo (`l=` empty). */
  logo?: string;
  authority?: string;
  problems: string[];
}

export function isBimiRecord(text: string): boolean {
  return VERSION.test(text);
}

/** Why an `l=` or `a=` URL cannot be used, if it cannot: https only, and the file type expected. */
function urlProblem(tag: string, value: string, extension: string, what: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${tag}=${truncate(value, MAX_QUOTED)}: not a URL`;
  }
  if (url.protocol !== 'https:') return `${tag}=${truncate(value, MAX_QUOTED)}: must be an https: URL`;
  if (!url.pathname.toLowerCase().endsWith(extension)) {
    return `${tag}=${truncate(value, MAX_QUOTED)}: expected ${what} (a ${extension} file)`;
  }
  return undefined;
}

/** Reads a BIMI record (its TXT strings joined). */
export function parseBimiRecord(text: string): BimiRecord {
  const tags: Record<string, string> = {};
  const problems: string[] = [];
  for (const part of text.split(';')) {
    const equals = part.indexOf('=');
    const name = part.slice(0, Math.max(0, equals)).trim().toLowerCase();
    if (equals < 0 || name.length === 0) {
      if (part.trim().length > 0) problems.push(`${truncate(part.trim(), MAX_QUOTED)}: not a tag=value pair`);
      continue;
    }
    if (name in tags) problems.push(`${name}= is given twice`);
    else tags[name] = part.slice(equals + 1).trim();
  }
  if (!isBimiRecord(text)) problems.push('a BIMI record starts with v=BIMI1');
  const record: BimiRecord = { tags, problems };
  if (tags.l === undefined) problems.push('no l= tag: the logo URL is required (empty to decline BIMI)');
  else {
    // An empty l= is the domain saying it shows no logo; that is a statement, not a problem.
    record.logo = tags.l;
    if (tags.l !== '') {
      if (tags.l.includes(',')) problems.push('l= names several URLs: only one logo is used');
      const problem = urlProblem('l', tags.l, '.svg', 'an SVG Tiny PS logo');
      if (problem) problems.push(problem);
    }
  }
  if (tags.a !== undefined && tags.a !== '') {
    record.authority = tags.a;
    const problem = urlProblem('a', tags.a, '.pem', 'a mark certificate');
    if (problem) problems.push(problem);
  }
  return record;
}

/**
 * The domain's BIMI record. `logo` is `''` when the record declines BIMI (`l=` empty), absent when
 * there is no usable record.
 */
export async function gatherBimi(dns: PostureDns, domain: string): Promise<BimiFacts> {
  const name = `default._bimi.${domain}`;
  const answer = await dns.txt(name);
  if (answer.kind === 'error') {
    return { name, record: null, problems: [], lookupError: describeFailure('TXT', name, answer) };
  }
  const records = answer.kind === 'records' ? answer.records.map((strings) => strings.join('')) : [];
  const bimi = records.filter(isBimiRecord);
  if (bimi.length === 0) return { name, record: null, problems: [] };
  if (bimi.length > 1) {
    return {
      name,
      record: null,
      problems: [`${bimi.length} v=BIMI1 records at ${name}: receivers use none`],
    };
  }
  const record = bimi[0]!;
  const parsed = parseBimiRecord(record);
  return {
    name,
    record,
    ...(parsed.logo !== undefined ? { logo: parsed.logo } : {}),
    ...(parsed.authority !== undefined ? { authority: parsed.authority } : {}),
    problems: parsed.problems,
  };
}
