import { describe, expect, test } from 'vitest';
import { parseCliArgs } from '../../src/cli/parse-args.js';

describe('parseCliArgs()', () => {
  test.each([
    [
      ['smtp', 'example.com'],
      '“smtp example.com” is two words, and a mail server’s name is one: did you mean smtp.example.com? Type: smtp-check smtp.example.com',
    ],
    [
      ['smtp', 'localhost'],
      '`localhost` is not a port: one host per check (here `smtp`), then the ports to probe, as in `smtp 25,587`',
    ],
    [
      ['mail', 'example.com', '--ports', '587'],
      'did you mean mail.example.com? Type: smtp-check mail.example.com --ports 587',
    ],
    [['smtp.example.com', '--ports', '-1'], '--ports: `-1` is not a port number (1–65535)'],
    [['smtp.example.com', '--ports=-1'], '--ports: `-1` is not a port number (1–65535)'],
    [['smtp.example.com', '-p', '0'], '--ports: `0` is not a port number (1–65535)'],
    [['smtp.example.com', '--ports'], '--ports needs a value, as in --ports 25,587'],
    [['smtp.example.com', '--timeout-ms'], '--timeout-ms needs a value, as in --timeout-ms 5000'],
    [['smtp.example.com', '--frobnicate'], 'unknown option --frobnicate'],
    [['smtp.example.com', '--frobnicate=1'], 'unknown option --frobnicate'],
    [['smtp.example.com', '-x'], 'unknown option -x'],
    [['smtp.example.com', '--json=yes'], '--json takes no value'],
    [['192.0.2.1', '--mx'], '192.0.2.1 is an IP address, and only a domain has MX hosts'],
    [['::1:2525'], '`::1:2525` is ambiguous: write [::1]:2525 for port 2525 on ::1'],
    [['https://smtp.example.com'], 'is a web address'],
    [[], 'no host given'],
  ])('%j → %s', (argv, message) => {
    const args = parseCliArgs(argv);
    expect(args.kind).toBe('error');
    expect(args.kind === 'error' && args.message).toContain(message);
  });

  test('host:port and --ports share one cap of 12 ports', () => {
    const twelve = Array.from({ length: 12 }, (_, i) => 2000 + i).join(',');
    expect(parseCliArgs(['example.com:25', '--ports', twelve])).toEqual({
      kind: 'error',
      message: 'at most 12 ports per check (got 13)',
    });
    expect(parseCliArgs(['example.com', '--ports', twelve])).toMatchObject({ kind: 'check' });
  });

  test('ports after the host, --ports, --mx, --json and -- are read as the slash command reads them', () => {
    expect(parseCliArgs(['--json', 'example.com', '25', '-p587', '--mx', '--timeout-ms=2000'])).toEqual({
      kind: 'check',
      request: { target: 'example.com', ports: [25, 587], mx: 'force', timeoutMs: 2000 },
      json: true,
      color: true,
    });
    expect(parseCliArgs(['--', 'example.com'])).toMatchObject({ kind: 'check' });
  });

  test('an smtps:// URL is probed on its port with implicit TLS', () => {
    expect(parseCliArgs(['smtps://smtp.example.com:2465'])).toMatchObject({
      kind: 'check',
      request: {
        target: 'smtp.example.com',
        ports: [2465],
        portModes: [{ port: 2465, mode: 'implicit-tls' }],
      },
    });
  });
});
