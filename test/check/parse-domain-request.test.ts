import { describe, expect, test } from 'vitest';
import { parseDomainName, parseDomainWords, parseSelectors, parseSendingIp } from '../../src/check/index.js';

describe('parseDomainName()', () => {
  test.each([
    ['example.com', 'example.com'],
    ['Example.COM.', 'example.com'],
    ['you@example.com', 'example.com'],
    ['mailto:you@example.com', 'example.com'],
    ['<http://example.com|example.com>', 'example.com'],
    ['<mailto:you@example.co.uk|you@example.co.uk>', 'example.co.uk'],
    ['bücher.de', 'xn--bcher-kva.de'],
  ])('%s → %s', (raw, domain) => {
    expect(parseDomainName(raw)).toEqual({ domain });
  });

  test.each([
    ['', /no domain given/],
    ['203.0.113.5', /is an IP address.*ip 203\.0\.113\.5/],
    ['[2001:db8::1]', /is an IP address/],
    ['https://example.com/path', /is a URL; type the domain alone: domain example\.com/],
    ['localhost', /has no dot/],
    ['exa mple.com', /not a domain name/],
    ['-bad.example', /not a valid domain name/],
    ['example.123', /not a valid domain name/],
    ['a@b@example.com', /not a whole address/],
    ['you@', /not a whole address/],
    [`${'a'.repeat(64)}.com`, /not a valid domain name/],
  ])('refuses %j with what to type', (raw, message) => {
    const parsed = parseDomainName(raw);
    expect(parsed).toHaveProperty('error');
    expect((parsed as { error: string }).error).toMatch(message);
  });
});

describe('parseSelectors()', () => {
  test('splits on commas and spaces, drops repeats and a pasted _domainkey name', () => {
    expect(parseSelectors('s1, S2,s1,google._domainkey.example.com')).toEqual({
      selectors: ['s1', 's2', 'google'],
    });
  });

  test.each([['bad selector!'], ['-s1'], [''], [Array.from({ length: 11 }, (_, i) => `s${i}`).join(',')]])(
    'refuses %j',
    (text) => {
      expect(parseSelectors(text)).toHaveProperty('error');
    },
  );
});

describe('parseSendingIp()', () => {
  test.each([
    ['203.0.113.5', '203.0.113.5'],
    ['[2001:DB8::0:1]', '2001:db8::1'],
  ])('%s → %s', (text, ip) => {
    expect(parseSendingIp(text)).toEqual({ ip });
  });

  test('refuses a name', () => {
    expect(parseSendingIp('mail.example.com')).toEqual({ error: expect.stringMatching(/not an IP address/) });
  });
});

describe('parseDomainWords()', () => {
  test('takes selector and ip in either order, and key=value', () => {
    expect(parseDomainWords(['ip', '203.0.113.5', 'example.com', 'selector', 's1,', 's2'])).toEqual({
      request: { domain: 'example.com', selectors: ['s1', 's2'], ip: '203.0.113.5' },
    });
    expect(parseDomainWords(['example.com', 'selector=google', 'ip=::1'])).toEqual({
      request: { domain: 'example.com', selectors: ['google'], ip: '::1' },
    });
  });

  test('no selector and no ip: the usual selectors, no address', () => {
    expect(parseDomainWords(['example.com'])).toEqual({ request: { domain: 'example.com', selectors: [] } });
  });

  test.each([
    [[], /no domain given/],
    [['example.com', 'example.org'], /one domain per report/],
    [['example.com', 'ip'], /ip needs a value/],
    [['example.com', 'ip', 'nope'], /not an IP address/],
    [['example.com', 'selector'], /selector needs a value/],
  ])('refuses %j', (words, message) => {
    const parsed = parseDomainWords(words);
    expect((parsed as { error: string }).error).toMatch(message);
  });
});
