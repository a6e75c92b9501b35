import { afterAll, describe, expect, test } from 'vitest';
import { createUseCases } from '../../src/chat/use-cases/index.js';
import { createLogger } from '../../src/log.js';
import { encodeCheckValue } from '../../src/render/slack-format.js';
import { createPgWatchStore, createPool, openPgWatchStore } from '../../src/store/pg/index.js';
import { createWatchCommands } from '../../src/watch/index.js';
import { createPostgresProxy } from '../helpers/postgres-proxy.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import { aTypicalDiagnosis } from '../helpers/slack-diagnoses.js';
import { recordingChat } from '../helpers/slack-recording-chat.js';

// Watch commands while the PostgreSQL store is out of reach: the requester hears that the watch
// list is unavailable for now (not "failed inside the bot"), nothing is announced, and the same
// commands work again once the database is back.

const skip = await requirePostgres();
const UNAVAILABLE =
  'The watch list is unavailable right now (the database is not reachable); try again in a minute.';

describe.skipIf(skip !== null)('watch commands while the database is not reachable', () => {
  let db: TestDatabase | null = null;
  afterAll(async () => {
    await db?.drop();
  });

  test('watch, unwatch, mute, list and the buttons answer that the watch list is unavailable', async () => {
    db = await createTestDatabase();
    await (await openPgWatchStore(db.url)).close();
    const proxy = await createPostgresProxy();
    const url = proxy.url(db.name);
    const store = createPgWatchStore({ pool: createPool(url, { connectTimeoutMs: 2_000 }), url });
    try {
      const logs: string[] = [];
      const logger = createLogger({ level: 'warn', write: (line) => logs.push(line) });
      const runCheck = async () => aTypicalDiagnosis();
      const watches = createWatchCommands({ store, runCheck, now: () => new Date(), logger });
      const { chat, events } = recordingChat();
      const useCases = createUseCases({ chat, runCheck, logger, watches });
      const told: string[] = [];
      const requester = {
        channelId: 'C0WATCH',
        userId: 'U0ALICE',
        respond: async (message: { text: string }) => void told.push(message.text),
      };
      await useCases.command(requester, 'watch smtp.example.com');
      expect(told.at(-1)).toContain('smtp.example.com');
      const announced = events.length;
      told.length = 0;

      await proxy.stop();
      await useCases.command(requester, 'list');
      await useCases.command(requester, 'unwatch smtp.example.com');
      await useCases.command(requester, 'mute smtp.example.com 2h');
      await useCases.command(requester, 'watch mx.example.com');
      await useCases.unwatch(requester, 'smtp.example.com');
      await useCases.watch(
        requester,
        encodeCheckValue({ target: 'mx.example.com', ports: [25], mx: 'auto' }),
      );
      expect(told.filter((text) => text === UNAVAILABLE)).toHaveLength(6);
      expect(events).toHaveLength(announced);
      expect(logs.filter((line) => line.includes('the store is unavailable'))).toHaveLength(6);

      await proxy.start();
      told.length = 0;
      await useCases.command(requester, 'list');
      expect(told).toHaveLength(1);
      expect(told[0]).toContain('smtp.example.com');
      expect(told[0]).not.toBe(UNAVAILABLE);
    } finally {
      await store.close();
      await proxy.dispose();
    }
  });
});
