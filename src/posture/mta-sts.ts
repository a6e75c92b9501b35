import { MTA_STS_POLICY_PATH, type MtaStsFetchOptions, fetchMtaStsPolicy } from './mta-sts-fetch.js';
import { mtaStsCoverage, parseMtaStsPolicy } from './mta-sts-policy.js';
import { hasUsableRecord, lookupMtaStsRecord } from './mta-sts-record.js';
import type { MtaStsFacts, Port25Evidence } from './transport-types.js';
import type { PostureDns } from './types.js';

export type { MtaStsFetchOptions } from './mta-sts-fetch.js';

// MTA-STS as a sender discovers it (RFC 8461 §3, §5): the record, then the policy when the record
// is usable, then each MX host against the policy. The last step needs our port-25 probes, which
// take longest, so it is apart: the report fetches the policy while the probes run, then adds the
// coverage when they are done.

/** The record and the policy, without the MX hosts: what can be known before the probes finish. */
export type MtaStsPolicyFacts = Omit<MtaStsFacts, 'coverage'>;

/**
 * The record and, when it is usable, the policy. Senders fetch nothing without one usable
 * record, so neither does this: `fetch.outcome` is then `not-asked`.
 */
export async function fetchMtaSts(
  dns: PostureDns,
  domain: string,
  options: MtaStsFetchOptions,
): Promise<MtaStsPolicyFacts> {
  const record = await lookupMtaStsRecord(dns, domain);
  if (!hasUsableRecord(record)) {
    const url = `https://mta-sts.${domain}${MTA_STS_POLICY_PATH}`;
    return { ...record, fetch: { url, outcome: 'not-asked' }, policy: null };
  }
  const download = await fetchMtaStsPolicy(dns, domain, options);
  const policy = download.text === null ? null : parseMtaStsPolicy(download.text);
  return { ...record, fetch: download.fetch, policy };
}

/** Adds each MX host's coverage once the port-25 probes are done; none without a policy. */
export function withCoverage(
  facts: MtaStsPolicyFacts,
  exchanges: readonly string[],
  evidence: readonly Port25Evidence[],
): MtaStsFacts {
  return { ...facts, coverage: facts.policy ? mtaStsCoverage(facts.policy, exchanges, evidence) : [] };
}

/** All of it in one call, for a caller that already holds the probes' evidence. */
export async function gatherMtaSts(
  dns: PostureDns,
  domain: string,
  exchanges: readonly string[],
  evidence: readonly Port25Evidence[],
  options: MtaStsFetchOptions,
): Promise<MtaStsFacts> {
  return withCoverage(await fetchMtaSts(dns, domain, options), exchanges, evidence);
}
