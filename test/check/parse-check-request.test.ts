import { describe, expect, test } from 'vitest';
import { parseCheckRequest, parseCheckWords, parsePorts, parseTarget } from '../../src/check/index.js';

describe('parseTarget()', () => {
  test.each([
    ['smtp.example.com', 'smtp.example.com', null, false],
    ['SMTP.Example.COM.', 'smtp.example.com', null, false],
    ['smtp.example.com:2587', 'smtp.example.com', 2587, false],
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
    ['2001:db8::1', '2001:db8::1', null, false],
    // A full eight-group address has no shorter reading: its last group is not a port.
    ['2001:db8:0:0:0:0:0:25', '2001:db8::25', null, false],
    ['[::1:2525]', '::1:2525', null, false],
    ['[::1]:2525', '::1', 2525, false],
  ])('%s → %s port %s', (raw, host, port, mx) => {
    expect(parseTarget(raw)).toEqual({ host, port, mx, mode: null });
  });

  // What nodemailer users paste: the URL's port (nodemailer's default when absent) and TLS mode.
  test.each([
    ['smtp://smtp.example.com:587', 'smtp.example.com', 587, 'starttls'],
    ['smtp://smtp.example.com', 'smtp.example.com', 587, 'starttls'],
    ['smtp://smtp.example.com:465/', 'smtp.example.com', 465, 'implicit-tls'],
    ['smtps://smtp.example.com:465', 'smtp.example.com', 465, 'implicit-tls'],
    ['smtps://smtp.example.com', 'smtp.example.com', 465, 'implicit-tls'],
    ['SMTPS://smtp.example.com:2465', 'smtp.example.com', 2465, 'implicit-tls'],
    ['smtp://apikey:s3cret@smtp.example.com:2525?pool=true', 'smtp.example.com', 2525, 'starttls'],
    ['smtps://[2001:db8::25]:465', '2001:db8::25', 465, 'implicit-tls'],
    ['<smtps://smtp.example.com:465>', 'smtp.example.com', 465, 'implicit-tls'],
  ])('%s → %s port %s in %s', (raw, host, port, mode) => {
    expect(parseTarget(raw)).toEqual({ host, port, mx: false, mode });
  });

  test('a URL with a password is refused without echoing the password', () => {
    const result = parseTarget('smtp://apikey:s3cret@bad_host!:587');
    expect(result).toEqual({ error: expect.stringContaining('not a valid host name') });
    expect(JSON.stringify(result)).not.toContain('s3cret');
  });

  test.each([
    ['', 'no host given'],
    ['bad_host!.com', 'not a valid host name'],
    ['-leading.example.com', 'not a valid host name'],
    ['host:99999', 'outside 1–65535'],
    ['a:b:c', 'not a host name'],
    [
      '::1:2525',
      '`::1:2525` is ambiguous: write [::1]:2525 for port 2525 on ::1, or [::1:2525] for the address ::1:2525',
    ],
    ['2001:db8::1:25', 'write [2001:db8::1]:25 for port 25'],
    ['a@b@c', '`a@b@c` has more than one @'],
    ['@localhost', '`@localhost` is not a whole address'],
    ['ops@', 'not a whole address'],
    [
      'https://smtp.example.com/login',
      '`https://…` is a web address and smtp-check probes mail ports; for this host type `smtp.example.com`',
    ],
    ['http://smtp.example.com', 'is a web address'],
    ['<https://smtp.example.com>', 'is a web address'],
    ['ftp://smtp.example.com', '`ftp://` is not something smtp-check probes'],
    ['smtp.example.com/path', 'not a valid host name'],
    ['[smtp.example.com]:25', 'brackets are for IPv6 addresses'],
    [`${'a'.repeat(64)}.example.com`, 'not a valid host name'],
    [`${'abcdefghi.'.repeat(26)}com`, 'at most 253'],
  ])('refuses %j, saying what to type', (raw, message) => {
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
  test('a stray word is named as not a port, with how to write host and ports', () => {
    expect(parseCheckRequest('smtp localhost')).toEqual({
      ok: false,
      error:
        '`localhost` is not a port: one host per check (here `smtp`), then the ports to probe, as in `smtp 25,587`',
    });
    expect(parseCheckRequest('example.com twentyfive')).toEqual({
      ok: false,
      error: expect.stringContaining('`twentyfive` is not a port'),
    });
  });
  test('a mail server prefix typed as a word of its own: did you mean the one name, and the command to type', () => {
    expect(parseCheckRequest('smtp example.com')).toEqual({
      ok: false,
      error:
        '“smtp example.com” is two words, and a mail server’s name is one: did you mean smtp.example.com? Type: smtp-check smtp.example.com',
    });
    expect(parseCheckWords(['smtp', 'example.com'], { command: '/smtp-check' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('did you mean smtp.example.com? Type: /smtp-check smtp.example.com'),
    });
  });
  test.each([
    ['mail example.com', 'mail.example.com', 'smtp-check mail.example.com'],
    ['SMTP-relay gmail.com 587', 'smtp-relay.gmail.com', 'smtp-check smtp-relay.gmail.com 587'],
    [
      'email-smtp us-east-1.amazonaws.com 587,2587',
      'email-smtp.us-east-1.amazonaws.com',
      'smtp-check email-smtp.us-east-1.amazonaws.com 587,2587',
    ],
    ['smtp example.com:2525', 'smtp.example.com:2525', 'smtp-check smtp.example.com:2525'],
    ['mail <http://example.com|example.com>', 'mail.example.com', 'smtp-check mail.example.com'],
    ['mx1 example.org', 'mx1.example.org', 'smtp-check mx1.example.org'],
  ])('%s: did you mean %s', (text, meant, command) => {
    const parsed = parseCheckRequest(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(`did you mean ${meant}? Type: ${command}`);
  });
  test('mx and a domain: the MX host, or the domain’s MX hosts', () => {
    const parsed = parseCheckRequest('mx example.com');
    expect(!parsed.ok && parsed.error).toBe(
      '“mx example.com” is two words, and a mail server’s name is one: did you mean mx.example.com? Type: smtp-check mx.example.com (or, for the MX hosts of example.com: smtp-check example.com mx)',
    );
  });
  test('the terminal’s flags are kept in the command to type', () => {
    const parsed = parseCheckWords(['smtp', 'example.com'], { ports: '587', mx: true });
    expect(!parsed.ok && parsed.error).toContain('Type: smtp-check smtp.example.com --ports 587 --mx');
  });
  test('not a prefix, or not a domain after it: the words read as before', () => {
    expect(parseCheckRequest('smtp 192.0.2.1')).toMatchObject({
      ok: false,
      error: expect.stringContaining('is not a port number'),
    });
    expect(parseCheckRequest('office example.com')).toMatchObject({
      ok: false,
      error: expect.stringContaining('`example.com` is not a port'),
    });
    expect(parseCheckRequest('smtp 587')).toEqual({
      ok: true,
      request: { target: 'smtp', ports: [587], mx: 'auto' },
    });
  });
  test('a number that is not a port says its range', () => {
    expect(parseCheckRequest('example.com 25,70000')).toEqual({
      ok: false,
      error: '`70000` is not a port number (1–65535)',
    });
  });
  test('an smtps:// URL carries its TLS mode for its port', () => {
    expect(parseCheckRequest('smtps://smtp.example.com:2465')).toEqual({
      ok: true,
      request: {
        target: 'smtp.example.com',
        ports: [2465],
        mx: 'auto',
        portModes: [{ port: 2465, mode: 'implicit-tls' }],
      },
    });
  });
  test('mx on an IP address is refused: only a domain has MX hosts', () => {
    for (const text of ['192.0.2.1 mx', 'ops@192.0.2.1', '[2001:db8::1] --mx']) {
      expect(parseCheckRequest(text)).toEqual({
        ok: false,
        error: expect.stringContaining('is an IP address, and only a domain has MX hosts'),
      });
    }
    expect(parseCheckWords(['192.0.2.1'], { mx: true })).toMatchObject({ ok: false });
  });
  test('one cap over every way of naming ports', () => {
    const twelve = Array.from({ length: 12 }, (_, i) => 2000 + i);
    expect(parseCheckRequest(`example.com ${twelve.join(',')}`)).toMatchObject({ ok: true });
    // host:port plus twelve more: 13 ports named.
    expect(parseCheckRequest(`example.com:25 ${twelve.join(',')}`)).toEqual({
      ok: false,
      error: 'at most 12 ports per check (got 13)',
    });
    expect(parseCheckWords(['example.com:25'], { ports: twelve.join(',') })).toEqual({
      ok: false,
      error: 'at most 12 ports per check (got 13)',
    });
    expect(parseCheckWords(['example.com', '25,587'], { ports: twelve.slice(0, 11).join(',') })).toEqual({
      ok: false,
      error: 'at most 12 ports per check (got 13)',
    });
    // The same port named twice is one port.
    expect(parseCheckWords(['example.com:2000'], { ports: twelve.join(',') })).toMatchObject({ ok: true });
  });
  test('empty input', () => {
    expect(parseCheckRequest('   ')).toEqual({ ok: false, error: 'no host given' });
  });
});
