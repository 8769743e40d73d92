/**
 * The floor of bench:import: a plain COPY of already converted rows into ledger_entries, in a
 * process of its own. Usage: tsx bench/copy-floor.ts <pglite|postgres> <dir> [url]
 * Prints one JSON line: { rows, seconds, peakRssMb }.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { openDatabase, type Database } from '../src/db/client.js';

const [engine, dir, url] = process.argv.slice(2) as [string, string, string | undefined];

async function open(): Promise<Database> {
  return engine === 'postgres' ? openDatabase({ url }) : openDatabase({ dataDir: join(dir, 'pglite') });
}

const COLUMNS = 'entry_id, contract_id, type, due_date, booking_date, amount_cents, description, import_id';

async function plainCopy(database: Database): Promise<number> {
  const file = join(dir, 'ledger.copy.tsv');
  const rows = Number(readFileSync(join(dir, 'ledger.copy.count'), 'utf8'));
  if (database.kind === 'pglite') {
    const client = (database.db as unknown as { $client: PGlite }).$client;
    const blob = new Blob([readFileSync(file)]);
    await client.query(`copy ledger_entries (${COLUMNS}) from '/dev/blob'`, [], { blob });
    return rows;
  }
  const sql = postgres(url!, { max: 1, onnotice: () => {} });
  try {
    const writable = await sql.unsafe(`copy ledger_entries (${COLUMNS}) from stdin`).writable();
    await pipeline(createReadStream(file), writable);
  } finally {
    await sql.end();
  }
  return rows;
}

const database = await open();
try {
  const started = process.hrtime.bigint();
  const rows = await plainCopy(database);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ rows, seconds, peakRssMb })}\n`);
} finally {
  await database.close();
}
