/**
 * npm run bench:import [-- --lines N]
 *
 * Imports a generated ledger (default 1 000 000 lines, Dutch Excel dialect) with Huurwacht's
 * importer, on embedded PGlite and on PostgreSQL, next to a plain COPY of the same rows into the
 * same table (the floor). Each run is a fresh database and its own process (peak RSS is per run).
 * Goal (issue 2): at least half the speed of plain COPY on PostgreSQL, peak RSS under 300 MB.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse';
import postgres from 'postgres';
import { stringify as stringifyYaml } from 'yaml';
import { openDatabase } from '../src/db/client.js';
import { parseDutchOrIsoDate } from '../src/domain/calendar.js';
import { parseEuroAmount } from '../src/domain/money.js';
import { demoConfig } from '../src/demo/demo.js';
import { defaultPortfolioOptions, tenanciesForLedgerLines, writeLedgerOnly, writeTenancies } from '../src/demo/generate.js';
import { importTenancies } from '../src/ledger/import-tenancies.js';

const args = process.argv.slice(2);
const lines = Number(args[args.indexOf('--lines') + 1] ?? 0) || 1_000_000;
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dir = resolve('.bench', `import-${lines}`);
const config = demoConfig();

async function prepareFiles(): Promise<void> {
  if (existsSync(join(dir, 'ledger.copy.count'))) return;
  mkdirSync(dir, { recursive: true });
  const options = defaultPortfolioOptions('2026-12', { months: 24, teams: config.teams.map((t) => ({ key: t.key, name: t.name })) });
  const tenancies = tenanciesForLedgerLines(lines, options);
  process.stdout.write(`generating ${lines} ledger lines over ${tenancies} tenancies in ${dir} ...\n`);
  await writeTenancies(join(dir, 'tenancies.csv'), { ...options, tenancies });
  await writeLedgerOnly(join(dir, 'ledger.csv'), { ...options, tenancies, lines });

  // The same rows, already converted, in COPY's text format: what the floor gets for free.
  const out = createWriteStream(join(dir, 'ledger.copy.tsv'));
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  let count = 0;
  for await (const r of createReadStream(join(dir, 'ledger.csv')).pipe(parse({ bom: true, delimiter: ';', columns: true, trim: true }))) {
    const row = r as Record<string, string>;
    const fields = [
      row.entry_id!,
      row.contract_id!,
      row.type!,
      row.due_date ? parseDutchOrIsoDate(row.due_date)! : '\\N',
      parseDutchOrIsoDate(row.booking_date!)!,
      String(parseEuroAmount(row.amount!)),
      row.description ? escape(row.description) : '\\N',
      '1',
    ];
    if (!out.write(`${fields.join('\t')}\n`)) await new Promise<void>((done) => out.once('drain', () => done()));
    count++;
  }
  await new Promise<void>((done) => out.end(() => done()));
  writeFileSync(join(dir, 'ledger.copy.count'), String(count));
}

/** A fresh database with the tenancies imported (import id 1, which the COPY rows reference). */
async function freshDatabase(engine: 'pglite' | 'postgres'): Promise<string | undefined> {
  let url: string | undefined;
  if (engine === 'postgres') {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe('drop database if exists huurwacht_bench with (force)');
    await admin.unsafe('create database huurwacht_bench');
    await admin.end();
    const u = new URL(serverUrl);
    u.pathname = '/huurwacht_bench';
    url = u.toString();
  } else {
    rmSync(join(dir, 'pglite'), { recursive: true, force: true });
  }
  const database = await openDatabase(url ? { url } : { dataDir: join(dir, 'pglite') });
  try {
    await importTenancies(database, join(dir, 'tenancies.csv'), config);
    if (engine === 'postgres') await database.db.execute('vacuum analyze');
  } finally {
    await database.close();
  }
  return url;
}

async function serverReachable(): Promise<boolean> {
  const sql = postgres(serverUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end();
  }
}

/** The floor: a plain COPY of the same, already converted rows, in a process of its own. */
function runFloor(engine: string, url: string | undefined): Omit<Run, 'engine' | 'method'> {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/copy-floor.ts', engine, dir, url ?? ''], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`${engine} COPY failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Omit<Run, 'engine' | 'method'>;
}

/** What an operator runs: the built CLI (`huurwacht import ledger`), timed from outside, start-up included. */
function runCli(engine: string, url: string | undefined): Omit<Run, 'engine' | 'method'> {
  writeFileSync(join(dir, 'huurwacht.yml'), stringifyYaml({ teams: config.teams }));
  const env = { ...process.env, HUURWACHT_DATA: join(dir, 'pglite'), DATABASE_URL: url ?? '' };
  const started = process.hrtime.bigint();
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      './bench/peak-rss.mjs',
      'bin/huurwacht.js',
      '--config',
      join(dir, 'huurwacht.yml'),
      'import',
      'ledger',
      join(dir, 'ledger.csv'),
    ],
    { encoding: 'utf8', env },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0) throw new Error(`${engine} huurwacht import failed:\n${child.stdout}\n${child.stderr}`);
  const rows = Number(/(\d+) nieuw/.exec(child.stdout)?.[1]);
  const peakRssMb = Number(/peak-rss-mb (\d+)/.exec(child.stderr)?.[1]);
  return { rows, seconds, peakRssMb };
}

interface Run {
  engine: string;
  method: string;
  rows: number;
  seconds: number;
  peakRssMb: number;
}

await prepareFiles();
const only = args.includes('--engine') ? args[args.indexOf('--engine') + 1] : undefined;
const engines: ('pglite' | 'postgres')[] = [];
if (only !== 'postgres') engines.push('pglite');
if (only !== 'pglite') {
  if (await serverReachable()) engines.push('postgres');
  else process.stdout.write(`PostgreSQL at ${serverUrl} not reachable: PGlite only\n`);
}

const runs: Run[] = [];
for (const engine of engines) {
  for (const method of ['copy', 'huurwacht'] as const) {
    const url = await freshDatabase(engine);
    const result = method === 'copy' ? runFloor(engine, url) : runCli(engine, url);
    runs.push({ engine, method: method === 'copy' ? 'plain COPY (floor)' : 'huurwacht import ledger', ...result });
    process.stdout.write(`  ${engine} ${method}: ${result.rows} rows in ${result.seconds.toFixed(2)} s\n`);
  }
}

const node = execFileSync(process.execPath, ['--version'], { encoding: 'utf8' }).trim();
process.stdout.write(`\nbench:import · ${lines} ledger lines · node ${node} · ${new Date().toISOString()}\n`);
process.stdout.write(
  `${'engine'.padEnd(10)}${'method'.padEnd(26)}${'rows'.padStart(10)}${'seconds'.padStart(9)}${'rows/s'.padStart(10)}${'peak RSS'.padStart(10)}${'vs floor'.padStart(10)}\n`,
);
for (const run of runs) {
  const floor = runs.find((r) => r.engine === run.engine && r.method.startsWith('plain'))!;
  const rate = run.rows / run.seconds;
  const ratio = rate / (floor.rows / floor.seconds);
  process.stdout.write(
    `${run.engine.padEnd(10)}${run.method.padEnd(26)}${String(run.rows).padStart(10)}${run.seconds.toFixed(2).padStart(9)}${Math.round(rate).toString().padStart(10)}${`${Math.round(run.peakRssMb)} MB`.padStart(10)}${`${(ratio * 100).toFixed(0)}%`.padStart(10)}\n`,
  );
}
