import { describe, expect, test } from 'vitest';
import { parseCheckRequest, parsePorts, parseTarget } from '../../src/check/index.js';

describe('parseTarget()', () => {
  test.each([
    ['smtp.example.com', 'smtp.example.com', null, false],
    ['SMTP.Example.COM.', 'smtp.example.com', null, false],
    ['smtp.example.com:2587', 'smtp.example.com', 2587, false],
    ['smtp://smtp.example.com:465/', 'smtp.example.com', 465, false],
    ['<http://smtp.example.com|smtp.example.com>', 'smtp.example.com', null, false],
    ['<mailto:ops@example.com|ops@example.com>', 'example.com', null, true],
    ['ops@example.com', 'example.com', null, true],
    ['192.0.2.10', '192.0.2.10', null, false],
    ['192.0.2.10:587', '192.0.2.10', 587, false],
    ['::1', '::1', null, false],
    ['[2001:db8::1]:25', '2001:db8::1', 25, false],
    ['bücher.example', 'xn--bcher-kva.example', null, false],
    // Numeric spellings are normalised so the target policy sees the real address.
    ['127.1', '127.0.0.1', null, false],
    ['2130706433', '127.0.0.1', null, false],
    ['0x7f.1', '127.0.0.1', null, false],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1', null, false],
  ])('%s → %s port %s', (raw, host, port, mx) => {
    expect(parseTarget(raw)).toEqual({ host, port, mx });
  });

  test.each([
    ['', 'no host given'],
    ['bad_host!.com', 'not a valid host name'],
    ['-leading.example.com', 'not a valid host name'],
    ['host:99999', 'outside 1–65535'],
    ['a:b:c', 'not a host name'],
    [`${'a'.repeat(64)}.example.com`, 'not a valid host name'],
    [`${'abcdefghi.'.repeat(26)}com`, 'at most 253'],
  ])('refuses %j', (raw, message) => {
    const result = parseTarget(raw);
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error).toContain(message);
  });
});

describe('parsePorts()', () => {
  test('accepts commas and spaces, drops duplicates', () => {
    expect(parsePorts('25, 587 587,2525')).toEqual({ ports: [25, 587, 2525] });
  });
  test.each(['0', '65536', 'smtp', '25;587', '-1'])('refuses %j', (text) => {
    expect(parsePorts(text)).toHaveProperty('error');
  });
  test('caps the number of ports', () => {
    const many = Array.from({ length: 13 }, (_, i) => 2000 + i).join(',');
    expect(parsePorts(many)).toEqual({ error: expect.stringContaining('at most 12 ports') });
  });
});

describe('parseCheckRequest()', () => {
  test('host and port list', () => {
    expect(parseCheckRequest('smtp.example.com 25,587')).toEqual({
      ok: true,
      request: { target: 'smtp.example.com', ports: [25, 587], mx: 'auto' },
    });
  });
  test('host:port plus more ports, and mx', () => {
    expect(parseCheckRequest('example.com:2587 465 mx')).toEqual({
      ok: true,
      request: { target: 'example.com', ports: [2587, 465], mx: 'force' },
    });
  });
  test('bad port words are refused with the word named', () => {
    expect(parseCheckRequest('example.com twentyfive')).toEqual({
      ok: false,
      error: expect.stringContaining('`twentyfive` is not a port number'),
    });
  });
  test('empty input', () => {
    expect(parseCheckRequest('   ')).toEqual({ ok: false, error: 'no host given' });
  });
});
