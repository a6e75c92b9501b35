import { diagnoseHost } from '../../src/diagnose/index.js';
import { addressesToDial } from '../../src/probe/probe-host.js';
import { toJson } from '../../src/render/json.js';
import { aContext } from '../helpers/probe-builders.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type PortProbe, type ProbeHostOptions, createResolver, probeHost } from '../../src/probe/index.js';
import { type TestCa, createTestCa } from '../helpers/certs.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';
import { mtaScript, startScriptedServer } from '../helpers/scripted-server.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';
import { testLimits } from '../helpers/probe-limits.js';

// Every name is answered by a DNS server on 127.0.0.1 started here: no query ever leaves loopback.
let dns: TestDnsServer;
let ca: TestCa;
let servers: RunningServer[] = [];
let ports: number[] = [];

function options(overrides: Partial<ProbeHostOptions> = {}): ProbeHostOptions {
  return {
    ports,
    resolver: createResolver([dns.server]),
    extraCa: [ca.cert],
    implicitTlsPorts: [ports[1]!],
    clientName: 'probe.test',
    limits: testLimits({ connectTimeoutMs: 2_000, greetingTimeoutMs: 3_000, replyTimeoutMs: 3_000 }),
    ...overrides,
  };
}

beforeAll(async () => {
  ca = createTestCa();
  const leaf = ca.issue({ commonName: 'mail.example.test' });
  const plain = { key: leaf.key, cert: leaf.cert, name: 'mail.example.test' };
  servers = await Promise.all([
    startSmtpServer(plain),
    startSmtpServer({ ...plain, secure: true }),
    startSmtpServer(plain),
    startSmtpServer(plain),
  ]);
  ports = servers.map((server) => server.port);
  dns = await startDnsServer({
    'mail.example.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
    'example.test': {
      MX: [
        { exchange: 'backup.example.test', priority: 20 },
        { exchange: 'mail.example.test', priority: 10 },
      ],
    },
    'lame-mx.example.test': {
      MX: [
        { exchange: 'nowhere.example.test', priority: 5 },
        { exchange: 'mail.example.test', priority: 10 },
      ],
    },
    'www.example.test': { A: ['127.0.0.1'], MX: [{ exchange: 'mail.example.test', priority: 10 }] },
    'rebind.example.test': { A: ['127.0.0.1', '127.0.0.2'] },
  });
});

afterAll(async () => {
  await Promise.all([...servers.map((server) => server.close()), dns?.close()]);
});

describe('probeHost()', () => {
  test('resolves once, dials both addresses of a name with A and AAAA, and reports each port as its IPv4 address', async () => {
    const checked: string[] = [];
    const queriesBefore = dns.queries.length;
    const host = await probeHost(
      'mail.example.test',
      options({
        checkAddress: (address) => {
          checked.push(address);
          return { allowed: true };
        },
      }),
    );
    expect(host.addresses).toEqual(['127.0.0.1', '::1']);
    expect(checked).toEqual(['127.0.0.1', '::1']);
    expect(dns.queries.slice(queriesBefore).sort()).toEqual([
      'mail.example.test A',
      'mail.example.test AAAA',
    ]);
    expect(host.mx).toBeNull();
    expect(host.resolveFailure).toBeNull();
    expect(host.ports.map((port) => port.class)).toEqual([
      'open-starttls',
      'open-implicit-tls',
      'open-starttls',
      'open-starttls',
    ]);
    for (const port of host.ports) {
      expect(port.address).toBe('127.0.0.1');
      // The servers listen on 127.0.0.1 only: ::1 was dialled too, and refused.
      expect(port.attempts?.map((attempt) => [attempt.address, attempt.class])).toEqual([
        ['127.0.0.1', port.class],
        ['::1', 'refused'],
      ]);
      expect(port.tls?.servername).toBe('mail.example.test');
      expect(port.certificate?.hostnameMatches).toBe(true);
      expect(port.timings.resolve).toBeGreaterThanOrEqual(0);
    }
    // `--json` carries every address, as an added field.
    const json = toJson(diagnoseHost(host, aContext()));
    expect(json.ports[0]?.attempts).toEqual([
      { address: '127.0.0.1', class: 'open-starttls', ms: expect.any(Number), failure: null },
      {
        address: '::1',
        class: 'refused',
        ms: expect.any(Number),
        failure: expect.objectContaining({ kind: 'refused' }),
      },
    ]);
  });

  test('probes an IP literal without any DNS query', async () => {
    const queriesBefore = dns.queries.length;
    const host = await probeHost('127.0.0.1', options({ ports: [ports[0]!] }));
    expect(dns.queries.length).toBe(queriesBefore);
    expect(host.addresses).toEqual(['127.0.0.1']);
    expect(host.ports[0]?.class).toBe('open-starttls');
    expect(host.ports[0]?.tls?.servername).toBeNull();
  });

  test('reports dns-failed on every port for a name that does not resolve', async () => {
    const host = await probeHost('nowhere.example.test', options());
    expect(host.resolveFailure).toMatchObject({ stage: 'resolve', kind: 'dns', code: 'ENOTFOUND' });
    expect(host.addresses).toEqual([]);
    expect(host.ports.map((port) => port.class)).toEqual(Array(4).fill('dns-failed'));
    expect(host.ports.every((port) => port.address === null)).toBe(true);
  });

  test('reports denied-by-policy on every port, with the reason, and connects nowhere', async () => {
    const accepted: number[] = [];
    const scripted = await startScriptedServer(mtaScript({}));
    try {
      const host = await probeHost(
        'rebind.example.test',
        options({
          ports: [scripted.port, ports[0]!],
          checkAddress: (address) =>
            address === '127.0.0.2' ? { allowed: false, reason: '127.0.0.2 is loopback' } : { allowed: true },
          onPort: (port) => accepted.push(port.port),
        }),
      );
      expect(host.ports.map((port) => port.class)).toEqual(['denied-by-policy', 'denied-by-policy']);
      expect(host.ports[0]?.failure).toMatchObject({
        stage: 'resolve',
        kind: 'policy',
        message: '127.0.0.2 is loopback',
      });
      expect(host.ports[0]?.address).toBeNull();
      expect(scripted.connections).toBe(0);
      expect(accepted).toHaveLength(2);
    } finally {
      await scripted.close();
    }
  });

  test('probes the first MX host that resolves when the name has no address', async () => {
    const host = await probeHost('example.test', options({ ports: [ports[0]!] }));
    expect(host.mx).toEqual({
      hosts: [
        { exchange: 'mail.example.test', priority: 10 },
        { exchange: 'backup.example.test', priority: 20 },
      ],
      reason: 'no-address',
    });
    expect(host.host).toBe('mail.example.test');
    expect(host.ports[0]?.class).toBe('open-starttls');
    expect(host.ports[0]?.tls?.servername).toBe('mail.example.test');

    const lame = await probeHost('lame-mx.example.test', options({ ports: [ports[0]!] }));
    expect(lame.host).toBe('mail.example.test');
    expect(lame.mx?.hosts.map((mx) => mx.exchange)).toEqual(['nowhere.example.test', 'mail.example.test']);
  });

  test('uses MX hosts only when forced for a name that has an address', async () => {
    const auto = await probeHost('www.example.test', options({ ports: [ports[0]!] }));
    expect(auto.mx).toBeNull();
    expect(auto.host).toBe('www.example.test');
    const forced = await probeHost('www.example.test', options({ ports: [ports[0]!], mx: 'force' }));
    expect(forced.mx?.reason).toBe('forced');
    expect(forced.host).toBe('mail.example.test');
  });

  test('reports each port as it finishes, fastest first, and keeps the requested order', async () => {
    const slow = await startScriptedServer(mtaScript({ greetDelayMs: 400 }));
    try {
      const finished: number[] = [];
      const host = await probeHost(
        '127.0.0.1',
        options({ ports: [slow.port, ports[0]!], onPort: (port) => finished.push(port.port) }),
      );
      expect(finished).toEqual([ports[0], slow.port]);
      expect(host.ports.map((port) => port.port)).toEqual([slow.port, ports[0]]);
    } finally {
      await slow.close();
    }
  });

  test('marks a port answered by another host as intercepted', async () => {
    const proxyCert = ca.issue({ commonName: 'relay.filter-isp.test' });
    const proxy = await startSmtpServer({
      key: proxyCert.key,
      cert: proxyCert.cert,
      name: 'relay.filter-isp.test',
    });
    try {
      const seen: PortProbe[] = [];
      const host = await probeHost(
        'mail.example.test',
        options({ ports: [proxy.port, ports[1]!, ports[2]!], onPort: (port) => seen.push(port) }),
      );
      expect(host.ports.map((port) => port.class)).toEqual([
        'intercepted',
        'open-implicit-tls',
        'open-starttls',
      ]);
      expect(host.ports[0]?.greeting).toContain('relay.filter-isp.test');
      // Live updates carry each port's own verdict; only the finished host has the cross-port one.
      expect(seen.find((port) => port.port === proxy.port)?.class).toBe('open-starttls');
    } finally {
      await proxy.close();
    }
  });

  test('dials every port at once: four servers that greet only when all four have a connection', async () => {
    // Probed one after another, the first port would wait out its greeting timeout for a greeting
    // that needs the others to be dialled; no clock is read, so a busy machine cannot fake either way.
    const dialled = new Set<number>();
    let allDialled!: () => void;
    const together = new Promise<void>((resolve) => {
      allDialled = resolve;
    });
    const mta = mtaScript({});
    const gated = await Promise.all(
      [0, 1, 2, 3].map((index) =>
        startScriptedServer(async (socket, lines, received) => {
          dialled.add(index);
          if (dialled.size === 4) allDialled();
          await together;
          await mta(socket, lines, received);
        }),
      ),
    );
    try {
      const host = await probeHost(
        'mail.example.test',
        options({
          ports: gated.map((server) => server.port),
          implicitTlsPorts: [],
          // Only the plain attempt: a parallel TLS attempt would add connections of its own.
          limits: testLimits({ greetingTimeoutMs: 2_000, otherModeAfterMs: 2_000, portDeadlineMs: 3_000 }),
        }),
      );
      expect(host.ports.map((port) => port.class)).toEqual(Array(4).fill('no-starttls'));
      expect(gated.map((server) => server.connections)).toEqual([1, 1, 1, 1]);
    } finally {
      await Promise.all(gated.map((server) => server.close()));
    }
  });
});

describe('addressesToDial()', () => {
  test.each([
    { given: ['192.0.2.1', '::1'], dialled: ['192.0.2.1', '::1'] },
    {
      given: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5', '2001:db8::1', '2001:db8::2'],
      dialled: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '2001:db8::1', '2001:db8::2'],
    },
    {
      given: [
        '2001:db8::1',
        '2001:db8::2',
        '2001:db8::3',
        '2001:db8::4',
        '2001:db8::5',
        '192.0.2.1',
        '192.0.2.2',
        '192.0.2.3',
        '192.0.2.4',
      ],
      dialled: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '2001:db8::1', '2001:db8::2', '2001:db8::3'],
    },
  ])('dials at most 4 per family and 6 in all, IPv4 first: $given', ({ given, dialled }) => {
    expect(addressesToDial(given)).toEqual(dialled);
  });
});
