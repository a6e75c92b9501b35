import { describe, expect, test } from 'vitest';
import { formatIpAddress, ipInNetwork, parseIpAddress } from '../../src/posture/spf/ip-in-network.js';

const ip = (text: string) => parseIpAddress(text)!;

describe('ipInNetwork()', () => {
  test.each([
    ['192.0.2.3', '192.0.2.0', 24, true],
    ['192.0.3.3', '192.0.2.0', 24, false],
    ['192.0.2.3', '192.0.2.3', 32, true],
    ['192.0.2.4', '192.0.2.3', 32, false],
    ['10.1.2.3', '0.0.0.0', 0, true],
    ['192.0.2.130', '192.0.2.128', 25, true],
    ['192.0.2.127', '192.0.2.128', 25, false],
    ['198.51.100.7', '198.51.96.0', 20, true],
    ['198.51.112.7', '198.51.96.0', 20, false],
    ['2001:db8::1', '2001:db8::', 32, true],
    ['2001:db9::1', '2001:db8::', 32, false],
    ['2001:db8:0:1::5', '2001:db8::', 64, false],
    ['2001:db8::5', '2001:db8::', 127, false],
    ['2001:db8::1', '2001:db8::', 127, true],
    ['::1', '::', 0, true],
    ['::ffff:192.0.2.3', '192.0.2.0', 24, true],
    ['192.0.2.3', '::', 0, false],
    ['2001:db8::1', '0.0.0.0', 0, false],
  ])('%s in %s/%i: %s', (address, network, prefix, inside) => {
    expect(ipInNetwork(ip(address), ip(network), prefix)).toBe(inside);
  });

  test('an IPv4-mapped network in an ip6 term stays IPv6', () => {
    const network = parseIpAddress('::ffff:192.0.2.0', { mapIpv4: false })!;
    expect(network.family).toBe(6);
    expect(ipInNetwork(ip('192.0.2.3'), network, 120)).toBe(false);
  });
});

describe('parseIpAddress()', () => {
  test.each([
    ['192.0.2.1', 4, '192.0.2.1'],
    ['2001:db8::1', 6, '2001:db8::1'],
    ['2001:DB8:0:0:1:0:0:1', 6, '2001:db8::1:0:0:1'],
    ['::', 6, '::'],
    ['1:2:3:4:5:6:7:8', 6, '1:2:3:4:5:6:7:8'],
    ['::ffff:198.51.100.1', 4, '198.51.100.1'],
    ['64:ff9b::192.0.2.1', 6, '64:ff9b::c000:201'],
  ])('%s: IPv%i, written %s', (text, family, written) => {
    const parsed = ip(text);
    expect(parsed.family).toBe(family);
    expect(formatIpAddress(parsed)).toBe(written);
  });

  test.each(['192.0.2', '192.0.2.256', '01.2.3.4', 'fe80::1%eth0', 'example.com', ''])(
    '%s is no address',
    (text) => {
      expect(parseIpAddress(text)).toBeNull();
    },
  );
});
