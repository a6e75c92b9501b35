import { truncate } from '../text/sanitize.js';
import { describeFailure } from './describe-failure.js';
import type { MtaStsFacts } from './transport-types.js';
import type { PostureDns } from './types.js';

// The `_mta-sts.<domain>` TXT record (RFC 8461 §3.1), `v=STSv1; id=20240501T1200;`, says that a
// policy exists and names its version: senders fetch the policy again only when the id differs
// from the one they cached. A record senders cannot parse means no policy at all, so every
// deviation from the grammar is a problem. The text came from DNS: nothing in it is trusted.

const VERSION = 'v=STSv1';
// §3.1 keeps the records that begin with "v=STSv1;" (case matters: %s in the ABNF). A lone
// `v=STSv1` is kept too, so that it is reported as lacking an id rather than passed over.
const STS_RECORD = /^v=STSv1[ \t]*(?:;|$)/;
const LOOKS_LIKE_STS = /^\s*v\s*=\s*stsv1\b/i;
const ID = /^[A-Za-z0-9]{1,32}$/;
// sts-ext-name, and RFC 8460's tlsrpt-ext-name, which copies it.
const FIELD_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
// sts-ext-value: visible ASCII except "=" and ";".
const EXTENSION_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;
const MAX_QUOTED = 100;

export function quoted(text: string): string {
  return truncate(text, MAX_QUOTED);
}

/** One `name=value` field of a record, as written. */
export interface TxtField {
  name: string;
  value: string;
}

export interface TxtFieldsGrammar {
  /** The first field, exactly (`v=STSv1`, `v=TLSRPTv1`). */
  version: string;
  /** What the record is called in problems (`an MTA-STS record`). */
  what: string;
  /** The field names the caller checks itself; others are extensions, whose values are checked here. */
  known: readonly string[];
}

/**
 * Reads a record written with the grammar RFC 8461 §3.1 and RFC 8460 §3 share: the version, then
 * `name=value` fields separated by ";" (spaces or tabs around it, one trailing ";" allowed). Each
 * field is kept once (the first one counts); each deviation is a problem in words.
 */
export function readTxtFields(
  text: string,
  grammar: TxtFieldsGrammar,
): { fields: Map<string, string>; problems: string[] } {
  const parts = text.split(';').map((part) => part.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  const [first = '', ...rest] = parts;
  const problems: string[] = [];
  if (first !== grammar.version) {
    problems.push(`${quoted(first)}: ${grammar.what} starts with ${grammar.version} (case matters)`);
  }
  const fields = new Map<string, string>();
  for (const part of rest) {
    const field = readField(part, grammar, problems);
    if (!field) continue;
    if (fields.has(field.name))
      problems.push(`${quoted(part)}: ${field.name}= is given twice (the first one counts)`);
    else fields.set(field.name, field.value);
  }
  return { fields, problems };
}

function readField(part: string, grammar: TxtFieldsGrammar, problems: string[]): TxtField | null {
  if (part === '') {
    problems.push('an empty field between two ";"');
    return null;
  }
  const equals = part.indexOf('=');
  if (equals < 0) {
    problems.push(`${quoted(part)}: not a name=value field`);
    return null;
  }
  const written = part.slice(0, equals);
  const name = written.trimEnd();
  const value = part.slice(equals + 1);
  if (!FIELD_NAME.test(name)) {
    problems.push(`${quoted(part)}: "${quoted(name)}" is not a field name`);
    return null;
  }
  if (written !== name || value !== value.trimStart()) {
    problems.push(`${quoted(part)}: no spaces are allowed around "="`);
  }
  const known = grammar.known.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  if (known !== undefined && known !== name) {
    problems.push(`${quoted(part)}: the field is written ${known}= (case matters)`);
  } else if (known === undefined && !EXTENSION_VALUE.test(value.trim())) {
    problems.push(`${quoted(part)}: a value is visible ASCII without spaces, "=" or ";"`);
  }
  return { name, value: value.trim() };
}

/** A TXT record (chunks joined) that senders take for an MTA-STS record (§3.1). */
export function isMtaStsRecord(text: string): boolean {
  return STS_RECORD.test(text);
}

export interface MtaStsRecord {
  /** The policy's id; null when missing or malformed. */
  id: string | null;
  problems: string[];
}

/** Reads an MTA-STS record: `v=STSv1` first, an `id` of 1 to 32 letters and digits, extensions allowed. */
export function parseMtaStsRecord(text: string): MtaStsRecord {
  const { fields, problems } = readTxtFields(text, {
    version: VERSION,
    what: 'an MTA-STS record',
    known: ['id'],
  });
  const written = fields.get('id');
  if (written === undefined) {
    problems.push('no id= field: the record names the policy version it announces');
    return { id: null, problems };
  }
  if (!ID.test(written)) {
    problems.push(`id=${quoted(written)}: must be 1 to 32 letters and digits`);
    return { id: null, problems };
  }
  return { id: written, problems };
}

export type MtaStsRecordFacts = Pick<
  MtaStsFacts,
  'recordName' | 'record' | 'records' | 'id' | 'recordProblems' | 'lookupError'
>;

/** The domain's `_mta-sts` record, as a sender reads it before it fetches any policy. */
export async function lookupMtaStsRecord(dns: PostureDns, domain: string): Promise<MtaStsRecordFacts> {
  const recordName = `_mta-sts.${domain}`;
  const none: MtaStsRecordFacts = { recordName, record: null, records: [], id: null, recordProblems: [] };
  const answer = await dns.txt(recordName);
  if (answer.kind === 'error') return { ...none, lookupError: describeFailure('TXT', recordName, answer) };
  const texts = answer.kind === 'records' ? answer.records.map((strings) => strings.join('')) : [];
  const records = texts.filter(isMtaStsRecord);
  if (records.length === 0) {
    // Senders pass over `V=stsv1; …` in silence; the domain meant MTA-STS, so say why it is ignored.
    const near = texts.find((text) => LOOKS_LIKE_STS.test(text));
    const recordProblems = near
      ? [`${quoted(near)}: senders ignore this record, which must begin with ${VERSION}; (case matters)`]
      : [];
    return { ...none, recordProblems };
  }
  if (records.length > 1) {
    return {
      ...none,
      records,
      recordProblems: [
        `${records.length} ${VERSION} records at ${recordName}: senders use none (RFC 8461 §3.1)`,
      ],
    };
  }
  const record = records[0]!;
  const parsed = parseMtaStsRecord(record);
  return { recordName, record, records, id: parsed.id, recordProblems: parsed.problems };
}

/** One record that parses: the only state in which senders go on to fetch the policy. */
export function hasUsableRecord(facts: MtaStsRecordFacts): boolean {
  return facts.record !== null && facts.id !== null && facts.recordProblems.length === 0;
}
