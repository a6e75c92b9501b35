import { execFile, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { displayWidth } from '../../src/render/display-width.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DiagnosisJson } from '../../src/render/json.js';
import { createTestCa } from '../helpers/certs.js';
import type { CliScenarioResult } from '../helpers/netns-cli-scenario.js';
import { requireNamespaces, runInNamespace } from '../helpers/netns.js';
import { freePort, startScriptedServer } from '../helpers/scripted-server.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

// The real command, as a user runs it: a child process, argv in, text or JSON and an exit code out.
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function smtpCheck(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ exitCode: typeof error?.code === 'number' ? error.code : error ? -1 : 0, stdout, stderr });
      },
    );
  });
}

describe('smtp-check (bad input)', () => {
  test.each([
    [[], 'no host given'],
    [['bad_host!'], 'not a valid host name'],
    [['smtp.example.com', '--ports', '25,smtp'], '--ports: `smtp` is not a port number'],
    [['smtp.example.com', '--timeout-ms', 'soon'], '--timeout-ms must be a whole number'],
    [['smtp.example.com', '--frobnicate'], 'unknown option --frobnicate'],
    [['smtp', 'example.com'], 'did you mean smtp.example.com? Type: smtp-check smtp.example.com\n'],
    [['smtp', 'localhost'], '`localhost` is not a port'],
    [['smtp.example.com', '--ports', '-1'], '--ports: `-1` is not a port number (1–65535)'],
  ])('%j exits 2 with the problem and the usage', async (args, message) => {
    const run = await smtpCheck(args);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('usage: smtp-check <host>');
    expect(run.stdout).toBe('');
  });

  // ESC ] … BEL retitles the window, CSI 2J clears the screen, U+202E makes the rest read backwards.
  const HOSTILE = 'evil\u001b]0;pwned\u0007\u001b[2Jhost\u202ecom';
  test.each([
    [[HOSTILE], {}],
    [['a.example', HOSTILE], {}],
    [['a.example', '--ports', `25,${HOSTILE}`], {}],
    [['a.example'], { CONNECT_TIMEOUT_MS: HOSTILE }],
  ])('input echoed in an error (%j %j) is shown escaped, never raw', async (args, env) => {
    const run = await smtpCheck(args, env);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(run.stderr).toContain('evil\\x1b]0;pwned\\x07\\x1b[2Jhost\\u202ecom');
  });

  test('bad settings exit 2 and name every problem', async () => {
    const run = await smtpCheck(['127.0.0.1'], { CONNECT_TIMEOUT_MS: 'fast', EGRESS_CANARY: 'nope' });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('CONNECT_TIMEOUT_MS=fast');
    expect(run.stderr).toContain('EGRESS_CANARY=nope');
  });

  test('--help prints the usage and exits 0', async () => {
    const run = await smtpCheck(['--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('exit codes: 0');
  });
});

describe('smtp-check against local servers', () => {
  let caFile: string;
  let starttls: RunningServer;
  let implicit: RunningServer;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const ca = createTestCa();
    const leaf = ca.issue({ commonName: 'mail.example.test', ips: ['127.0.0.1'] });
    caFile = join(tmpdir(), `smtp-check-cli-test-${process.pid}.pem`);
    writeFileSync(caFile, ca.cert);
    starttls = await startSmtpServer({ key: leaf.key, cert: leaf.cert, name: 'mail.example.test' });
    implicit = await startSmtpServer({
      key: leaf.key,
      cert: leaf.cert,
      name: 'mail.example.test',
      secure: true,
    });
    closers.push(
      () => starttls.close(),
      () => implicit.close(),
    );
  });
  afterAll(async () => {
    await Promise.all(closers.map((close) => close()));
    if (caFile) rmSync(caFile, { force: true });
  });

  test('--json prints the documented shape with a verdict and evidence per port', async () => {
    const closed = await freePort();
    const run = await smtpCheck(['127.0.0.1', '--ports', `${starttls.port},${closed}`, '--json'], {
      NODE_EXTRA_CA_CERTS: caFile,
    });
    expect(run.stderr).toBe('');
    const json = JSON.parse(run.stdout) as DiagnosisJson;
    expect(json).toMatchObject({ host: '127.0.0.1', addresses: ['127.0.0.1'] });
    expect(Number.isNaN(Date.parse(json.checkedAt))).toBe(false);
    expect(json.durationMs).toBeGreaterThan(0);
    const [open, refused] = json.ports;
    expect(open).toMatchObject({
      port: starttls.port,
      mode: 'starttls',
      class: 'open-starttls',
      address: '127.0.0.1',
      greeting: '220 mail.example.test ESMTP',
      tls: { protocol: expect.stringMatching(/^TLSv1\.[23]$/) },
      certificate: { trusted: true, hostnameMatches: true, subjectAltNames: ['127.0.0.1'] },
    });
    expect(open?.ehlo.length).toBeGreaterThan(0);
    expect(open?.ehlo).not.toContain('STARTTLS');
    expect(open?.timings).toMatchObject({ connect: expect.any(Number), greeting: expect.any(Number) });
    expect(refused).toMatchObject({
      port: closed,
      class: 'refused',
      failure: { stage: 'connect', code: 'ECONNREFUSED' },
    });
    expect(refused?.findings.map((finding) => finding.id)).toContain('refused');
    expect(json.recommendation).toMatchObject({ port: starttls.port, security: 'starttls' });
    expect(json.recommendation?.config).toMatchObject({
      nodemailer: { host: '127.0.0.1', port: starttls.port },
    });
    expect(Array.isArray(json.advice)).toBe(true);
    expect(run.exitCode).toBe(0);
  });

  test('exits 1 when no submission port is usable', async () => {
    const run = await smtpCheck(['127.0.0.1', '--ports', String(await freePort()), '--json']);
    const json = JSON.parse(run.stdout) as DiagnosisJson;
    expect(json.recommendation).toBeNull();
    expect(json.findings.map((finding) => finding.id)).toContain('no-usable-port');
    expect(run.exitCode).toBe(1);
  });

  test('exits 1 on a critical finding: an untrusted certificate on a submission port', async () => {
    // Without NODE_EXTRA_CA_CERTS the test CA is unknown.
    const run = await smtpCheck(['127.0.0.1', '--ports', String(starttls.port), '--json']);
    const json = JSON.parse(run.stdout) as DiagnosisJson;
    const finding = json.ports[0]?.findings.find((f) => f.id === 'cert-untrusted');
    expect(finding?.severity).toBe('critical');
    expect(run.exitCode).toBe(1);
  });

  test('the report names the verdict, the recommendation and the configuration, with server text made safe', async () => {
    const hostile = await startScriptedServer(async (socket, lines) => {
      socket.write('220 evil.example \u001b[2J\u001b]0;pwned\u0007 ESMTP\r\n');
      await lines.next();
      socket.write('250 evil.example\r\n');
      await lines.next();
      socket.end('221 bye\r\n');
    });
    closers.push(() => hostile.close());
    const run = await smtpCheck(['127.0.0.1', '--ports', `${starttls.port},${hostile.port}`], {
      NODE_EXTRA_CA_CERTS: caFile,
    });
    expect(run.stdout).toContain('Verdict');
    expect(run.stdout).toMatch(
      new RegExp(`Recommended: 127\\.0\\.0\\.1 port ${starttls.port} with STARTTLS`),
    );
    expect(run.stdout).toContain('nodemailer:');
    expect(run.stdout).toContain('relayhost = [127.0.0.1]');
    expect(run.stdout).toContain('no-starttls');
    expect(run.stdout).toContain('220 evil.example');
    // No escape character from the server reaches the terminal.
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).not.toContain('\u0007');
  });
});

describe.runIf(spawnSync('script', ['--version']).status === 0)('smtp-check on an 80-column terminal', () => {
  test('every live line fits the terminal; the report shows the server text whole', async () => {
    const greeting = `220 ${'mx.example.test '.repeat(14)}ESMTP end-of-greeting`;
    const server = await startScriptedServer(async (socket, lines) => {
      socket.write(`${greeting}\r\n`);
      await lines.next();
      socket.write('250 mx.example.test\r\n');
      await lines.next();
      socket.end('221 bye\r\n');
    });
    try {
      const tsx = pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
      const command = `stty cols 80 rows 24; '${process.execPath}' --import '${tsx}' '${CLI}' 127.0.0.1 --ports ${server.port},${await freePort()}`;
      // `script` gives the command a pseudo-terminal: stdout is a TTY, as for a person.
      const output = await new Promise<string>((resolve) => {
        execFile(
          'script',
          ['-qfec', command, '/dev/null'],
          { cwd: REPO, env: process.env, timeout: 30_000 },
          (_e, stdout) => resolve(stdout),
        );
      });
      const reportAt = output.indexOf('smtp-check 127.0.0.1');
      expect(reportAt).toBeGreaterThan(0);
      const live = output
        .slice(0, reportAt)
        .split(/\r?\n/)
        .map((line) => line.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, ''));
      expect(live.some((line) => /^ {2}\d+ +checking…/.test(line))).toBe(true);
      expect(live.some((line) => line.includes('…') && line.includes('mx.example.test'))).toBe(true);
      for (const line of live) expect(displayWidth(line)).toBeLessThanOrEqual(80);
      expect(output.slice(reportAt)).toContain(greeting);
    } finally {
      await server.close();
    }
  });
});

// Without namespaces these are skipped, and the file fails under CI.
const noNamespaces = requireNamespaces() !== null;

describe.skipIf(noNamespaces)('smtp-check with port 25 really dropped (network namespace)', () => {
  const SCENARIO = new URL('../helpers/netns-cli-scenario.ts', import.meta.url);

  test('prints advice that names 587/465 and the likely cause, with the evidence', async () => {
    const run = await runInNamespace<CliScenarioResult>(SCENARIO, [], 40_000);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^ {2}25 +filtered/m);
    expect(run.stdout).toMatch(/^ {2}465 +open-implicit-tls/m);
    expect(run.stdout).toMatch(/^ {2}587 +open-starttls/m);
    // The test server offers AUTH before STARTTLS on 587 (a warning); 465 has no finding, so it wins.
    expect(run.stdout).toMatch(/3 of 4 ports usable · 25 filtered · use 465 \+ implicit TLS/);
    // The evidence: no answer on 25 while the other ports answered.
    expect(run.stdout).toMatch(/no answer on 25 after [\d.]+ s while \d+ answered in \d+ ms/);
    // The likely cause and the way out.
    expect(run.stdout).toMatch(/outbound (port )?25/i);
    expect(run.stdout).toMatch(/Google Cloud|AWS|Azure/);
    expect(run.stdout).toContain('Recommended: 127.0.0.1 port 465 with SSL/TLS (implicit TLS)');
    expect(run.stdout).toContain('passed over 587 (auth-before-tls)');
    expect(run.stdout).toMatch(/465/);
    expect(run.exitCode).toBe(0);
  });

  test('--json gives the right class for each port of the same host', async () => {
    const run = await runInNamespace<CliScenarioResult>(SCENARIO, ['--json'], 40_000);
    const json = JSON.parse(run.stdout) as DiagnosisJson;
    expect(json.ports.map((port) => [port.port, port.class])).toEqual([
      [25, 'filtered'],
      [465, 'open-implicit-tls'],
      [587, 'open-starttls'],
      [2525, 'open-starttls'],
    ]);
    expect(json.ports[0]?.failure).toMatchObject({ stage: 'connect', kind: 'timeout' });
    expect(json.ports[0]?.findings[0]).toMatchObject({ id: 'filtered', severity: 'warning' });
  });

  test('with an egress canary blocked too, blames this network, not the target', async () => {
    const run = await runInNamespace<CliScenarioResult>(SCENARIO, ['--with-canary', '--json'], 40_000);
    const json = JSON.parse(run.stdout) as DiagnosisJson;
    expect(json.egressCanary).toMatchObject({ target: '127.0.0.2:25', class: 'filtered' });
    const egress = json.findings.find((finding) => finding.id === 'egress-blocked');
    expect(egress?.summary).toMatch(/this network blocks outbound (port )?25/i);
    expect(json.ports[0]?.findings[0]?.severity).toBe('info');
  });
});
