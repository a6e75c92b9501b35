import type { PortClass } from '../probe/types.js';
import { describeSecurity } from './config-snippets.js';
import { listWords } from './evidence.js';
import { egressOpen, isExpectedPort } from './expectations.js';
import { cloudForVantage, port25BlockerNames } from './knowledge/clouds.js';
import { silentFinding } from './silent-vantages.js';
import { classSeverity, PORT_CLASS_TABLE } from './knowledge/port-classes.js';
import {
  compareSeverity,
  IMPLICIT_TLS_PORTS,
  roleForPort,
  SUBMISSION_PREFERENCE,
} from './knowledge/ports.js';
import type { HostDiagnosis, PortDiagnosis, Severity } from './types.js';
import {
  VANTAGE_NAME_PATTERN,
  type VantageComparison,
  type VantageFinding,
  type VantageOutcome,
} from './vantage-types.js';

// What comparing several networks' answers for one host concludes. Each vantage's own diagnosis
// already judges its ports; this only says what no single vantage can: that a port blocked here
// answers there (the network is to blame, not the server), that it is blocked from everywhere (the
// server is), or that one network's middlebox answers where the others reach the server. Every sentence is built from vantage names, port numbers and classes only: server
// text, a worker's refusal reason and its error message come from elsewhere and are not repeated.

/** How one vantage's view of a port counts when the views are compared. */
type Reach =
  /** No connection came through to a greeting: dropped, refused, ICMP unreachable, or silent after connecting. */
  | 'blocked'
  /** A middlebox showed itself: another server answered, or STARTTLS was visibly stripped. */
  | 'intercepted'
  /** Something SMTP answered: the server itself, unless another vantage shows otherwise (see intercepts). */
  | 'reached'
  /** Nothing was dialled (the name did not resolve there, or that vantage's policy forbade it). */
  | 'no-verdict';

/**
 * A connection that never got to a greeting is the path's or the firewall's doing. `no-banner` is
 * among them: where another vantage is greeted, whatever accepted the connection and stayed silent
 * sits on this vantage's path (a proxy holding the session, a tarpit for its addresses).
 */
const REACH: Record<PortClass, Reach> = {
  filtered: 'blocked',
  refused: 'blocked',
  unreachable: 'blocked',
  'no-banner': 'blocked',
  intercepted: 'intercepted',
  'starttls-stripped': 'intercepted',
  'dns-failed': 'no-verdict',
  'denied-by-policy': 'no-verdict',
  'open-starttls': 'reached',
  'open-implicit-tls': 'reached',
  'no-starttls': 'reached',
  'slow-banner': 'reached',
  'greeting-rejected': 'reached',
  'tls-handshake-failed': 'reached',
  'implicit-tls-on-starttls-port': 'reached',
  'plaintext-on-implicit-tls-port': 'reached',
  'not-smtp': 'reached',
  'oversized-response': 'reached',
};

/**
 * Plain SMTP where another vantage got TLS from the same server on the same port: something on
 * this path removed STARTTLS without leaving the marks `starttls-stripped` looks for, or answered
 * 465 in plain text in the server's place.
 */
const PLAIN_WHERE_TLS_IS_OFFERED: readonly PortClass[] = ['no-starttls', 'plaintext-on-implicit-tls-port'];

/** How a blocked port reads in a sentence ("25 is filtered from aws-eu"). */
const BLOCK_WORDS: Partial<Record<PortClass, string>> = {
  filtered: 'filtered',
  refused: 'refused',
  unreachable: 'unreachable',
  'no-banner': 'silent after connecting',
};

/** One answering vantage's diagnosis of one port. */
interface PortView {
  vantage: string;
  port: PortDiagnosis;
  diagnosis: HostDiagnosis;
}

type Answered = Extract<VantageOutcome, { kind: 'answered' }>;

export interface CompareOptions {
  /** The clock "last seen 3 min ago" is measured from; default: the newest answered `checkedAt`. */
  now?: Date;
}

/**
 * Vantage names are validated where they enter (a worker's announcement, the check request); one
 * that is not valid anyway is never written into a message: it becomes "vantage #2", which no valid
 * name can be, so it cannot pass for another vantage either.
 */
function safeNames(outcomes: VantageOutcome[]): VantageOutcome[] {
  return outcomes.map((outcome, index) =>
    VANTAGE_NAME_PATTERN.test(outcome.vantage) ? outcome : { ...outcome, vantage: `vantage #${index + 1}` },
  );
}

function answeredOnes(outcomes: VantageOutcome[]): Answered[] {
  return outcomes.filter((outcome): outcome is Answered => outcome.kind === 'answered');
}

/** Each port any answering vantage probed, ascending, with every answering vantage's view of it. */
function viewsByPort(answered: Answered[]): Map<number, PortView[]> {
  const numbers = [...new Set(answered.flatMap((outcome) => outcome.diagnosis.ports.map((p) => p.port)))];
  const byPort = new Map<number, PortView[]>();
  for (const number of numbers.sort((a, b) => a - b)) {
    byPort.set(
      number,
      answered.flatMap(({ vantage, diagnosis }) =>
        diagnosis.ports.filter((port) => port.port === number).map((port) => ({ vantage, port, diagnosis })),
      ),
    );
  }
  return byPort;
}

/**
 * For each port any answering vantage probed (ascending), the class each answering vantage found
 * it in, in the order of the outcomes: the rows and cells of a ports × vantages table. A vantage
 * missing from a row did not probe that port (or did not answer at all); renderers show a dash.
 * Vantage names are distinct within one check, so a name is a column.
 */
export function portClassByVantage(outcomes: VantageOutcome[]): Map<number, Map<string, PortClass>> {
  const matrix = new Map<number, Map<string, PortClass>>();
  for (const [number, views] of viewsByPort(answeredOnes(safeNames(outcomes)))) {
    matrix.set(number, new Map(views.map((view) => [view.vantage, view.port.class])));
  }
  return matrix;
}

function names(views: PortView[]): string {
  return listWords(views.map((view) => view.vantage));
}

/** "aws-eu's network", "the networks of aws-eu and gcp-us". */
function networksOf(views: PortView[]): string {
  return views.length === 1 ? `${views[0]?.vantage}'s network` : `the networks of ${names(views)}`;
}

/** "filtered from aws-eu and gcp-us, refused from lab": the views grouped by class, in first-seen order. */
function describeBlocks(blocked: PortView[]): string {
  const classes = [...new Set(blocked.map((view) => view.port.class))];
  return listWords(
    classes.map((portClass) => {
      const from = blocked.filter((view) => view.port.class === portClass);
      return `${BLOCK_WORDS[portClass] ?? PORT_CLASS_TABLE[portClass].phrase} from ${names(from)}`;
    }),
  );
}

/** "587 (STARTTLS) and 465 (implicit TLS)": the submission ports usable from one vantage, best first. */
function usableSubmission(diagnosis: HostDiagnosis, except: number): PortDiagnosis[] {
  const rank = (port: number) => {
    const at = SUBMISSION_PREFERENCE.indexOf(port);
    return at === -1 ? SUBMISSION_PREFERENCE.length : at;
  };
  return diagnosis.ports
    .filter((port) => port.usable && port.role === 'submission' && port.port !== except)
    .sort((a, b) => rank(a.port) - rank(b.port) || a.port - b.port);
}

function withSecurity(port: PortDiagnosis): string {
  return port.observedMode ? `${port.port} (${describeSecurity(port.observedMode)})` : String(port.port);
}

/** What the blocking vantage's owner can do: its provider's way out on 25, or open the port. */
function unblockAdvice(view: PortView, number: number): string[] {
  const { vantage } = view;
  if (egressOpen(view.port, view.diagnosis.egressCanary)) {
    return [
      `${vantage} reaches other servers on ${number} (its egress canary answered), so the firewall in front of the server turns ${vantage}'s addresses away: allow them there.`,
    ];
  }
  const cloud = number === 25 ? cloudForVantage(vantage) : null;
  const advice = [
    cloud
      ? `${cloud.network} blocks outbound 25 by default (${vantage} runs there, by its name): ${cloud.wayOut}.`
      : number === 25
        ? `Many clouds and ISPs block outbound 25 (${port25BlockerNames()}): ask whoever runs ${vantage}'s network to lift the block.`
        : `Ask whoever runs ${vantage}'s network to allow outbound ${number} (its firewall, security group or proxy).`,
  ];
  const wayOut = usableSubmission(view.diagnosis, number);
  if (wayOut.length > 0) {
    advice.push(
      `From ${vantage}, submit through ${listWords(wayOut.map(withSecurity))} instead, which ${wayOut.length === 1 ? 'works' : 'work'} there.`,
    );
  }
  return advice;
}

function vantageBlocksPort(number: number, blocked: PortView[], reached: PortView[]): VantageFinding {
  const turnedAway = blocked.filter((view) => egressOpen(view.port, view.diagnosis.egressCanary));
  const networkBlocks = blocked.filter((view) => !turnedAway.includes(view));
  const causes = [
    networkBlocks.length > 0
      ? `${networksOf(networkBlocks)} ${networkBlocks.length === 1 ? 'blocks' : 'block'} outbound ${number}`
      : null,
    turnedAway.length > 0 ? `the server's firewall turns ${names(turnedAway)} away` : null,
  ].filter((cause) => cause !== null);
  return {
    id: 'vantage-blocks-port',
    // Another network proves the server works: the fix is one network's egress, or another port.
    severity: 'warning',
    port: number,
    vantages: blocked.map((view) => view.vantage),
    summary: `${number} is ${describeBlocks(blocked)} but answers from ${names(reached)}: ${causes.join('; ')}`,
    advice: blocked.flatMap((view) => unblockAdvice(view, number)),
  };
}

/**
 * Blocked from everywhere is the server's own doing. Relay (25) is at most a warning, like every
 * finding on 25; a port the server is not expected to offer (2525 on a host that never did) is
 * info. A submission port is critical only when no submission port works from any vantage — then
 * no client anywhere can send — and a warning while some other port carries the mail.
 */
function everywhereSeverity(number: number, views: PortView[], answered: Answered[]): Severity {
  const provider = views[0]?.diagnosis.provider ?? null;
  if (!isExpectedPort(number, provider)) return 'info';
  const role = roleForPort(number);
  if (role === 'relay') return 'warning';
  const anyWorks = answered.some(({ diagnosis }) => usableSubmission(diagnosis, number).length > 0);
  return anyWorks ? 'warning' : 'critical';
}

/** The best submission port and the vantages it works from: "587 (STARTTLS) works from office". */
function workingElsewhere(number: number, answered: Answered[]): string | null {
  const best = answered
    .map(({ vantage, diagnosis }) => ({ vantage, port: usableSubmission(diagnosis, number)[0] }))
    .filter((entry): entry is { vantage: string; port: PortDiagnosis } => entry.port !== undefined)
    .sort((a, b) => SUBMISSION_PREFERENCE.indexOf(a.port.port) - SUBMISSION_PREFERENCE.indexOf(b.port.port));
  const first = best[0];
  if (!first) return null;
  const from = best.filter((entry) => entry.port.port === first.port.port).map((entry) => entry.vantage);
  return `${withSecurity(first.port)} works from ${listWords(from)}`;
}

function blockedFromEverywhere(number: number, blocked: PortView[], answered: Answered[]): VantageFinding {
  const severity = everywhereSeverity(number, blocked, answered);
  const advice =
    severity === 'info'
      ? [`No network reaches ${number}: the server probably does not offer it. Use a port it does.`]
      : [
          `Check that the server listens on ${number} and that its firewall or security group lets ${number} in from anywhere: no network tried gets through.`,
        ];
  const elsewhere = workingElsewhere(number, answered);
  if (elsewhere) advice.push(`Meanwhile, ${elsewhere}.`);
  return {
    id: 'blocked-from-everywhere',
    severity,
    port: number,
    vantages: blocked.map((view) => view.vantage),
    summary: `${number} is ${describeBlocks(blocked)}, every vantage that answered: the server's side, not a network's: its firewall, or it does not listen on ${number}`,
    advice,
  };
}

/**
 * The views of a port that show a middlebox where another vantage sees the server itself: a
 * visible interception or stripping, or plain SMTP where another vantage got TLS on that port.
 */
function interceptingViews(views: PortView[]): PortView[] {
  const tlsElsewhere = (view: PortView) =>
    views.some((other) => other !== view && REACH[other.port.class] === 'reached' && other.port.tls !== null);
  return views.filter(
    (view) =>
      REACH[view.port.class] === 'intercepted' ||
      (PLAIN_WHERE_TLS_IS_OFFERED.includes(view.port.class) && tlsElsewhere(view)),
  );
}

function interceptSeverity(number: number, intercepting: PortView[]): Severity {
  const role = roleForPort(number);
  const severities = intercepting.map((view) => classSeverity(view.port.class, role));
  return [...severities].sort(compareSeverity)[0] ?? 'warning';
}

/** Implicit TLS gets past SMTP inspection, unless it is the very port being intercepted. */
function implicitTlsAdvice(number: number, intercepting: PortView[], reached: PortView[]): string {
  if (!IMPLICIT_TLS_PORTS.includes(number)) {
    return `From ${names(intercepting)}, use implicit TLS on 465: a middlebox cannot read or strip TLS that starts with the first byte.`;
  }
  return `Until then, send from ${names(reached)}, where the server answers itself.`;
}

function vantageIntercepts(number: number, intercepting: PortView[], reached: PortView[]): VantageFinding {
  const seen = intercepting.map(
    (view) => `from ${view.vantage}: ${PORT_CLASS_TABLE[view.port.class].phrase}`,
  );
  const verb = intercepting.length === 1 ? 'intercepts' : 'intercept';
  return {
    id: 'vantage-intercepts',
    severity: interceptSeverity(number, intercepting),
    port: number,
    vantages: intercepting.map((view) => view.vantage),
    summary: `${number} ${seen.join('; ')}; from ${names(reached)} the server answers itself: ${networksOf(intercepting)} ${verb} SMTP on ${number}`,
    advice: [
      `Antivirus and firewalls with "SMTP inspection" rewrite or answer SMTP themselves (Cisco ASA: \`no inspect esmtp\`): ask whoever runs ${networksOf(intercepting)} to turn it off or exempt this traffic.`,
      implicitTlsAdvice(number, intercepting, reached),
    ],
  };
}

/** A port finding with its few words for the summary line ("25 blocked from aws-eu; open from office"). */
interface PortResult {
  finding: VantageFinding;
  headline: string;
}

/** "open from office" when the port works there, "answers from office" when something else is wrong. */
function openFrom(reached: PortView[]): string {
  const open = reached.every((view) => PORT_CLASS_TABLE[view.port.class].group === 'usable');
  return `${open ? 'open' : 'answers'} from ${names(reached)}`;
}

/** The cross-vantage findings for one port; none when the vantages agree or only one has a verdict. */
function comparePort(number: number, views: PortView[], answered: Answered[]): PortResult[] {
  const judged = views.filter((view) => REACH[view.port.class] !== 'no-verdict');
  if (judged.length < 2) return [];
  const intercepting = interceptingViews(judged);
  const blocked = judged.filter((view) => REACH[view.port.class] === 'blocked');
  const reached = judged.filter(
    (view) => REACH[view.port.class] === 'reached' && !intercepting.includes(view),
  );
  const results: PortResult[] = [];
  if (blocked.length === judged.length) {
    results.push({
      finding: blockedFromEverywhere(number, blocked, answered),
      headline: `${number} blocked from all ${blocked.length} vantages`,
    });
  }
  if (blocked.length > 0 && reached.length > 0) {
    results.push({
      finding: vantageBlocksPort(number, blocked, reached),
      headline: `${number} blocked from ${names(blocked)}; ${openFrom(reached)}`,
    });
  }
  if (intercepting.length > 0 && reached.length > 0) {
    results.push({
      finding: vantageIntercepts(number, intercepting, reached),
      headline: `${number} intercepted at ${names(intercepting)}`,
    });
  }
  return results;
}

/** The newest `checkedAt` among the answers: the moment "last seen" is measured from by default. */
function referenceTime(answered: Answered[]): Date | null {
  const times = answered.map(({ diagnosis }) => Date.parse(diagnosis.checkedAt)).filter(Number.isFinite);
  return times.length > 0 ? new Date(Math.max(...times)) : null;
}

/** Most severe first, then by port; a finding about a whole vantage after the port ones. */
function byRank(a: VantageFinding, b: VantageFinding): number {
  const port = (finding: VantageFinding) => finding.port ?? Number.POSITIVE_INFINITY;
  return compareSeverity(a.severity, b.severity) || port(a) - port(b);
}

/** One line for the top of a message: how many answered, then what differs (or that they agree). */
function headline(outcomes: VantageOutcome[], answered: Answered[], ports: PortResult[]): string {
  if (outcomes.length === 0) return 'no vantage was asked';
  if (answered.length === 0) return `none of the ${outcomes.length} vantages answered`;
  const all = answered.length === outcomes.length;
  if (answered.length === 1) {
    const only = answered[0]?.vantage;
    return all
      ? `one vantage (${only}): nothing to compare`
      : `only ${only} answered (1 of ${outcomes.length} vantages): nothing to compare`;
  }
  const count = `${answered.length} of ${outcomes.length} vantages answered`;
  const ranked = [...ports].sort((a, b) => byRank(a.finding, b.finding));
  if (ranked.length === 0) return all ? `all ${outcomes.length} vantages agree` : `${count}; they agree`;
  return [...(all ? [] : [count]), ...ranked.map((result) => result.headline)].join(' · ');
}

/**
 * Compares what each vantage found on the same host, port by port. Pure: times come from the
 * outcomes (the newest `checkedAt`), or from `options.now`. A vantage that did not answer gets a
 * `vantage-silent` finding and never a port verdict; ports on which the answering vantages agree
 * get no finding (their own diagnoses cover them), nor does anything with a single answer.
 */
export function compareVantages(outcomes: VantageOutcome[], options: CompareOptions = {}): VantageComparison {
  const named = safeNames(outcomes);
  const answered = answeredOnes(named);
  const now = options.now ?? referenceTime(answered);
  const ports = [...viewsByPort(answered)].flatMap(([number, views]) => comparePort(number, views, answered));
  const silentFindings = named.flatMap((outcome) =>
    outcome.kind === 'answered' ? [] : [silentFinding(outcome, now)],
  );
  const findings = [...ports.map((result) => result.finding), ...silentFindings].sort(byRank);
  return { summary: headline(named, answered, ports), findings };
}
