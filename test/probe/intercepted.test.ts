import { describe, expect, test } from 'vitest';
import { type PortIdentity, bannerHostName, findInterceptedPorts } from '../../src/probe/intercepted.js';

function port(
  number: number,
  banner: string | null,
  certNames: string[] | null = null,
  cls: PortIdentity['class'] = 'open-starttls',
): PortIdentity {
  return {
    port: number,
    class: cls,
    greeting: banner === null ? null : `220 ${banner} ESMTP`,
    certificate: certNames ? { subject: `CN=${certNames[0]}`, subjectAltNames: certNames } : null,
  };
}

describe('bannerHostName()', () => {
  test.each([
    ['220 mx1.example.com ESMTP Postfix', 'mx1.example.com'],
    ['220-MX1.Example.COM. ESMTP\n220 ready', 'mx1.example.com'],
    ['220 ESMTP ready', null],
    ['220 ****************', null],
    ['220 192.0.2.10 ESMTP', null],
    [null, null],
  ])('%s → %s', (greeting, expected) => {
    expect(bannerHostName(greeting)).toBe(expected);
  });
});

describe('findInterceptedPorts()', () => {
  test.each([
    {
      name: 'a port naming another site while the others name the target',
      targets: ['smtp.example.com'],
      ports: [
        port(25, 'proxy.isp-filter.net', ['proxy.isp-filter.net']),
        port(465, 'smtp.example.com', ['smtp.example.com'], 'open-implicit-tls'),
        port(587, 'mx2.example.com', ['*.example.com']),
      ],
      expected: [25],
    },
    {
      name: 'a port without TLS whose banner names another site',
      targets: ['smtp.example.com'],
      ports: [port(25, 'av-gateway.corp.test'), port(587, 'smtp.example.com', ['smtp.example.com'])],
      expected: [25],
    },
    {
      name: 'every port naming a provider behind a CNAME (nothing to compare against)',
      targets: ['mail.customer.test'],
      ports: [port(25, 'smtp.provider.net'), port(587, 'smtp.provider.net'), port(2525, 'smtp.provider.net')],
      expected: [],
    },
    {
      name: 'an IP target with one port disagreeing with two that agree',
      targets: ['192.0.2.1'],
      ports: [port(25, 'gw.isp.test'), port(587, 'smtp.provider.net'), port(2525, 'out.provider.net')],
      expected: [25],
    },
    {
      name: 'an IP target with only two ports that disagree (no majority)',
      targets: ['192.0.2.1'],
      ports: [port(25, 'gw.isp.test'), port(587, 'smtp.provider.net')],
      expected: [],
    },
    {
      name: 'a banner for another site but a certificate for the target',
      targets: ['smtp.example.com'],
      ports: [port(25, 'mta-in.hosting.test', ['smtp.example.com']), port(587, 'smtp.example.com')],
      expected: [],
    },
    {
      name: 'other hosts of the same registrable domain (example.co.uk)',
      targets: ['smtp.example.co.uk'],
      ports: [port(25, 'mx3.example.co.uk'), port(587, 'smtp.example.co.uk')],
      expected: [],
    },
    {
      name: 'a foreign banner on a port whose session failed',
      targets: ['smtp.example.com'],
      ports: [port(25, 'proxy.isp-filter.net', null, 'greeting-rejected'), port(587, 'smtp.example.com')],
      expected: [],
    },
    {
      name: 'a lone port',
      targets: ['smtp.example.com'],
      ports: [port(25, 'proxy.isp-filter.net')],
      expected: [],
    },
  ])('$name', ({ targets, ports, expected }) => {
    expect([...findInterceptedPorts(targets, ports)]).toEqual(expected);
  });
});
