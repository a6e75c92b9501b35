import type { PortClass } from '../probe/types.js';
import { describeSecurity } from './config-snippets.js';
import { listPorts } from './evidence.js';
import { egressExplains, egressOpen, isExpectedPort } from './expectations.js';
import { port25BlockerNames } from './knowledge/clouds.js';
import { classesInSection } from './knowledge/port-classes.js';
import { providerAlternates, providerPorts } from './knowledge/providers.js';
import type {
  DiagnoseContext,
  Finding,
  FindingId,
  PortDiagnosis,
  ProviderInfo,
  Recommendation,
} from './types.js';

export interface ChecklistInput {
  /** The host as the diagnosis names it. */
  host: string;
  ports: PortDiagnosis[];
  hostFindings: Finding[];
  provider: ProviderInfo | null;
  recommendation: Recommendation | null;
  egressCanary: DiagnoseContext['egressCanary'];
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function step(found: Finding): string {
  return `${sentence(found.summary)}${found.advice[0] ? ` ${found.advice[0]}` : ''}`;
}

function portFindings(ports: PortDiagnosis[], ids: FindingId[]): Finding[] {
  return ports.flatMap((port) => port.findings.filter((found) => ids.includes(found.id)));
}

/** The way around a blocked 25, true to what was probed: a port that works, or ones not yet tried. */
function way(recommendation: Recommendation | null, ports: PortDiagnosis[]): string {
  if (recommendation && recommendation.port !== 25) {
    return `use ${recommendation.port} with ${describeSecurity(recommendation.security)}, which works from here`;
  }
  const untried = [
    { port: 587, label: '587 (STARTTLS)' },
    { port: 465, label: '465 (implicit TLS)' },
  ].filter((choice) => !ports.some((port) => port.port === choice.port));
  if (untried.length === 0) return 'get 587 or 465 working first, as neither works from here either';
  return `check ${untried.map((choice) => choice.label).join(' and ')} too (not probed here) and submit through the one that works`;
}

export interface ChecklistStep {
  text: string;
  /**
   * The step restates findings (their summary, or the advice they carry, as for a firewall DROP):
   * a report that lists the findings with their advice leaves it out, so each fact is said once.
   */
  fromFindings: boolean;
}

/** The checklist as the diagnosis carries it (JSON `advice[]`, the Slack advice reply). */
export function buildChecklist(input: ChecklistInput): string[] {
  return buildChecklistSteps(input).map((entry) => entry.text);
}

/**
 * The troubleshooting steps that fit the findings, in the order a person would try them:
 * the network first (it is the usual culprit), then the server's ports, TLS mode, certificate,
 * and what sits in between.
 */
export function buildChecklistSteps(input: ChecklistInput): ChecklistStep[] {
  const { ports, hostFindings, provider, recommendation, egressCanary, host } = input;
  const steps: ChecklistStep[] = [];
  const cited = (text: string) => steps.push({ text, fromFindings: true });
  const own = (text: string) => steps.push({ text, fromFindings: false });
  const hostFinding = (id: FindingId) => hostFindings.find((found) => found.id === id);

  for (const id of classesInSection('host')) {
    const found = hostFinding(id);
    if (found) cited(step(found));
  }

  // 1. Outbound 25, blocked by the network the check runs from.
  // Unless the egress canary reached 25 elsewhere: then this network lets 25 out (a firewall step below).
  const networkMayBlock25 = (port: PortDiagnosis) =>
    port.port === 25 && port.class === 'filtered' && !egressOpen(port, egressCanary);
  const port25 = ports.find((port) => networkMayBlock25(port) && isExpectedPort(25, provider));
  const egress = hostFinding('egress-blocked');
  if (egress) {
    cited(
      `${sentence(egress.summary)} Clouds and ISPs that block outbound 25 by default: ${port25BlockerNames()}; ${way(recommendation, ports)}.`,
    );
  } else if (port25) {
    const evidence = port25.findings.find((found) => found.id === 'filtered')?.summary ?? 'no answer on 25';
    cited(
      `${sentence(evidence)} Outbound 25 is commonly blocked by clouds and ISPs (${port25BlockerNames()}): if you send from one of them, ${way(recommendation, ports)}, or ask them to lift the block.`,
    );
  }

  // 2. Firewalls: DROP looks like filtered, REJECT like refused.
  const firewallClasses: PortClass[] = classesInSection('firewall');
  const firewall = ports.filter(
    (port) =>
      firewallClasses.includes(port.class) &&
      !networkMayBlock25(port) &&
      !egressExplains(port, egressCanary) &&
      isExpectedPort(port.port, provider),
  );
  const byClass = (cls: string) => firewall.filter((port) => port.class === cls).map((port) => port.port);
  if (byClass('filtered').length > 0) {
    cited(
      `No answer on ${listPorts(byClass('filtered'))} (filtered): that is a firewall DROP. Check the outbound rules of this network and the inbound rules (security group, firewall) of ${host}.`,
    );
  }
  if (byClass('refused').length > 0) {
    cited(
      `${listPorts(byClass('refused'))} refused the connection: nothing listens there, or a firewall REJECTs it. Check that the server listens on ${listPorts(byClass('refused'))}.`,
    );
  }
  if (byClass('unreachable').length > 0) {
    cited(
      `${listPorts(byClass('unreachable'))}: ICMP unreachable from a router or firewall on the way; check routing and the outbound firewall here.`,
    );
  }

  // 3. What the provider supports.
  if (provider && ports.some((port) => !port.usable)) {
    const alternates = providerAlternates(provider);
    const undocumented = ports
      .filter((port) => !providerPorts(provider).includes(port.port))
      .map((port) => port.port);
    const starttls =
      provider.starttlsPorts.length > 0 ? `STARTTLS on ${listPorts(provider.starttlsPorts)}` : null;
    const implicit =
      provider.implicitTlsPorts.length > 0 ? `implicit TLS on ${listPorts(provider.implicitTlsPorts)}` : null;
    own(
      [
        `${provider.name} documents ${[starttls, implicit].filter(Boolean).join(' and ')} (${provider.docsUrl}).`,
        alternates.length > 0 ? `${provider.name} also listens on ${listPorts(alternates)}.` : null,
        undocumented.length > 0
          ? `It does not offer ${listPorts(undocumented)}, so failures there are expected.`
          : null,
      ]
        .filter(Boolean)
        .join(' '),
    );
  }

  // 4. Implicit TLS vs STARTTLS.
  const mixUps = portFindings(ports, classesInSection('tls-mode'));
  const wrongVersion = ports.some(
    (port) => port.class === 'tls-handshake-failed' && port.failure?.code?.includes('WRONG_VERSION_NUMBER'),
  );
  if (mixUps.length > 0 || wrongVersion) {
    // Without a mix-up finding to cite, the explanation is the step's own.
    (mixUps.length > 0 ? cited : own)(
      `Implicit TLS and STARTTLS are different settings: 465 (and 2465) expect TLS from the first byte (SSL/TLS, nodemailer secure: true); 587, 2525 and 2587 start plain and upgrade (STARTTLS, secure: false with requireTLS: true).${mixUps.map((found) => ` ${sentence(found.summary)}`).join('')}`,
    );
  }
  for (const found of portFindings(ports, [...classesInSection('tls'), 'auth-before-tls'])) {
    cited(step(found));
  }

  // 5. Certificates.
  const certificates: FindingId[] = [
    'cert-expired',
    'cert-expiring',
    'cert-self-signed',
    'cert-untrusted',
    'cert-hostname-mismatch',
  ];
  for (const found of portFindings(ports, certificates)) cited(step(found));

  // 6. Middleboxes, transparent proxies, greetings, pauses, and the rest.
  const later: FindingId[] = [
    ...classesInSection('middlebox'),
    'banner-masked',
    ...classesInSection('answer'),
    'slow-response',
  ];
  for (const id of later) for (const found of portFindings(ports, [id])) cited(step(found));
  const proxyHint = portFindings(ports, ['banner-name-mismatch']).find((found) => found.severity !== 'info');
  if (proxyHint) cited(step(proxyHint));

  const seen = new Set<string>();
  return steps.filter((entry) => !seen.has(entry.text) && seen.add(entry.text));
}
