import type { MtaStsCoverage, PostureFacts } from '../../posture/index.js';
import { listed, type PostureRule, postureFinding } from './posture-rule.js';

// MTA-STS (RFC 8461) and TLS-RPT (RFC 8460): whether senders that honour the policy can deliver.
// In enforce mode a policy that does not fit the MX hosts stops mail from Gmail, Microsoft and
// every other compliant sender; in testing mode the same faults only produce reports.

function enforced(facts: PostureFacts): boolean {
  return facts.mtaSts.policy?.mode === 'enforce';
}

function policyUrl(facts: PostureFacts): string {
  return facts.mtaSts.fetch.url;
}

export const mtaStsRecordInvalid: PostureRule = {
  id: 'mta-sts-record-invalid',
  check(facts) {
    const { mtaSts } = facts;
    if (mtaSts.lookupError || mtaSts.recordProblems.length === 0) return [];
    return [
      postureFinding(
        'mta-sts-record-invalid',
        'warning',
        `The MTA-STS record at ${mtaSts.recordName} cannot be used: ${mtaSts.recordProblems.join('; ')}. Senders treat the domain as having no MTA-STS policy`,
        [
          `Publish exactly one TXT record at ${mtaSts.recordName}: v=STSv1; id=<1 to 32 letters and digits, changed whenever the policy changes>.`,
        ],
      ),
    ];
  },
};

export const mtaStsPolicyUnreachable: PostureRule = {
  id: 'mta-sts-policy-unreachable',
  check(facts) {
    const { mtaSts } = facts;
    if (mtaSts.record === null || mtaSts.fetch.outcome !== 'unreachable') return [];
    const why = mtaSts.fetch.problem ?? 'no answer';
    return [
      postureFinding(
        'mta-sts-policy-unreachable',
        'warning',
        `${mtaSts.recordName} announces an MTA-STS policy, but ${policyUrl(facts)} could not be fetched: ${why}. New senders see no policy; senders holding an older copy keep applying it until it expires`,
        [
          `Serve the policy at ${policyUrl(facts)} over HTTPS with a certificate valid for mta-sts.${facts.request.domain}, status 200, Content-Type text/plain, without redirects.`,
          `If MTA-STS is being retired, publish a policy with mode: none and a new id for at least the old max_age before removing the record.`,
        ],
      ),
    ];
  },
};

export const mtaStsPolicyInvalid: PostureRule = {
  id: 'mta-sts-policy-invalid',
  check(facts) {
    const { policy } = facts.mtaSts;
    if (!policy || policy.problems.length === 0) return [];
    return [
      postureFinding(
        'mta-sts-policy-invalid',
        'warning',
        `The MTA-STS policy at ${policyUrl(facts)} is not valid: ${policy.problems.join('; ')}. Senders ignore a policy they cannot parse`,
        [
          'Write the policy as RFC 8461 §3.2 says, one key per line: version: STSv1, mode: enforce|testing|none, mx: <pattern> (one line per MX pattern), max_age: <seconds, up to 31557600>.',
          `Change the id in ${facts.mtaSts.recordName} when the policy changes, so senders fetch it again.`,
        ],
      ),
    ];
  },
};

export const mtaStsMxNotCovered: PostureRule = {
  id: 'mta-sts-mx-not-covered',
  check(facts) {
    const { policy, coverage } = facts.mtaSts;
    if (!policy || policy.mode === 'none' || policy.mode === null) return [];
    const uncovered = coverage.filter((host) => host.pattern === null).map((host) => host.exchange);
    if (uncovered.length === 0) return [];
    const patterns = policy.mx.length > 0 ? listed(policy.mx) : 'no pattern at all';
    return [
      postureFinding(
        'mta-sts-mx-not-covered',
        enforced(facts) ? 'critical' : 'warning',
        enforced(facts)
          ? `The MTA-STS policy is in enforce mode but its mx patterns (${patterns}) do not match ${listed(uncovered)}: compliant senders will not deliver to ${uncovered.length === 1 ? 'that host' : 'those hosts'}`
          : `The MTA-STS policy (testing) does not match ${listed(uncovered)} with its mx patterns (${patterns}): in enforce mode compliant senders would not deliver there`,
        [
          `Add an mx line for ${listed(uncovered)} to the policy (a pattern *.example.com matches exactly one label before example.com), then change the id in ${facts.mtaSts.recordName}.`,
        ],
      ),
    ];
  },
};

function certificateProblem(host: MtaStsCoverage): string | null {
  switch (host.certificate) {
    case 'name-mismatch':
      return `${host.exchange} presents a certificate for another name`;
    case 'untrusted':
      return `${host.exchange} presents a certificate whose chain does not verify`;
    case 'expired':
      return `${host.exchange} presents an expired certificate`;
    case 'no-tls':
      return `${host.exchange} does not complete STARTTLS on port 25`;
    default:
      return null;
  }
}

export const mtaStsCertificateMismatch: PostureRule = {
  id: 'mta-sts-certificate-mismatch',
  check(facts) {
    const { policy, coverage } = facts.mtaSts;
    if (!policy || policy.mode === 'none' || policy.mode === null) return [];
    const problems = coverage.flatMap((host) => {
      const problem = host.pattern === null ? null : certificateProblem(host);
      return problem === null ? [] : [problem];
    });
    if (problems.length === 0) return [];
    return [
      postureFinding(
        'mta-sts-certificate-mismatch',
        enforced(facts) ? 'critical' : 'warning',
        enforced(facts)
          ? `The MTA-STS policy is in enforce mode, and ${listed(problems)} (seen by our own port-25 probe): compliant senders will not deliver there`
          : `The MTA-STS policy is in testing mode, and ${listed(problems)} (seen by our own port-25 probe): senders report it; in enforce mode they would not deliver`,
        [
          'Give each MX host a certificate from a public CA that names the MX host itself (the name in the MX record), and keep it renewed.',
          enforced(facts)
            ? `Until then, switch the policy to mode: testing and change the id in ${facts.mtaSts.recordName}, so mail keeps flowing while it is fixed.`
            : 'Fix it before switching the policy to enforce.',
        ],
      ),
    ];
  },
};

export const mtaStsTesting: PostureRule = {
  id: 'mta-sts-testing',
  check(facts) {
    if (facts.mtaSts.policy?.mode !== 'testing') return [];
    return [
      postureFinding(
        'mta-sts-testing',
        'info',
        'The MTA-STS policy is in testing mode: senders deliver even when TLS fails, and only report it (TLS-RPT)',
        [
          'Read the TLS-RPT reports for a few weeks; when they show no failures, switch to mode: enforce and change the id.',
        ],
      ),
    ];
  },
};

export const tlsRptMissing: PostureRule = {
  id: 'tlsrpt-missing',
  check(facts) {
    const { tlsRpt } = facts;
    const usesPolicy = facts.mtaSts.record !== null || facts.dane.some((host) => host.records.length > 0);
    if (!usesPolicy || tlsRpt.lookupError) return [];
    if (tlsRpt.record !== null && tlsRpt.rua.length > 0 && tlsRpt.problems.length === 0) return [];
    const what =
      tlsRpt.record === null
        ? `no TLS-RPT record at ${tlsRpt.name}`
        : `${tlsRpt.name}: ${tlsRpt.problems.join('; ')}`;
    return [
      postureFinding(
        'tlsrpt-missing',
        'info',
        `${facts.request.domain} publishes MTA-STS or DANE but ${what}: nobody hears when senders fail to deliver over TLS`,
        [`Publish TXT ${tlsRpt.name}: v=TLSRPTv1; rua=mailto:tls-reports@${facts.request.domain}`],
      ),
    ];
  },
};

export const MTA_STS_RULES: readonly PostureRule[] = [
  mtaStsRecordInvalid,
  mtaStsPolicyUnreachable,
  mtaStsPolicyInvalid,
  mtaStsMxNotCovered,
  mtaStsCertificateMismatch,
  mtaStsTesting,
  tlsRptMissing,
];
