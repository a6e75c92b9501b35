import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPool } from '../../src/database/connection.js';
import { migrate } from '../../src/store/pg/migrations.js';
import { createTestCa } from '../helpers/certs.js';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fake-slack-api.js';
import {
  createTestDatabase,
  requireInfrastructure,
  requirePostgres,
  type TestDatabase,
} from '../helpers/postgres.js';
import { freePort } from '../helpers/scripted-server.js';
import { type SocketModeServer, startSocketModeServer } from '../helpers/slack-socket-server.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';
import { createWorkerRole, type WorkerRole, workerCli } from '../helpers/vantage-harness.js';

// A real Prometheus (the Debian package's server) scrapes, on loopback, the bot as `npm start`
// runs it in Socket Mode with HEALTH_PORT, and a real `smtp-check worker` with HEALTH_PORT, every
// second, with the rules file of monitoring/ loaded. Read back through Prometheus' HTTP API: the
// watched port goes from up 1 to 0 when its mail server stops, the phase becomes blocked and the
// alert of the rules file fires, the tick counter moves, and the worker's heartbeat age is there.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const MAIN = join(ROOT, 'src/main.ts');
const RULES = join(ROOT, 'monitoring/smtp-check-rules.yml');
const BOT_TOKEN = 'xoxb-1-prometheus-scrape-test-token';
const APP_TOKEN = 'xapp-1-prometheus-scrape-app-token';
const CHANNEL = 'C0PROMETHEUS';
const SOCKET_DIR = process.env['PGTEST_SOCKET_DIR'] ?? '/var/run/postgresql';

const prometheusMissing = requireInfrastructure(
  'prometheus',
  spawnSync('prometheus', ['--version'], { encoding: 'utf8' }).error
    ? 'the prometheus server is not installed (apt-get install prometheus)'
    : null,
);
const pgSkip = await requirePostgres();
const rootSkip = requireInfrastructure(
  'root (an OS user per worker role)',
  process.getuid?.() === 0 ? null : 'making the worker role’s OS user needs root',
);
const skip = prometheusMissing !== null || pgSkip !== null || rootSkip !== null;

interface Process {
  child: ChildProcess;
  output(): string;
  exited: Promise<unknown>;
  /** The first match in the output; rejects after 30 s with the output. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

const processes: Process[] = [];

function start(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Process {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      for (const listener of [...listeners]) listener();
    });
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (!match) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(match);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no ${pattern} from ${command} within 30 s:\n${output.slice(-3_000)}`));
      }, 30_000);
      listeners.add(check);
      check();
    });
  const started = { child, output: () => output, exited, waitFor };
  processes.push(started);
  return started;
}

async function stop(running: Process): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 5_000);
  await running.exited;
  clearTimeout(timer);
}

const HEALTH_LISTENING = /"msg":"health and metrics listening".*?"port":(\d+)/;

describe.skipIf(skip)('Prometheus scraping the bot and a worker', () => {
  let dir: string;
  let db: TestDatabase;
  let role: WorkerRole;
  let api: FakeSlackApi;
  let socket: SocketModeServer;
  let smtp: RunningServer;
  let prometheusUrl: string;
  let prometheus: Process;

  /** The samples of an instant query, as [labels, value]. */
  const query = async (promql: string): Promise<{ metric: Record<string, string>; value: number }[]> => {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
    return body.data.result.map((sample) => ({ metric: sample.metric, value: Number(sample.value[1]) }));
  };
  /** The one sample's value, undefined while there is none. */
  const sampleValue = async (promql: string): Promise<number | undefined> => {
    const result = await query(promql);
    if (result.length > 1) throw new Error(`${promql}: ${result.length} samples`);
    return result[0]?.value;
  };
  const poll = { timeout: 20_000, interval: 250 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smtp-check-prometheus-'));

    // The watched mail server: STARTTLS with a certificate the bot trusts, so the port is usable.
    const ca = createTestCa();
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, ca.cert);
    smtp = await startSmtpServer(ca.issue({ commonName: 'mail.example.test', ips: ['127.0.0.1'] }));

    // The bot's store: one watch of that port, as the JSON data file keeps it.
    const dataFile = join(dir, 'data.json');
    const addedAt = new Date().toISOString();
    writeFileSync(
      dataFile,
      JSON.stringify({
        version: 2,
        watches: {
          [`${CHANNEL}/127.0.0.1`]: {
            channel: CHANNEL,
            host: '127.0.0.1',
            ports: [smtp.port],
            addedBy: 'U0LEAD',
            addedAt,
            alerts: {},
            incident: null,
            mute: null,
          },
        },
        history: {},
      }),
    );

    api = await startFakeSlackApi({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    socket = await startSocketModeServer();
    api.setSocketUrl(socket.url);
    const bot = start(process.execPath, ['--import', TSX, MAIN], {
      cwd: dir,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: dir,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: api.apiUrl,
        DATA_FILE: dataFile,
        CHECK_SCHEDULE: '* * * * * *',
        ALLOW_TARGETS: '127.0.0.0/8',
        ALLOWED_PORTS: String(smtp.port),
        NODE_EXTRA_CA_CERTS: caFile,
        CONNECT_TIMEOUT_MS: '1500',
        HEALTH_PORT: '0',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
      },
    });

    // The worker: its least-privilege role's OS user, on this machine's loopback.
    db = await createTestDatabase('smtp_check_prometheus');
    const pool = createPool(db.url, { max: 1 });
    try {
      await migrate(pool, db.name);
    } finally {
      await pool.end();
    }
    role = await createWorkerRole(db, 'office');
    const cli = await workerCli();
    const worker = start(
      'setpriv',
      [
        `--reuid=${role.uid}`,
        `--regid=${role.gid}`,
        '--clear-groups',
        process.execPath,
        cli,
        'worker',
        '--vantage',
        'office',
      ],
      {
        cwd: '/',
        env: {
          PATH: process.env['PATH'] ?? '',
          DATABASE_URL: `postgres://${role.role}@/${db.name}?host=${encodeURIComponent(SOCKET_DIR)}`,
          HEALTH_PORT: '0',
          LOG_FORMAT: 'json',
          LOG_LEVEL: 'info',
        },
      },
    );

    const botPort = Number((await bot.waitFor(HEALTH_LISTENING))[1]);
    const workerPort = Number((await worker.waitFor(HEALTH_LISTENING))[1]);
    await worker.waitFor(/waiting for probe jobs/);
    await socket.connected();

    // Prometheus, its configuration as monitoring/prometheus.yml, every second, on a free port.
    const listen = await freePort();
    prometheusUrl = `http://127.0.0.1:${listen}`;
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${JSON.stringify(RULES)}`,
        'scrape_configs:',
        '  - job_name: smtp-check-bot',
        '    metrics_path: /metrics',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${botPort}']`,
        '        labels: { service: smtp-check, role: bot }',
        '  - job_name: smtp-check-worker',
        '    metrics_path: /metrics',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${workerPort}']`,
        '        labels: { service: smtp-check, role: worker, vantage: office }',
        '',
      ].join('\n'),
    );
    prometheus = start(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${listen}`,
        '--log.level=warn',
      ],
      { cwd: dir, env: { PATH: process.env['PATH'] ?? '' } },
    );
    // Ready once it has loaded its configuration and rules; polled, each answer awaited.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const response = await fetch(`${prometheusUrl}/-/ready`).catch(() => null);
      if (response?.status === 200) break;
      if (prometheus.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`prometheus is not ready:\n${prometheus.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 60_000);

  afterAll(async () => {
    for (const started of processes.reverse()) await stop(started);
    await smtp?.close();
    await socket?.close();
    await api?.close();
    await role?.remove();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  test('both targets are up, with their role labels', async () => {
    await expect
      .poll(async () => (await query('up == 1')).map((sample) => sample.metric['job']).sort(), poll)
      .toEqual(['smtp-check-bot', 'smtp-check-worker']);
    expect(await sampleValue('smtp_check_build_info{role="bot"}')).toBe(1);
    expect(await sampleValue('smtp_check_build_info{role="worker",vantage="office"}')).toBe(1);
  });

  test('the watched port: up 1, then 0 and blocked when its server stops; the alert fires; ticks move', {
    timeout: 40_000,
  }, async () => {
    const port = `port="${smtp.port}"`;
    const up = `smtp_check_watch_port_up{host="127.0.0.1",${port},vantage="bot"}`;
    await expect.poll(() => sampleValue(up), poll).toBe(1);
    await expect
      .poll(() => sampleValue(`smtp_check_watch_port_phase{host="127.0.0.1",${port},phase="ok"}`), poll)
      .toBe(1);
    const ticksBefore = (await sampleValue('smtp_check_ticks_total')) ?? Number.NaN;
    expect(ticksBefore).toBeGreaterThan(0);
    expect(await query('ALERTS{alertname="SmtpCheckWatchedPortBlocked"}')).toEqual([]);

    await smtp.close();
    await expect.poll(() => sampleValue(up), poll).toBe(0);
    await expect
      .poll(() => sampleValue(`smtp_check_watch_port_phase{host="127.0.0.1",${port},phase="blocked"}`), poll)
      .toBe(1);
    // Prometheus' own record of the rule: the alert is firing, with the port's labels.
    await expect
      .poll(async () => (await query('ALERTS{alertstate="firing"}')).map((sample) => sample.metric), poll)
      .toEqual([
        expect.objectContaining({
          alertname: 'SmtpCheckWatchedPortBlocked',
          host: '127.0.0.1',
          port: String(smtp.port),
          vantage: 'bot',
          severity: 'critical',
        }),
      ]);
    // The range of up holds both values: 1 before, 0 now.
    expect(await sampleValue(`max_over_time(${up}[1m])`)).toBe(1);
    expect(await sampleValue(`min_over_time(${up}[1m])`)).toBe(0);

    expect(await sampleValue('smtp_check_ticks_total')).toBeGreaterThan(ticksBefore);
    expect(await sampleValue('increase(smtp_check_ticks_total[1m]) > 0')).toBeGreaterThan(0);
    expect(await sampleValue('smtp_check_schedule_interval_seconds')).toBe(1);
    expect(await sampleValue('time() - smtp_check_last_tick_timestamp_seconds')).toBeLessThan(10);
  });

  test("the worker's last heartbeat, and its age, are there", async () => {
    const beat =
      'smtp_check_worker_last_heartbeat_timestamp_seconds{job="smtp-check-worker",vantage="office"}';
    await expect.poll(() => sampleValue(beat), poll).toBeGreaterThan(0);
    const age = await sampleValue(`time() - ${beat}`);
    expect(age).toBeGreaterThanOrEqual(-1);
    expect(age).toBeLessThan(20);
    expect(await sampleValue('smtp_check_worker_jobs_total{outcome="answered"}')).toBe(0);
  });
});
