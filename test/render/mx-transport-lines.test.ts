import { describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import type { HostDiagnosis, MxTransport } from '../../src/diagnose/types.js';
import { renderJson } from '../../src/render/json.js';
import { renderParent } from '../../src/render/slack-parent.js';
import { renderReport } from '../../src/render/terminal.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';
import { forbiddenCharacters, proseOf, textsOf, unsafeMarkup } from '../helpers/slack-assertions.js';
import { HOSTILE } from '../helpers/slack-diagnoses.js';

// The port-25 line of an MX check says whether MTA-STS and DANE senders will deliver there, and
// the MX list says it of the other hosts, in the terminal and in Slack alike.

const USER = 'U0REQUEST';

function mxDiagnosis(mxTransport?: MxTransport[], host = 'mx1.example.com'): HostDiagnosis {
  const probe = aHost({
    target: 'example.com',
    host,
    mx: {
      hosts: [
        { exchange: host, priority: 10 },
        { exchange: 'mx2.example.com', priority: 20 },
      ],
      reason: 'forced',
    },
    ports: [aPort({ port: 25, class: 'open-starttls' }), aPort({ port: 587, class: 'open-starttls' })],
  });
  const diagnosis = diagnoseHost(probe, aContext());
  return mxTransport ? { ...diagnosis, mxTransport } : diagnosis;
}

function probedHost(overrides: Partial<MxTransport> = {}): MxTransport {
  return {
    exchange: 'mx1.example.com',
    probed: true,
    port: 25,
    mtaSts: { mode: 'enforce', pattern: '*.example.com', certificate: 'valid' },
    dane: { records: ['3 1 1'], usable: 1, dnssec: 'secure', matched: true, by: '3 1 1' },
    ...overrides,
  };
}

function otherHost(overrides: Partial<MxTransport> = {}): MxTransport {
  return {
    exchange: 'mx2.example.com',
    probed: false,
    port: null,
    mtaSts: { mode: 'enforce', pattern: '*.example.com', certificate: 'not-probed' },
    dane: null,
    ...overrides,
  };
}

const terminal = (diagnosis: HostDiagnosis) => renderReport(diagnosis, { color: false });
const slack = (diagnosis: HostDiagnosis) => textsOf(renderParent(diagnosis, { userId: USER })).join('\n');

/** The lines of the terminal report from port 25's line to the next port's. */
function port25Block(report: string): string {
  const lines = report.split('\n');
  const start = lines.findIndex((line) => /^\s{2}25\s/.test(line));
  const end = lines.findIndex((line, index) => index > start && /^\s{2}\d+\s/.test(line));
  return lines.slice(start, end).join('\n');
}

describe('the probed MX host on its port-25 line', () => {
  test.each<[string, Partial<MxTransport>, string[]]>([
    ['covered and matched', {}, ['MTA-STS: covered (enforce, *.example.com)', 'DANE: matches 3 1 1']],
    [
      'not named by an enforced policy',
      { mtaSts: { mode: 'enforce', pattern: null, certificate: 'valid' } },
      ['MTA-STS: not covered (enforce): compliant senders will not deliver'],
    ],
    [
      'covered, with a certificate for another name',
      { mtaSts: { mode: 'enforce', pattern: '*.example.com', certificate: 'name-mismatch' } },
      [
        'MTA-STS: covered (enforce, *.example.com), but the certificate does not name this host: compliant senders will not deliver',
      ],
    ],
    [
      'not named by a policy in testing',
      { mtaSts: { mode: 'testing', pattern: null, certificate: 'valid' } },
      ['MTA-STS: not covered (testing): senders report it and still deliver'],
    ],
    ['no policy', { mtaSts: null }, ['MTA-STS: no policy']],
    [
      'a TLSA record that no longer matches',
      { dane: { records: ['3 1 1'], usable: 1, dnssec: 'secure', matched: false } },
      ['DANE: no match (3 1 1): DANE senders will not deliver'],
    ],
    [
      'TLSA in an unsigned zone',
      { dane: { records: ['3 1 1', '3 1 1'], usable: 2, dnssec: 'insecure', matched: true, by: '3 1 1' } },
      ['DANE: TLSA 3 1 1 not in effect (zone not signed)'],
    ],
    [
      'TLSA that fails validation',
      { dane: { records: ['2 1 1'], usable: 1, dnssec: 'bogus', matched: null } },
      ['DANE: TLSA 2 1 1 fails DNSSEC validation: DANE senders will not deliver'],
    ],
    [
      'TLSA records SMTP cannot use',
      { dane: { records: ['1 1 1'], usable: 0, dnssec: 'secure', matched: false } },
      ['DANE: no usable TLSA record (1 1 1): senders fall back to unauthenticated TLS'],
    ],
    ['no TLSA', { dane: null }, ['DANE: no TLSA record']],
    [
      'TLSA, and no STARTTLS',
      { dane: { records: ['3 1 1'], usable: 1, dnssec: 'secure', matched: false, starttlsRefused: true } },
      ['DANE: TLSA 3 1 1, but no STARTTLS: DANE senders will not deliver'],
    ],
  ])('%s', (_name, overrides, words) => {
    const diagnosis = mxDiagnosis([probedHost(overrides), otherHost()]);
    const block = port25Block(terminal(diagnosis));
    const parent = slack(diagnosis);
    for (const phrase of words) {
      expect(block).toContain(phrase);
      // Slack shows the same words, with the policy's text in code.
      expect(parent).toContain(phrase.replace('*.example.com', '`*.example.com`'));
    }
    expect(parent).toContain('*Port 25* of `mx1.example.com`:');
  });

  test('a part that could not be learnt is left out; nothing learnt, no line', () => {
    const withoutDane = terminal(mxDiagnosis([probedHost({ dane: undefined })]));
    expect(port25Block(withoutDane)).toContain('MTA-STS: covered');
    expect(withoutDane).not.toContain('DANE');
    const without = mxDiagnosis();
    expect(terminal(without)).not.toMatch(/MTA-STS|DANE/);
    expect(slack(without)).not.toMatch(/MTA-STS|DANE/);
  });

  test('only the port whose certificate was judged carries it', () => {
    const report = terminal(mxDiagnosis([probedHost()]));
    expect(report.match(/MTA-STS/g)).toHaveLength(1);
    expect(port25Block(report)).toContain('MTA-STS');
  });

  test('colours: green when senders deliver, red when some will not', () => {
    const report = renderReport(
      mxDiagnosis([
        probedHost({ dane: { records: ['3 1 1'], usable: 1, dnssec: 'secure', matched: false } }),
      ]),
      { color: true },
    );
    expect(report).toContain('\u001b[32mMTA-STS: covered (enforce, *.example.com)\u001b[0m');
    expect(report).toContain('\u001b[31mDANE: no match (3 1 1): DANE senders will not deliver\u001b[0m');
  });
});

describe('the other MX hosts, where the check lists them', () => {
  test('each in a few words under the MX list (terminal) and under the port table (Slack)', () => {
    const diagnosis = mxDiagnosis([
      probedHost(),
      otherHost({ dane: { records: ['3 1 1'], usable: 1, dnssec: 'secure', matched: null } }),
    ]);
    const report = terminal(diagnosis);
    // One line per part: each can be long, and a terminal may be 80 columns wide.
    expect(report).toContain(
      '  mx2.example.com:\n    MTA-STS: covered (enforce, *.example.com)\n    DANE: TLSA 3 1 1 (DNSSEC secure), not matched: this host was not probed',
    );
    expect(report.indexOf('mx2.example.com:\n    MTA-STS')).toBeLessThan(report.indexOf('Ports'));
    expect(slack(diagnosis)).toContain(
      '*Other MX hosts*\n`mx2.example.com`: ✅ MTA-STS: covered (enforce, `*.example.com`) · DANE: TLSA 3 1 1 (DNSSEC secure), not matched: this host was not probed',
    );
  });

  test('a probed host whose port 25 was not probed is listed with the others', () => {
    const diagnosis = mxDiagnosis([
      probedHost({ port: null, dane: { records: ['3 1 1'], usable: 1, dnssec: 'secure', matched: null } }),
      otherHost(),
    ]);
    const report = terminal(diagnosis);
    expect(report).toContain(
      '  mx1.example.com (probed):\n    MTA-STS: covered (enforce, *.example.com)\n    DANE: TLSA 3 1 1 (DNSSEC secure), not matched: port 25 was not probed',
    );
    expect(port25Block(report)).not.toContain('MTA-STS');
    expect(slack(diagnosis)).toContain('*MX hosts*\n`mx1.example.com` (probed): ');
  });
});

describe('hostile names and policy text', () => {
  const hostile = mxDiagnosis(
    [
      probedHost({
        exchange: HOSTILE,
        mtaSts: { mode: null, pattern: null, certificate: 'valid', problem: HOSTILE },
      }),
      otherHost({
        exchange: `${HOSTILE}.mx2`,
        mtaSts: { mode: 'enforce', pattern: HOSTILE, certificate: 'not-probed' },
      }),
    ],
    HOSTILE,
  );

  test('Slack: code spans only, nobody mentioned, no control characters', () => {
    const parent = renderParent(hostile, { userId: USER });
    expect(slack(hostile)).toContain('MTA-STS: policy not usable (`');
    expect(unsafeMarkup(parent, { users: [USER] })).toEqual([]);
    expect(proseOf(parent)).not.toContain('evil.example');
    expect(forbiddenCharacters(parent)).toEqual([]);
  });

  test('terminal: no escape sequence reaches the screen from the MX lines', () => {
    const lines = terminal(hostile)
      .split('\n')
      .filter((line) => /MTA-STS|DANE|MX hosts/.test(line));
    // The MX list's line, and MTA-STS and DANE each on a line of their own under port 25.
    expect(lines).toHaveLength(5);
    expect(lines.join('\n')).toContain('MTA-STS: policy not usable (<!channel>');
    for (const line of lines)
      expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });
});

describe('the host-check JSON', () => {
  test('carries mxTransport on an MX check, and leaves it out otherwise', () => {
    const hosts = [probedHost(), otherHost()];
    expect(JSON.parse(renderJson(mxDiagnosis(hosts))).mxTransport).toEqual(hosts);
    expect(JSON.parse(renderJson(mxDiagnosis()))).not.toHaveProperty('mxTransport');
  });
});
