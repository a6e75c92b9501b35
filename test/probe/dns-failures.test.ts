import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import { createResolver, probeHost } from '../../src/probe/index.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';
import { aContext } from '../helpers/probe-builders.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

// A DNS server on 127.0.0.1 answers every question: NXDOMAIN, NODATA, SERVFAIL, REFUSED, or
// nothing at all (a timeout, cut short by an injected 300 ms budget).
let dns: TestDnsServer;
let smtp: RunningServer;

beforeAll(async () => {
  smtp = await startSmtpServer({ name: 'example.test', disabledCommands: ['STARTTLS'] });
  dns = await startDnsServer({
    'no-address.example.test': { MX: [] },
    'servfail.example.test': { rcode: 'SERVFAIL' },
    'refused.example.test': { rcode: 'REFUSED' },
    'slow.example.test': { silent: true },
    // No address of its own, and its MX lookup fails.
    'mx-servfail.example.test': { rcode: 'SERVFAIL', rcodeFor: ['MX'] },
    'mx-timeout.example.test': { silent: true },
    // Exists, has an address, has no MX records: the implicit MX.
    'implicit.example.test': { A: ['127.0.0.1'] },
  });
});

afterAll(async () => {
  await Promise.all([dns?.close(), smtp?.close()]);
});

function check(name: string, mx: 'auto' | 'force' = 'auto') {
  return probeHost(name, {
    ports: [smtp.port],
    mx,
    resolver: createResolver([dns.server], { timeoutMs: 300, tries: 1 }),
    clientName: 'probe.test',
  });
}

describe('probeHost() DNS failures', () => {
  test.each([
    {
      name: 'nowhere.example.test',
      code: 'ENOTFOUND',
      says: /does not exist in DNS \(NXDOMAIN from the resolver 127\.0\.0\.1:\d+\)/,
    },
    { name: 'no-address.example.test', code: 'ENODATA', says: /exists but has no A or AAAA record/ },
    {
      name: 'servfail.example.test',
      code: 'ESERVFAIL',
      says: /the resolver 127\.0\.0\.1:\d+ answered SERVFAIL for servfail\.example\.test A/,
    },
    {
      name: 'refused.example.test',
      code: 'EREFUSED',
      says: /the resolver 127\.0\.0\.1:\d+ refused the A query for refused\.example\.test \(REFUSED\)/,
    },
    {
      name: 'slow.example.test',
      code: 'ETIMEOUT',
      says: /the resolver 127\.0\.0\.1:\d+ did not answer the A query for slow\.example\.test \(timeout\)/,
    },
  ])('names $code for $name, and the resolver asked', async ({ name, code, says }) => {
    const host = await check(name);
    expect(host.resolveFailure).toMatchObject({ stage: 'resolve', kind: 'dns', code });
    expect(host.resolveFailure?.message).toMatch(says);
    expect(host.ports[0]?.class).toBe('dns-failed');
    const [finding] = diagnoseHost(host, aContext()).findings.filter((f) => f.id === 'dns-failed');
    expect(finding?.summary).toMatch(says);
    // Only a name that does not exist is a spelling question.
    expect(finding?.advice.join(' ').includes('spelling')).toBe(code === 'ENOTFOUND');
    const port = dns.server.split(':')[1];
    expect(finding?.advice.join(' ')).toContain(`\`dig @127.0.0.1 -p ${port} ${name} A\``);
  });

  test('says that a failed MX lookup failed, and probes nothing in its place', async () => {
    const before = dns.queries.length;
    const host = await check('mx-servfail.example.test');
    expect(host.resolveFailure).toMatchObject({ code: 'ESERVFAIL', query: 'mx-servfail.example.test MX' });
    expect(host.resolveFailure?.message).toMatch(/^the MX lookup for mx-servfail\.example\.test failed: /);
    expect(host.ports[0]?.class).toBe('dns-failed');
    expect(dns.queries.slice(before)).toContain('mx-servfail.example.test MX');
    const forced = await check('mx-timeout.example.test', 'force');
    expect(forced.resolveFailure).toMatchObject({ code: 'ETIMEOUT' });
    expect(forced.resolveFailure?.message).toMatch(
      /^the MX lookup for mx-timeout\.example\.test failed: .*timeout/,
    );
    expect(forced.addresses).toEqual([]);
    const [finding] = diagnoseHost(forced, aContext()).findings.filter((f) => f.id === 'dns-failed');
    expect(finding?.advice.join(' ')).toContain(`mx-timeout.example.test MX\``);
  });

  test('probes the name itself only as the implicit MX of a name without MX records, and says so', async () => {
    const host = await check('implicit.example.test', 'force');
    expect(host.mx).toEqual({ hosts: [], reason: 'forced', implicit: true });
    expect(host.host).toBe('implicit.example.test');
    expect(host.ports[0]?.class).toBe('no-starttls');
  });
});

describe('the dig hint', () => {
  test('quotes what the shell would read otherwise', async () => {
    const { dnsFailed } = await import('../../src/diagnose/rules/dns-failed.js');
    const [finding] = dnsFailed.check(
      {
        target: "it's.example.test",
        host: "it's.example.test",
        mx: null,
        addresses: [],
        checkedAt: new Date(0).toISOString(),
        durationMs: 0,
        ports: [],
        resolveFailure: {
          stage: 'resolve',
          kind: 'dns',
          code: 'ENOTFOUND',
          message: 'x',
          query: "it's.example.test A",
          resolver: { servers: ['[::1]:5353'], system: false },
        },
      },
      { provider: null, now: new Date(0), egressCanary: null, ports: [] },
    );
    expect(finding?.advice.join(' ')).toContain("`dig @::1 -p 5353 'it'\\''s.example.test' A`");
  });
});
