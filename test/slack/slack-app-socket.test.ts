import { afterAll, beforeAll, expect, test } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createSlackApp, type SlackApp } from '../../src/slack/index.js';
import { createTestCa } from '../helpers/certs.js';
import { type FakeSlackApi, type RecordedCall, startFakeSlackApi } from '../helpers/fake-slack-api.js';
import { type GatedProxy, startGatedProxy } from '../helpers/slack-gated-proxy.js';
import { realRunCheck } from '../helpers/slack-real-check.js';
import { type SocketModeServer, startSocketModeServer } from '../helpers/slack-socket-server.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

const BOT_TOKEN = 'xoxb-socket-1234567890-abcdef';
const APP_TOKEN = 'xapp-1-A0APP-1234567890-abcdef';

let api: FakeSlackApi;
let socket: SocketModeServer;
let smtp: RunningServer;
let gate: GatedProxy;
let app: SlackApp;
let checks: ReturnType<typeof realRunCheck>;

beforeAll(async () => {
  api = await startFakeSlackApi({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
  socket = await startSocketModeServer();
  api.setSocketUrl(socket.url);
  const ca = createTestCa();
  smtp = await startSmtpServer({
    name: 'mx.test',
    banner: '<!here> hello',
    ...ca.issue({ commonName: 'mx.test', ips: ['127.0.0.1'] }),
  });
  gate = await startGatedProxy(smtp.port);
  checks = realRunCheck();
  app = createSlackApp({
    botToken: BOT_TOKEN,
    appToken: APP_TOKEN,
    apiUrl: api.apiUrl,
    botId: 'B0BOT',
    botUserId: 'U0BOT',
    runCheck: checks.runCheck,
    logger: createLogger({ level: 'silent' }),
  });
  await app.start();
  await socket.connected();
});

afterAll(async () => {
  await app?.stop({ drainMs: 5_000 });
  await socket?.close();
  await gate?.close();
  await smtp?.close();
  await api?.close();
});

test('over Socket Mode: opens the connection via SLACK_API_URL, acks the envelope before the probe, then posts the check', async () => {
  expect(app.mode).toBe('socket');
  expect(api.calls[0]).toMatchObject({ method: 'apps.connections.open', token: APP_TOKEN, ok: true });
  // Bot ids were given, so no auth.test.
  expect(api.calls.some((call) => call.method === 'auth.test')).toBe(false);

  const ack = await socket.send('slash_commands', {
    token: 'deprecated',
    team_id: 'T0TEAM',
    channel_id: 'C0CHECKS',
    user_id: 'U0ALICE',
    command: '/smtp-check',
    text: `127.0.0.1:${gate.port}`,
    api_app_id: 'A0APP',
    response_url: api.responseUrl('socket'),
    trigger_id: '1.2.3',
  });
  expect(ack.envelope_id).toBe('envelope-1');
  expect(checks.finishedAt).toEqual([]);

  const [parent] = await api.waitForCalls('chat.postMessage');
  expect(parent?.body.thread_ts).toBeUndefined();
  gate.open();
  const inThread = (call: RecordedCall) =>
    call.method === 'chat.postMessage' && call.body.thread_ts === parent?.response.ts;
  await api.waitForCalls(inThread, 2);
  expect(ack.at).toBeLessThan(checks.finishedAt[0]!);
  const posted = JSON.stringify(api.calls.map((call) => call.body));
  expect(posted).toContain('&lt;!here&gt; hello');
  expect(posted).not.toContain('<!here>');
  expect(api.calls.filter((call) => !call.ok)).toEqual([]);
});
