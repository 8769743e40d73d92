import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Database, type Tx } from '../db/client.js';
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

// Serialises imports on PostgreSQL; a second import waits for the first to commit.
const IMPORT_LOCK_KEY = 7_231_002;

/**
 * Imports an ERP ledger export whole or not at all: one transaction, every problem of the file
 * reported together. Rows stream through in batches, each one set-based statement that checks
 * the tenancy, detects a changed line under a known `entry_id`, and inserts the rest.
 */
export async function importLedger(database: Database, file: string, options: LedgerImportOptions = {}): Promise<ImportResult> {
  const batchSize = options.batchSize ?? 5000;
  const problems = new ImportProblems(file.split('/').pop() ?? file, options.errorCap);
  const csv = await openCsv(file, REQUIRED, problems);
  if (!csv) throw new ImportFailedError(problems);

  return database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_LOCK_KEY})`);
    const [record] = await tx
      .insert(imports)
      .values({ kind: 'ledger', fileName: csv.name, sha256: 'pending', rows: 0, inserted: 0, skipped: 0 })
      .returning({ id: imports.id });
    const importId = record!.id;

    let rows = 0;
    let inserted = 0;
    let batch: LedgerRow[] = [];
    let inBatch = new Map<string, LedgerRow>();

    // One batch is in the database while the next is parsed: on PostgreSQL the two run in
    // parallel. Batches still apply one after the other, so each sees the lines before it.
    let inFlight: Promise<void> = Promise.resolve();
    let failure: { error: unknown } | null = null;
    const flush = async () => {
      await inFlight;
      if (failure) throw failure.error;
      if (batch.length === 0) return;
      const sending = batch;
      batch = [];
      inBatch = new Map();
      inFlight = writeBatch(tx, sending, importId, problems).then(
        (n) => {
          inserted += n;
        },
        (error: unknown) => {
          failure = { error };
        },
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
    await flush(); // sends the last batch
    await flush(); // waits for it

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

async function writeBatch(tx: Tx, batch: LedgerRow[], importId: number, problems: ImportProblems): Promise<number> {
  const payload = JSON.stringify(
    batch.map((r) => ({
      line: r.line,
      entry_id: r.entry_id,
      contract_id: r.contract_id,
      type: r.type,
      due_date: r.due_date,
      booking_date: r.booking_date,
      amount_cents: r.amount,
      description: r.description,
    })),
  );
  // One statement per batch; all CTEs read the same snapshot, so `changed` compares with what
  // was stored before this batch and the insert skips what is already there.
  const result = await queryRows<{ line: number; problem: string; detail: string | null; inserted: number | null }>(
    tx,
    sql`
    with input as (
      select * from json_to_recordset(${payload}::json) as i(
        line int, entry_id text, contract_id text, type text, due_date date, booking_date date,
        amount_cents int, description text)
    ),
    unknown_contract as (
      select i.line, i.contract_id from input i
      where not exists (select 1 from tenancies t where t.contract_id = i.contract_id)
    ),
    changed as (
      select i.line, l.contract_id, l.type, l.due_date::text as due_date, l.booking_date::text as booking_date,
             l.amount_cents, l.description
      from input i join ledger_entries l on l.entry_id = i.entry_id
      where (l.contract_id, l.type, l.due_date, l.booking_date, l.amount_cents, l.description)
            is distinct from (i.contract_id, i.type, i.due_date, i.booking_date, i.amount_cents, i.description)
    ),
    ins as (
      insert into ledger_entries (entry_id, contract_id, type, due_date, booking_date, amount_cents, description, import_id)
      select i.entry_id, i.contract_id, i.type, i.due_date, i.booking_date, i.amount_cents, i.description, ${importId}
      from input i
      where exists (select 1 from tenancies t where t.contract_id = i.contract_id)
      on conflict (entry_id) do nothing
      returning 1
    )
    select line, 'contract' as problem, contract_id as detail, null::int as inserted from unknown_contract
    union all
    select line, 'changed', concat_ws(' ', contract_id, type, due_date, booking_date, amount_cents, description), null from changed
    union all
    select 0, 'inserted', null, count(*)::int from ins
  `,
  );
  let inserted = 0;
  for (const row of result) {
    if (row.problem === 'inserted') inserted = row.inserted ?? 0;
    else if (row.problem === 'contract') {
      problems.add(row.line, 'contract_id', `huurovereenkomst ${row.detail} bestaat niet: importeer eerst tenancies.csv`);
    } else {
      problems.add(
        row.line,
        'entry_id',
        `deze boeking is al geïmporteerd met andere inhoud (${row.detail}); het ERP corrigeert met nieuwe regels, niet door oude te wijzigen`,
      );
    }
  }
  return inserted;
}
