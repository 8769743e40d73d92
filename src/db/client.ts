import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { SQL } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import { migrateDatabase } from './migrate.js';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Inside a transaction pass the `tx`, never the outer `db`: on PGlite the outer one deadlocks. */
export type Executor = Db | Tx;

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** Where the data lives, for messages: a directory, `memory` or the server without password. */
  location: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL connection string; when absent the embedded PGlite is used. */
  url?: string;
  /** PGlite data directory; `memory` keeps everything in memory (tests, throw-away demos). */
  dataDir?: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** postgres.js pool size. */
  maxConnections?: number;
}

// int8 (counts, sums of cents) as JS numbers on both engines; every amount we sum stays far below 2^53.
const INT8 = 20;

export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  const database = options.url ? openPostgres(options.url, options.maxConnections) : await openPglite(options.dataDir ?? './data');
  if (options.migrate !== false) {
    try {
      await migrateDatabase(database, options.url);
    } catch (err) {
      await database.close();
      throw err;
    }
  }
  return database;
}

function openPostgres(url: string, maxConnections = 10): Database {
  const client = postgres(url, {
    max: maxConnections,
    onnotice: () => {},
    // Our queries are short; JIT compiling one costs more than running it (seen: 650 ms on a search).
    connection: { jit: 'off' },
    types: {
      int8: { to: INT8, from: [INT8], serialize: (v: number) => String(v), parse: (v: string) => Number(v) },
    },
  });
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    location: redactUrl(url),
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir === 'memory';
  let lock: DirLock | undefined;
  let path = 'memory://';
  if (!inMemory) {
    path = resolve(dataDir);
    mkdirSync(path, { recursive: true });
    lock = acquireDirLock(path);
  }
  try {
    const client = await PGlite.create(path, { parsers: { [INT8]: (v: string) => Number(v) }, extensions: { pg_trgm } });
    const db = drizzlePglite({ client, schema }) as unknown as Db;
    return {
      kind: 'pglite',
      db,
      location: inMemory ? 'memory' : path,
      close: async () => {
        try {
          await client.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (err) {
    lock?.release();
    throw err;
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}

export interface QueryOptions {
  /**
   * Run it as a named prepared statement on PostgreSQL (postgres.js keeps one per connection and
   * query text), so the server parses it once and can reuse its plan. For hot, fixed query texts
   * only: drizzle's `execute` sends every query unnamed, and for the one-statement dossier the
   * server then spent ~0.65 ms CPU a call parsing and planning against ~0.13 ms prepared (measured
   * on the bench:slack database). PGlite runs it as before.
   */
  prepare?: boolean;
}

/** What drizzle keeps on a database or transaction: its session (with postgres.js's `sql`) and dialect. */
interface DrizzleInternals {
  session?: { client?: { unsafe?: (text: string, params: unknown[], options: { prepare: boolean }) => Promise<unknown> } };
  dialect?: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
}

/** `execute` returns `{ rows }` on PGlite and an array on postgres.js; this hides the difference. */
export async function queryRows<T extends Record<string, unknown>>(
  executor: Executor,
  query: SQL,
  options: QueryOptions = {},
): Promise<T[]> {
  if (options.prepare) {
    // Inside a transaction the session's client is that transaction's connection, as drizzle's own execute uses.
    const { session, dialect } = executor as unknown as DrizzleInternals;
    const unsafe = session?.client?.unsafe;
    if (unsafe && dialect) {
      const { sql: text, params } = dialect.sqlToQuery(query);
      return (await unsafe.call(session.client, text, params, { prepare: true })) as T[];
    }
  }
  const result: unknown = await executor.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}
