import { sessionPassword } from '../config.js';
import type { HostDiagnosis, PortDiagnosis } from '../diagnose/types.js';
import type { SessionTestReport } from '../render/terminal-session-tests.js';
import type { SessionProgress } from '../render/terminal-progress.js';
import type {
  CredentialTestOptions,
  CredentialTestResult,
  SendTestOptions,
  SendTestResult,
} from '../proof/index.js';

/** The credential and send tests, injected so the CLI can be tested without a terminal. */
export interface SessionTests {
  testCredentials(options: CredentialTestOptions): Promise<CredentialTestResult>;
  sendTestMessage(options: SendTestOptions): Promise<SendTestResult>;
  /** The password for `user`: SMTP_PASSWORD, else a no-echo prompt on a terminal; null when neither. */
  password(user: string): Promise<string | null>;
  timeoutMs: number;
}

/**
 * The real tests (nodemailer, loaded when first needed). The password is SMTP_PASSWORD, else what
 * `ask` gets from a no-echo prompt, else null.
 */
export function createSessionTests(options: {
  timeoutMs: number;
  env: Record<string, string | undefined>;
  ask?: (user: string) => Promise<string | null>;
}): SessionTests {
  return {
    testCredentials: async (test) => (await import('../proof/index.js')).testCredentials(test),
    sendTestMessage: async (test) => (await import('../proof/index.js')).sendTestMessage(test),
    password: async (user) => {
      const fromEnv = sessionPassword(options.env);
      if (fromEnv !== null) return fromEnv;
      return options.ask ? options.ask(user) : null;
    },
    timeoutMs: options.timeoutMs,
  };
}

/** The tests' results; `problem` says why a test could not run at all (no port, no password). */
export type SessionTestResults = SessionTestReport;

/** Ports with an SMTP session worth logging in to: a TLS session came up on them. */
function tlsSession(port: PortDiagnosis): boolean {
  return port.tls !== null && port.failure === null;
}

/**
 * The ports to test: the ones named on the command line that came up with TLS, or else the
 * recommended (verified) port. A password only ever crosses TLS.
 */
function portsToTest(diagnosis: HostDiagnosis, named: number[]): PortDiagnosis[] {
  if (named.length > 0)
    return diagnosis.ports.filter((port) => named.includes(port.port) && tlsSession(port));
  const recommended = diagnosis.recommendation;
  const port = recommended && diagnosis.ports.find((each) => each.port === recommended.port);
  return port && tlsSession(port) ? [port] : [];
}

function secureOf(port: PortDiagnosis): boolean {
  return port.observedMode === 'implicit-tls';
}

/** `onProgress` hears each step of each session as it starts (the live line while people wait). */
export async function runSessionTests(
  diagnosis: HostDiagnosis,
  request: { ports: number[]; user?: string; send?: { from: string; to: string } },
  tests: SessionTests,
  onProgress?: (progress: SessionProgress) => void,
): Promise<SessionTestResults> {
  const stepsOf = (test: SessionProgress['test'], port: PortDiagnosis) =>
    onProgress
      ? {
          onStep: (step: SessionProgress['step']) =>
            onProgress({ test, port: port.port, secure: secureOf(port), step }),
        }
      : {};
  const results: SessionTestResults = { credentials: [], send: null, problem: null };
  const ports = portsToTest(diagnosis, request.ports);
  if (ports.length === 0) {
    results.problem =
      request.ports.length > 0
        ? `none of the ports named (${request.ports.join(', ')}) came up with TLS, so no password or message was sent`
        : 'no verified configuration with TLS to test with, so no password or message was sent: name a port with --ports';
    return results;
  }
  let password: string | undefined;
  if (request.user !== undefined) {
    const given = await tests.password(request.user);
    if (given === null) {
      results.problem =
        'no password: set SMTP_PASSWORD, or run on a terminal to be asked (it is never taken as an argument)';
      return results;
    }
    password = given;
    for (const port of ports) {
      results.credentials.push(
        await tests.testCredentials({
          host: diagnosis.host,
          port: port.port,
          secure: secureOf(port),
          user: request.user,
          password,
          ...(port.address ? { address: port.address } : {}),
          limits: { timeoutMs: tests.timeoutMs },
          ...stepsOf('login', port),
        }),
      );
    }
  }
  if (request.send) {
    const loggedIn = results.credentials.find((result) => result.ok);
    const port = ports.find((each) => each.port === loggedIn?.port) ?? ports[0]!;
    results.send = await tests.sendTestMessage({
      host: diagnosis.host,
      port: port.port,
      secure: secureOf(port),
      ...(port.address ? { address: port.address } : {}),
      from: request.send.from,
      to: request.send.to,
      ...(request.user !== undefined && password !== undefined ? { user: request.user, password } : {}),
      limits: { timeoutMs: tests.timeoutMs },
      ...stepsOf('send', port),
    });
  }
  return results;
}

/** Whether the tests that ran all succeeded (a test that could not run counts as failed). */
export function sessionTestsPassed(results: SessionTestResults): boolean {
  if (results.problem) return false;
  if (results.credentials.length > 0 && !results.credentials.some((result) => result.ok)) return false;
  return results.send === null || results.send.ok;
}
