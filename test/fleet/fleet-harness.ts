import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createTestCa } from '../helpers/certs.js';
import { type FakeSlackApi, type StoredMessage, startFakeSlackApi } from '../helpers/fake-slack-api.js';
import { asSuperuser, createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { freePort, mtaScript, startScriptedServer } from '../helpers/scripted-server.js';
import { postSlashCommand } from '../helpers/slack-signed-request.js';
import { startSmtpServer } from '../helpers/smtp-test-server.js';

// A fleet as it runs in production, on this machine: bot processes (`node --import tsx
// src/main.ts`, HTTP mode) sharing one PostgreSQL database of their own, a local Slack Web API,
// and SMTP servers on loopback addresses (127.0.0.2, .3, …), each a watched host. Nothing here
// waits a fixed time: everything is awaited on a log line, a Slack call or a database row, with
// generous deadlines for a loaded machine.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const MAIN = join(ROOT, 'src/main.ts');
const BOT_TOKEN = 'xoxb-fleet-test-0123456789';
export const SIGNING_SECRET = 'fleet-test-signing-secret-0123';
export const CHANNEL = 'C0FLEET';
/** A schedule with a seconds field: a tick every two seconds. */
const SCHEDULE = '*/2 * * * * *';
export const DEADLINE_MS = 90_000;

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface Replica {
  readonly child: ChildProcess;
  /** Its name in the fleet's tables (claimed_by). */
  replicaId(): string;
  /** Where it takes Slack's requests (http://127.0.0.1:port/slack/events). */
  eventsUrl(): string;
  lines(): LogLine[];
  output(): string;
  /** The first log line that matches, logged already or to come. */
  waitForLog(match: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** The first line logged from now on that matches. */
  nextLog(match: (line: LogLine) => boolean, what: string): Promise<LogLine>;
  /** Resolves once this replica has finished `count` more ticks than now. */
  moreTicks(count: number): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface WatchedHost {
  host: string;
  port: number;
  /** Stops the server: the port is refused from now on. */
  block(): Promise<void>;
  /** Starts it again on the same address and port. */
  restore(): Promise<void>;
}

export interface Fleet {
  db: TestDatabase;
  api: FakeSlackApi;
  replicas: Replica[];
  /** Starts a replica and waits until it is ready. */
  startReplica(env?: Record<string, string>): Promise<Replica>;
  /** A healthy SMTP server with STARTTLS on 127.0.0.<n>. */
  healthyHost(n: number): Promise<WatchedHost>;
  /** An SMTP server on 127.0.0.<n> that greets only after greetDelayMs: a tick spends that long on it. */
  slowHost(n: number, greetDelayMs: number): Promise<WatchedHost>;
  /** `/smtp-check watch host port` through a replica; resolves once the confirmation is posted. */
  watch(replica: Replica, target: WatchedHost): Promise<void>;
  /** Top-level messages in the channel that were posted as alerts about host (resolved ones too). */
  alerts(host: string): StoredMessage[];
  /**
   * Takes this test's database away (connections refused, every backend terminated) or gives it
   * back; the server and its other databases are untouched.
   */
  outage(down: boolean): Promise<void>;
  /** Rows of a fleet table. */
  rows<T>(sql: string, values?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** `appToken`: the fake Slack API also opens Socket Mode connections, for replicas given SLACK_APP_TOKEN. */
class PortTaken extends Error {}

export async function startFleet(options: { appToken?: string } = {}): Promise<Fleet> {
  const dir = await mkdtemp(join(tmpdir(), 'smtp-check-fleet-'));
  const db = await createTestDatabase('smtp_check_fleet_e2e');
  const api = await startFakeSlackApi({
    botToken: BOT_TOKEN,
    ...(options.appToken ? { appToken: options.appToken } : {}),
  });
  const ca = createTestCa();
  const addresses = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
  const leaf = ca.issue({ commonName: 'mail.example.test', dnsNames: ['mail.example.test'], ips: addresses });
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.cert);
  const tls = { key: leaf.key, cert: leaf.cert };
  const servers: Array<{ close(): Promise<void> }> = [];
  const replicas: Replica[] = [];
  const ports: number[] = [];

  const startReplicaOnce = async (env: Record<string, string> = {}): Promise<Replica> => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', TSX, MAIN], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        PORT: String(port),
        SLACK_API_URL: api.apiUrl,
        DATABASE_URL: db.url,
        DATA_FILE: join(dir, 'unused.json'),
        CHECK_SCHEDULE: SCHEDULE,
        CHECK_CONCURRENCY: '1',
        WATCH_LEASE_SECONDS: '3',
        ALLOW_TARGETS: '127.0.0.0/8',
        ALLOWED_PORTS: ports.join(','),
        NODE_EXTRA_CA_CERTS: caFile,
        CONNECT_TIMEOUT_MS: '2000',
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'json',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const lines: LogLine[] = [];
    const listeners = new Set<() => void>();
    let partial = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        partial += chunk;
        const complete = partial.split('\n');
        partial = complete.pop() ?? '';
        for (const text of complete) {
          if (!text.startsWith('{')) continue;
          try {
            lines.push(JSON.parse(text) as LogLine);
          } catch {
            // a line of another writer cut in the middle: not one of ours
          }
        }
        for (const listener of [...listeners]) listener();
      });
    }
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const waitForLog = (
      match: (line: LogLine) => boolean,
      what: string,
      timeoutMs = DEADLINE_MS,
      from = 0,
    ) => {
      return new Promise<LogLine>((resolve, reject) => {
        const check = (): void => {
          const found = lines.slice(from).find(match);
          if (!found) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no log line ${what} within ${timeoutMs} ms:\n${output.slice(-4_000)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    };
    const ticks = () => lines.filter((line) => line.msg === 'watch tick finished');
    const replica: Replica = {
      child,
      replicaId: () =>
        String(lines.find((line) => line.msg === 'watch schedule shared through PostgreSQL')?.replica),
      eventsUrl: () => `http://127.0.0.1:${port}/slack/events`,
      lines: () => lines,
      output: () => output,
      waitForLog,
      nextLog: (match, what) => waitForLog(match, what, DEADLINE_MS, lines.length),
      moreTicks: async (count) => {
        const target = ticks().length + count;
        await waitForLog(() => ticks().length >= target, `${count} more finished ticks`);
      },
      exited,
    };
    const ready = waitForLog((line) => line.msg === 'smtp-check ready', 'smtp-check ready', 60_000);
    // freePort's port can be taken by another process before the replica binds it: say so.
    const gone = exited.then(({ code }) => {
      if (/already in use/.test(output)) throw new PortTaken();
      throw new Error(`replica exited (${code}) before it was ready:\n${output.slice(-4_000)}`);
    });
    gone.catch(() => undefined);
    replicas.push(replica);
    try {
      await Promise.race([ready, gone]);
    } catch (error) {
      if (error instanceof PortTaken) replicas.splice(replicas.indexOf(replica), 1);
      throw error;
    }
    return replica;
  };

  /** Starts a replica; when its port was taken in the meantime, again on another port. */
  const startReplica = async (env: Record<string, string> = {}): Promise<Replica> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await startReplicaOnce(env);
      } catch (error) {
        if (!(error instanceof PortTaken) || attempt >= 3) throw error;
      }
    }
  };

  const hostOn = async (
    n: number,
    start: (host: string, port: number) => Promise<{ port: number; close(): Promise<void> }>,
  ): Promise<WatchedHost> => {
    const host = `127.0.0.${n}`;
    let server = await start(host, 0);
    const { port } = server;
    ports.push(port);
    servers.push({ close: () => server.close() });
    return {
      host,
      port,
      block: () => server.close(),
      restore: async () => {
        server = await start(host, port);
        if (server.port !== port) throw new Error(`${host} came back on ${server.port}, not ${port}`);
      },
    };
  };

  return {
    db,
    api,
    replicas,
    startReplica,
    healthyHost: (n) =>
      hostOn(n, (host, port) => startSmtpServer({ ...tls, listenHost: host, listenPort: port })),
    slowHost: (n, greetDelayMs) =>
      hostOn(n, (host) =>
        startScriptedServer(
          mtaScript({
            greetDelayMs,
            ehlo: ['250-mail.example.test', '250 STARTTLS'],
            starttls: { ...tls, ehlo: ['250 mail.example.test'] },
          }),
          { host },
        ),
      ),
    async watch(replica, target) {
      const ack = await postSlashCommand(replica.eventsUrl(), SIGNING_SECRET, {
        text: `watch ${target.host} ${target.port}`,
        channel_id: CHANNEL,
        user_id: 'U0LEAD',
        response_url: api.responseUrl(`watch-${target.host}`),
      });
      if (ack.status !== 200) throw new Error(`the slash command answered ${ack.status}`);
      await api.waitForCalls(
        (call) =>
          call.method === 'chat.postMessage' &&
          call.ok &&
          String(call.body.text).includes(`Watching \`${target.host}\``),
        1,
        DEADLINE_MS,
      );
    },
    alerts: (host) =>
      api
        .messagesIn(CHANNEL)
        .filter((message) => message.thread_ts === undefined && message.postedText.startsWith(`🚨 ${host}:`)),
    outage: (down) =>
      asSuperuser('postgres', async (client) => {
        await client.query(`ALTER DATABASE ${db.name} WITH ALLOW_CONNECTIONS ${down ? 'false' : 'true'}`);
        if (down)
          await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
            db.name,
          ]);
      }),
    rows: <T>(sql: string, values: unknown[] = []) =>
      asSuperuser(db.name, async (client) => (await client.query(sql, values)).rows as T[]),
    async close() {
      for (const replica of replicas) if (replica.child.exitCode === null) replica.child.kill('SIGKILL');
      await Promise.all(replicas.map((replica) => replica.exited));
      await Promise.all(servers.map((server) => server.close().catch(() => undefined)));
      await api.close();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
