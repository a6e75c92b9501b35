import { describe, expect, test } from 'vitest';
import type { RunCheck } from '../../src/check/types.js';
import type { HostDiagnosis } from '../../src/diagnose/types.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { encodeCheckValue } from '../../src/render/slack-format.js';
import { ChatError, createUseCases, parseCommand } from '../../src/chat/use-cases/index.js';
import { createMemoryWatchStore } from '../../src/store/index.js';
import { createWatchCommands } from '../../src/watch/index.js';
import { aDiagnosis, aDiagnosisOf, aTypicalDiagnosis } from '../helpers/slack-diagnoses.js';
import { aPort } from '../helpers/probe-builders.js';
import { recordingChat } from '../helpers/slack-recording-chat.js';

/** A RunCheck the test releases by hand, reporting each port through the hooks. */
function gatedCheck(diagnosis: HostDiagnosis = aTypicalDiagnosis()) {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const runCheck: RunCheck = async (request, hooks) => {
    hooks?.onPlan?.({
      target: request.target,
      ports: diagnosis.ports.map((port) => port.port),
      providerName: null,
    });
    await gate;
    for (const port of diagnosis.ports) hooks?.onPort?.(port);
    return diagnosis;
  };
  return { runCheck, release };
}

const alice = { channelId: 'C1', userId: 'U0ALICE' };

describe('parseCommand()', () => {
  test.each([
    ['watch smtp.example.com from', 'from needs the networks to watch from'],
    ['watch smtp.example.com 25 from aws_eu', 'aws_eu is not a network name'],
    ['watch smtp.example.com from -office', '-office is not a network name'],
    ['watch smtp.example.com from all,office', 'from all means every network: type it alone'],
    ['watch smtp.example.com from a,b,c,d,e,f,g,h,i', 'a watch asks at most 8 networks (got 9)'],
  ])('%s is refused, saying what a network name is', (text, problem) => {
    const command = parseCommand(text);
    expect(command.kind).toBe('help');
    expect(command.kind === 'help' ? command.problem : '').toContain(problem);
  });

  test.each([
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
    [
      'watch smtp.example.com 25 587',
      { kind: 'watch', command: { verb: 'watch', host: 'smtp.example.com', ports: '25,587' } },
    ],
    [
      'WATCH smtp.example.com',
      { kind: 'watch', command: { verb: 'watch', host: 'smtp.example.com', ports: '' } },
    ],
    [
      'watch smtp.example.com 25,587 from office,aws-eu',
      {
        kind: 'watch',
        command: { verb: 'watch', host: 'smtp.example.com', ports: '25,587', vantages: ['office', 'aws-eu'] },
      },
    ],
    [
      'watch smtp.example.com FROM Office, aws-eu office',
      {
        kind: 'watch',
        command: { verb: 'watch', host: 'smtp.example.com', ports: '', vantages: ['office', 'aws-eu'] },
      },
    ],
    [
      'watch smtp.example.com from all',
      { kind: 'watch', command: { verb: 'watch', host: 'smtp.example.com', ports: '', vantages: 'all' } },
    ],
    ['unwatch smtp.example.com', { kind: 'watch', command: { verb: 'unwatch', host: 'smtp.example.com' } }],
    ['list', { kind: 'watch', command: { verb: 'list' } }],
    [
      'mute smtp.example.com 1h 30m',
      { kind: 'watch', command: { verb: 'mute', host: 'smtp.example.com', duration: '1h 30m' } },
    ],
    ['history smtp.example.com', { kind: 'watch', command: { verb: 'history', host: 'smtp.example.com' } }],
    ['recheck', { kind: 'recheck' }],
    [
      'smtp.example.com 25,587',
      { kind: 'check', request: { target: 'smtp.example.com', ports: [25, 587], mx: 'auto' } },
    ],
    [
      'smtp.example.com:2587',
      { kind: 'check', request: { target: 'smtp.example.com', ports: [2587], mx: 'auto' } },
    ],
  ])('%j → %j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });

  test.each([
    ['watch', /^watch needs a host/],
    ['unwatch', /^unwatch needs a host/],
    ['mute smtp.example.com', /^mute needs a host and a duration/],
    ['history', /^history needs a host/],
  ])('%j without its arguments is help that says what to type', (text, problem) => {
    expect(parseCommand(text)).toEqual({ kind: 'help', problem: expect.stringMatching(problem) });
  });

  test('bad input is help with the problem', () => {
    expect(parseCommand('smtp.example.com 99999')).toMatchObject({
      kind: 'help',
      problem: expect.stringContaining('99999'),
    });
  });
});

describe('createUseCases()', () => {
  test('posts the parent before the check finishes, updates it last with the result, then the thread', async () => {
    const { chat, events } = recordingChat();
    const check = gatedCheck();
    const useCases = createUseCases({ chat, runCheck: check.runCheck, logger: silentLogger });
    const done = useCases.command(alice, 'smtp.example.com');
    await expect.poll(() => events.length).toBeGreaterThanOrEqual(1);
    expect(events[0]).toMatchObject({ kind: 'post', channel: 'C1' });
    expect(events.some((event) => event.kind === 'post' && event.threadTs)).toBe(false);
    check.release();
    await done;
    const kinds = events.map((event) => (event.kind === 'post' && event.threadTs ? 'reply' : event.kind));
    expect(kinds[0]).toBe('post');
    expect(kinds.slice(-5)).toEqual(['reply', 'reply', 'reply', 'reply', 'reply']);
    const lastUpdate = events.filter((event) => event.kind === 'update').at(-1);
    expect(lastUpdate?.message.text).toContain('3 of 4 ports usable');
  });

  test('a failing check ends the parent with a short message and logs the details', async () => {
    const { chat, events } = recordingChat();
    const logs: string[] = [];
    const useCases = createUseCases({
      chat,
      runCheck: async () => {
        throw Object.assign(new Error('resolver exploded'), { code: 'EBOOM' });
      },
      logger: createLogger({ level: 'error', write: (line) => logs.push(line) }),
    });
    await useCases.command(alice, 'smtp.example.com');
    expect(events.at(-1)).toMatchObject({ kind: 'update' });
    expect(events.at(-1)?.kind === 'update' && events.at(-1)).toBeTruthy();
    const last = events.at(-1);
    expect(last?.kind === 'update' ? last.message.text : '').toContain('failed: `an error (EBOOM)`');
    expect(logs.join('\n')).toContain('resolver exploded');
  });

  test('Slack refusing the parent for another reason tells the user, without a fallback check', async () => {
    const { chat } = recordingChat({ failPost: () => new ChatError('invalid_blocks', 'no') });
    const told: string[] = [];
    let checked = 0;
    const useCases = createUseCases({
      chat,
      runCheck: async () => {
        checked += 1;
        return aTypicalDiagnosis();
      },
      logger: silentLogger,
    });
    await useCases.command(
      { ...alice, respond: async (message) => void told.push(message.text) },
      'smtp.example.com',
    );
    // The check ran once while the parent waited for the policy; no second, private check follows.
    expect(checked).toBe(1);
    expect(told).toEqual([expect.stringContaining('Slack refused my message (`invalid_blocks`)')]);
  });

  test('re-check compares with the previous result of the thread', async () => {
    const { chat, events } = recordingChat();
    let next = aTypicalDiagnosis();
    const useCases = createUseCases({ chat, runCheck: async () => next, logger: silentLogger });
    await useCases.command(alice, 'smtp.example.com');
    next = aDiagnosisOf({ 25: 'filtered', 465: 'open-implicit-tls', 587: 'refused', 2525: 'open-starttls' });
    await useCases.mention({
      channelId: 'C1',
      userId: 'U0BOB',
      text: '<@U0BOT> recheck',
      ts: '9.9',
      threadTs: '1.1',
    });
    const summary = events.filter((event) => event.kind === 'update').at(-2);
    expect(summary?.kind === 'update' && summary.message.text).toContain('1 port(s) changed');
    expect(events.at(-1)).toMatchObject({ kind: 'update', ts: '1.1' });
  });

  test('a recheck mention without an earlier result says so in the thread', async () => {
    const { chat, events } = recordingChat();
    const useCases = createUseCases({
      chat,
      runCheck: async () => aTypicalDiagnosis(),
      logger: silentLogger,
    });
    await useCases.mention({
      channelId: 'C1',
      userId: 'U0BOB',
      text: '<@U0BOT> recheck',
      ts: '9.9',
      threadTs: '5.5',
    });
    expect(events).toEqual([expect.objectContaining({ kind: 'ephemeral', userId: 'U0BOB' })]);
  });

  test('Show config after a restart re-runs the check named by the button', async () => {
    const { chat } = recordingChat();
    const requests: unknown[] = [];
    const useCases = createUseCases({
      chat,
      runCheck: async (request) => {
        requests.push(request);
        return aTypicalDiagnosis();
      },
      logger: silentLogger,
    });
    const told: string[] = [];
    const value = encodeCheckValue({ target: 'smtp.example.com', ports: [587], mx: 'auto' });
    await useCases.showConfig(
      { ...alice, respond: async (message) => void told.push(message.text) },
      { channel: 'C1', ts: '7.7' },
      value,
    );
    expect(requests).toEqual([{ target: 'smtp.example.com', ports: [587], mx: 'auto' }]);
    expect(told[0]).toContain('Configuration for');
  });

  test('after close, new work is refused with a message and running work is waited for', async () => {
    const { chat } = recordingChat();
    const check = gatedCheck();
    const useCases = createUseCases({ chat, runCheck: check.runCheck, logger: silentLogger });
    const running = useCases.command(alice, 'smtp.example.com');
    useCases.inFlight.close();
    const told: string[] = [];
    await useCases.command(
      { ...alice, respond: async (message) => void told.push(message.text) },
      'smtp.example.com',
    );
    expect(told[0]).toContain('restarting');
    expect(await useCases.inFlight.idle(10)).toBe(false);
    check.release();
    expect(await useCases.inFlight.idle(5_000)).toBe(true);
    await running;
  });
});

describe('createUseCases() with watches', () => {
  test('a store that cannot be written is logged and told to the requester; nothing is announced', async () => {
    const { chat, events } = recordingChat();
    const store = createMemoryWatchStore();
    store.saveWatch = async () => {
      throw new Error('EROFS: read-only file system');
    };
    const logs: string[] = [];
    const logger = createLogger({ level: 'error', write: (line) => logs.push(line) });
    const watches = createWatchCommands({
      store,
      runCheck: async () => aTypicalDiagnosis(),
      now: () => new Date(),
      logger,
    });
    const told: string[] = [];
    const useCases = createUseCases({ chat, runCheck: async () => aTypicalDiagnosis(), logger, watches });
    await useCases.command(
      { ...alice, respond: async (message) => void told.push(message.text) },
      'watch smtp.example.com',
    );
    expect(told).toEqual([
      expect.stringContaining('Probing `smtp.example.com` for a baseline'),
      '`watch` failed inside the bot, so nothing changed. The details are in the bot’s log; try again in a minute.',
    ]);
    expect(events).toEqual([]);
    expect(logs.join('\n')).toContain('EROFS');
  });

  test('without watches, a watch command or button says so instead of failing silently', async () => {
    const { chat } = recordingChat();
    const told: string[] = [];
    const useCases = createUseCases({
      chat,
      runCheck: async () => aTypicalDiagnosis(),
      logger: silentLogger,
    });
    const requester = {
      ...alice,
      respond: async (message: { text: string }) => void told.push(message.text),
    };
    await useCases.command(requester, 'list');
    await useCases.unwatch(requester, 'smtp.example.com');
    expect(told).toEqual([
      expect.stringContaining('`list` needs watches'),
      expect.stringContaining('`unwatch` needs watches'),
    ]);
  });
});

describe('a target the policy refuses', () => {
  const REASON =
    '127.0.0.1 is loopback; the bot does not probe internal addresses. An admin can allow it with ALLOW_TARGETS=127.0.0.1/32 (or the host name).';
  const refused = () =>
    aDiagnosis(
      [25, 465, 587, 2525].map((port) =>
        aPort({
          port,
          class: 'denied-by-policy',
          failure: { stage: 'resolve', kind: 'policy', message: REASON },
        }),
      ),
      '127.0.0.1',
    );

  /** Like the probe: every port is reported refused right after the lookup, before any connection. */
  function refusingCheck(diagnosis: HostDiagnosis, lookup: Promise<void> = Promise.resolve()): RunCheck {
    return async (request, hooks) => {
      hooks?.onPlan?.({
        target: request.target,
        ports: diagnosis.ports.map((p) => p.port),
        providerName: null,
      });
      await lookup;
      for (const port of diagnosis.ports) hooks?.onPort?.(port);
      return diagnosis;
    };
  }

  test('the slash command gets one short private answer and nothing is posted in the channel', async () => {
    const { chat, events } = recordingChat();
    const told: string[] = [];
    // A long wait: the refusal must hold the channel message back by itself, not by luck of timing.
    const useCases = createUseCases({
      chat,
      runCheck: refusingCheck(refused()),
      logger: silentLogger,
      announceAfterMs: 60_000,
    });
    await useCases.command(
      { ...alice, respond: async (message) => void told.push(message.text) },
      '127.0.0.1',
    );
    expect(events).toEqual([]);
    expect(told).toHaveLength(1);
    const [answer] = told;
    expect(answer).toContain('I didn’t check `127.0.0.1`');
    expect(answer).toContain('loopback');
    expect(answer).toContain('ALLOW_TARGETS=127.0.0.1/32');
    expect(answer).not.toMatch(/no usable port|Watch|Show config/i);
  });

  test('a mention without response_url gets the answer as an ephemeral message', async () => {
    const { chat, events } = recordingChat();
    const useCases = createUseCases({
      chat,
      runCheck: refusingCheck(refused()),
      logger: silentLogger,
      announceAfterMs: 60_000,
    });
    await useCases.mention({ channelId: 'C1', userId: 'U0ALICE', text: '<@U0BOT> 127.0.0.1', ts: '1.1' });
    expect(events.map((event) => event.kind)).toEqual(['ephemeral']);
    expect(events[0]?.kind === 'ephemeral' && events[0].message.text).toContain('ALLOW_TARGETS');
  });

  test('where the bot cannot post, the private answer is the refusal, not a report', async () => {
    const { chat } = recordingChat({ failPost: () => new ChatError('not_in_channel', 'no') });
    const told: string[] = [];
    let release: () => void = () => {};
    const lookup = new Promise<void>((resolve) => {
      release = resolve;
    });
    const useCases = createUseCases({
      chat,
      runCheck: refusingCheck(refused(), lookup),
      logger: silentLogger,
      announceAfterMs: 0,
    });
    const done = useCases.command(
      { ...alice, respond: async (message) => void told.push(message.text) },
      '127.0.0.1',
    );
    await expect.poll(() => told.length).toBe(1);
    release();
    await done;
    expect(told).toHaveLength(2);
    expect(told[1]).toContain('I didn’t check `127.0.0.1`');
    expect(told.join('\n')).not.toMatch(/ports usable/);
  });

  test('a lookup slower than the wait: the parent already posted ends as the short refusal, no thread', async () => {
    const { chat, events } = recordingChat();
    let release: () => void = () => {};
    const lookup = new Promise<void>((resolve) => {
      release = resolve;
    });
    const useCases = createUseCases({
      chat,
      runCheck: refusingCheck(refused(), lookup),
      logger: silentLogger,
      announceAfterMs: 0,
    });
    const done = useCases.command(alice, '127.0.0.1');
    await expect.poll(() => events.length).toBe(1);
    release();
    await done;
    expect(events.some((event) => event.kind === 'post' && event.threadTs)).toBe(false);
    const last = events.at(-1);
    expect(last?.kind).toBe('update');
    expect(last?.kind === 'update' && last.message.text).toContain('I didn’t check `127.0.0.1`');
    expect(JSON.stringify(last)).not.toMatch(/smtp_check_watch|Show config|no-usable-port/);
  });

  test('an allowed target posts the parent as soon as a port finishes, without waiting', async () => {
    const { chat, events } = recordingChat();
    const diagnosis = aTypicalDiagnosis();
    let release: () => void = () => {};
    const rest = new Promise<void>((resolve) => {
      release = resolve;
    });
    const useCases = createUseCases({
      chat,
      runCheck: async (request, hooks) => {
        hooks?.onPlan?.({
          target: request.target,
          ports: diagnosis.ports.map((p) => p.port),
          providerName: null,
        });
        const [first, ...others] = diagnosis.ports;
        if (first) hooks?.onPort?.(first);
        await rest;
        for (const port of others) hooks?.onPort?.(port);
        return diagnosis;
      },
      logger: silentLogger,
      announceAfterMs: 60_000,
    });
    const done = useCases.command(alice, 'smtp.example.com');
    // The parent (and a progress update of it) while the other ports are still held back.
    await expect.poll(() => events.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({ kind: 'post', channel: 'C1' });
    expect(events.every((event) => event.kind !== 'post' || !event.threadTs)).toBe(true);
    release();
    await done;
    expect(events.filter((event) => event.kind === 'post' && event.threadTs).length).toBeGreaterThan(0);
  });
});
