import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunCheck } from '../../src/check/types.js';
import { runConsole } from '../../src/console/index.js';
import { silentLogger } from '../../src/log.js';
import { createPostureDns } from '../../src/posture/index.js';
import { createCheckDomain } from '../../src/posture-report/index.js';
import { localTransport } from '../helpers/transport-deps.js';
import { captureOutput } from '../helpers/capture-output.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';

// `domain example.com` typed into the console: the real domain check asking a local DNS server,
// the report printed as the console prints Slack messages.

let dns: TestDnsServer;
const noCheck: RunCheck = async () => {
  throw new Error('no host check is typed in these tests');
};

async function run(lines: string[]): Promise<string> {
  const input = new PassThrough();
  const { sink, output } = captureOutput();
  input.end(`${lines.join('\n')}\n`);
  await runConsole({
    input,
    output,
    runCheck: noCheck,
    logger: silentLogger,
    checkDomain: createCheckDomain({
      dns: () => createPostureDns({ servers: [dns.server] }),
      transport: () => localTransport(dns.server),
      now: () => new Date('2026-03-01T10:00:00.000Z'),
    }),
  });
  return sink.printed;
}

beforeAll(async () => {
  dns = await startDnsServer({
    'example.com': {
      MX: [{ exchange: 'mx1.example.com', priority: 10 }],
      TXT: ['v=spf1 include:_spf.example.net -all'],
    },
    '_spf.example.net': { TXT: ['v=spf1 a:relay.example.net ~all'] },
    'relay.example.net': { A: ['198.51.100.5'] },
    'mx1.example.com': { A: ['192.0.2.25'] },
    '25.2.0.192.in-addr.arpa': { PTR: ['mx1.example.com'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=none; rua=mailto:dmarc@example.com'] },
  });
});
afterAll(() => dns?.close());

describe('runConsole() with `domain`', () => {
  test('prints the verdict, the table, the evidence and the records to paste, then what to type for a bad domain', async () => {
    const printed = await run(['domain example.com', 'domain nope']);
    expect(printed).toContain(
      '── message #1 in #console\n⏳ Checking the sending posture of `example.com`: SPF, DKIM, DMARC, BIMI, MX, MTA-STS, DNSSEC, DANE, reverse DNS and blocklists…',
    );
    expect(printed).toContain(
      '── message #1 updated\n*Domain posture of `example.com`*\n❌ 1 critical problem, 2 warnings to fix\n*SPF* ✅ 2 of 10 lookups\n',
    );
    expect(printed).toContain('*DMARC* ⚠️ p=none · 1 report destination');
    expect(printed).toMatch(
      /── message #2, reply in the thread of #1\n\*SPF\* ✅ 2 of 10 lookups\n\*Include tree\*/,
    );
    expect(printed).toContain(
      '    └─ include:_spf.example.net · 1 lookup\n         v=spf1 a:relay.example.net ~all',
    );
    expect(printed).toContain('🟠 *warning* `dmarc-policy-none`');
    expect(printed).toMatch(
      /── message #\d+, reply in the thread of #1\n\*Records to publish\* for `example\.com`[^\n]*\n\*`_dmarc\.example\.com`\* TXT[^\n]*\n\n {4}v=DMARC1; p=quarantine; rua=mailto:dmarc@example\.com\n/,
    );

    // The bad one comes after the whole report, to the requester only, with what to type.
    const bad = printed.indexOf('── only you can see this\n*I couldn’t read that:*');
    expect(bad).toBeGreaterThan(printed.indexOf('*Records to publish*'));
    const answer = printed.slice(bad);
    expect(answer).toContain("'nope' has no dot: type the whole domain, as in `nope.com` or `example.com`");
    expect(answer).toContain('*What to type*');
    expect(answer.match(/── message #/g)).toBeNull();
  });

  test('a bad domain first does not stop the report typed after it', async () => {
    const printed = await run(['domain nope', 'domain', 'domain example.com']);
    expect(printed.match(/── only you can see this\n\*I couldn’t read that:\*/g)).toHaveLength(2);
    expect(printed).toContain('no domain given; type domain `example.com` [selector s1,s2] [ip 203.0.113.5]');
    expect(printed).toContain('── message #1 updated\n*Domain posture of `example.com`*');
    expect(printed).toContain('v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com');
  });
});
