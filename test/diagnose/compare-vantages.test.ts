import { describe, expect, test } from 'vitest';
import { compareVantages, portClassByVantage } from '../../src/diagnose/compare-vantages.js';
import { cloudForVantage } from '../../src/diagnose/knowledge/clouds.js';
import { diagnoseHost } from '../../src/diagnose/index.js';
import type { DiagnoseContext } from '../../src/diagnose/types.js';
import type { VantageFinding, VantageOutcome } from '../../src/diagnose/vantage-types.js';
import type { PortClass, PortProbe } from '../../src/probe/types.js';
import { aCanary, aContext, aHost, aPort, NOW } from '../helpers/probe-builders.js';

/** A vantage that answered: the real diagnosis of ports in the given classes. */
function answered(
  vantage: string,
  classes: Record<number, PortClass>,
  options: { context?: Partial<DiagnoseContext>; port?: Partial<PortProbe> } = {},
): VantageOutcome {
  const ports = Object.entries(classes).map(([port, cls]) =>
    aPort({ port: Number(port), class: cls, ...options.port }),
  );
  return { vantage, kind: 'answered', diagnosis: diagnoseHost(aHost({ ports }), aContext(options.context)) };
}

/** The one finding with this id that comparing these outcomes produces. */
function findingOf(id: VantageFinding['id'], outcomes: VantageOutcome[]): VantageFinding {
  return only(compareVantages(outcomes).findings, id);
}

const MINUTE_MS = 60_000;
const minutesBeforeNow = (minutes: number) => new Date(NOW.getTime() - minutes * MINUTE_MS).toISOString();

function only(findings: VantageFinding[], id: VantageFinding['id']): VantageFinding {
  const found = findings.filter((finding) => finding.id === id);
  expect(found).toHaveLength(1);
  return found[0] as VantageFinding;
}

const OPEN: Record<number, PortClass> = {
  25: 'open-starttls',
  465: 'open-implicit-tls',
  587: 'open-starttls',
};
const NO_25: Record<number, PortClass> = { ...OPEN, 25: 'filtered' };

describe('a port blocked from some vantages and answering from others', () => {
  test('filtered from aws-eu, open from office: aws-eu is named and given the EC2 way out', () => {
    const { summary, findings } = compareVantages([answered('office', OPEN), answered('aws-eu', NO_25)]);
    expect(findings).toHaveLength(1);
    const found = only(findings, 'vantage-blocks-port');
    expect(found).toMatchObject({ severity: 'warning', port: 25, vantages: ['aws-eu'] });
    expect(found.summary).toBe(
      "25 is filtered from aws-eu but answers from office: aws-eu's network blocks outbound 25",
    );
    expect(found.advice[0]).toBe(
      'AWS EC2 / Lambda blocks outbound 25 by default (aws-eu runs there, by its name): request removal of the limit, or use SES on 587/2587/465/2465.',
    );
    expect(found.advice[1]).toBe(
      'From aws-eu, submit through 587 (STARTTLS) and 465 (implicit TLS) instead, which work there.',
    );
    expect(summary).toBe('25 blocked from aws-eu; open from office');
  });

  test('a name that points at no provider gets the generic advice', () => {
    const found = findingOf('vantage-blocks-port', [
      answered('office', { ...OPEN, 465: 'refused' }),
      answered('lab', { ...NO_25, 465: 'refused' }),
    ]);
    expect(found.advice[0]).toContain(
      'Many clouds and ISPs block outbound 25 (AWS EC2 / Lambda, Google Cloud',
    );
    expect(found.advice[0]).toContain("ask whoever runs lab's network to lift the block");
    expect(found.advice.join(' ')).not.toContain('runs there');
    expect(found.advice[1]).toBe('From lab, submit through 587 (STARTTLS) instead, which works there.');
  });

  test.each<[string, string | null]>([
    ['aws-eu', 'AWS EC2 / Lambda'],
    ['ec2-frankfurt', 'AWS EC2 / Lambda'],
    ['gcp2', 'Google Cloud'],
    ['gce-us', 'Google Cloud'],
    ['azure-westeu', 'Azure'],
    ['do-ams3', 'DigitalOcean'],
    ['hetzner', 'Hetzner Cloud'],
    ['oci-paris', 'Oracle Cloud'],
    ['office', null],
    ['undo', null],
    ['cloudy', null],
  ])('the vantage %s is read as %s', (vantage, network) => {
    expect(cloudForVantage(vantage)?.network ?? null).toBe(network);
  });

  test('a submission port blocked from one vantage: that network must allow it out', () => {
    const found = findingOf('vantage-blocks-port', [
      answered('office', OPEN),
      answered('hotel', { ...OPEN, 587: 'refused' }),
    ]);
    expect(found).toMatchObject({ port: 587, vantages: ['hotel'] });
    expect(found.summary).toContain('587 is refused from hotel but answers from office');
    expect(found.advice[0]).toBe(
      "Ask whoever runs hotel's network to allow outbound 587 (its firewall, security group or proxy).",
    );
    expect(found.advice[1]).toContain('465 (implicit TLS)');
  });

  test('connected but never greeted where others are greeted counts as blocked on the way', () => {
    const found = findingOf('vantage-blocks-port', [
      answered('office', OPEN),
      answered('hotel', { ...OPEN, 25: 'no-banner' }),
    ]);
    expect(found.summary).toContain('25 is silent after connecting from hotel but answers from office');
  });

  test('several blocking networks are grouped by class', () => {
    const { findings, summary } = compareVantages([
      answered('office', OPEN),
      answered('aws-eu', NO_25),
      answered('gcp-us', NO_25),
      answered('lab', { ...OPEN, 25: 'unreachable' }),
    ]);
    const found = only(findings, 'vantage-blocks-port');
    expect(found.vantages).toEqual(['aws-eu', 'gcp-us', 'lab']);
    expect(found.summary).toBe(
      '25 is filtered from aws-eu and gcp-us and unreachable from lab but answers from office: the networks of aws-eu, gcp-us and lab block outbound 25',
    );
    expect(found.advice.join('\n')).toContain(
      'Google Cloud blocks outbound 25 by default (gcp-us runs there',
    );
    expect(summary).toBe('25 blocked from aws-eu, gcp-us and lab; open from office');
  });

  test('when the vantage reaches other servers on 25, the server turns it away, not its network', () => {
    const found = findingOf('vantage-blocks-port', [
      answered('office', OPEN),
      answered('aws-eu', NO_25, { context: { egressCanary: aCanary('open-starttls') } }),
    ]);
    expect(found.summary).toContain("the server's firewall turns aws-eu away");
    expect(found.summary).not.toContain('network blocks');
    expect(found.advice).toEqual([
      "aws-eu reaches other servers on 25 (its egress canary answered), so the firewall in front of the server turns aws-eu's addresses away: allow them there.",
    ]);
  });

  test('a vantage where the name did not resolve gives no verdict to compare', () => {
    const { findings, summary } = compareVantages([
      answered('office', NO_25),
      answered('vpn', { 25: 'dns-failed', 465: 'dns-failed', 587: 'dns-failed' }),
    ]);
    expect(findings).toEqual([]);
    expect(summary).toBe('all 2 vantages agree');
  });
});

describe('a port blocked from everywhere', () => {
  test('25 filtered from both vantages: the server side, named as such', () => {
    const { findings, summary } = compareVantages([answered('office', NO_25), answered('aws-eu', NO_25)]);
    expect(findings).toHaveLength(1);
    const found = only(findings, 'blocked-from-everywhere');
    expect(found).toMatchObject({ severity: 'warning', port: 25, vantages: ['office', 'aws-eu'] });
    expect(found.summary).toBe(
      "25 is filtered from office and aws-eu, every vantage that answered: the server's side, not a network's: its firewall, or it does not listen on 25",
    );
    expect(found.advice[1]).toBe('Meanwhile, 587 (STARTTLS) works from office and aws-eu.');
    expect(summary).toBe('25 blocked from all 2 vantages');
  });

  test('a submission port blocked everywhere while no submission port works anywhere is critical', () => {
    const dead: Record<number, PortClass> = { 25: 'filtered', 465: 'refused', 587: 'filtered' };
    const { findings } = compareVantages([answered('office', dead), answered('aws-eu', dead)]);
    expect(findings.map((finding) => [finding.id, finding.severity, finding.port])).toEqual([
      ['blocked-from-everywhere', 'critical', 465],
      ['blocked-from-everywhere', 'critical', 587],
      // Relay on 25 is at most a warning, even when nothing else works.
      ['blocked-from-everywhere', 'warning', 25],
    ]);
    expect(findings[0]?.advice).toHaveLength(1);
  });

  test('a port the server is not expected to offer is only info', () => {
    const found = findingOf('blocked-from-everywhere', [
      answered('office', { ...OPEN, 2525: 'filtered' }),
      answered('home', { ...OPEN, 2525: 'filtered' }),
    ]);
    expect(found).toMatchObject({ severity: 'info', port: 2525 });
    expect(found.advice[0]).toContain('the server probably does not offer it');
  });
});

describe('a network that intercepts SMTP', () => {
  test('intercepted at hotel, the server itself from office: hotel is named, 465 advised', () => {
    const { findings, summary } = compareVantages([
      answered('office', OPEN),
      answered('hotel', { ...OPEN, 587: 'intercepted' }),
    ]);
    const found = only(findings, 'vantage-intercepts');
    expect(found).toMatchObject({ severity: 'critical', port: 587, vantages: ['hotel'] });
    expect(found.summary).toBe(
      "587 from hotel: answered by another server (intercepted); from office the server answers itself: hotel's network intercepts SMTP on 587",
    );
    expect(found.advice[0]).toContain('"SMTP inspection"');
    expect(found.advice[0]).toContain('no inspect esmtp');
    expect(found.advice[1]).toContain('From hotel, use implicit TLS on 465');
    expect(summary).toBe('587 intercepted at hotel');
  });

  test('interception on relay (25) is a warning, like every finding on 25', () => {
    const found = findingOf('vantage-intercepts', [
      answered('office', OPEN),
      answered('hotel', { ...OPEN, 25: 'starttls-stripped' }),
    ]);
    expect(found).toMatchObject({ severity: 'warning', port: 25 });
  });

  test('plain SMTP where another vantage gets STARTTLS from the same server is stripping', () => {
    const found = findingOf('vantage-intercepts', [
      answered('office', OPEN),
      answered('cafe', { ...OPEN, 587: 'no-starttls' }),
    ]);
    expect(found).toMatchObject({ port: 587, vantages: ['cafe'] });
  });

  test('plain SMTP from every vantage is the server’s own lack of STARTTLS, not interception', () => {
    const plain = { ...OPEN, 587: 'no-starttls' } satisfies Record<number, PortClass>;
    expect(compareVantages([answered('office', plain), answered('cafe', plain)]).findings).toEqual([]);
  });

  test('plain SMTP is no sign of stripping when the other vantage got no TLS there either', () => {
    const { findings } = compareVantages([
      answered('office', { ...OPEN, 587: 'greeting-rejected' }),
      answered('cafe', { ...OPEN, 587: 'no-starttls' }),
    ]);
    expect(findings).toEqual([]);
  });

  test('465 answered in plain text at one vantage: the way out is another network, not 465', () => {
    const found = findingOf('vantage-intercepts', [
      answered('office', OPEN),
      answered('hotel', { ...OPEN, 465: 'plaintext-on-implicit-tls-port' }),
    ]);
    expect(found.advice[1]).toBe('Until then, send from office, where the server answers itself.');
  });

  test('intercepted from every vantage: nothing to compare against', () => {
    const proxied = { ...OPEN, 25: 'intercepted' } satisfies Record<number, PortClass>;
    expect(compareVantages([answered('office', proxied), answered('hotel', proxied)]).findings).toEqual([]);
  });

  test('the proxy’s greeting is never repeated', () => {
    const { findings, summary } = compareVantages([
      answered('office', OPEN),
      answered(
        'hotel',
        { 25: 'intercepted' },
        { port: { greeting: '220 <!here> click https://evil.example' } },
      ),
    ]);
    const text = JSON.stringify({ findings, summary });
    expect(findings).toHaveLength(1);
    expect(text).not.toContain('evil.example');
    expect(text).not.toContain('<!here>');
  });
});

describe('vantages that did not answer', () => {
  const office = answered('office', NO_25);

  test.each<[string, VantageOutcome, VantageFinding['severity'], string, string]>([
    [
      'no worker, seen before',
      { vantage: 'aws-eu', kind: 'no-worker', lastSeen: minutesBeforeNow(3) },
      'warning',
      'no worker for aws-eu is running (last seen 3 min ago)',
      '`smtp-check worker --vantage aws-eu`',
    ],
    [
      'no worker, never seen',
      { vantage: 'aws-eu', kind: 'no-worker', lastSeen: null },
      'warning',
      'no worker for aws-eu has ever announced itself',
      '`smtp-check worker --vantage aws-eu`',
    ],
    [
      'no answer, not taken',
      {
        vantage: 'aws-eu',
        kind: 'no-answer',
        lastSeen: minutesBeforeNow(3),
        deadlineMs: 30_000,
        taken: false,
      },
      'warning',
      'no answer from aws-eu within 30 s (last seen 3 min ago)',
      'No worker for aws-eu took the check',
    ],
    [
      'no answer, taken',
      { vantage: 'aws-eu', kind: 'no-answer', lastSeen: null, deadlineMs: 30_000, taken: true },
      'warning',
      'the worker for aws-eu took the check but did not finish within 30 s',
      "Look at that worker's log",
    ],
    [
      'refused by its own policy',
      { vantage: 'aws-eu', kind: 'refused', reason: '10.0.0.5 is a private address' },
      'info',
      "aws-eu's own target policy (its ALLOW_TARGETS) refused this target",
      'ALLOW_TARGETS',
    ],
    [
      'failed',
      { vantage: 'aws-eu', kind: 'failed', error: 'probe crashed' },
      'warning',
      'the worker for aws-eu failed before it had any facts',
      "worker's error",
    ],
  ])('%s: one vantage-silent finding, never a port verdict', (_name, outcome, severity, says, advises) => {
    const { findings, summary } = compareVantages([office, outcome]);
    expect(findings).toEqual([
      {
        id: 'vantage-silent',
        severity,
        port: null,
        vantages: ['aws-eu'],
        summary: says,
        advice: expect.any(Array),
      },
    ]);
    expect(findings[0]?.advice.join(' ')).toContain(advises);
    expect(summary).toBe('only office answered (1 of 2 vantages): nothing to compare');
  });

  test('what a worker said about its refusal or failure is not repeated', () => {
    const { findings } = compareVantages([
      office,
      { vantage: 'lab', kind: 'refused', reason: '<!channel> refused' },
      { vantage: 'vpn', kind: 'failed', error: '<!channel> failed' },
    ]);
    expect(JSON.stringify(findings)).not.toContain('<!channel>');
  });

  test('"last seen" is measured from the given clock when there is one', () => {
    const { findings } = compareVantages(
      [{ vantage: 'aws-eu', kind: 'no-worker', lastSeen: minutesBeforeNow(3) }],
      { now: new Date(NOW.getTime() + 2 * 60 * MINUTE_MS) },
    );
    expect(findings[0]?.summary).toBe('no worker for aws-eu is running (last seen 2 h ago)');
  });

  test('without an answer or a clock, "last seen" is a date', () => {
    const { findings, summary } = compareVantages([
      { vantage: 'aws-eu', kind: 'no-worker', lastSeen: minutesBeforeNow(3) },
    ]);
    expect(findings[0]?.summary).toBe('no worker for aws-eu is running (last seen 2026-03-01 11:57 UTC)');
    expect(summary).toBe('none of the 1 vantages answered');
  });
});

describe('the comparison as a whole', () => {
  test('a single vantage has nothing to compare, however broken its ports', () => {
    const { findings, summary } = compareVantages([
      answered('office', { 25: 'filtered', 587: 'intercepted' }),
    ]);
    expect(findings).toEqual([]);
    expect(summary).toBe('one vantage (office): nothing to compare');
  });

  test('vantages that agree produce no finding', () => {
    const { findings, summary } = compareVantages([
      answered('office', NO_25),
      answered('home', OPEN),
      answered('aws-eu', OPEN),
    ]);
    expect(findings.map((finding) => finding.id)).toEqual(['vantage-blocks-port']);
    expect(compareVantages([answered('a', OPEN), answered('b', OPEN), answered('c', OPEN)]).summary).toBe(
      'all 3 vantages agree',
    );
    expect(summary).toBe('25 blocked from office; open from home and aws-eu');
  });

  test('the summary says how many answered, then what differs', () => {
    const silentOne: VantageOutcome = { vantage: 'vpn', kind: 'no-worker', lastSeen: null };
    expect(compareVantages([answered('office', OPEN), answered('home', OPEN), silentOne]).summary).toBe(
      '2 of 3 vantages answered; they agree',
    );
    expect(compareVantages([answered('office', OPEN), answered('aws-eu', NO_25), silentOne]).summary).toBe(
      '2 of 3 vantages answered · 25 blocked from aws-eu; open from office',
    );
    expect(compareVantages([]).summary).toBe('no vantage was asked');
  });

  test('findings are sorted by severity, then port, a whole vantage after the ports', () => {
    const { findings, summary } = compareVantages([
      answered('office', OPEN),
      answered('hotel', { ...OPEN, 25: 'filtered', 587: 'intercepted' }),
      { vantage: 'vpn', kind: 'failed', error: 'boom' },
      { vantage: 'lab', kind: 'refused', reason: 'no' },
    ]);
    expect(findings.map((finding) => [finding.severity, finding.id, finding.port])).toEqual([
      ['critical', 'vantage-intercepts', 587],
      ['warning', 'vantage-blocks-port', 25],
      ['warning', 'vantage-silent', null],
      ['info', 'vantage-silent', null],
    ]);
    expect(summary).toBe(
      '2 of 4 vantages answered · 587 intercepted at hotel · 25 blocked from hotel; open from office',
    );
  });

  test('a name that is not a valid vantage name is never written out', () => {
    const { findings } = compareVantages([answered('office', OPEN), answered('<!here>', NO_25)]);
    expect(findings[0]?.vantages).toEqual(['vantage #2']);
    expect(JSON.stringify(findings)).not.toContain('<!here>');
  });
});

describe('portClassByVantage', () => {
  test('each port, ascending, with the class per answering vantage in outcome order', () => {
    const matrix = portClassByVantage([
      answered('office', { 587: 'open-starttls', 25: 'open-starttls' }),
      { vantage: 'vpn', kind: 'no-worker', lastSeen: null },
      answered('aws-eu', { 25: 'filtered', 2525: 'refused' }),
    ]);
    expect([...matrix.keys()]).toEqual([25, 587, 2525]);
    expect(Object.fromEntries(matrix.get(25) ?? [])).toEqual({
      office: 'open-starttls',
      'aws-eu': 'filtered',
    });
    expect([...(matrix.get(25)?.keys() ?? [])]).toEqual(['office', 'aws-eu']);
    expect(Object.fromEntries(matrix.get(587) ?? [])).toEqual({ office: 'open-starttls' });
    expect(Object.fromEntries(matrix.get(2525) ?? [])).toEqual({ 'aws-eu': 'refused' });
  });
});
