import { describe, expect, test } from 'vitest';
import { hasMaskedKeyword, isMaskedBanner, parseEhlo } from '../../src/probe/ehlo.js';

describe('parseEhlo()', () => {
  test.each([
    { lines: ['PIPELINING', 'SIZE 35882577', 'STARTTLS'], starttls: true, auth: [], size: 35_882_577 },
    { lines: ['AUTH PLAIN LOGIN', 'AUTH=LOGIN', 'SIZE'], starttls: false, auth: ['PLAIN', 'LOGIN'], size: 0 },
    { lines: ['auth xoauth2 plain', '8BITMIME'], starttls: false, auth: ['XOAUTH2', 'PLAIN'], size: null },
  ])('$lines', ({ lines, starttls, auth, size }) => {
    expect(parseEhlo(lines)).toEqual({ keywords: lines, starttls, auth, sizeLimit: size });
  });
});

describe('masking by an ESMTP-inspecting firewall', () => {
  test.each([
    [['****************************2*0**0*****'], true],
    [['*******************************'], true],
    [['mail.example.com ESMTP'], false],
    [['2025 ready'], false],
  ])('banner %j masked: %s', (lines, masked) => {
    expect(isMaskedBanner(lines)).toBe(masked);
  });

  test.each([
    [['PIPELINING', 'XXXXXXXA'], true],
    [['XXXX', '8BITMIME'], true],
    [['STARTTLS', 'XCLIENT NAME'], false],
  ])('keywords %j masked: %s', (keywords, masked) => {
    expect(hasMaskedKeyword(keywords)).toBe(masked);
  });
});
