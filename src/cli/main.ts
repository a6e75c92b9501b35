// Composition root of `smtp-check`: reads argv and the environment, builds the real probe.

import { createRunCheck, type RunCheck, type RunCheckDeps } from '../check/index.js';
import { ConfigError, loadProbeSettings, loadTerminalSettings } from '../config.js';
import { createResolver, probeHost } from '../probe/index.js';
import { onClosedPipe } from '../util/closed-pipe.js';
import { escapeControls } from '../text/sanitize.js';
import { promptPassword } from './prompt-password.js';
import { EXIT_USAGE, runCli } from './run-cli.js';
import { createSessionTests } from './session-tests.js';

// The check runs to its end even when the reader has gone, so the exit code is still the verdict's.
onClosedPipe(process.stdout);
onClosedPipe(process.stderr);

async function main(): Promise<number> {
  // store, worker, history, health and domain are bundled apart from the check (package.json bundle:cli):
  // sharing no chunk with them, a check loads 3 files instead of a dozen. A new command goes there.
  if (process.argv[2] === 'store') {
    const { runStoreCommand } = await import('./store-command.js');
    return runStoreCommand(process.argv.slice(3), {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    });
  }
  if (process.argv[2] === 'worker' || process.argv[2] === 'worker-role') {
    const { runWorkerCommand, runWorkerRoleCommand } = await import('./worker-command.js');
    const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
    if (process.argv[2] === 'worker-role') return runWorkerRoleCommand(process.argv.slice(3), io);
    const stopSignal = new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    return runWorkerCommand(process.argv.slice(3), { ...io, stopSignal });
  }
  if (process.argv[2] === 'history') {
    const { runHistoryCommand } = await import('./history-command.js');
    return runHistoryCommand(process.argv.slice(3), {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    });
  }
  if (process.argv[2] === 'domain') {
    const { runDomainCommand } = await import('./domain-command.js');
    return runDomainCommand(process.argv.slice(3), {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    });
  }
  if (process.argv[2] === 'health') {
    const { runHealthCommand } = await import('./health-command.js');
    return runHealthCommand(process.env, process.stdout);
  }
  let settings: ReturnType<typeof loadProbeSettings>;
  try {
    settings = loadProbeSettings(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`smtp-check: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  // nodemailer (the proof behind the recommendation) is most of the code: it loads once a check
  // starts, while the probe waits on the network, and never for --help or a typo.
  type Verify = NonNullable<RunCheckDeps['verifyRecommendation']>;
  let verifier: Promise<Verify> | undefined;
  const loadVerifier = (): Promise<Verify> => {
    verifier ??= import('../proof/index.js').then((proof) =>
      proof.createRecommendationVerifier({ timeoutMs: settings.limits.replyTimeoutMs }),
    );
    return verifier;
  };
  const check = createRunCheck({
    probeHost,
    limits: settings.limits,
    now: () => new Date(),
    resolver: createResolver(settings.dnsServers.length > 0 ? settings.dnsServers : undefined),
    defaultPorts: settings.probePorts,
    egressCanary: settings.egressCanary,
    verifyRecommendation: async (candidate, port) => (await loadVerifier())(candidate, port),
    // MTA-STS and DANE of the MX hosts: loaded for an MX check only, so a host check stays small.
    mxTransport: async (diagnosis) => {
      if (!diagnosis.mx || diagnosis.mx.implicit) return undefined;
      const { createMxTransport, mxTransportDeps } = await import('../check/mx-transport.js');
      const deps = mxTransportDeps({
        postureDnsServers: settings.postureDnsServers,
        dnssecResolver: settings.transport.dnssecResolver,
      });
      return createMxTransport(deps)(diagnosis);
    },
  });
  const runCheck: RunCheck = (request, hooks) => {
    void loadVerifier();
    return check(request, hooks);
  };
  const sessionTests = createSessionTests({
    timeoutMs: settings.limits.replyTimeoutMs,
    env: process.env,
    ask: async (user) =>
      process.stdin.isTTY
        ? promptPassword(process.stdin, process.stderr, `Password for ${escapeControls(user)} (not shown): `)
        : null,
  });
  const terminal = loadTerminalSettings(process.env);
  return runCli(
    process.argv.slice(2),
    { stdout: process.stdout, stderr: process.stderr, noColor: terminal.noColor },
    runCheck,
    sessionTests,
    {
      local: terminal.vantageName,
      open: async () => {
        const { openCliVantages } = await import('./cli-vantages.js');
        return openCliVantages(process.env, settings.probePorts);
      },
    },
  );
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`smtp-check: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
