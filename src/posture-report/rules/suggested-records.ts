import type { PostureFacts } from '../../posture/index.js';
import type { SuggestedRecord } from '../types.js';
import { appliedPolicy } from './authentication-state.js';
import { bimiBlockers } from './bimi-rules.js';
import { duplicateIncludes, mergeSpfRecords, repairSpfRecord, startingSpfRecord } from './spf-record-text.js';

// Records to paste. One per name: when several problems touch the same record, the suggestion
// fixes all of them, since pasting one fix over another would undo it.

/** RFC 7489's tags and DMARCbis's: a suggestion keeps only these. */
const DMARC_TAGS = new Set([
  'v',
  'p',
  'sp',
  'np',
  'pct',
  'adkim',
  'aspf',
  'rua',
  'ruf',
  'fo',
  'rf',
  'ri',
  'psd',
  't',
]);
/** A report address a receiver can use: `mailto:` a mailbox, with an optional size limit. */
const REPORT_URI = /^mailto:[a-z0-9._%+=-]+@[a-z0-9-]+(\.[a-z0-9-]+)+(![0-9]+[kmgt]?)?$/i;

/**
 * A report list without the addresses no receiver can use, so a suggestion never carries a broken
 * one forward; null when none is left (the tag is dropped).
 */
function usableReportUris(value: string): string | null {
  const kept = value
    .split(',')
    .map((uri) => uri.trim())
    .filter((uri) => REPORT_URI.test(uri));
  return kept.length > 0 ? kept.join(',') : null;
}

/**
 * A DMARC record with tags set (a value) or removed (null), in the order written; new tags at the
 * end. Tags DMARC does not know and report addresses that cannot be used are left out: a record
 * to paste must not repeat what the report calls broken.
 */
export function editDmarcRecord(record: string, changes: Record<string, string | null>): string {
  const pending = new Map(Object.entries(changes));
  const tags = record
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .flatMap((part) => {
      const name = part
        .slice(0, Math.max(part.indexOf('='), 0))
        .trim()
        .toLowerCase();
      if (!DMARC_TAGS.has(name)) return [];
      if ((name === 'rua' || name === 'ruf') && !pending.has(name)) {
        const uris = usableReportUris(part.slice(part.indexOf('=') + 1));
        return uris === null ? [] : [`${name}=${uris}`];
      }
      if (!pending.has(name)) return [part];
      const value = pending.get(name);
      pending.delete(name);
      return value === null || value === undefined ? [] : [`${name}=${value}`];
    });
  for (const [name, value] of pending) if (value !== null) tags.push(`${name}=${value}`);
  return tags.join('; ');
}

function spfFixes(facts: PostureFacts): SuggestedRecord[] {
  const { spf } = facts;
  const name = spf.domain;
  if (spf.lookupError) return [];
  if (spf.records.length === 0) {
    const start = startingSpfRecord(facts);
    const from =
      start.providers.length > 0
        ? `from the services seen in DKIM and MX (${start.providers.join(', ')})`
        : 'from what DNS shows';
    return [
      {
        name,
        type: 'TXT',
        value: start.value,
        why: `A first SPF record built ${from}: a start to review, adding every other service that sends as the domain.`,
      },
    ];
  }
  if (spf.records.length > 1) {
    return [
      {
        name,
        type: 'TXT',
        value: mergeSpfRecords(spf.records),
        why: `One record for the ${spf.records.length} published (the others deleted): their mechanisms in order without repeats, and one all.`,
      },
    ];
  }
  const record = spf.records[0] ?? '';
  // A term receivers cannot parse cannot be repaired by rewriting: the finding names it.
  if (spf.error?.kind === 'syntax' && spf.error.domain === spf.domain) return [];
  const repaired = repairSpfRecord(record);
  if (repaired.changes.length === 0) return [];
  const duplicates = duplicateIncludes(record);
  const why = duplicates.length > 0 ? ' (a repeated include costs a lookup and matches nothing new)' : '';
  return [
    { name, type: 'TXT', value: repaired.value, why: `The record ${repaired.changes.join(', ')}${why}.` },
  ];
}

function dmarcFixes(facts: PostureFacts): SuggestedRecord[] {
  const { dmarc, request } = facts;
  if (dmarc.lookupError) return [];
  if (dmarc.records.length === 0) {
    return [
      {
        name: `_dmarc.${request.domain}`,
        type: 'TXT',
        value: `v=DMARC1; p=none; rua=mailto:dmarc-reports@${request.domain}`,
        why: 'Start with monitoring: the reports go to that mailbox (it must exist); once they show all your mail passing, move to p=quarantine, then p=reject.',
      },
    ];
  }
  if (dmarc.records.length > 1 || dmarc.record === null) return [];
  const policy = appliedPolicy(dmarc);
  const bimi = facts.bimi.record !== null ? bimiBlockers(facts) : [];
  if (policy !== 'none' && bimi.length === 0) return [];
  // An inherited record is edited where it lives; its sp= is what applies to the domain.
  const policyTag = dmarc.source === 'organizational' && dmarc.tags.sp !== undefined ? 'sp' : 'p';
  const changes: Record<string, string | null> = {};
  if (policy !== 'quarantine' && policy !== 'reject') changes[policyTag] = 'quarantine';
  if (bimi.length > 0) {
    changes.pct = null;
    if (dmarc.subdomainPolicy === 'none') changes.sp = 'quarantine';
  }
  const why =
    bimi.length > 0
      ? 'What BIMI needs: DMARC enforced (quarantine) on all the mail, once the reports show all your mail passing.'
      : 'The next step after p=none, once the reports show all your services passing aligned SPF or DKIM: failing mail goes to spam; p=reject after that.';
  return [
    {
      name: `_dmarc.${dmarc.sourceDomain ?? request.domain}`,
      type: 'TXT',
      value: editDmarcRecord(dmarc.record, changes),
      why,
    },
  ];
}

function reportAuthorizations(facts: PostureFacts): SuggestedRecord[] {
  const { dmarc } = facts;
  if (dmarc.records.length !== 1) return [];
  return [...dmarc.rua, ...dmarc.ruf]
    .filter((destination) => destination.external && destination.authorized === false && destination.domain)
    .map((destination) => ({
      name:
        destination.authorizationName ??
        `${dmarc.sourceDomain ?? facts.request.domain}._report._dmarc.${destination.domain}`,
      type: 'TXT' as const,
      value: 'v=DMARC1',
      why: `Published by ${destination.domain} (not by you), it lets receivers send your DMARC reports there.`,
    }));
}

export function suggestedRecords(facts: PostureFacts): SuggestedRecord[] {
  const fixes = [...spfFixes(facts), ...dmarcFixes(facts), ...reportAuthorizations(facts)];
  return fixes.filter(
    (fix, index) =>
      fixes.findIndex((other) => other.name === fix.name && other.value === fix.value) === index,
  );
}
