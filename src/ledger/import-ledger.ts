import { sql } from 'drizzle-orm';
import { LOCK_KEYS } from '../db/lock-keys.js';
import { z } from 'zod';
import { queryRows, type Database, type Tx } from '../db/client.js';
import { copyInto, copyLine } from '../db/copy.js';
import { formatEuro } from '../domain/money.js';
import { imports, LEDGER_TYPES } from '../db/schema.js';
import { openCsv } from './csv-reader.js';
import { ImportFailedError, ImportProblems } from './import-errors.js';
import { amountCents, issuesByColumn, optionalDate, optionalText, requiredDate, requiredText, whenColumnsValid } from './fields.js';

const REQUIRED = ['entry_id', 'contract_id', 'type', 'booking_date', 'amount'] as const;
const CHARGES: readonly string[] = ['rent', 'costs'];

const ledgerRow = z
  .object({
    entry_id: requiredText(100),
    contract_id: requiredText(50),
    type: z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(LEDGER_TYPES, { message: 'verwacht rent, costs, payment of credit' })),
    due_date: optionalDate,
    booking_date: requiredDate,
    amount: amountCents,
    description: optionalText(500),
  })
  .refine((row) => !CHARGES.includes(row.type) || row.due_date !== null, {
    path: ['due_date'],
    message: 'verplicht bij type rent en costs: de datum waarop de post vervalt',
    ...whenColumnsValid('type', 'due_date'),
  });

type LedgerRow = z.output<typeof ledgerRow> & { line: number };

export interface ImportResult {
  file: string;
  rows: number;
  inserted: number;
  updated: number;
  /** Rows already present with identical content. */
  skipped: number;
  /** Null when nothing changed (nothing is recorded then). */
  importId: number | null;
}

export interface LedgerImportOptions {
  batchSize?: number;
  errorCap?: number;
}

const MAX_BATCHES_QUEUED = 2;

/**
 * Imports an ERP ledger export whole or not at all: one transaction, every problem of the file
 * reported together. Rows stream through in batches, each one set-based statement that checks
 * the tenancy, detects a changed line under a known `entry_id`, and inserts the rest.
 */
export async function importLedger(database: Database, file: string, options: LedgerImportOptions = {}): Promise<ImportResult> {
  const batchSize = options.batchSize ?? 10_000;
  const problems = new ImportProblems(file.split('/').pop() ?? file, options.errorCap);
  const csv = await openCsv(file, REQUIRED, problems);
  if (!csv) throw new ImportFailedError(problems);

  return database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEYS.import})`);
    const [record] = await tx
      .insert(imports)
      .values({ kind: 'ledger', fileName: csv.name, sha256: 'pending', rows: 0, inserted: 0, skipped: 0 })
      .returning({ id: imports.id });
    const importId = record!.id;

    let rows = 0;
    let inserted = 0;
    let batch: LedgerRow[] = [];
    let inBatch = new Map<string, LedgerRow>();

    // The database works on earlier batches while the next ones are parsed: on PostgreSQL the
    // two run in parallel. Batches are chained, so each one sees the lines of those before it.
    const queue: Promise<void>[] = [];
    let failure: { error: unknown } | null = null;
    const settle = async (keep: number) => {
      while (queue.length > keep) await queue.shift();
      if (failure) throw failure.error;
    };
    const flush = async () => {
      await settle(MAX_BATCHES_QUEUED - 1);
      if (batch.length === 0) return;
      const sending = batch;
      batch = [];
      inBatch = new Map();
      const previous = queue[queue.length - 1] ?? Promise.resolve();
      queue.push(
        previous
          .then(() => (failure ? 0 : writeBatch(database.kind, tx, sending, importId, problems)))
          .then(
            (n) => {
              inserted += n;
            },
            (error: unknown) => {
              failure ??= { error };
            },
          ),
      );
    };

    for await (const { line, values } of csv.rows) {
      rows++;
      const parsed = ledgerRow.safeParse(values);
      if (!parsed.success) {
        for (const issue of issuesByColumn(parsed.error)) problems.add(line, issue.column, issue.message);
        continue;
      }
      const row: LedgerRow = { ...parsed.data, line };
      const twin = inBatch.get(row.entry_id);
      if (twin) {
        // The same line twice in one export is harmless; two different lines under one id are not.
        if (!sameContent(twin, row)) {
          problems.add(line, 'entry_id', `${row.entry_id} staat al op regel ${twin.line} met andere inhoud`);
        }
        continue;
      }
      inBatch.set(row.entry_id, row);
      batch.push(row);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    await settle(0);

    if (problems.count > 0) throw new ImportFailedError(problems);
    const skipped = rows - inserted;
    if (inserted === 0) {
      // Nothing new: leave no trace, so re-importing a file changes nothing at all.
      await tx.delete(imports).where(sql`${imports.id} = ${importId}`);
      return { file: csv.name, rows, inserted, updated: 0, skipped, importId: null };
    }
    await tx
      .update(imports)
      .set({ sha256: csv.sha256(), rows, inserted, skipped })
      .where(sql`${imports.id} = ${importId}`);
    return { file: csv.name, rows, inserted, updated: 0, skipped, importId };
  });
}

function sameContent(a: LedgerRow, b: LedgerRow): boolean {
  return (
    a.contract_id === b.contract_id &&
    a.type === b.type &&
    a.due_date === b.due_date &&
    a.booking_date === b.booking_date &&
    a.amount === b.amount &&
    a.description === b.description
  );
}

const COPY_COLUMNS = ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'amount_cents', 'description', 'import_id'];

/**
 * Fast path: COPY the batch under a savepoint and let the primary key and the foreign key do
 * the checking, so a first import costs little more than the COPY itself. When a constraint
 * objects (a line seen before, an unknown contract), the savepoint is rolled back and the slow
 * path looks every line up: identical lines are skipped, changed ones and unknown contracts
 * are reported with their line, and the rest is copied.
 */
async function writeBatch(kind: Database['kind'], tx: Tx, batch: LedgerRow[], importId: number, problems: ImportProblems): Promise<number> {
  try {
    return await tx.transaction((savepoint) => copyBatch(kind, savepoint, batch, importId));
  } catch (err) {
    if (!isConstraintViolation(err)) throw err;
  }
  const ids = JSON.stringify(batch.map((r) => ({ l: r.line, e: r.entry_id, c: r.contract_id })));
  // The correlated exists() makes one index probe per line; a join could hash all tenancies per batch.
  const found = await queryRows<{
    line: number;
    known_contract: boolean;
    contract_id: string | null;
    type: LedgerRow['type'] | null;
    due_date: string | null;
    booking_date: string | null;
    amount_cents: number | null;
    description: string | null;
  }>(
    tx,
    sql`
      select * from (
        select i.l as line,
               exists (select 1 from tenancies t where t.contract_id = i.c) as known_contract,
               l.contract_id, l.type, l.due_date::text as due_date, l.booking_date::text as booking_date,
               l.amount_cents, l.description
        from json_to_recordset(${ids}::json) as i(l int, e text, c text)
        left join ledger_entries l on l.entry_id = i.e
      ) x
      where not known_contract or contract_id is not null
    `,
  );
  if (found.length === 0) return copyBatch(kind, tx, batch, importId);
  const byLine = new Map(batch.map((r) => [r.line, r]));
  for (const f of found) {
    const row = byLine.get(f.line)!;
    byLine.delete(f.line);
    if (!f.known_contract) {
      problems.add(f.line, 'contract_id', `huurovereenkomst ${row.contract_id} bestaat niet: importeer eerst tenancies.csv`);
      continue;
    }
    const stored = {
      entry_id: row.entry_id,
      contract_id: f.contract_id!,
      type: f.type!,
      due_date: f.due_date,
      booking_date: f.booking_date!,
      amount: f.amount_cents!,
      description: f.description,
      line: 0,
    };
    if (!sameContent(stored, row)) {
      const shown = [stored.contract_id, stored.type, stored.due_date, stored.booking_date, formatEuro(stored.amount), stored.description]
        .filter((v) => v !== null)
        .join(' ');
      problems.add(
        f.line,
        'entry_id',
        `deze boeking is al geïmporteerd met andere inhoud (${shown}); het ERP corrigeert met nieuwe regels, niet door oude te wijzigen`,
      );
    }
  }
  return copyBatch(kind, tx, [...byLine.values()], importId);
}

function isConstraintViolation(err: unknown): boolean {
  // unique_violation, foreign_key_violation (both drivers expose the SQLSTATE as `code`)
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === '23503';
}

async function copyBatch(kind: Database['kind'], tx: Tx, rows: LedgerRow[], importId: number): Promise<number> {
  let text = '';
  for (const r of rows)
    text += copyLine([r.entry_id, r.contract_id, r.type, r.due_date, r.booking_date, r.amount, r.description, importId]);
  await copyInto(kind, tx, 'ledger_entries', COPY_COLUMNS, text);
  return rows.length;
}
