import type { PostureFacts } from '../../posture/index.js';
import { providerOfMxHost, SENDING_PROVIDERS } from '../../posture/index.js';

// SPF records rewritten as text, for the records the report suggests. Terms are kept as written
// (receivers compare mechanisms case-insensitively, and a leading `+` is the default qualifier), so
// a suggestion differs from what is published only where it has to.

const ALL = /^([+~?-]?)all$/i;
const MODIFIER = /^[a-z][a-z0-9_.-]*=/i;
/** Strictest first: the order a merge picks the `all` in. */
const STRICTNESS = ['-', '~', '?', '+'] as const;
type AllQualifier = (typeof STRICTNESS)[number];

/** The terms after `v=spf1`. */
export function spfTokens(record: string): string[] {
  const [version = '', ...terms] = record.trim().split(/\s+/);
  return version.toLowerCase() === 'v=spf1' ? terms : [];
}

/** The same mechanism whatever its case or an explicit `+`. */
function termKey(token: string): string {
  return token.toLowerCase().replace(/^\+/, '');
}

function allQualifier(token: string): AllQualifier | null {
  const match = ALL.exec(token);
  return match ? ((match[1] || '+') as AllQualifier) : null;
}

function isRedirect(token: string): boolean {
  return /^redirect=/i.test(token);
}

/** Includes named more than once: each costs a lookup again and matches nothing new. */
export function duplicateIncludes(record: string): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const token of spfTokens(record)) {
    const key = termKey(token);
    if (!key.startsWith('include:')) continue;
    if (seen.has(key)) duplicates.add(token);
    seen.add(key);
  }
  return [...duplicates];
}

/**
 * The record with duplicate mechanisms dropped, `+all` / `?all` turned into `~all`, and `~all`
 * appended when it ends with neither `all` nor `redirect=`. `changes` says what was changed.
 */
export function repairSpfRecord(record: string): { value: string; changes: string[] } {
  const changes: string[] = [];
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const token of spfTokens(record)) {
    const key = termKey(token);
    if (!MODIFIER.test(token) && seen.has(key)) {
      changes.push(`drops the repeated ${token}`);
      continue;
    }
    seen.add(key);
    const qualifier = allQualifier(token);
    if (qualifier === '+' || qualifier === '?') {
      changes.push(`ends in ~all instead of ${token}`);
      kept.push('~all');
      continue;
    }
    kept.push(token);
  }
  if (!kept.some((token) => allQualifier(token) !== null || isRedirect(token))) {
    changes.push('ends in ~all');
    kept.push('~all');
  }
  return { value: ['v=spf1', ...kept].join(' '), changes };
}

/**
 * One record from several: their mechanisms in order without repeats, each `redirect=` turned into
 * an include (a merged record with an `all` would ignore it), and one `all`: the strictest of
 * those present, `~all` when none is or when the strictest still lets everyone through.
 */
export function mergeSpfRecords(records: readonly string[]): string {
  const mechanisms: string[] = [];
  const modifiers: string[] = [];
  const seen = new Set<string>();
  const redirects: string[] = [];
  const qualifiers = new Set<AllQualifier>();
  const add = (list: string[], token: string) => {
    const key = termKey(token);
    if (seen.has(key)) return;
    seen.add(key);
    list.push(token);
  };
  for (const record of records) {
    for (const token of spfTokens(record)) {
      const qualifier = allQualifier(token);
      if (qualifier !== null) qualifiers.add(qualifier);
      else if (isRedirect(token)) redirects.push(`include:${token.slice('redirect='.length)}`);
      else if (MODIFIER.test(token)) {
        // exp= and unknown modifiers once each, by name.
        const name = token.slice(0, token.indexOf('=')).toLowerCase();
        if (!modifiers.some((kept) => kept.toLowerCase().startsWith(`${name}=`))) modifiers.push(token);
      } else add(mechanisms, token);
    }
  }
  for (const include of redirects) add(mechanisms, include);
  const strictest = STRICTNESS.find((qualifier) => qualifiers.has(qualifier)) ?? '~';
  const all = strictest === '+' || strictest === '?' ? '~all' : `${strictest}all`;
  return ['v=spf1', ...mechanisms, all, ...modifiers].join(' ');
}

/**
 * A first SPF record for a domain that has none: an include for each sending service its DKIM keys
 * and MX hosts point to, `mx` (or `a`) when its own hosts are the likely senders, `-all` alone when it
 * receives no mail and no service was seen (a domain that sends nothing says so).
 */
export function startingSpfRecord(facts: PostureFacts): { value: string; providers: string[] } {
  const names = new Set<string>();
  for (const key of facts.dkim) if (key.found && key.provider) names.add(key.provider);
  for (const host of facts.mx.hosts) {
    const provider = providerOfMxHost(host.exchange);
    if (provider) names.add(provider.name);
  }
  for (const name of facts.spf.providers) names.add(name);
  const providers = SENDING_PROVIDERS.filter((provider) => names.has(provider.name));
  const includes = providers.flatMap((provider) =>
    provider.spfIncludes[0] ? [`include:${provider.spfIncludes[0]}`] : [],
  );
  // Without a known service, the hosts that receive the domain's mail are the likeliest senders.
  const own =
    providers.length > 0 || facts.mx.nullMx
      ? []
      : facts.mx.hosts.length > 0
        ? ['mx']
        : (facts.mx.implicit?.addresses.length ?? 0) > 0
          ? ['a']
          : [];
  const terms = [...includes, ...own];
  const value =
    terms.length === 0 && facts.mx.nullMx ? 'v=spf1 -all' : ['v=spf1', ...terms, '~all'].join(' ');
  return { value, providers: providers.map((provider) => provider.name) };
}
