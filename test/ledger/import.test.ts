import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { ImportFailedError } from '../../src/ledger/import-errors.js';
import { importLedger } from '../../src/ledger/import-ledger.js';
import { houseNumberOf, importTenancies } from '../../src/ledger/import-tenancies.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { csv, scratchDir } from '../support/files.js';

const config = testConfig();
const files = scratchDir();
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
  files.cleanup();
});
beforeEach(async () => {
  await database.reset();
});

const TENANCY_HEADER = [
  'contract_id',
  'team',
  'tenant_names',
  'address',
  'postcode',
  'city',
  'monthly_rent',
  'start_date',
  'end_date',
  'phone',
];

function nlTenancies(
  rows: string[][] = [
    ['100234', 'noord', 'J. Jansen & M. Jansen', 'Dorpsstraat 12', '1234 AB', 'Ergens', '712,35', '01-03-2019', '', '06-12345678'],
    ['100235', 'zuid', 'Ö. Yılmaz', 'Kerkstraat 4-II', '5678CD', 'Elders', '650', '15-06-2021', '', ''],
  ],
) {
  return files.write('tenancies.csv', csv(';', TENANCY_HEADER, rows, { bom: true, crlf: true }));
}

async function count(table: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(database.db, sql.raw(`select count(*) as n from ${table}`));
  return row!.n;
}

async function expectImportError(promise: Promise<unknown>): Promise<ImportFailedError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImportFailedError);
  return err as ImportFailedError;
}

describe('tenancies.csv', () => {
  it('imports the Dutch Excel dialect (; BOM CRLF, decimal comma, DD-MM-YYYY)', async () => {
    const result = await importTenancies(database, nlTenancies(), config, { today: '2026-12-04' });
    expect(result).toMatchObject({ rows: 2, inserted: 2, updated: 0, skipped: 0 });
    const rows = await queryRows<Record<string, unknown>>(
      database.db,
      sql`select contract_id, team_key, postcode, house_number, monthly_rent_cents, start_date, end_date, phone from tenancies order by contract_id`,
    );
    expect(rows).toEqual([
      {
        contract_id: '100234',
        team_key: 'noord',
        postcode: '1234AB',
        house_number: '12',
        monthly_rent_cents: 71235,
        start_date: '2019-03-01',
        end_date: null,
        phone: '06-12345678',
      },
      {
        contract_id: '100235',
        team_key: 'zuid',
        postcode: '5678CD',
        house_number: '4',
        monthly_rent_cents: 65000,
        start_date: '2021-06-15',
        end_date: null,
        phone: null,
      },
    ]);
    const tenants = await queryRows(database.db, sql`select contract_id, position, name from tenants order by contract_id, position`);
    expect(tenants).toEqual([
      { contract_id: '100234', position: 0, name: 'J. Jansen' },
      { contract_id: '100234', position: 1, name: 'M. Jansen' },
      { contract_id: '100235', position: 0, name: 'Ö. Yılmaz' },
    ]);
  });

  it('imports the ISO dialect (, decimal point, YYYY-MM-DD) in any column order', async () => {
    const file = files.write(
      'iso.csv',
      csv(
        ',',
        ['start_date', 'monthly_rent', 'city', 'postcode', 'address', 'tenant_names', 'team', 'contract_id', 'unknown_column'],
        [['2020-01-01', '712.35', 'Ergens', '1234AB', 'Dorpsstraat 12', 'J. Jansen', 'noord', '100234', 'ignored']],
      ),
    );
    const result = await importTenancies(database, file, config);
    expect(result).toMatchObject({ rows: 1, inserted: 1 });
    const [row] = await queryRows(database.db, sql`select monthly_rent_cents, start_date from tenancies`);
    expect(row).toEqual({ monthly_rent_cents: 71235, start_date: '2020-01-01' });
  });

  it('re-importing the same file changes nothing', async () => {
    const file = nlTenancies();
    await importTenancies(database, file, config);
    const before = { imports: await count('imports'), events: await count('case_events') };
    const again = await importTenancies(database, file, config);
    expect(again).toMatchObject({ rows: 2, inserted: 0, updated: 0, skipped: 2, importId: null });
    expect({ imports: await count('imports'), events: await count('case_events') }).toEqual(before);
  });

  it('updates a changed tenancy in place and records the change as an event', async () => {
    await importTenancies(database, nlTenancies(), config, { today: '2026-12-01' });
    const changed = nlTenancies([
      ['100234', 'noord', 'J. Jansen', 'Dorpsstraat 12', '1234 AB', 'Ergens', '730,00', '01-03-2019', '31-03-2027', '06-12345678'],
      ['100235', 'zuid', 'Ö. Yılmaz', 'Kerkstraat 4-II', '5678CD', 'Elders', '650', '15-06-2021', '', ''],
    ]);
    const result = await importTenancies(database, changed, config, { today: '2026-12-04' });
    expect(result).toMatchObject({ inserted: 0, updated: 1, skipped: 1 });
    const events = await queryRows<{ contract_id: string; on: string; type: string; summary: string }>(
      database.db,
      sql`select contract_id, "on"::text as on, type, summary from case_events`,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ contract_id: '100234', on: '2026-12-04', type: 'tenancy_updated' });
    expect(events[0]!.summary).toContain('huur € 712,35 → € 730,00');
    expect(events[0]!.summary).toContain('einddatum (leeg) → 31-03-2027');
    expect(events[0]!.summary).toContain('huurders J. Jansen & M. Jansen → J. Jansen');
    const tenants = await queryRows(database.db, sql`select name from tenants where contract_id = '100234'`);
    expect(tenants).toEqual([{ name: 'J. Jansen' }]);
  });

  it('refuses a bad file whole and names every error with line and column', async () => {
    const file = nlTenancies([
      ['100234', 'noord', 'J. Jansen', 'Dorpsstraat 12', '1234 AB', 'Ergens', '712,35', '01-03-2019', '', ''],
      ['100235', 'west', 'A. B', 'Laan 1', '1234AB', 'X', '1.234,56', '2019-13-01', '', ''],
      ['100236', 'zuid', 'A & B & C', 'Laan 2', '12345', 'X', '500', '01-01-2020', '01-01-2019', ''],
      ['100234', 'noord', 'J. Jansen', 'Dorpsstraat 12', '1234 AB', 'Ergens', '712,35', '01-03-2019', '', ''],
      ['100237', 'zuid', 'Te weinig velden'],
    ]);
    const err = await expectImportError(importTenancies(database, file, config));
    const where = err.problems.map((p) => `${p.line}:${p.column ?? '-'}`);
    expect(where).toEqual([
      '3:team',
      '3:monthly_rent',
      '3:start_date',
      '4:tenant_names',
      '4:postcode',
      '4:end_date',
      '5:contract_id',
      '6:-',
    ]);
    expect(err.message).toContain('tenancies.csv, regel 3, kolom monthly_rent: verwacht een positief bedrag');
    expect(err.message).toContain(
      'tenancies.csv, regel 4, kolom postcode: verwacht een Nederlandse postcode zoals 1234 AB, gevonden "12345"',
    );
    expect(err.message).toContain('regel 5, kolom contract_id: 100234 staat ook op regel 2');
    expect(await count('tenancies')).toBe(0);
    expect(await count('imports')).toBe(0);
  });

  it('stays all or nothing across batches', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => [
      `20000${i}`,
      'noord',
      'A. Bakker',
      `Laan ${i + 1}`,
      '1234 AB',
      'Ergens',
      '700',
      '01-01-2020',
      '',
      '',
    ]);
    rows.push(['200009', 'noord', 'A. Bakker', 'Laan 9', '1234 AB', 'Ergens', 'zeven', '01-01-2020', '', '']);
    const err = await expectImportError(importTenancies(database, nlTenancies(rows), config, { batchSize: 2 }));
    expect(err.problems).toEqual([expect.objectContaining({ line: 9, column: 'monthly_rent' })]);
    expect(await count('tenancies')).toBe(0);
    expect(await count('tenants')).toBe(0);
  });

  it('names the missing header columns', async () => {
    const file = files.write('bad-header.csv', csv(';', ['contract_id', 'team', 'adres'], [['1', 'noord', 'x']]));
    const err = await expectImportError(importTenancies(database, file, config));
    expect(err.problems.map((p) => p.column)).toEqual(['tenant_names', 'address', 'postcode', 'city', 'monthly_rent', 'start_date']);
    expect(err.problems.every((p) => p.line === 1)).toBe(true);
  });

  it('finds house numbers with additions', () => {
    expect(houseNumberOf('Dorpsstraat 12')).toBe('12');
    expect(houseNumberOf('Dorpsstraat 12a')).toBe('12');
    expect(houseNumberOf('Laan 4-II')).toBe('4');
    expect(houseNumberOf('Tweede Dwarsstraat 7 bis')).toBe('7');
  });
});

const LEDGER_HEADER = ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'description', 'amount'];

describe('ledger.csv', () => {
  beforeEach(async () => {
    await importTenancies(database, nlTenancies(), config);
  });

  it('imports both dialects, quoted fields and BOM, into integer cents', async () => {
    const nl = files.write(
      'ledger-nl.csv',
      csv(
        ';',
        LEDGER_HEADER,
        [
          ['R-1', '100234', 'rent', '01-01-2027', '01-01-2027', 'Huur januari 2027', '712,35'],
          ['P-1', '100234', 'payment', '', '05-01-2027', '"Betaling; deel ""1"""', '700,5'],
          ['C-1', '100234', 'Costs', '15-01-2027', '15-01-2027', 'Reparatie glas', '35'],
        ],
        { bom: true },
      ),
    );
    const iso = files.write(
      'ledger-iso.csv',
      csv(
        ',',
        ['amount', 'booking_date', 'type', 'contract_id', 'entry_id', 'due_date'],
        [
          ['650.00', '2027-01-01', 'rent', '100235', 'R-2', '2027-01-01'],
          ['10.01', '2027-01-09', 'credit', '100235', 'K-2', ''],
        ],
      ),
    );
    expect(await importLedger(database, nl)).toMatchObject({ rows: 3, inserted: 3, skipped: 0 });
    expect(await importLedger(database, iso)).toMatchObject({ rows: 2, inserted: 2 });
    const rows = await queryRows(
      database.db,
      sql`select entry_id, type, due_date, booking_date, amount_cents, description from ledger_entries order by entry_id`,
    );
    expect(rows).toEqual([
      {
        entry_id: 'C-1',
        type: 'costs',
        due_date: '2027-01-15',
        booking_date: '2027-01-15',
        amount_cents: 3500,
        description: 'Reparatie glas',
      },
      { entry_id: 'K-2', type: 'credit', due_date: null, booking_date: '2027-01-09', amount_cents: 1001, description: null },
      {
        entry_id: 'P-1',
        type: 'payment',
        due_date: null,
        booking_date: '2027-01-05',
        amount_cents: 70050,
        description: 'Betaling; deel "1"',
      },
      {
        entry_id: 'R-1',
        type: 'rent',
        due_date: '2027-01-01',
        booking_date: '2027-01-01',
        amount_cents: 71235,
        description: 'Huur januari 2027',
      },
      { entry_id: 'R-2', type: 'rent', due_date: '2027-01-01', booking_date: '2027-01-01', amount_cents: 65000, description: null },
    ]);
  });

  it('skips lines seen before with identical content; re-import changes nothing', async () => {
    const first = files.write('l1.csv', csv(',', LEDGER_HEADER, [['R-1', '100234', 'rent', '2027-01-01', '2027-01-01', 'Huur', '712.35']]));
    const second = files.write(
      'l2.csv',
      csv(',', LEDGER_HEADER, [
        ['R-1', '100234', 'rent', '2027-01-01', '2027-01-01', 'Huur', '712.35'],
        ['R-1', '100234', 'rent', '2027-01-01', '2027-01-01', 'Huur', '712.35'],
        ['P-1', '100234', 'payment', '', '2027-01-03', 'Betaling', '712.35'],
      ]),
    );
    expect(await importLedger(database, first)).toMatchObject({ inserted: 1 });
    expect(await importLedger(database, second)).toMatchObject({ rows: 3, inserted: 1, skipped: 2 });
    const imports = await count('imports');
    expect(await importLedger(database, second)).toMatchObject({ rows: 3, inserted: 0, skipped: 3, importId: null });
    expect(await count('imports')).toBe(imports);
    expect(await count('ledger_entries')).toBe(2);
  });

  it('refuses a changed line under a known entry_id, and changes within one file', async () => {
    await importLedger(
      database,
      files.write('ok.csv', csv(',', LEDGER_HEADER, [['R-1', '100234', 'rent', '2027-01-01', '2027-01-01', 'Huur', '712.35']])),
    );
    const file = files.write(
      'changed.csv',
      csv(',', LEDGER_HEADER, [
        ['N-1', '100234', 'payment', '', '2027-01-03', '', '100'],
        ['R-1', '100234', 'rent', '2027-01-01', '2027-01-01', 'Huur', '712.36'],
        ['N-2', '100234', 'payment', '', '2027-01-04', '', '100'],
        ['N-2', '100234', 'payment', '', '2027-01-04', '', '101'],
      ]),
    );
    const err = await expectImportError(importLedger(database, file));
    expect(err.problems).toEqual([
      expect.objectContaining({ line: 3, column: 'entry_id', message: expect.stringContaining('al geïmporteerd met andere inhoud') }),
      expect.objectContaining({ line: 5, column: 'entry_id', message: 'N-2 staat al op regel 4 met andere inhoud' }),
    ]);
    expect(await count('ledger_entries')).toBe(1);
  });

  it('refuses the whole file for an unknown contract or bad values, reporting all errors at once', async () => {
    const file = files.write(
      'bad.csv',
      csv(';', LEDGER_HEADER, [
        ['R-1', '100234', 'rent', '01-01-2027', '01-01-2027', 'goed', '712,35'],
        ['R-2', '999999', 'rent', '01-01-2027', '01-01-2027', '', '712,35'],
        ['R-3', '100234', 'rent', '', '01-01-2027', '', '712,35'],
        ['P-1', '100234', 'betaling', '', '31-02-2027', '', '-5'],
        ['P-2', '100234', 'payment', '', '02-01-2027', '', '12,345'],
      ]),
    );
    const importsBefore = await count('imports');
    const err = await expectImportError(importLedger(database, file, { batchSize: 2 }));
    expect(err.problems.map((p) => `${p.line}:${p.column}`)).toEqual([
      '3:contract_id',
      '4:due_date',
      '5:type',
      '5:booking_date',
      '5:amount',
      '6:amount',
    ]);
    expect(err.message).toMatch(/^bad\.csv is niet geïmporteerd \(er is niets gewijzigd\): 6 fouten\./);
    expect(err.message).toContain('bad.csv, regel 3, kolom contract_id: huurovereenkomst 999999 bestaat niet');
    expect(await count('ledger_entries')).toBe(0);
    expect(await count('imports')).toBe(importsBefore);
  });

  it('caps the error list but counts every error', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => [`X-${i}`, '100234', 'rent', '', '2027-01-01', '', '1']);
    const err = await expectImportError(importLedger(database, files.write('many.csv', csv(',', LEDGER_HEADER, rows)), { errorCap: 100 }));
    expect(err.problemCount).toBe(150);
    expect(err.problems).toHaveLength(100);
    expect(err.message).toContain('... en nog 50 fouten');
  });

  it('reports an unclosed quote with its line and imports nothing', async () => {
    const text = `${LEDGER_HEADER.join(',')}\nR-1,100234,rent,2027-01-01,2027-01-01,Huur,712.35\nR-2,100234,rent,2027-02-01,2027-02-01,"Huur feb,712.35\n`;
    const err = await expectImportError(importLedger(database, files.write('quote.csv', text)));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]!.message).toContain('aanhalingsteken');
    expect(await count('ledger_entries')).toBe(0);
  });

  it('counts lines across quoted line breaks and empty lines, so errors point at the right line', async () => {
    const text = [
      LEDGER_HEADER.join(','),
      'R-1,100234,rent,2027-01-01,2027-01-01,"Huur januari\nmet opmerking\nover drie regels",712.35',
      '',
      'R-2,100234,rent,2027-02-01,2027-02-01,Huur februari,abc',
      '   ',
      'R-3,100234,rent,2027-03-01,2027-03-01,Huur maart,-1',
    ].join('\r\n');
    const err = await expectImportError(importLedger(database, files.write('lines.csv', text)));
    expect(err.problems.map((p) => `${p.line}:${p.column}`)).toEqual(['6:amount', '8:amount']);
  });

  it('stays all or nothing when a later batch fails after earlier batches were written', async () => {
    const rows = Array.from({ length: 9 }, (_, i) => [`R-${i}`, '100234', 'rent', `2027-0${i + 1}-01`, `2027-0${i + 1}-01`, '', '712.35']);
    rows.push(['R-X', '100999', 'rent', '2027-10-01', '2027-10-01', '', '712.35']);
    const err = await expectImportError(
      importLedger(database, files.write('late-error.csv', csv(',', LEDGER_HEADER, rows)), { batchSize: 3 }),
    );
    expect(err.problems).toEqual([expect.objectContaining({ line: 11, column: 'contract_id' })]);
    expect(await count('ledger_entries')).toBe(0);
  });

  it('refuses a file that does not exist with a clear message, not a stack trace', async () => {
    const err = await expectImportError(importLedger(database, `${files.dir}/bestaat-niet.csv`));
    expect(err.message).toContain('bestand niet gevonden');
  });

  it('refuses an empty file', async () => {
    const err = await expectImportError(importLedger(database, files.write('empty.csv', '')));
    expect(err.message).toContain('het bestand is leeg');
  });
});
