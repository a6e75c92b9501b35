import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runDomainCommand } from '../../src/cli/domain-command.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';

// `smtp-check domain …` as the terminal runs it, against a local DNS server named by DNS_RESOLVER:
// the exit code says whether something is critical, --json is the documented object, and every
// bad word is refused before a question is asked.

let dns: TestDnsServer;

beforeAll(async () => {
  dns = await startDnsServer({
    'good.example': {
      MX: [{ exchange: 'mx.good.example', priority: 10 }],
      TXT: ['v=spf1 ip4:198.51.100.0/24 -all'],
    },
    'mx.good.example': { A: ['142.250.27.26'] },
    '26.27.250.142.in-addr.arpa': { PTR: ['mx.good.example'] },
    '7.100.51.198.in-addr.arpa': { PTR: ['out.good.example'] },
    'out.good.example': { A: ['198.51.100.7'] },
    '_dmarc.good.example': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@good.example'] },
    'bad.example': { MX: [{ exchange: 'mx.good.example', priority: 10 }], TXT: ['v=spf1 +all'] },
  });
});
afterAll(() => dns.close());

function run(argv: string[], env: Record<string, string | undefined> = {}) {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    // DNS only: the MX host's address is a real one, never dialled from a test.
    env: { DNS_RESOLVER: dns.server, DOMAIN_MX_PROBE: 'off', ...env },
    now: () => new Date('2026-12-07T10:00:00Z'),
  };
  return runDomainCommand(argv, io).then((code) => ({ code, ...out }));
}

describe('smtp-check domain', () => {
  test('a domain with nothing critical exits 0 and asks only DNS_RESOLVER', async () => {
    const before = dns.queries.length;
    const { code, stdout, stderr } = await run(['good.example']);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/SPF .*0 of 10 lookups/);
    expect(stdout).toMatch(/p=reject/);
    expect(code).toBe(0);
    expect(dns.queries.slice(before)).toContain('good.example TXT');
  });

  test('+all is critical: exit 1, and the record to publish instead', async () => {
    const { code, stdout } = await run(['bad.example', '--no-color']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/spf-allows-all/);
    expect(stdout).toMatch(/bad\.example {2}TXT {2}"v=spf1 ~all"/);
  });

  test('--json is one object with the contract keys; --ip and --selector reach the report', async () => {
    const { code, stdout } = await run([
      'you@good.example',
      '--json',
      '--ip=198.51.100.7',
      '--selector',
      's1,s2',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining([
        'domain',
        'checkedAt',
        'durationMs',
        'mx',
        'spf',
        'dkim',
        'dmarc',
        'bimi',
        'senderRules',
        'findings',
        'queries',
      ]),
    );
    expect(report.domain).toBe('good.example');
    expect(report.checkedAt).toBe('2026-12-07T10:00:00.000Z');
    expect(report.spf.result).toMatchObject({ ip: '198.51.100.7', result: 'pass' });
    expect(report.dkim.map((key: { selector: string }) => key.selector)).toEqual(['s1', 's2']);
    expect(report.queries.sent).toBeGreaterThan(0);
  });

  test.each([
    [[], /no domain given/],
    [['203.0.113.5'], /is an IP address.*--ip 203\.0\.113\.5/],
    [['good.example', '--ip'], /--ip needs a value/],
    [['good.example', '--ip', 'mail.good.example'], /not an IP address; --ip takes/],
    [['good.example', '--selector', 'bad!'], /not a DKIM selector/],
    [['good.example', '--frobnicate'], /unknown option --frobnicate/],
    [['good.example', 'other.example'], /one domain per report/],
  ])('%j is refused with exit 2 and what to type, before any question', async (argv, message) => {
    const before = dns.queries.length;
    const { code, stderr, stdout } = await run(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(dns.queries.length).toBe(before);
  });

  test('a bad DNS_RESOLVER is a settings problem: exit 2', async () => {
    const { code, stderr } = await run(['good.example'], { DNS_RESOLVER: 'resolver.example' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/DNS_RESOLVER entry resolver\.example must be an IP address/);
  });

  test('--help prints the usage, no wider than 80 columns', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/usage: smtp-check domain <domain>/);
    expect(stdout.split('\n').filter((line) => line.length > 80)).toEqual([]);
  });
});
