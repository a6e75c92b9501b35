import { afterEach, describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import { DEFAULT_LIMITS, type ProbeLimits, probePort } from '../../src/probe/index.js';
import { aContext, aHost } from '../helpers/probe-builders.js';
import {
  type Script,
  type ScriptedServer,
  mtaScript,
  startScriptedServer,
} from '../helpers/scripted-server.js';

// A server that greets with 220 and then refuses or ignores EHLO: the findings must cite what
// happened at EHLO, never present the 220 greeting as the refusal or a fast greeting as slow.
const LIMITS: ProbeLimits = {
  ...DEFAULT_LIMITS,
  connectTimeoutMs: 2_000,
  greetingTimeoutMs: 2_000,
  replyTimeoutMs: 300,
  portDeadlineMs: 5_000,
};

let server: ScriptedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function findingOn(script: Script) {
  server = await startScriptedServer(script);
  const port = await probePort(
    {
      address: '127.0.0.1',
      host: 'mx.example.test',
      port: server.port,
      mode: 'starttls',
      clientName: 'probe.test',
    },
    LIMITS,
  );
  const diagnosis = diagnoseHost(
    aHost({ target: 'mx.example.test', ports: [{ ...port, port: 587 }] }),
    aContext(),
  );
  return { port: diagnosis.ports[0]!, finding: diagnosis.ports[0]!.findings[0]! };
}

describe('a server that greets, then refuses EHLO', () => {
  test('a 421 to EHLO is a temporary refusal cited as the EHLO reply', async () => {
    const { port, finding } = await findingOn(mtaScript({ ehlo: ['421 4.7.0 too busy, try later'] }));
    expect(port.class).toBe('greeting-rejected');
    expect(finding.severity).toBe('warning');
    expect(finding.summary).toContain('answered EHLO with 421 "4.7.0 too busy, try later"');
    expect(finding.summary).not.toContain('greeted with 220');
  });

  test('a 554 to EHLO and HELO names both commands and the reply', async () => {
    const { finding } = await findingOn(
      mtaScript({ ehlo: ['554 5.7.1 access denied'], helo: ['554 5.7.1 access denied'] }),
    );
    expect(finding.id).toBe('greeting-rejected');
    expect(finding.severity).toBe('critical');
    expect(finding.summary).toContain('answered EHLO and HELO with 554 "5.7.1 access denied"');
    expect(finding.summary).not.toContain('greeted with 220');
  });

  test('a hang-up at EHLO says so instead of quoting the 220 greeting', async () => {
    const { finding } = await findingOn(async (socket, lines) => {
      socket.write('220 mx.example.test ESMTP\r\n');
      await lines.next();
      socket.destroy();
    });
    expect(finding.summary).toContain('closed the connection at EHLO without a reply');
    expect(finding.summary).not.toContain('greeted with 220');
  });
});

describe('a server that greets at once, then never answers EHLO', () => {
  test('is reported as silence at EHLO, not as a greet pause', async () => {
    const { port, finding } = await findingOn(async (socket, lines) => {
      socket.write('220 mx.example.test ESMTP\r\n');
      await lines.next();
    });
    expect(port.class).toBe('slow-banner');
    expect(port.usable).toBe(false);
    expect(finding.severity).toBe('warning');
    expect(finding.summary).toMatch(/greeted in \d+ ms, then gave no answer to EHLO within \d+ ms/);
    expect(finding.summary).not.toContain('greet pause');
  });
});
