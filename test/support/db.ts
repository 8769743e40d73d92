import type { SQL } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../src/db/client.js';

export interface TestDatabase extends Database {
  /** Empties every table (the append-only triggers are bypassed for tests only). */
  reset(): Promise<void>;
  /** A connection string for child processes; null on PGlite (in memory, this process only). */
  url: string | null;
}

export const onPostgres = Boolean(process.env.DATABASE_URL);

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database
 * on the server of DATABASE_URL (created here and dropped on close), so test files never share state.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const database = await openDatabase({ dataDir: 'memory' });
    return { ...database, url: null, reset: () => truncateAll(database) };
  }
  const name = `hw_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  return {
    ...database,
    url: url.toString(),
    reset: () => truncateAll(database),
    close: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

async function truncateAll(database: Database): Promise<void> {
  const { sql } = await import('drizzle-orm');
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(
      sql`truncate audit_log, case_events, letters, letter_templates, outbox, slack_messages, daily_runs, cases, ledger_entries, imports, tenants, tenancies, teams restart identity cascade`,
    );
  });
}

/** The text of a statement the database refused: drizzle wraps the driver's error, whose message is the cause's. */
export async function refusal(database: Database, query: SQL): Promise<string> {
  const err = await database.db.execute(query).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('the statement should have been refused');
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) parts.push(e.message);
  return parts.join(' | ');
}
