import type { DkimKey, DmarcFacts, DmarcPolicy, PostureFacts } from '../../posture/index.js';
import type { SenderRuleStatus } from '../types.js';

// What the mailbox providers' rules ask, read from the facts: does SPF, DKIM, DMARC stand? Each
// answer carries its evidence, so the sender rules and their findings say the same thing.

export interface AuthenticationState {
  status: SenderRuleStatus;
  evidence: string;
}

/** The policy receivers apply to the domain: a record inherited from the organizational domain applies its sp=. */
export function appliedPolicy(dmarc: DmarcFacts): DmarcPolicy | null {
  return dmarc.source === 'organizational' ? (dmarc.subdomainPolicy ?? dmarc.policy) : dmarc.policy;
}

/** A key a verifier can check signatures with. */
export function usableKey(key: DkimKey): boolean {
  const rsa = key.keyType === undefined || key.keyType === 'rsa';
  const tooWeak = rsa && typeof key.bits === 'number' && key.bits < 1024;
  return key.found && !key.revoked && !key.problem && !tooWeak;
}

export function spfState(facts: PostureFacts): AuthenticationState {
  const { spf } = facts;
  if (spf.lookupError)
    return { status: 'unknown', evidence: `the SPF lookup got no answer (${spf.lookupError})` };
  if (spf.records.length === 0) return { status: 'no', evidence: `${spf.domain} publishes no SPF record` };
  if (spf.records.length > 1)
    return {
      status: 'no',
      evidence: `${spf.domain} publishes ${spf.records.length} SPF records (permerror)`,
    };
  if (spf.error?.kind === 'temperror')
    return { status: 'unknown', evidence: `an SPF lookup got no answer (${spf.error.message})` };
  if (spf.error) return { status: 'no', evidence: `SPF ends in permerror: ${spf.error.message}` };
  const evaluation = spf.result;
  if (evaluation) {
    if (evaluation.result === 'pass') return { status: 'yes', evidence: `SPF passes for ${evaluation.ip}` };
    if (evaluation.result === 'temperror')
      return { status: 'unknown', evidence: `SPF for ${evaluation.ip} ended in temperror` };
    return { status: 'no', evidence: `SPF gives ${evaluation.result} for ${evaluation.ip}, not pass` };
  }
  return { status: 'yes', evidence: `${spf.domain} publishes a valid SPF record` };
}

export function dkimState(facts: PostureFacts): AuthenticationState {
  const found = facts.dkim.filter((key) => key.found);
  const usable = found.filter(usableKey);
  if (usable.length > 0) {
    return {
      status: 'yes',
      evidence: `a usable DKIM key at ${usable.map((key) => key.selector).join(', ')}`,
    };
  }
  const given = facts.dkim.filter((key) => key.source === 'given');
  const unusable = found.map(
    (key) => `${key.selector}: ${key.revoked ? 'revoked' : (key.problem ?? `${key.bits} bits`)}`,
  );
  // A selector the user named is the one their mail is signed with: its key decides. The usual
  // selectors are only guesses, and a key elsewhere may sign the mail.
  if (given.length > 0 && given.every((key) => !key.lookupError)) {
    return {
      status: 'no',
      evidence: `no usable DKIM key at the selector${given.length === 1 ? '' : 's'} given (${given
        .map((key) => (key.found ? unusable[found.indexOf(key)] : `${key.selector}: no key`))
        .join('; ')})`,
    };
  }
  const seen = unusable.length > 0 ? `; the keys found cannot verify (${unusable.join('; ')})` : '';
  return {
    status: 'unknown',
    evidence: `no usable DKIM key at the selectors tried (${facts.dkim.map((key) => key.selector).join(', ')})${seen}; a message's DKIM-Signature header (s=) names the selector in use`,
  };
}

export function dmarcState(facts: PostureFacts): AuthenticationState {
  const { dmarc } = facts;
  const name = `_dmarc.${dmarc.sourceDomain ?? facts.request.domain}`;
  if (dmarc.lookupError)
    return { status: 'unknown', evidence: `the DMARC lookup got no answer (${dmarc.lookupError})` };
  if (dmarc.records.length === 0)
    return { status: 'no', evidence: `no DMARC record for ${facts.request.domain}` };
  if (dmarc.records.length > 1)
    return { status: 'no', evidence: `${name} holds ${dmarc.records.length} DMARC records, so none applies` };
  const policy = appliedPolicy(dmarc);
  if (policy === null) return { status: 'no', evidence: `the DMARC record at ${name} sets no usable policy` };
  const inherited = dmarc.source === 'organizational' ? ` (inherited from ${name})` : '';
  return { status: 'yes', evidence: `DMARC p=${policy}${inherited}` };
}
