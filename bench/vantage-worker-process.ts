import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// One `smtp-check worker --vantage NAME` process for bench/vantage-bench.ts, run as a user runs it:
// the built CLI (bin/smtp-check.js) when `npm run build` has made it, else the source through tsx.
// Its log (JSON records on stderr) is read for the "probing" line each job it takes writes, so the
// bench can count how many times each job was probed, whichever worker took it.

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/cli-bundle/main.js', import.meta.url));

/** The command a worker is started with (the built CLI, or the source through tsx). */
export function workerCommand(): string[] {
  return existsSync(BUILT)
    ? [fileURLToPath(new URL('../bin/smtp-check.js', import.meta.url))]
    : ['--import', 'tsx', fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))];
}

export interface BenchWorker {
  /** pg-boss job ids this worker started probing, in order (one entry per probe). */
  readonly probedJobs: string[];
  stop(): Promise<void>;
}

export interface BenchWorkerOptions {
  databaseUrl: string;
  vantage: string;
  concurrency: number;
  /** The worker's own ALLOW_TARGETS. */
  allowTargets: string;
  /** The worker's own ALLOWED_PORTS: the bench's servers listen on a free port, not an SMTP one. */
  allowedPorts: string;
  /** A CA file the worker trusts besides the system's (NODE_EXTRA_CA_CERTS). */
  caFile: string;
  readyTimeoutMs?: number;
}

/** Starts a worker and resolves once it says it is waiting for jobs. */
export async function startBenchWorker(options: BenchWorkerOptions): Promise<BenchWorker> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...workerCommand(),
      'worker',
      '--vantage',
      options.vantage,
      '--concurrency',
      String(options.concurrency),
    ],
    {
      cwd: REPO,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? REPO,
        DATABASE_URL: options.databaseUrl,
        ALLOW_TARGETS: options.allowTargets,
        ALLOWED_PORTS: options.allowedPorts,
        NODE_EXTRA_CA_CERTS: options.caFile,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const probedJobs: string[] = [];
  const problems: string[] = [];
  // The worker's log lines reach stderr without a line break between them (worker-command.ts
  // writes each record as it is), so records are split where the next one starts.
  let pending = '';
  const read = (record: string) => {
    const fields = JSON.parse(record) as { msg?: unknown; level?: unknown; job?: unknown };
    if (fields.msg === 'probing' && typeof fields.job === 'string') probedJobs.push(fields.job);
    else if (fields.level === 'warn' || fields.level === 'error') problems.push(record.slice(0, 500));
  };
  const complete = (record: string): boolean => {
    try {
      JSON.parse(record);
      return true;
    } catch {
      return false;
    }
  };
  child.stderr!.on('data', (chunk: Buffer) => {
    const records = (pending + chunk.toString('utf8')).split(/(?=\{"time":)/).map((text) => text.trim());
    pending = records.pop() ?? '';
    if (complete(pending)) {
      records.push(pending);
      pending = '';
    }
    for (const record of records) if (record !== '') read(record);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker ${options.vantage} not ready: ${problems.join('\n')}`)),
      options.readyTimeoutMs ?? 30_000,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('waiting for probe jobs')) return;
      clearTimeout(timer);
      resolve();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`worker ${options.vantage} exited (${code}) before it was ready: ${problems.join('\n')}`),
      );
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return { probedJobs, stop };
}
