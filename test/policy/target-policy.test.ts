import { describe, expect, test } from 'vitest';
import { parseTarget } from '../../src/check/parse-check-request.js';
import { createTargetPolicy, embeddedIpv4, PolicyError, refusedRange } from '../../src/policy/index.js';

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
