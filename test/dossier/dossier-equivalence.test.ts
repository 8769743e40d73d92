import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncTeams } from '../../src/db/teams.js';
import { findAndLoadDossier, findTenancies, loadDossier } from '../../src/dossier/dossier.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { loadDossierReference } from './reference-dossier.js';

/**
 * loadDossier is one statement; the seven-query version it replaced (reference-dossier.ts) is the
 * oracle. Both must give the same dossier, deep-equal and in the same key order (the JSON of
 * `huurwacht dossier --json` is a contract), for every corner the ledger and the cases have:
 *
 *   300001  two tenants, rent and costs, payments and a credit, two payments on the last payment
 *           day, entries after the as-of date, 14 months (more than the 12 shown), open case with
 *           early signalling, a note with a text, events on one day in id order
 *   300002  no ledger, no case, no tenants
 *   300003  closed case (postponed) with probation, then a newer open case; earlier verdict
 *   300004  only closed cases (paid), the newer by id wins; probation in the past
 *   300005  a payment only after the as-of date; a credit but no payment; phone and email; a second
 *           tenant named like the first tenancy's (a search for "jansen" finds two)
 */

const config = testConfig();
let database: TestDatabase;
const CONTRACTS = ['300001', '300002', '300003', '300004', '300005', 'nope'];
const DATES = ['2026-01-15', '2026-06-30', '2026-11-12', '2027-03-01', '2028-06-01'];

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await syncTeams(db, config);
  await db.execute(sql`
    insert into tenancies (contract_id, team_key, address, postcode, house_number, city, monthly_rent_cents, start_date, end_date,
                           phone, email, earlier_verdict_date) values
      ('300001', 'noord', 'Kerkstraat 4', '1234AB', '4', 'Ergens', 70000, '2019-01-01', null, null, null, null),
      ('300002', 'noord', 'Dorpsstraat 1', '1234AC', '1', 'Ergens', 65000, '2021-03-01', null, null, null, null),
      ('300003', 'zuid', 'Lindelaan 12', 'X1', '12', 'Elders', 80000, '2015-05-01', null, null, null, '2024-02-01'),
      ('300004', 'zuid', 'Molenweg 7', '5678CD', '7', 'Elders', 60000, '2018-01-01', '2027-01-31', null, null, null),
      ('300005', 'noord', 'Laan 3', '1234AD', '3', 'Ergens', 0, '2026-01-01', null, '06-12345678', 'a@b.nl', null)`);
  await db.execute(sql`
    insert into tenants (contract_id, position, name) values
      ('300001', 2, 'K. Jansen'), ('300001', 1, 'J. Jansen'), ('300003', 1, 'M. de Vries'), ('300004', 1, 'A. Bakker'),
      ('300005', 1, 'P. Laan'), ('300005', 2, 'Q. Jansen-Laan')`);
  await db.execute(
    sql`insert into imports (id, kind, file_name, sha256, rows, inserted, skipped) values (1, 'ledger', 'l.csv', 'x', 0, 0, 0)`,
  );
  await db.execute(sql`
    insert into ledger_entries (entry_id, contract_id, type, due_date, booking_date, amount_cents, import_id)
    select '300001-R-' || m, '300001', 'rent', d::date, (d - interval '3 days')::date, 70000, 1
    from generate_series(date '2025-10-01', date '2026-11-01', interval '1 month') with ordinality as g(d, m)`);
  await db.execute(sql`
    insert into ledger_entries (entry_id, contract_id, type, due_date, booking_date, amount_cents, import_id) values
      ('300001-C-1', '300001', 'costs', '2026-05-20', '2026-05-20', 4050, 1),
      ('300001-P-1', '300001', 'payment', null, '2026-02-03', 70000, 1),
      ('300001-P-2', '300001', 'payment', null, '2026-06-28', 30000, 1),
      ('300001-P-3', '300001', 'payment', null, '2026-06-28', 12345, 1),
      ('300001-K-1', '300001', 'credit', null, '2026-07-01', 5000, 1),
      ('300001-P-4', '300001', 'payment', null, '2027-02-01', 99999, 1),
      ('300003-R-1', '300003', 'rent', '2026-10-01', '2026-10-01', 80000, 1),
      ('300003-R-2', '300003', 'rent', '2026-11-01', '2026-11-01', 80000, 1),
      ('300003-P-1', '300003', 'payment', null, '2026-11-12', 160000, 1),
      ('300004-R-1', '300004', 'rent', '2026-01-01', '2026-01-01', 60000, 1),
      ('300005-K-1', '300005', 'credit', null, '2026-03-01', 2500, 1),
      ('300005-C-1', '300005', 'costs', '2026-12-31', '2026-03-01', 1000, 1),
      ('300005-P-1', '300005', 'payment', null, '2027-06-01', 500, 1)`);
  await db.execute(sql`
    insert into cases (id, contract_id, stage, opened_on, stage_since, due_on, closed_on, closed_reason, state) values
      (1, '300001', 'contact', '2026-10-12', '2026-11-11', '2026-11-18', null, null,
       '{"contactSince": "2026-11-11", "signal": {"state": "reported", "offeredOn": "2026-10-12", "answeredOn": null, "reportedOn": "2026-10-27"}}'),
      (2, '300003', 'closed', '2024-01-10', '2024-06-01', null, '2024-06-01', 'postponed', '{"probationUntil": "2026-06-01"}'),
      (3, '300003', 'escalation', '2026-11-11', '2026-11-11', '2026-11-13', null, null,
       '{"escalation": {"since": "2026-11-11", "reason": "proeftijd"}, "probationUntil": "2026-12-31"}'),
      (4, '300004', 'closed', '2025-01-10', '2025-02-01', null, '2025-02-01', 'paid', '{"probationUntil": "2025-01-01"}'),
      (5, '300004', 'closed', '2026-01-10', '2026-02-01', null, '2026-02-01', 'paid', '{}')`);
  await db.execute(sql`
    insert into case_events (contract_id, case_id, "on", type, clause, actor, summary, data) values
      ('300001', 1, '2026-11-11', 'moved', 'P2', 'huurwacht', 'Naar contact', '{}'),
      ('300001', 1, '2026-10-12', 'case_opened', 'P1', 'huurwacht', '14-dagenbrief', '{}'),
      ('300001', 1, '2026-11-11', 'note', null, 'U0AAAAAAA1', 'Notitie uit de casusdraad', ${JSON.stringify({ text: 'Schulden "zorg" & meer' })}::jsonb),
      ('300001', 1, '2026-11-12', 'note', null, 'U0AAAAAAA1', 'Notitie zonder tekst', '{}'),
      ('300003', 2, '2024-01-10', 'case_opened', 'P1', 'huurwacht', 'Geopend', '{}'),
      ('300003', 3, '2026-11-11', 'case_opened', 'P4.a.3', 'huurwacht', 'Geopend in proeftijd', '{}'),
      ('300004', 5, '2026-02-01', 'closed', null, 'huurwacht', 'Betaald', '{}')`);
});

afterAll(async () => {
  await database?.close();
});

describe('loadDossier in one statement', () => {
  it('gives exactly the dossier of the seven-query version, for every contract and date', async () => {
    for (const contract of CONTRACTS) {
      for (const asOf of DATES) {
        const expected = await loadDossierReference(database.db, contract, asOf);
        const actual = await loadDossier(database.db, contract, asOf);
        expect(actual, `${contract} on ${asOf}`).toStrictEqual(expected);
        // Same keys in the same order: the JSON output is byte for byte the same.
        expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
      }
    }
  });

  it('findAndLoadDossier gives what findTenancies and then loadDossier give, in one statement', async () => {
    const queries = [
      '300001',
      '300003',
      'jansen',
      'J. Jansen',
      'de vries',
      'VRIES',
      '1234AB 4',
      '1234 ab 4',
      '5678cd 7',
      'laan',
      'ja',
      '%',
      '_',
      'nope',
      '   ',
    ];
    for (const query of queries) {
      for (const asOf of ['2026-11-12', '2027-03-01']) {
        const matches = await findTenancies(database.db, query);
        const expected = {
          matches,
          dossier: matches.length === 1 ? await loadDossierReference(database.db, matches[0]!.contractId, asOf) : null,
        };
        const actual = await findAndLoadDossier(database.db, query, asOf);
        // toEqual: postgres.js gives findTenancies' rows a prototype of its own; the JSON below is the strict check.
        expect(actual, `${query} on ${asOf}`).toEqual(expected);
        expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
      }
    }
    expect((await findAndLoadDossier(database.db, 'jansen', '2026-11-12')).matches.map((m) => m.contractId)).toEqual(['300001', '300005']);
  });

  it('covers what it claims to cover', async () => {
    const d = (await loadDossier(database.db, '300001', '2026-11-12'))!;
    expect(d.tenants).toEqual(['J. Jansen', 'K. Jansen']);
    expect(d.ledger.months).toHaveLength(12);
    expect(d.ledger.lastPaymentCents).toBe(42345);
    expect(d.events.map((e) => e.type)).toEqual(['case_opened', 'moved', 'note', 'note']);
    expect(d.events[2]!.text).toBe('Schulden "zorg" & meer');
    expect(d.events[3]).not.toHaveProperty('text');
    expect(d.earlySignal).toMatchObject({ state: 'reported', reportedOn: '2026-10-27' });
    const three = (await loadDossier(database.db, '300003', '2026-11-12'))!;
    expect(three.case?.stage).toBe('escalation');
    expect(three.probationUntil).toBe('2026-12-31');
    expect(three.address).toBe('Lindelaan 12, X1 Elders');
    const four = (await loadDossier(database.db, '300004', '2026-11-12'))!;
    expect(four.case).toMatchObject({ stage: 'closed', closedReason: 'paid', openedOn: '2026-01-10' });
    expect(four.probationUntil).toBeNull();
    const two = (await loadDossier(database.db, '300002', '2026-11-12'))!;
    expect(two).toMatchObject({ tenants: [], case: null, events: [], earlySignal: null, balanceCents: 0 });
    expect(two.ledger).toEqual({ entries: 0, chargedCents: 0, paidCents: 0, lastPaymentOn: null, lastPaymentCents: null, months: [] });
    expect(await loadDossier(database.db, 'nope', '2026-11-12')).toBeNull();
  });
});
