import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '../../src/db/client.js';
import { MIGRATIONS_FOLDER, migrateDatabase } from '../../src/db/migrate.js';
import { createTestDatabase, onPostgres, refusal, type TestDatabase } from '../support/db.js';
import { scratchDir } from '../support/files.js';

const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };

const files = scratchDir();
/** PGlite: a data directory (so it can be opened a second time); PostgreSQL: a fresh database. */
const dataDir = join(files.dir, 'data');
let testDb: TestDatabase | null = null;
let database: Database;

beforeAll(async () => {
  if (onPostgres) {
    testDb = await createTestDatabase();
    database = testDb;
  } else {
    database = await openDatabase({ dataDir });
  }
});
afterAll(async () => {
  await database.close();
  files.cleanup();
});

async function rows<T extends Record<string, unknown>>(query: SQL, db: Database = database): Promise<T[]> {
  return queryRows<T>(db.db, query);
}

/** Everything the migrations create, to compare before and after a second run. */
async function schemaSnapshot(db: Database = database) {
  return {
    tables: await rows(
      sql`select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns
          where table_schema = 'public' order by table_name, ordinal_position`,
      db,
    ),
    indexes: await rows(sql`select indexname, indexdef from pg_indexes where schemaname = 'public' order by indexname`, db),
    constraints: await rows(
      sql`select conname, pg_get_constraintdef(c.oid) as def from pg_constraint c join pg_namespace n on n.oid = c.connamespace
          where n.nspname = 'public' order by conname`,
      db,
    ),
    triggers: await rows(sql`select tgname from pg_trigger where not tgisinternal order by tgname`, db),
    migrations: await rows(sql`select hash, created_at::text as created_at from drizzle.__drizzle_migrations order by id`, db),
  };
}

async function count(table: string, where = 'true'): Promise<number> {
  const [row] = await rows<{ n: number }>(sql.raw(`select count(*)::int as n from ${table} where ${where}`));
  return row!.n;
}

async function insertTenancy(contractId: string): Promise<void> {
  await database.db.execute(
    sql`insert into teams (key, name, channel) values ('noord', 'Wijkteam Noord', 'C0123456789') on conflict do nothing`,
  );
  await database.db.execute(
    sql`insert into tenancies (contract_id, team_key, address, postcode, house_number, city, monthly_rent_cents, start_date)
        values (${contractId}, 'noord', 'Dorpsstraat 12', '1234AB', '12', 'Ergens', 71235, '2019-03-01')`,
  );
}

describe('migrations', () => {
  it('creates every table and records every migration of the journal', async () => {
    const tables = await rows<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    // Later stages add tables; these are the foundation's.
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['audit_log', 'case_events', 'cases', 'imports', 'ledger_entries', 'outbox', 'teams', 'tenancies', 'tenants']),
    );
    expect(await count('drizzle.__drizzle_migrations')).toBe(journal.entries.length);
  });

  it('are idempotent: migrating again and opening the database again change nothing', async () => {
    await insertTenancy('900001');
    const before = await schemaSnapshot();
    expect(before.migrations).toHaveLength(journal.entries.length);

    await migrateDatabase(database, testDb?.url ?? undefined);
    expect(await schemaSnapshot()).toEqual(before);

    if (testDb) {
      const second = await openDatabase({ url: testDb.url! });
      try {
        expect(await schemaSnapshot(second)).toEqual(before);
      } finally {
        await second.close();
      }
    } else {
      await database.close();
      database = await openDatabase({ dataDir });
    }
    expect(await schemaSnapshot()).toEqual(before);
    // The data survived the second migration run.
    expect(await count('tenancies', `contract_id = '900001'`)).toBe(1);
  });

  it.runIf(onPostgres)('three processes opening one fresh empty database at once all succeed (advisory lock)', async () => {
    const serverUrl = process.env.DATABASE_URL!;
    const name = `hw_test_migrate_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const opened: Database[] = [];
    try {
      const results = await Promise.allSettled(
        [1, 2, 3].map(async () => {
          const db = await openDatabase({ url: url.toString(), maxConnections: 2 });
          opened.push(db);
          return db;
        }),
      );
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
      const [first] = opened;
      const migrations = await queryRows<{ n: number }>(first!.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      expect(migrations[0]!.n).toBe(journal.entries.length);
      // The advisory lock was released: nobody still holds or waits for it.
      const locks = await queryRows<{ n: number }>(
        first!.db,
        sql`select count(*)::int as n from pg_locks
            where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`,
      );
      expect(locks[0]!.n).toBe(0);
    } finally {
      for (const db of opened) await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    }
  });
});

describe('append-only: case_events and audit_log are evidence', () => {
  beforeAll(async () => {
    await insertTenancy('900002');
    await database.db.execute(
      sql`insert into case_events (contract_id, "on", type, clause, actor, summary)
          values ('900002', '2027-01-12', 'case_opened', 'P1', 'system', '14-dagenbrief verstuurd')`,
    );
    await database.db.execute(sql`insert into audit_log (actor, action, subject) values ('cli:test', 'dossier.lookup', '900002')`);
  });

  it.each([
    ['case_events', sql`update case_events set summary = 'anders' where contract_id = '900002'`, 'UPDATE'],
    ['case_events', sql`delete from case_events where contract_id = '900002'`, 'DELETE'],
    ['case_events', sql`truncate case_events`, 'TRUNCATE'],
    ['audit_log', sql`update audit_log set actor = 'iemand anders' where subject = '900002'`, 'UPDATE'],
    ['audit_log', sql`delete from audit_log where subject = '900002'`, 'DELETE'],
    ['audit_log', sql`truncate audit_log`, 'TRUNCATE'],
  ])('%s refuses %s', async (table, query, op) => {
    const message = await refusal(database, query);
    expect(message).toContain(`${table} is append-only: ${op} refused`);
  });

  it('the refused changes left every row as it was, and appending still works', async () => {
    const [event] = await rows<{ summary: string }>(sql`select summary from case_events where contract_id = '900002'`);
    expect(event).toEqual({ summary: '14-dagenbrief verstuurd' });
    const [audit] = await rows<{ actor: string }>(sql`select actor from audit_log where subject = '900002'`);
    expect(audit).toEqual({ actor: 'cli:test' });
    await database.db.execute(sql`insert into audit_log (actor, action, subject) values ('cli:test', 'dossier.lookup', '900002')`);
    expect(await count('audit_log', `subject = '900002'`)).toBe(2);
    expect(await count('case_events', `contract_id = '900002'`)).toBe(1);
  });

  it('a refused change inside a transaction rolls the whole transaction back', async () => {
    const err = await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into audit_log (actor, action, subject) values ('cli:test', 'in-tx', '900002')`);
        await tx.execute(sql`delete from case_events where contract_id = '900002'`);
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(Error);
    expect(await count('audit_log', `action = 'in-tx'`)).toBe(0);
  });
});

describe('one open case per tenancy', () => {
  const openCase = (contractId: string) =>
    sql`insert into cases (contract_id, stage, opened_on, stage_since) values (${contractId}, 'reminder', '2027-01-12', '2027-01-12')`;
  const closedCase = (contractId: string, closedOn: string) =>
    sql`insert into cases (contract_id, stage, opened_on, stage_since, closed_on, closed_reason)
        values (${contractId}, 'closed', '2026-03-10', '2026-04-01', ${closedOn}, 'paid')`;

  it('refuses a second open case for the same contract', async () => {
    await insertTenancy('900010');
    await database.db.execute(openCase('900010'));
    expect(await refusal(database, openCase('900010'))).toContain('cases_one_open_per_tenancy');
    expect(await count('cases', `contract_id = '900010'`)).toBe(1);
  });

  it('allows closed cases next to one open case, and a new open case once the old one is closed', async () => {
    await insertTenancy('900011');
    await database.db.execute(closedCase('900011', '2026-04-01'));
    await database.db.execute(closedCase('900011', '2026-08-01'));
    await database.db.execute(openCase('900011'));
    expect(await count('cases', `contract_id = '900011' and closed_on is null`)).toBe(1);
    expect(await count('cases', `contract_id = '900011'`)).toBe(3);

    await database.db.execute(
      sql`update cases set stage = 'closed', closed_on = '2027-02-01', closed_reason = 'paid' where contract_id = '900011' and closed_on is null`,
    );
    await database.db.execute(openCase('900011'));
    expect(await count('cases', `contract_id = '900011' and closed_on is null`)).toBe(1);
    expect(await count('cases', `contract_id = '900011'`)).toBe(4);
  });

  it('a closed case must say when and why it closed', async () => {
    await insertTenancy('900012');
    expect(
      await refusal(
        database,
        sql`insert into cases (contract_id, stage, opened_on, stage_since, closed_on) values ('900012', 'closed', '2026-03-10', '2026-04-01', '2026-04-01')`,
      ),
    ).toContain('cases_closed_consistent');
  });
});
