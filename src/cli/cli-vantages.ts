import type { VantageSelection } from '../chat/use-cases/vantage-words.js';
import { limitVantages, MAX_VANTAGES } from '../vantage/vantage-limit.js';
import type { CheckRequest } from '../check/types.js';
import type { VantageOutcome } from '../diagnose/vantage-types.js';
import { createLogger } from '../log.js';
import { createPool } from '../database/connection.js';
import { databasePassword } from '../database/database-url.js';
import { loadCliVantageSettings } from '../config.js';
import { openPgVantageProbes } from '../vantage/pg-vantage-probes.js';
import type { VantageAskProgress } from './run-cli.js';

// `smtp-check host --from aws-eu,office`: the terminal asks the bot's workers through the same
// database and queue as the bot. Its own network is the report above; the others come back as
// facts, judged here.

export async function openCliVantages(
  env: Record<string, string | undefined>,
  defaultPorts: number[],
): Promise<
  | {
      ask(
        selection: VantageSelection,
        request: CheckRequest,
        progress?: VantageAskProgress,
      ): Promise<VantageOutcome[]>;
      close(): Promise<void>;
    }
  | { problem: string }
> {
  const settings = loadCliVantageSettings(env);
  if ('problem' in settings) return settings;
  const url = settings.databaseUrl;
  const password = databasePassword(url);
  const logger = createLogger({
    level: 'warn',
    format: 'text',
    secrets: [url, ...(password ? [password] : [])],
    write: (line) => process.stderr.write(`${line}\n`),
  });
  const pool = createPool(url, { max: 4, onIdleError: () => undefined });
  try {
    const probes = await openPgVantageProbes({
      db: { pool, url },
      // Not a vantage name: this terminal's own result is the report, never asked for again.
      local: '',
      runCheck: () => Promise.reject(new Error('the terminal checks its own network itself')),
      defaultPorts,
      deadlineMs: settings.deadlineMs,
      logger,
    });
    return {
      ask: async (selection, request, progress) => {
        // Each answer (or silence) is heard as it comes, so the terminal can say who it still waits for.
        const probeFrom = (names: string[]) => {
          progress?.asking(names, settings.deadlineMs);
          return probes.probeFrom(names, request, {
            priority: 'interactive',
            ...(progress ? { onOutcome: (outcome: VantageOutcome) => progress.answered(outcome) } : {}),
          });
        };
        if (selection.kind === 'named') return probeFrom(selection.names);
        // `--from all` asks at most MAX_VANTAGES, as a check in chat does, and says who was left out.
        const live = (await probes.list())
          .filter((vantage) => !vantage.local && vantage.live)
          .map((vantage) => vantage.name);
        const { names, leftOut } = limitVantages(live, '');
        if (leftOut.length > 0) {
          process.stderr.write(
            `smtp-check: --from all asks at most ${MAX_VANTAGES} vantages; left out: ${leftOut.join(', ')}\n`,
          );
        }
        return probeFrom(names);
      },
      close: async () => {
        await probes.close();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end().catch(() => undefined);
    const message = (error as Error)?.message ?? String(error);
    return {
      problem: `cannot reach the vantages' database: ${password ? message.replaceAll(password, '***') : message}`,
    };
  }
}
