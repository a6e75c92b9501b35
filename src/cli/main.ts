// Composition root of `smtp-check`: reads argv and the environment, builds the real probe.

import { createRunCheck } from '../check/index.js';
import { ConfigError, loadProbeSettings } from '../config.js';
import { createResolver, probeHost } from '../probe/index.js';
import { onClosedPipe } from '../util/closed-pipe.js';
import { escapeControls } from '../render/sanitize.js';
import { promptPassword } from './prompt-password.js';
import { EXIT_USAGE, runCli } from './run-cli.js';
import type { SessionTests } from './session-tests.js';

// The check runs to its end even when the reader has gone, so the exit code is still the verdict's.
onClosedPipe(process.stdout);
onClosedPipe(process.stderr);

async function main(): Promise<number> {
  if (process.argv[2] === 'store') {
    const { runStoreCommand } = await import('./store-command.js');
    return runStoreCommand(process.argv.slice(3), {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    });
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
  // nodemailer (the proof behind the recommendation) loads while the probe runs.
  const verifier = import('../proof/index.js').then((proof) =>
    proof.createRecommendationVerifier({ timeoutMs: settings.limits.replyTimeoutMs }),
  );
  const runCheck = createRunCheck({
    probeHost,
    limits: settings.limits,
    now: () => new Date(),
    resolver: createResolver(settings.dnsServers.length > 0 ? settings.dnsServers : undefined),
    defaultPorts: settings.probePorts,
    egressCanary: settings.egressCanary,
    verifyRecommendation: async (candidate, port) => (await verifier)(candidate, port),
  });
  const sessionTests: SessionTests = {
    testCredentials: async (options) => (await import('../proof/index.js')).testCredentials(options),
    sendTestMessage: async (options) => (await import('../proof/index.js')).sendTestMessage(options),
    password: async (user) => {
      const fromEnv = process.env['SMTP_PASSWORD'];
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
      if (!process.stdin.isTTY) return null;
      return promptPassword(
        process.stdin,
        process.stderr,
        `Password for ${escapeControls(user)} (not shown): `,
      );
    },
    timeoutMs: settings.limits.replyTimeoutMs,
  };
  return runCli(
    process.argv.slice(2),
    { stdout: process.stdout, stderr: process.stderr, noColor: 'NO_COLOR' in process.env },
    runCheck,
    sessionTests,
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
