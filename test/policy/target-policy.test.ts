import { describe, expect, test } from 'vitest';
import { parseTarget } from '../../src/check/parse-check-request.js';
import {
  createTargetPolicy,
  embeddedIpv4,
  embeddedIpv4s,
  PolicyError,
  refusedRange,
} from '../../src/policy/index.js';

describe('refusedRange()', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['169.254.169.254', 'metadata'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fd00::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback, reached through an IPv6 form'],
    ['::ffff:7f00:1', 'loopback, reached through an IPv6 form'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::10.0.0.1', 'private (RFC 1918), reached through an IPv6 form'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['2002:c0a8:0101::1', 'private (RFC 1918), reached through an IPv6 form'],
    ['::127.0.0.1', 'loopback'],
    // SIIT's IPv4-translated form.
    ['::ffff:0:7f00:1', 'loopback, reached through an IPv6 form (127.0.0.1)'],
    ['::ffff:0:10.0.0.1', 'private (RFC 1918), reached through an IPv6 form (10.0.0.1)'],
    // NAT64, well-known and local-use prefixes (every RFC 6052 prefix length in the /48).
    ['64:ff9b::7f00:1', 'loopback, reached through an IPv6 form (127.0.0.1)'],
    ['64:ff9b:1::7f00:1', 'loopback, reached through an IPv6 form (127.0.0.1)'],
    ['64:ff9b:1:7f00:0:100::', 'reached through an IPv6 form'],
    ['64:ff9b:1:a9:fe:a9fe::', 'reached through an IPv6 form'],
    ['64:ff9b:1:c0:a8:101::', 'private (RFC 1918), reached through an IPv6 form (192.168.1.1)'],
    // 6to4.
    ['2002:7f00:1::', 'loopback, reached through an IPv6 form (127.0.0.1)'],
    ['2002:a9fe:a9fe::1', 'metadata'],
    // Teredo: the client is the last 32 bits inverted (0x80ffff fe = 127.0.0.1); the server bits 32–63.
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback, reached through an IPv6 form (127.0.0.1)'],
    ['2001:0:a00:1:8000:63bf:3fff:fdd2', 'private (RFC 1918), reached through an IPv6 form (10.0.0.1)'],
  ])('%s is refused as %s', (address, name) => {
    expect(refusedRange(address)).toContain(name);
  });

  test.each([
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2a00:1450:4001:80b::201a',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    // NAT64 local-use with a public address in its /96 position.
    '64:ff9b:1::808:808',
    // Teredo: server 65.54.227.120, client 8.8.8.8 (inverted: f7f7:f7f7).
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
  ])('%s is public', (address) => {
    expect(refusedRange(address)).toBeNull();
  });
});

describe('embeddedIpv4()', () => {
  test('finds the IPv4 host inside mapped and NAT64 forms only', () => {
    expect(embeddedIpv4('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedIpv4('64:ff9b:1::a00:1')).toBe('10.0.0.1');
    expect(embeddedIpv4('2a00:1450::1')).toBeNull();
    expect(embeddedIpv4('::1')).toBeNull();
  });

  test.each([
    ['::ffff:0:7f00:1', ['127.0.0.1']],
    ['::ffff:7f00:1', ['127.0.0.1']],
    ['64:ff9b::a00:1', ['10.0.0.1']],
    ['2002:c0a8:101::', ['192.168.1.1']],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', ['65.54.227.120', '127.0.0.1']],
    ['64:ff9b:1:7f00:0:100::', ['0.1.0.0', '0.0.1.0', '127.0.0.1']],
    ['64:ff9b:1:a9:fe:a9fe::', ['254.169.254.0', '169.254.169.254']],
    ['2001:db8::1', []],
    ['::', []],
  ])('%s reaches %j', (address, expected) => {
    expect(embeddedIpv4s(address)).toEqual(expected);
  });
});

describe('createTargetPolicy()', () => {
  test('refuses internal addresses with the reason and the setting that would allow it', () => {
    const decision = createTargetPolicy([]).checkAddress('mail.internal', '10.0.0.5');
    expect(decision).toEqual({
      allowed: false,
      reason: expect.stringMatching(/10\.0\.0\.5 is private .*ALLOW_TARGETS=10\.0\.0\.5\/32/),
    });
  });

  test('numeric spellings of loopback are normalised by the parser, then refused', () => {
    const policy = createTargetPolicy([]);
    for (const raw of ['2130706433', '0x7f.1', '127.1', '[::ffff:127.0.0.1]']) {
      const target = parseTarget(raw);
      if ('error' in target) throw new Error(target.error);
      expect(policy.checkAddress(target.host, target.host).allowed, raw).toBe(false);
    }
  });

  test('ALLOW_TARGETS opens CIDRs (including mapped forms) and exact host names', () => {
    const policy = createTargetPolicy(['127.0.0.0/8', 'relay.corp.example', 'fd00::/8']);
    expect(policy.checkAddress('x', '127.0.0.9').allowed).toBe(true);
    expect(policy.checkAddress('x', '::ffff:127.0.0.9').allowed).toBe(true);
    expect(policy.checkAddress('x', 'fd00::25').allowed).toBe(true);
    expect(policy.checkAddress('relay.corp.example', '10.9.9.9').allowed).toBe(true);
    expect(policy.checkAddress('other.corp.example', '10.9.9.9').allowed).toBe(false);
    expect(policy.checkAddress('x', '::1').allowed).toBe(false);
  });

  test('an IPv6 form of an internal address is allowed only when what it reaches is allowed', () => {
    const policy = createTargetPolicy(['127.0.0.0/8']);
    expect(policy.checkAddress('x', '::ffff:0:7f00:1').allowed).toBe(true);
    expect(policy.checkAddress('x', '2002:7f00:1::').allowed).toBe(true);
    expect(policy.checkAddress('x', '2002:a00:1::').allowed).toBe(false);
    // Teredo with a private server and a loopback client: only the loopback part is allowed.
    expect(policy.checkAddress('x', '2001:0:a00:1:8000:63bf:80ff:fffe').allowed).toBe(false);
  });

  test('an allowed name exempts only addresses dialled under that name, in any case or with a trailing dot', () => {
    const policy = createTargetPolicy(['relay.corp.example']);
    expect(policy.checkAddress('Relay.Corp.Example.', '10.9.9.9').allowed).toBe(true);
    expect(policy.checkAddress('mx1.elsewhere.example', '10.9.9.9').allowed).toBe(false);
  });

  test('public addresses pass', () => {
    expect(createTargetPolicy([]).checkAddress('smtp.example.com', '93.184.216.34')).toEqual({
      allowed: true,
    });
  });

  test.each(['10.0.0.0/33', 'not a host!', '::/129'])(
    'a bad ALLOW_TARGETS entry %j is a clear error',
    (entry) => {
      expect(() => createTargetPolicy([entry])).toThrow(PolicyError);
    },
  );
});
