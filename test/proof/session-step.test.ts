import { describe, expect, test } from 'vitest';
import { reportSteps, type SessionStep } from '../../src/proof/session-step.js';
import type { TranscriptLine } from '../../src/proof/transcript.js';

// The step a session is on, read from the transcript as nodemailer logs it. The real sessions are
// in test/cli/session-steps.test.ts; here the orders a local server does not give on demand.

const client = (text: string): TranscriptLine => ({ direction: 'client', text });
const server = (text: string): TranscriptLine => ({ direction: 'server', text });
const note = (text: string): TranscriptLine => ({ direction: 'note', text });

function stepsOf(lines: TranscriptLine[]): Array<[index: number, step: SessionStep]> {
  const steps: Array<[number, SessionStep]> = [];
  let index = -1;
  const hook = reportSteps((step) => steps.push([index, step]))!;
  for (const line of lines) {
    index += 1;
    hook(line);
  }
  return steps;
}

describe('reportSteps()', () => {
  test('with PIPELINING the session is on MAIL until its reply, then RCPT, then DATA', () => {
    expect(
      stepsOf([
        note('Connection established to 192.0.2.1:587'),
        server('220 mx.example ESMTP'),
        client('EHLO client.example'),
        server('250-mx.example\n250-PIPELINING\n250 AUTH PLAIN'),
        client('MAIL FROM:<a@example.test>'),
        client('RCPT TO:<b@example.net>'),
        client('DATA'),
        server('250 2.1.0 Ok'),
        server('250 2.1.5 Ok'),
        server('354 End data with <CR><LF>.<CR><LF>'),
      ]),
    ).toEqual([
      [-1, 'connect'],
      [0, 'greeting'],
      [2, 'ehlo'],
      [4, 'mail'],
      // MAIL's reply (line 7) moves it on to RCPT, RCPT's (line 8) to DATA.
      [7, 'rcpt'],
      [8, 'data'],
    ]);
  });

  test('AUTH LOGIN stays AUTH through its redacted answers; TLS lasts from STARTTLS to the next EHLO', () => {
    expect(
      stepsOf([
        note('Connection established to 192.0.2.1:587'),
        server('220 mx.example ESMTP'),
        client('EHLO client.example'),
        server('250-mx.example\n250 STARTTLS'),
        client('STARTTLS'),
        server('220 2.0.0 Ready to start TLS'),
        note('Connection upgraded with STARTTLS'),
        client('EHLO client.example'),
        server('250-mx.example\n250 AUTH LOGIN'),
        client('AUTH LOGIN'),
        server('334 VXNlcm5hbWU6'),
        client('/* secret */'),
        server('334 UGFzc3dvcmQ6'),
        client('/* secret */'),
        server('235 2.7.0 Authentication successful'),
        client('MAIL FROM:<a@example.test>'),
      ]).map(([, step]) => step),
    ).toEqual(['connect', 'greeting', 'ehlo', 'starttls', 'ehlo', 'auth', 'mail']);
  });

  test('implicit TLS: connecting includes the handshake, then the greeting', () => {
    expect(stepsOf([note('Secure connection established to 192.0.2.1:465')]).map(([, step]) => step)).toEqual(
      ['connect', 'greeting'],
    );
  });
});
