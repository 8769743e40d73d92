import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { openDatabase, queryRows, type Database } from '../src/db/client.js';
import { createTestDatabase, onPostgres, type TestDatabase } from './support/db.js';
import { csv, scratchDir } from './support/files.js';
import { pdfText } from './support/pdf-text.js';

// `main()` in this process with a captured io. The database is this file's own: an embedded one
// in a scratch HUURWACHT_DATA, or (DATABASE_URL set) a fresh database on that server.

const files = scratchDir();
const dataDir = join(files.dir, 'data');
let testDb: TestDatabase | null = null;

const configFile = files.write(
  'huurwacht.yml',
  [
    'minimumArrears: "5,00"',
    'teams:',
    '  - key: noord',
    '    name: Wijkteam Noord',
    '    channel: C0123456789',
    '    members: [U0AAAAAAAA]',
    '  - key: zuid',
    '    name: Wijkteam Zuid',
    '    channel: C0123456780',
    'mt:',
    '  channel: C0987654321',
    '  usergroup: S0123456789',
    '',
  ].join('\n'),
);

beforeAll(async () => {
  if (onPostgres) testDb = await createTestDatabase();
});
afterEach(() => {
  // main() reports through process.exitCode too; keep it from leaking into the next test or the run.
  process.exitCode = undefined;
});
afterAll(async () => {
  await testDb?.close();
  files.cleanup();
});

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { HUURWACHT_DATA: dataDir, ...(testDb ? { DATABASE_URL: testDb.url! } : {}), ...extra };
}

async function run(args: string[], options: { config?: string | null; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const out: string[] = [];
  const err: string[] = [];
  const config = options.config === undefined ? configFile : options.config;
  process.exitCode = undefined;
  const code = await main(['node', 'huurwacht', ...(config ? ['--config', config] : []), ...args], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: options.env ?? cliEnv(),
  });
  process.exitCode = undefined;
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The CLI's database, opened from the test between commands (PGlite: only while no command runs). */
async function withDb<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  if (testDb) return fn(testDb);
  const database = await openDatabase({ dataDir });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

async function countIn(database: Database, table: string, where = 'true'): Promise<number> {
  const [row] = await queryRows<{ n: number }>(database.db, sql.raw(`select count(*)::int as n from ${table} where ${where}`));
  return row!.n;
}

async function count(table: string, where = 'true'): Promise<number> {
  return withDb((database) => countIn(database, table, where));
}

/** Row counts of several tables, in one opening of the database. */
async function counts(...tables: string[]): Promise<Record<string, number>> {
  return withDb(async (database) => {
    const result: Record<string, number> = {};
    for (const table of tables) result[table] = await countIn(database, table);
    return result;
  });
}

const TENANCY_HEADER = ['contract_id', 'team', 'tenant_names', 'address', 'postcode', 'city', 'monthly_rent', 'start_date', 'phone'];
const tenanciesCsv = files.write(
  'tenancies.csv',
  csv(
    ';',
    TENANCY_HEADER,
    [
      ['100234', 'noord', 'J. Jansen & M. Jansen', 'Dorpsstraat 12', '1234 AB', 'Ergens', '712,35', '01-03-2019', '06-12345678'],
      ['100235', 'zuid', 'A. de Vries', 'Kerkstraat 4', '5678CD', 'Elders', '650,00', '15-06-2021', ''],
      ['100236', 'noord', 'P. Jansen', 'Dorpsstraat 7', '1234AB', 'Ergens', '689,10', '2020-01-01', ''],
    ],
    { bom: true, crlf: true },
  ),
);

const LEDGER_HEADER = ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'amount', 'description'];
const ledgerCsv = files.write(
  'ledger.csv',
  csv(',', LEDGER_HEADER, [
    ['R-1', '100234', 'rent', '2026-09-01', '2026-09-01', '712.35', 'Huur september'],
    ['P-1', '100234', 'payment', '', '2026-09-05', '190.14', 'Betaling'],
    ['R-2', '100234', 'rent', '2026-10-01', '2026-10-01', '712.35', 'Huur oktober'],
    ['R-3', '100234', 'rent', '2026-11-01', '2026-11-01', '712.35', 'Huur november'],
    ['R-4', '100235', 'rent', '2026-10-01', '2026-10-01', '650.00', ''],
    ['P-2', '100235', 'payment', '', '2026-10-02', '650.00', ''],
  ]),
);

let fixturesImported = false;
/** Imports the fixtures once, for tests that need them whichever tests ran before. */
async function importFixtures(): Promise<void> {
  if (fixturesImported) return;
  fixturesImported = true;
  expect((await run(['import', 'tenancies', tenanciesCsv])).code).toBe(0);
  expect((await run(['import', 'ledger', ledgerCsv])).code).toBe(0);
}

describe('--help', () => {
  const helpData = join(files.dir, 'help-data');

  it.each([
    [[], 'huurwacht [options] [command]'],
    [['migrate'], 'huurwacht migrate [options]'],
    [['import'], 'huurwacht import [options] [command]'],
    [['import', 'tenancies'], 'huurwacht import tenancies [options] <file>'],
    [['import', 'ledger'], 'huurwacht import ledger [options] <file>'],
    [['dossier'], 'huurwacht dossier [options] <query>'],
    [['demo'], 'huurwacht demo [options]'],
  ])('huurwacht %j --help exits 0 and prints usage', async (command, usage) => {
    const result = await run([...command, '--help'], { env: cliEnv({ HUURWACHT_DATA: helpData }) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: ${usage}`);
    expect(result.stderr).toBe('');
    // Help opens no database.
    expect(existsSync(helpData)).toBe(false);
  });

  it('the program help lists every command and the global options', async () => {
    const { stdout } = await run(['--help']);
    for (const word of ['migrate', 'import', 'dossier', 'demo', '--config <file>', '--data <dir>']) expect(stdout).toContain(word);
  });

  it('an unknown command exits non-zero with the usage on stderr', async () => {
    const result = await run(['frobnicate'], { env: cliEnv({ HUURWACHT_DATA: helpData }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
    expect(result.stderr).toContain('Usage: huurwacht');
  });
});

describe('migrate', () => {
  it('applies the migrations and says where the database is', async () => {
    const result = await run(['migrate']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(onPostgres ? /^Database is up to date \(postgres: postgres:\/\// : /^Database is up to date \(pglite: /);
    if (!onPostgres) expect(result.stdout).toContain(dataDir);
    // The configured teams are mirrored into the database.
    expect(await count('teams')).toBe(2);
  });
});

describe('import', () => {
  it('imports tenancies and ledger with a Dutch summary; a re-import changes nothing', async () => {
    const tenancies = await run(['import', 'tenancies', tenanciesCsv]);
    expect(tenancies).toEqual({
      code: 0,
      stdout: 'tenancies.csv: 3 regels gelezen · 3 nieuw · 0 gewijzigd · 0 ongewijzigd',
      stderr: '',
    });
    const ledger = await run(['import', 'ledger', ledgerCsv]);
    expect(ledger).toEqual({ code: 0, stdout: 'ledger.csv: 6 regels gelezen · 6 nieuw · 0 ongewijzigd', stderr: '' });
    fixturesImported = true;

    const before = await counts('imports', 'tenancies', 'tenants', 'ledger_entries', 'case_events');
    expect(before).toMatchObject({ imports: 2, tenancies: 3, tenants: 4, ledger_entries: 6, case_events: 0 });
    expect(await run(['import', 'tenancies', tenanciesCsv])).toEqual({
      code: 0,
      stdout: 'tenancies.csv: 3 regels gelezen · 0 nieuw · 0 gewijzigd · 3 ongewijzigd (niets gewijzigd)',
      stderr: '',
    });
    expect(await run(['import', 'ledger', ledgerCsv])).toEqual({
      code: 0,
      stdout: 'ledger.csv: 6 regels gelezen · 0 nieuw · 6 ongewijzigd (niets gewijzigd)',
      stderr: '',
    });
    expect(await counts('imports', 'tenancies', 'tenants', 'ledger_entries', 'case_events')).toEqual(before);
  });

  it('a bad tenancies file exits 2, lists every error with file, line and column, and changes nothing', async () => {
    await importFixtures();
    const before = await counts('tenancies', 'tenants', 'imports');
    const bad = files.write(
      'bad-tenancies.csv',
      csv(';', TENANCY_HEADER, [
        ['100300', 'noord', 'K. Klaassen', 'Laan 1', '1234 AB', 'Ergens', '700,00', '01-01-2020', ''],
        ['100301', 'west', 'L. de Boer', 'Laan 2', '1234AB', 'Ergens', '1.234,56', '2019-13-01', ''],
        ['100302', 'zuid', 'M. Mulder', 'Laan 3', '12345', 'Ergens', '650', '01-01-2020', ''],
      ]),
    );
    const result = await run(['import', 'tenancies', bad]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe('bad-tenancies.csv is niet geïmporteerd (er is niets gewijzigd): 4 fouten.');
    expect(lines.slice(1).map((l) => l.replace(/:.*/, ''))).toEqual([
      '  bad-tenancies.csv, regel 3, kolom team',
      '  bad-tenancies.csv, regel 3, kolom monthly_rent',
      '  bad-tenancies.csv, regel 3, kolom start_date',
      '  bad-tenancies.csv, regel 4, kolom postcode',
    ]);
    expect(result.stderr).toContain('verwacht een Nederlandse postcode zoals 1234 AB, gevonden "12345"');
    // No stack trace for a person's mistake.
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await counts('tenancies', 'tenants', 'imports')).toEqual(before);
  });

  it('a bad ledger file exits 2, lists every error, and imports none of its good lines', async () => {
    await importFixtures();
    const before = await counts('ledger_entries', 'imports');
    const bad = files.write(
      'bad-ledger.csv',
      csv(';', LEDGER_HEADER, [
        ['R-10', '100234', 'rent', '01-12-2026', '01-12-2026', '712,35', 'goed'],
        ['R-11', '999999', 'rent', '01-12-2026', '01-12-2026', '712,35', ''],
        ['R-12', '100234', 'huur', '01-12-2026', '01-12-2026', '712,356', ''],
        ['R-1', '100234', 'rent', '01-09-2026', '01-09-2026', '712,36', 'Huur september'],
      ]),
    );
    const result = await run(['import', 'ledger', bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^bad-ledger\.csv is niet geïmporteerd \(er is niets gewijzigd\): 4 fouten\./);
    expect(result.stderr).toContain('bad-ledger.csv, regel 3, kolom contract_id: huurovereenkomst 999999 bestaat niet');
    expect(result.stderr).toContain('bad-ledger.csv, regel 4, kolom type');
    expect(result.stderr).toContain('bad-ledger.csv, regel 4, kolom amount');
    expect(result.stderr).toContain('bad-ledger.csv, regel 5, kolom entry_id');
    expect(await counts('ledger_entries', 'imports')).toEqual(before);
  });
});

describe('invalid configuration', () => {
  const untouched = join(files.dir, 'untouched-data');

  it('exits 1 listing every problem with its path, before touching the database', async () => {
    const bad = files.write(
      'bad.yml',
      [
        'minimumArrears: "vijf euro"',
        'detectionWorkday: 30',
        'teams:',
        '  - key: noord',
        '    name: Wijkteam Noord',
        '    channel: C0123456789',
        '  - key: zuid',
        '    name: Wijkteam Zuid',
        '    channel: "#zuid"',
        'mt:',
        '  channel: C0987654321',
        'slackToken: xoxb-1',
      ].join('\n'),
    );
    const result = await run(['migrate'], { config: bad, env: cliEnv({ HUURWACHT_DATA: untouched }) });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe(`Invalid configuration ${bad}:`);
    expect(lines.slice(1)).toEqual(
      expect.arrayContaining([
        '  - minimumArrears: expected an amount in euros such as "5,00"',
        expect.stringMatching(/^ {2}- detectionWorkday: /),
        '  - teams[1].channel: expected a Slack channel id (C0123456789)',
        '  - mt.members: expected members or a usergroup',
        expect.stringContaining('slackToken: unknown key'),
      ]),
    );
    expect(lines).toHaveLength(6);
    expect(existsSync(untouched)).toBe(false);
  });

  it('HUURWACHT_CONFIG naming a missing file exits 1', async () => {
    const missing = join(files.dir, 'weg.yml');
    const result = await run(['migrate'], { config: null, env: cliEnv({ HUURWACHT_CONFIG: missing, HUURWACHT_DATA: untouched }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Invalid configuration ${missing}:\n  - file not found`);
    expect(existsSync(untouched)).toBe(false);
  });

  it('a YAML syntax error exits 1 naming line and column', async () => {
    const broken = files.write('broken.yml', 'teams:\n  - key: noord\n    name: "Wijkteam Noord\n');
    const result = await run(['migrate'], { config: broken, env: cliEnv({ HUURWACHT_DATA: untouched }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ {2}- line \d+, column \d+: /m);
  });
});

interface DossierJson {
  contractId: string;
  team: string;
  tenants: string[];
  address: string;
  monthlyRentCents: number;
  balanceCents: number;
  probationUntil: string | null;
  case: unknown;
  events: unknown[];
}

describe('dossier', () => {
  beforeAll(async () => {
    await importFixtures();
  });

  async function dossierJson(query: string, date: string): Promise<DossierJson> {
    const result = await run(['dossier', query, '--json', '--date', date]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as DossierJson;
  }

  it('--json prints the DATA-FORMATS.md shape, balance as of --date from the imported ledger', async () => {
    const dossier = await dossierJson('100234', '2026-10-15');
    expect(dossier).toMatchObject({
      contractId: '100234',
      team: 'noord',
      tenants: ['J. Jansen', 'M. Jansen'],
      address: 'Dorpsstraat 12, 1234 AB Ergens',
      monthlyRentCents: 71235,
      balanceCents: 2 * 71235 - 19014, // September and October rent, less the payment; November is not due yet
      probationUntil: null,
      case: null,
      events: [],
    });
    expect(dossier.balanceCents).toBe(123456);
    // Every documented key is present (extra keys are allowed).
    for (const key of [
      'contractId',
      'team',
      'tenants',
      'address',
      'monthlyRentCents',
      'balanceCents',
      'probationUntil',
      'case',
      'events',
    ]) {
      expect(dossier).toHaveProperty(key);
    }
    expect(Number.isInteger(dossier.balanceCents) && Number.isInteger(dossier.monthlyRentCents)).toBe(true);
  });

  it('the balance follows --date', async () => {
    expect((await dossierJson('100234', '2026-08-31')).balanceCents).toBe(0);
    expect((await dossierJson('100234', '2026-09-04')).balanceCents).toBe(71235); // rent due, payment not yet booked
    expect((await dossierJson('100234', '2026-11-01')).balanceCents).toBe(3 * 71235 - 19014);
    expect((await dossierJson('100235', '2026-10-15')).balanceCents).toBe(0);
  });

  it('finds a tenancy by (part of) a tenant name, case-insensitively', async () => {
    expect((await dossierJson('VRIES', '2026-10-15')).contractId).toBe('100235');
    expect((await dossierJson('m. jansen', '2026-10-15')).contractId).toBe('100234');
  });

  it('finds a tenancy by postcode and house number', async () => {
    expect((await dossierJson('1234AB 12', '2026-10-15')).contractId).toBe('100234');
    expect((await dossierJson('1234 ab 12', '2026-10-15')).contractId).toBe('100234');
  });

  it('several matches give a pick list', async () => {
    const text = await run(['dossier', 'jansen']);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe('2 huurovereenkomsten gevonden voor "jansen"; kies er één:');
    expect(lines.slice(1)).toEqual([
      '  100234  J. Jansen & M. Jansen · Dorpsstraat 12, 1234 AB Ergens',
      '  100236  P. Jansen · Dorpsstraat 7, 1234 AB Ergens',
    ]);

    const json = await run(['dossier', 'jansen', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      query: 'jansen',
      matches: [
        expect.objectContaining({ contractId: '100234', tenants: 'J. Jansen & M. Jansen' }),
        expect.objectContaining({ contractId: '100236', tenants: 'P. Jansen' }),
      ],
    });
  });

  it('no match exits 3', async () => {
    const result = await run(['dossier', 'Pietersen']);
    expect(result).toEqual({ code: 3, stdout: 'Geen huurovereenkomst gevonden voor "Pietersen".', stderr: '' });
    const json = await run(['dossier', '9999ZZ 1', '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({ query: '9999ZZ 1', matches: [] });
  });

  it('refuses a bad --date', async () => {
    const result = await run(['dossier', '100234', '--date', '2026-02-30']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('verwacht een datum JJJJ-MM-DD');
  });

  it('every look-up writes an audit_log row', async () => {
    const before = await count('audit_log');
    await run(['dossier', '100234', '--json']);
    await run(['dossier', 'jansen']);
    await run(['dossier', 'Pietersen']);
    const { after, rows } = await withDb(async (database) => ({
      after: await countIn(database, 'audit_log'),
      rows: await queryRows<{ actor: string; action: string; subject: string | null; detail: { query: string; matches: number } }>(
        database.db,
        sql`select actor, action, subject, detail from audit_log order by id desc limit 3`,
      ),
    }));
    expect(after).toBe(before + 3);
    expect(rows.reverse()).toEqual([
      { actor: `cli:${userInfo().username}`, action: 'dossier.lookup', subject: '100234', detail: { query: '100234', matches: 1 } },
      { actor: expect.stringMatching(/^cli:/), action: 'dossier.lookup', subject: null, detail: { query: 'jansen', matches: 2 } },
      { actor: expect.stringMatching(/^cli:/), action: 'dossier.lookup', subject: null, detail: { query: 'Pietersen', matches: 0 } },
    ]);
  });

  it('the text dossier is Dutch, with € 1.234,56 amounts and DD-MM-YYYY dates', async () => {
    const result = await run(['dossier', '100234', '--date', '2026-10-15']);
    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(text).toContain('Huurovereenkomst 100234 · Wijkteam Noord');
    expect(text).toContain('J. Jansen & M. Jansen');
    expect(text).toContain('Dorpsstraat 12, 1234 AB Ergens');
    expect(text).toContain('tel. 06-12345678');
    expect(text).toContain('Huur € 712,35 per maand · sinds 01-03-2019');
    expect(text).toContain('Saldo op 15-10-2026: € 1.234,56 achterstand (1,7 maanden)');
    expect(text).toContain('laatste betaling 05-09-2026 (€ 190,14)');
    expect(text).toMatch(/okt 2026 +€ 712,35 +€ 0,00 +€ 1\.234,56/);
    expect(text).toMatch(/sep 2026 +€ 712,35 +€ 190,14 +€ 522,21/);
    expect(text).not.toContain('nov 2026');
    expect(text).toContain('Geen zaak');
    // No ISO dates, no amounts with a decimal point.
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(text).not.toMatch(/\d\.\d{2}\b/);
  });
});

describe('demo', () => {
  it('runs on its own in-memory database and prints the per-team table and the largest arrears', async () => {
    const demoData = join(files.dir, 'demo-data');
    const tenanciesBefore = onPostgres ? await count('tenancies') : null;
    const letters = join(files.dir, 'demo-letters');
    const result = await run(['demo', '--tenancies', '60', '--months', '6', '--end-month', '2026-11', '--letters', letters], {
      config: null,
      env: cliEnv({ HUURWACHT_DATA: demoData }),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(text).toContain('Huurwacht demo · portefeuille van 60 huurovereenkomsten');
    expect(text).toContain('over 6 maanden (t/m 2026-11)');
    expect(text).toMatch(/Geïmporteerd: 60 huurovereenkomsten en \d+ boekingen in [\d.]+ s \(pglite\)\./);
    expect(text).toMatch(/Stand op de 8e werkdag van de maand: .*november 2026 \(P1\.a\)/);
    expect(text).toMatch(/^Team +Contracten +Achterstand +2\+ maanden +Gegroeid +Totaal$/m);
    expect(text).toMatch(/^Wijkteam Noord +\d+ +\d+ +\d+ +\d+ +€ [\d.]+,\d\d$/m);
    expect(text).toMatch(/^Totaal +60 +\d+ +\d+ +\d+ +€ [\d.]+,\d\d$/m);
    expect(text).toContain('Grootste achterstanden:');
    // The letters the procedure made, as the teams would print them (P1: a day's 14-day letters in one PDF).
    const written = /Brieven: (\d+) brieven in (\d+) PDF-bestanden in (.+) \(/.exec(text);
    expect(written?.[3]).toBe(letters);
    const pdfs = readdirSync(letters);
    expect(pdfs).toHaveLength(Number(written![2]));
    expect(Number(written![1])).toBeGreaterThanOrEqual(pdfs.length);
    const reminders = pdfs.find((f) => /^\d{4}-\d\d-\d\d-14-dagenbrieven-\w+\.pdf$/.test(f));
    expect(reminders).toBeDefined();
    expect(await pdfText(readFileSync(join(letters, reminders!)))).toContain('binnen 14 dagen na de dag waarop u deze brief ontvangt');
    // It touched neither HUURWACHT_DATA nor DATABASE_URL.
    expect(existsSync(demoData)).toBe(false);
    expect(existsSync(`${demoData}.lock`)).toBe(false);
    if (onPostgres) expect(await count('tenancies')).toBe(tenanciesBefore);
  });

  it('refuses a bad --end-month', async () => {
    const result = await run(['demo', '--end-month', '2026-13'], { config: null });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--end-month: verwacht JJJJ-MM');
  });
});

describe('letter', () => {
  const lettersConfig = files.write(
    'huurwacht-letters.yml',
    [
      'teams:',
      '  - { key: noord, name: Wijkteam Noord, channel: C0123456789, members: [U0AAAAAAAA] }',
      '  - { key: zuid, name: Wijkteam Zuid, channel: C0123456780 }',
      'letters:',
      '  sender: { name: Woonstichting Voorbeeld, address: "Postbus 123, 1000 AB Ergens", phone: 020-1234567, email: huur@voorbeeld.nl }',
      '  debtHelp: { name: Traverse, phone: 020-7654321, url: https://traverse.example }',
      '',
    ].join('\n'),
  );

  beforeAll(async () => {
    await importFixtures();
    // D(Nov 2026) = wed 11-11-2026: 100234 was late in October too, so its case opens at contact
    // with the 14-day letter and the invitation (P1, P2).
    expect((await run(['run-daily', '--date', '2026-11-11'], { config: lettersConfig })).code).toBe(0);
  });

  it('lists the letters of a tenancy without --kind', async () => {
    const result = await run(['letter', '100234'], { config: lettersConfig });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Brieven van 100234:');
    expect(result.stdout).toMatch(/reminder +11-11-2026 +14-dagenbrief/);
    expect(result.stdout).toMatch(/invitation +11-11-2026 +Uitnodiging voor een gesprek/);
  });

  it('P1 writes the 14-day letter as PDF, the same bytes every time, and audit-logs it', async () => {
    const out = join(files.dir, 'brief.pdf');
    const first = await run(['letter', '100234', '--kind', 'reminder', '--out', out], { config: lettersConfig });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const bytes = readFileSync(out);
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(first.stdout).toBe(
      `14-dagenbrief van 100234 (verstuurd 11-11-2026, ontvangst 12-11-2026) geschreven naar ${out}: ${bytes.length} bytes, sha256 ${sha}`,
    );
    const text = await pdfText(bytes);
    expect(text).toContain('J. Jansen');
    expect(text).toContain('€ 1.946,91');
    expect(text).toContain('Traverse');
    expect((await run(['letter', '100234', '--kind', 'reminder', '--out', out], { config: lettersConfig })).stdout).toContain(sha);
    expect(await count('audit_log', "action = 'letter.print' and subject = '100234'")).toBe(2);
  });

  it('a letter the dossier does not hold exits 3 and says which it does hold', async () => {
    const result = await run(['letter', '100234', '--kind', 'last_warning'], { config: lettersConfig });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Geen Laatste waarschuwing in het dossier van 100234.');
    expect(result.stderr).toContain('reminder');
    expect((await run(['letter', '100236'], { config: lettersConfig })).code).toBe(3);
  });

  it('refuses an unknown kind, and printing without the corporation in the configuration', async () => {
    const unknown = await run(['letter', '100234', '--kind', 'aanmaning'], { config: lettersConfig });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('kies uit reminder, invitation, confirmation, card, last_warning, bailiff_handover');
    // Frozen letters print without it (the document holds the sender); the invitation was never printed.
    const missing = await run(['letter', '100234', '--kind', 'invitation', '--out', join(files.dir, 'x.pdf')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('letters.sender en letters.debtHelp');
    expect(existsSync(join(files.dir, 'x.pdf'))).toBe(false);
  });
});

describe('outbox', () => {
  it('lists the failed Slack messages and puts them back in the queue, audit-logged', async () => {
    expect((await run(['outbox', 'failed'])).stdout).toBe('Geen mislukte Slack-berichten.');
    // As the worker leaves a message Slack refused for good.
    await withDb((database) =>
      database.db.execute(
        sql`insert into outbox (key, channel, kind, payload, status, attempts, last_error)
            values ('digest:noord:2027-01-13', 'C0123456789', 'digest', '{}'::jsonb, 'failed', 8, 'Slack error not_in_channel')`,
      ),
    );
    const failed = await run(['outbox', 'failed']);
    expect(failed.code).toBe(0);
    expect(failed.stdout).toBe(
      [
        '1 mislukt Slack-bericht (de latere berichten van hun zaak wachten):',
        '  digest:noord:2027-01-13  digest naar C0123456789, 8 pogingen: Slack error not_in_channel',
      ].join('\n'),
    );
    expect(await run(['outbox', 'retry', 'digest:noord:2027-01-13'])).toMatchObject({
      code: 0,
      stdout: '1 bericht opnieuw in de wachtrij; `huurwacht start` verstuurt ze.',
    });
    expect(await count('outbox', "key = 'digest:noord:2027-01-13' and status = 'pending' and attempts = 0")).toBe(1);
    expect(await count('audit_log', "action = 'outbox.retry'")).toBe(1);
    expect((await run(['outbox', 'retry'])).code).toBe(3);
  });
});
