// Runs inside a network namespace (see netns.ts): the whole bot in one process — real SMTP servers
// on 127.0.0.1:25/465/587/2525, the local Slack Web API, the HTTP-mode Bolt app, the lowdb store on
// a temp file, the real probe — watches 127.0.0.1 through a signed slash command, then makes port 25
// drop SYNs with nftables, re-tests, "restarts" the app on the same data file, lifts the rule and
// re-tests again. Prints one JSON line: the recorded Slack calls and what each step saw.
// Never run it outside a namespace: it changes the firewall of the namespace it runs in.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdmission, createRunCheck } from '../../src/check/index.js';
import { createLogger } from '../../src/log.js';
import { createTargetPolicy, RateLimiter } from '../../src/policy/index.js';
import { createResolver, probeHost } from '../../src/probe/index.js';
import { createSlackApp } from '../../src/slack/index.js';
import { openLowdbWatchStore } from '../../src/store/index.js';
import {
  createWatchCommands,
  DEFAULT_ALERT_CONFIG,
  type RecheckSummary,
  recheckWatches,
  startScheduler,
} from '../../src/watch/index.js';
import { createTestCa } from './certs.js';
import { startFakeSlackApi } from './fake-slack-api.js';
import { postSlashCommand } from './slack-signed-request.js';
import { startSmtpServer } from './smtp-test-server.js';
import { testLimits } from './probe-limits.js';

export interface WatchScenarioCall {
  method: string;
  ok: boolean;
  error?: string;
  channel?: string;
  ts?: string;
  threadTs?: string;
  text: string;
  blocks: string;
}

export interface WatchScenarioResult {
  calls: WatchScenarioCall[];
  /** What each step did: a tick's summary (manual ticks), or a marker. */
  steps: Array<{ step: string; summary?: Omit<RecheckSummary, 'durationMs'> }>;
  /** Scheduled ticks that finished on each app instance (the scheduled scenario). */
  scheduledTicks: number[];
  /** Warnings and errors the app logged. */
  problems: string[];
}

const BOT_TOKEN = 'xoxb-netns-watch-0123456789';
const SIGNING_SECRET = 'netns-watch-signing-secret-0123';
const scenario = process.argv[2];

const ca = createTestCa();
const leaf = ca.issue({
  commonName: 'mail.example.test',
  dnsNames: ['mail.example.test'],
  ips: ['127.0.0.1'],
});
const tls = { key: leaf.key, cert: leaf.cert, name: 'mail.example.test' };
const servers = await Promise.all([
  startSmtpServer({ ...tls, listenPort: 25 }),
  startSmtpServer({ ...tls, secure: true, listenPort: 465 }),
  startSmtpServer({ ...tls, listenPort: 587 }),
  startSmtpServer({ ...tls, listenPort: 2525 }),
]);

const problems: string[] = [];
const logger = createLogger({
  level: 'warn',
  write: (line) => void problems.push(line),
  secrets: [BOT_TOKEN, SIGNING_SECRET],
});
const api = await startFakeSlackApi({ botToken: BOT_TOKEN });
const dir = mkdtempSync(join(tmpdir(), 'smtp-check-watch-'));
const dataFile = join(dir, 'smtp-check.json');
const now = (): Date => new Date();
// As main.ts builds it, with the test's loopback allowed and a DNS server that cannot answer:
// the target is an IP literal, and nothing may leave anyway.
// The connect timeout ends the dropped port's wait at 0.8 s, under the probe's 1.1 s sibling-evidence
// floor: a tick then fits inside the one-second schedule below instead of skipping every other slot
// (which doubled the scheduled scenario's length). Loopback connects take microseconds, so the
// answering ports are far from it; the filtered decision itself is pinned in test/probe/filtered.
const runCheck = createRunCheck({
  probeHost,
  limits: testLimits({ connectTimeoutMs: 800 }),
  now,
  resolver: createResolver(['127.0.0.1:9']),
  policy: createTargetPolicy(['127.0.0.0/8']),
  extraCa: [ca.cert],
});
const admit = createAdmission({
  limiter: new RateLimiter({ perUserPerMinute: 20, perTargetPerMinute: 20 }, Date.now),
  extraPorts: [],
});

/** One life of the app: store on the shared file, Slack app, the tick main.ts schedules. */
async function boot() {
  const store = await openLowdbWatchStore(dataFile, { logger });
  const watches = createWatchCommands({
    store,
    runCheck,
    now,
    logger,
    alertConfig: DEFAULT_ALERT_CONFIG,
    admit,
  });
  const app = createSlackApp({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    port: 0,
    host: '127.0.0.1',
    apiUrl: api.apiUrl,
    runCheck,
    admit,
    watches,
    logger,
  });
  const { port } = await app.start();
  const tick = () =>
    recheckWatches({ store, runCheck, notify: app.notifier, now, logger, concurrency: 2, jitterMs: 0 });
  return {
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    tick,
    async stop() {
      await app.stop({ drainMs: 5_000 });
      await store.close();
    },
  };
}

const nft = (rules: string): void => {
  execFileSync('nft', ['-f', '-'], { input: rules, stdio: ['pipe', 'pipe', 'pipe'] });
};
// Only the probe's SYNs: the server's SYN-ACKs cross the output hook on loopback too.
const dropPort25 = (): void =>
  nft(
    'table inet watch {\n  chain out {\n    type filter hook output priority 0; policy accept;\n    tcp dport 25 tcp flags & (syn | ack) == syn drop\n  }\n}\n',
  );
const liftRule = (): void => {
  execFileSync('nft', ['delete', 'table', 'inet', 'watch'], { stdio: 'pipe' });
};

const steps: WatchScenarioResult['steps'] = [];
const scheduledTicks: number[] = [];
const topLevelAlert = (call: { method: string; body: Record<string, unknown> }): boolean =>
  call.method === 'chat.postMessage' &&
  call.body.thread_ts === undefined &&
  String(call.body.text).startsWith('🚨');

async function watchLoopbackHost(eventsUrl: string): Promise<void> {
  const ack = await postSlashCommand(eventsUrl, SIGNING_SECRET, {
    text: 'watch 127.0.0.1',
    user_id: 'U0LEAD',
    response_url: api.responseUrl('watch'),
  });
  if (ack.status !== 200) throw new Error(`slash command answered ${ack.status}`);
  await api.waitForCalls(
    (call) => call.method === 'chat.postMessage' && String(call.body.text).includes('Watching'),
    1,
    15_000,
  );
  steps.push({ step: 'watched' });
}

async function manualTicks(): Promise<void> {
  let app = await boot();
  await watchLoopbackHost(app.eventsUrl);
  const tick = async (step: string): Promise<void> => {
    const { durationMs: _, ...summary } = await app.tick();
    steps.push({ step, summary });
  };
  await tick('healthy');
  dropPort25();
  await tick('dropped 1');
  await tick('dropped 2');
  await tick('dropped 3');
  await app.stop();
  steps.push({ step: 'restarted' });
  app = await boot();
  await tick('dropped after restart');
  liftRule();
  await tick('lifted 1');
  await tick('lifted 2');
  await tick('lifted 3');
  await app.stop();
}

/** Counts finished scheduled ticks; waits for a count without polling. */
function tickCounter() {
  let count = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    get count() {
      return count;
    },
    done(): void {
      count += 1;
      for (const waiter of waiters.filter((w) => w.count <= count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    reach: (target: number): Promise<void> =>
      target <= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count: target, resolve })),
  };
}

async function scheduledTicksScenario(): Promise<void> {
  let app = await boot();
  await watchLoopbackHost(app.eventsUrl);
  const schedule = (run: () => Promise<RecheckSummary>) => {
    const ticks = tickCounter();
    const scheduler = startScheduler({
      // A real node-cron schedule with a seconds field: every second, never overlapping.
      expression: '*/1 * * * * *',
      logger,
      tick: async () => {
        await run();
        ticks.done();
      },
    });
    return { ticks, scheduler };
  };
  dropPort25();
  let { ticks, scheduler } = schedule(app.tick);
  const [alert] = await api.waitForCalls(topLevelAlert, 1, 20_000);
  // The alert was posted during tick count + 1; tick count + 2 ran whole with the port still
  // dropped, and may say nothing new.
  await ticks.reach(ticks.count + 2);
  await scheduler.stop();
  scheduledTicks.push(ticks.count);
  await app.stop();
  steps.push({ step: 'restarted' });

  app = await boot();
  ({ ticks, scheduler } = schedule(app.tick));
  await ticks.reach(1);
  steps.push({ step: 'ticked after restart while dropped' });
  liftRule();
  await api.waitForCalls(
    (call) =>
      call.method === 'chat.update' &&
      call.body.ts === alert?.response.ts &&
      String(call.body.text).includes('Resolved'),
    1,
    20_000,
  );
  // And one whole tick after the resolution's: the resolved incident stays resolved.
  await ticks.reach(ticks.count + 2);
  await scheduler.stop();
  scheduledTicks.push(ticks.count);
  await app.stop();
}

try {
  if (scenario === 'ticks') await manualTicks();
  else if (scenario === 'scheduled') await scheduledTicksScenario();
  else throw new Error(`unknown scenario ${scenario}`);
} finally {
  await Promise.all(servers.map((server) => server.close()));
  await api.close();
  rmSync(dir, { recursive: true, force: true });
}

const calls: WatchScenarioCall[] = api.calls.map((call) => ({
  method: call.method,
  ok: call.ok,
  ...(call.error ? { error: call.error } : {}),
  ...(typeof call.body.channel === 'string' ? { channel: call.body.channel } : {}),
  ...(typeof call.response.ts === 'string' ? { ts: call.response.ts } : {}),
  ...(typeof call.body.thread_ts === 'string' ? { threadTs: call.body.thread_ts } : {}),
  text: typeof call.body.text === 'string' ? call.body.text : '',
  blocks: JSON.stringify(call.body.blocks ?? call.body.view ?? null),
}));
process.stdout.write(
  `${JSON.stringify({ calls, steps, scheduledTicks, problems } satisfies WatchScenarioResult)}\n`,
);
