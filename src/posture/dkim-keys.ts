import { followCname } from './cname-chain.js';
import { describeFailure } from './describe-failure.js';
import { isDkimRecord, parseDkimRecord } from './dkim-record.js';
import { COMMON_DKIM_SELECTORS, SENDING_PROVIDERS, providerOfMxHost } from './providers.js';
import type { DkimKey, DkimSelectorSource, PostureDns } from './types.js';

// DNS cannot list a domain's DKIM selectors (only a message's DKIM-Signature: s= names one), so the
// report asks for the ones it was given, or else for the ones the domain's providers use and the
// common defaults: a key not found among guesses is not a key that does not exist.

export interface DkimSelectorChoice {
  selector: string;
  source: DkimSelectorSource;
  provider?: string;
}

/** Every guess is one or two questions; past this the guesses cost more than they tell. */
export const MAX_DKIM_SELECTORS = 16;

/**
 * The selectors to ask for: the given ones when there are any; else the selectors of the providers
 * found in the SPF tree (by name) and of the mailbox service the MX hosts belong to, then the common
 * defaults. Each selector once, the first reason kept.
 */
export function dkimSelectorsToTry(
  given: readonly string[],
  spfProviders: readonly string[],
  mxExchanges: readonly string[],
): DkimSelectorChoice[] {
  const chosen = new Map<string, DkimSelectorChoice>();
  const add = (selector: string, source: DkimSelectorSource, provider?: string) => {
    const bare = selector.trim().toLowerCase().replace(/\.$/, '');
    if (bare.length === 0 || chosen.has(bare) || chosen.size >= MAX_DKIM_SELECTORS) return;
    chosen.set(bare, { selector: bare, source, ...(provider !== undefined ? { provider } : {}) });
  };
  for (const selector of given) add(selector, 'given');
  if (chosen.size > 0) return [...chosen.values()];

  const providers = [
    ...spfProviders.map((name) => SENDING_PROVIDERS.find((provider) => provider.name === name)),
    ...mxExchanges.map(providerOfMxHost),
  ];
  for (const provider of providers) {
    for (const selector of provider?.dkimSelectors ?? []) add(selector, 'provider', provider!.name);
  }
  for (const selector of COMMON_DKIM_SELECTORS) add(selector, 'common');
  return [...chosen.values()];
}

async function lookUpKey(dns: PostureDns, domain: string, choice: DkimSelectorChoice): Promise<DkimKey> {
  const name = `${choice.selector}._domainkey.${domain}`;
  // The TXT answer already follows a delegation; the chain is asked alongside to show where it ends.
  const [answer, cname] = await Promise.all([dns.txt(name), followCname(dns, name)]);
  const key: DkimKey = {
    selector: choice.selector,
    name,
    source: choice.source,
    ...(choice.provider !== undefined ? { provider: choice.provider } : {}),
    found: false,
    ...(cname !== undefined ? { cname } : {}),
    testing: false,
    revoked: false,
  };
  if (answer.kind === 'error') return { ...key, lookupError: describeFailure('TXT', name, answer) };
  if (answer.kind !== 'records') return key;
  const records = answer.records.map((strings) => strings.join('')).filter(isDkimRecord);
  const record = records[0];
  if (record === undefined) return key;
  const parsed = parseDkimRecord(record);
  const problems = [
    // RFC 6376 §3.6.2.2 lets a verifier take any one of them: which key checks a signature is luck.
    ...(records.length > 1 ? [`${records.length} key records at the name: verifiers may use any one`] : []),
    ...(parsed.problem !== undefined ? [parsed.problem] : []),
  ];
  return {
    ...key,
    found: true,
    record,
    keyType: parsed.keyType,
    bits: parsed.bits,
    testing: parsed.testing,
    revoked: parsed.revoked,
    ...(problems.length > 0 ? { problem: problems.join('; ') } : {}),
  };
}

/** The key record of each selector, asked in parallel, in the order the selectors were given. */
export function gatherDkim(
  dns: PostureDns,
  domain: string,
  selectors: readonly DkimSelectorChoice[],
): Promise<DkimKey[]> {
  return Promise.all(selectors.map((choice) => lookUpKey(dns, domain, choice)));
}
