import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { parseCommand } from '../../src/chat/use-cases/index.js';
import { runConsole } from '../../src/console/index.js';
import { silentLogger } from '../../src/log.js';
import { createMemoryWatchStore } from '../../src/store/index.js';
import { createWatchCommands } from '../../src/watch/index.js';
import { captureOutput } from '../helpers/capture-output.js';
import { FakeVantages } from '../watch/vantage-harness.js';
import { healthy, port25Filtered, World } from '../watch/watch-harness.js';

// `/smtp-check host from …` in console mode, through the same use cases as Slack: the bot's own
// network is asked too (first), as the terminal's --from does, and `from all` takes at most
// MAX_VANTAGES vantages besides it. The other networks answer through VantageProbes at its seam.

const HOST = 'smtp.example.test';

function setUp(others: Record<string, ReturnType<typeof healthy> | 'no-worker'>) {
  const world = new World();
  world.set(HOST, healthy());
  const vantages = new FakeVantages(world);
  for (const [name, script] of Object.entries(others)) vantages.set(name, script);
  const store = createMemoryWatchStore();
  const watches = createWatchCommands({
    store,
    runCheck: world.runCheck,
    now: world.now,
    logger: silentLogger,
    vantageProbes: vantages,
  });
  const run = async (lines: string[]): Promise<string> => {
    const input = new PassThrough();
    const { sink, output } = captureOutput();
    input.end(`${lines.join('\n')}\n`);
    await runConsole({ input, output, runCheck: world.runCheck, logger: silentLogger, vantages, watches });
    return sink.printed;
  };
  return { vantages, store, run };
}

/** Ten live vantages besides the bot's own (dc1 … dc10) and one without a worker. */
const TEN_LIVE = {
  ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`dc${i + 1}`, healthy()])),
  lab: 'no-worker' as const,
};
const FIRST_EIGHT = ['dc1', 'dc2', 'dc3', 'dc4', 'dc5', 'dc6', 'dc7', 'dc8'];

describe('a check from named vantages', () => {
  test('asks the bot’s own network too, first, so the answer compares aws-eu with it', async () => {
    const { vantages, run } = setUp({ 'aws-eu': port25Filtered() });
    const printed = await run([`/smtp-check ${HOST} 25,587 from aws-eu`]);
    expect(vantages.calls.map((call) => call.names)).toEqual([['bot', 'aws-eu']]);
    expect(printed).toContain(`Checking \`${HOST}\` from 2 vantages`);
    expect(printed).toMatch(/ {4}bot {5}✅ {2}✅\n {4}aws-eu {2}❌ {2}✅/);
    expect(printed).toContain('25 blocked from aws-eu; open from bot');
  });

  test('the bot’s own network named as well is asked once, still first', async () => {
    const { vantages, run } = setUp({ 'aws-eu': port25Filtered() });
    await run([`${HOST} 25 from aws-eu,bot`]);
    expect(vantages.calls.map((call) => call.names)).toEqual([['bot', 'aws-eu']]);
  });

  test('at most 8 vantages besides the bot’s own: a ninth is refused saying so; naming the bot’s own does not count', async () => {
    const nine = Array.from({ length: 9 }, (_, i) => `dc${i + 1}`);
    expect(parseCommand(`${HOST} from ${nine.join(',')}`, { localVantage: 'bot' })).toEqual({
      kind: 'help',
      problem: 'at most 8 vantages per check, not counting the own network (always probed too); got 9',
    });
    expect(parseCommand(`${HOST} from bot,${FIRST_EIGHT.join(',')}`, { localVantage: 'bot' })).toMatchObject({
      kind: 'check',
      from: { kind: 'named', names: ['bot', ...FIRST_EIGHT] },
    });
    const { vantages, run } = setUp(TEN_LIVE);
    const printed = await run([
      `${HOST} from ${nine.join(',')}`,
      `${HOST} from bot ${FIRST_EIGHT.join(' ')}`,
    ]);
    expect(printed).toContain('at most 8 vantages per check, not counting the own network');
    expect(vantages.calls.map((call) => call.names)).toEqual([['bot', ...FIRST_EIGHT]]);
  });
});

describe('from all', () => {
  test('a check takes the bot’s own network and the first 8 live vantages, and says which were left out', async () => {
    const { vantages, run } = setUp(TEN_LIVE);
    const printed = await run([`${HOST} 25 from all`]);
    expect(vantages.calls.map((call) => call.names)).toEqual([['bot', ...FIRST_EIGHT]]);
    expect(printed).toContain(`Checking \`${HOST}\` from 9 vantages`);
    expect(printed).toMatch(
      /── message #2, reply in the thread of #1\n`from all` asked this bot’s own network \(`bot`\) and 8 other vantages, the most one check asks; these 2 live vantages were left out: `dc9`, `dc10`\./,
    );
  });

  test('with 8 live vantages or fewer nothing is left out, and nothing is said about it', async () => {
    const { vantages, run } = setUp({ office: healthy(), 'aws-eu': port25Filtered(), lab: 'no-worker' });
    const printed = await run([`${HOST} 25 from all`]);
    expect(vantages.calls.map((call) => call.names)).toEqual([['bot', 'office', 'aws-eu']]);
    expect(printed).not.toContain('left out');
  });

  test('a watch takes the bot’s own network and the first 8 live vantages, and tells the requester the rest', async () => {
    const { vantages, store, run } = setUp(TEN_LIVE);
    const printed = await run([`watch ${HOST} 25 from all`]);
    expect((await store.getWatch('console', HOST))?.vantages).toEqual(['bot', ...FIRST_EIGHT]);
    // The bot's own baseline is the check it makes anyway; the others are asked.
    expect(vantages.calls.map((call) => call.names)).toEqual([FIRST_EIGHT]);
    expect(printed).toContain(`👀 Watching \`${HOST}\``);
    expect(printed).toContain(
      `── only you can see this\n\`from all\` watches \`${HOST}\` from this bot’s own network and at most 8 other vantages; these 2 live vantages were left out: \`dc9\`, \`dc10\`.`,
    );
  });
});
