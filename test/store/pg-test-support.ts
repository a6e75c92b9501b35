import { afterAll } from 'vitest';
import { asSuperuser, createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

// For the PostgreSQL store's test files: databases dropped when the file ends, and a whole
// database's content to compare before and after something that must not change it.

/** A fresh database for this test file; all of them are dropped after its last test. */
export function testDatabases(): () => Promise<TestDatabase> {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(databases.map((db) => db.drop()));
  });
  return async () => {
    const db = await createTestDatabase();
    databases.push(db);
    return db;
  };
}

/** Every table of the database with all its rows, in a stable order. */
export async function snapshot(name: string): Promise<Record<string, string[]>> {
  return asSuperuser(name, async (client) => {
    const { rows: tables } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    const all: Record<string, string[]> = {};
    for (const { table_name } of tables) {
      const { rows } = await client.query(`SELECT * FROM ${table_name}`);
      all[table_name] = rows.map((row) => JSON.stringify(row)).sort();
    }
    return all;
  });
}
