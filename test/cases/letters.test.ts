import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freezeLetters, LetterPrintingError, lettersOfTenancy, printLetters } from '../../src/cases/letter-printing.js';
import { createOutcomeService, type OutcomeService } from '../../src/cases/outcome-service.js';
import { runDaily } from '../../src/daily/daily-run.js';
import { queryRows } from '../../src/db/client.js';
import { monthlyInstallments } from '../../src/domain/arrangement.js';
import type { CaseState } from '../../src/domain/case-state.js';
import { collectionCostsCents } from '../../src/domain/collection-costs.js';
import { importLedger } from '../../src/ledger/import-ledger.js';
import { importTenancies } from '../../src/ledger/import-tenancies.js';
import { letterTemplatesFromTexts, loadLetterTemplates } from '../../src/letters/templates.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, refusal, type TestDatabase } from '../support/db.js';
import { csv, scratchDir } from '../support/files.js';
import { pdfText } from '../support/pdf-text.js';

/**
 * The letters through the database: the daily run and the team's outcomes record them with the
 * step that calls for them; printing freezes them, so a letter comes out byte for byte the same
 * later. Calendar: D(Jan 2027) = wed 13-01-2027 (8th working day), receipt thu 14-01.
 */

const LETTERS = {
  sender: { name: 'Woonstichting Voorbeeld', address: 'Postbus 123, 1000 AB Ergens', phone: '020-1234567', email: 'huur@voorbeeld.nl' },
  debtHelp: { name: 'Traverse', phone: '020-7654321', url: 'https://traverse.example' },
};
const config = testConfig({ letters: LETTERS });
const files = scratchDir();
const templates = loadLetterTemplates();
let database: TestDatabase;
let service: OutcomeService;

const D_JAN = '2027-01-13';
const ANNA = 'U0AAAAAAA1';
const BERT = 'U0BBBBBBB1';
const RENT = 70_000;

beforeAll(async () => {
  database = await createTestDatabase();
  service = createOutcomeService({ database, config });
});
afterAll(async () => {
  await database.close();
  files.cleanup();
});
beforeEach(async () => {
  await database.reset();
  await loadPortfolio();
});

/**
 * 100001: December paid, January not: opens at `reminder` (P1). 100002: nothing paid since
 * November: late twice, opens at `contact` (P2) with both letters.
 */
async function loadPortfolio(): Promise<void> {
  const tenancies = csv(
    ';',
    ['contract_id', 'team', 'tenant_names', 'address', 'postcode', 'city', 'monthly_rent', 'start_date'],
    [
      ['100001', 'noord', 'Şahin Yıldız', 'Kerkstraat 5', '1234 AB', 'Ergens', '700,00', '2020-01-01'],
      ['100002', 'noord', 'Zoë Müller & Łukasz Nowak', 'Dorpsstraat 12 A', '1234 AC', 'Ergens', '700,00', '2020-01-01'],
    ],
  );
  await importTenancies(database, files.write('tenancies.csv', tenancies), config, { today: '2026-12-01' });
  const rows: string[][] = [];
  for (const id of ['100001', '100002']) {
    for (const month of ['2026-10', '2026-11', '2026-12', '2027-01', '2027-02'])
      rows.push([`${id}-R-${month}`, id, 'rent', `${month}-01`, `${month}-01`, '700,00']);
    for (const month of ['2026-10', '2026-11']) rows.push([`${id}-P-${month}`, id, 'payment', '', `${month}-05`, '700,00']);
  }
  rows.push(['100001-P-2026-12', '100001', 'payment', '', '2026-12-04', '700,00']);
  await importLedger(
    database,
    files.write('ledger.csv', csv(';', ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'amount'], rows)),
  );
}

async function letterRows() {
  return queryRows<{
    id: number;
    contract_id: string;
    kind: string;
    letter_date: string;
    received_on: string;
    state: CaseState;
    pdf_sha256: string | null;
  }>(
    database.db,
    sql`select id, contract_id, kind, letter_date::text as letter_date, received_on::text as received_on, state, pdf_sha256 from letters order by id`,
  );
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('letters made by the daily run', () => {
  it('P1 the detection day records each 14-day letter with its dates and an event; a rerun records nothing twice', async () => {
    await runDaily(database, config, { date: D_JAN });
    const rows = await letterRows();
    expect(rows.map((r) => [r.contract_id, r.kind, r.letter_date, r.received_on])).toEqual([
      ['100001', 'reminder', D_JAN, '2027-01-14'],
      ['100002', 'reminder', D_JAN, '2027-01-14'],
      ['100002', 'invitation', D_JAN, '2027-01-14'],
    ]);
    // The letter keeps the case's facts of the day: the principal and the statutory costs it announces.
    expect(rows[0]!.state.letter).toMatchObject({ principalCents: RENT, costsCents: collectionCostsCents(RENT), termEndsOn: '2027-01-28' });
    const events = await queryRows<{ contract_id: string; clause: string; summary: string; data: Record<string, unknown> }>(
      database.db,
      sql`select contract_id, clause, summary, data from case_events where type = 'letter_sent' order by id`,
    );
    expect(events.map((e) => [e.contract_id, e.clause, e.data.kind, e.data.receivedOn])).toEqual([
      ['100001', 'P1', 'reminder', '2027-01-14'],
      ['100002', 'P1', 'reminder', '2027-01-14'],
      ['100002', 'P2', 'invitation', '2027-01-14'],
    ]);
    expect(events[0]!.summary).toBe('14-dagenbrief verstuurd op 13-01-2027, ontvangst aangenomen op 14-01-2027');

    // Every 14-day letter goes out once, in the digest's print file; the invitation to the contact case's thread.
    const files = await queryRows<{ case_id: number; payload: { kind: string; contractId: string } }>(
      database.db,
      sql`select case_id, payload from outbox where kind = 'letter_file' order by id`,
    );
    expect(files.map((f) => [f.payload.contractId, f.payload.kind])).toEqual([['100002', 'invitation']]);

    await runDaily(database, config, { date: D_JAN });
    expect(await letterRows()).toHaveLength(3);
  });

  it('P1 without the corporation in the configuration the letters are recorded but no file is queued', async () => {
    await runDaily(database, testConfig(), { date: D_JAN });
    expect(await letterRows()).toHaveLength(3);
    const [queued] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int8 as n from outbox where kind = 'letter_file'`);
    expect(Number(queued!.n)).toBe(0);
  });
});

describe('letters made by the team', () => {
  it('P2.a.4 the confirmation of a conversation with an arrangement prints its installments', async () => {
    await runDaily(database, config, { date: D_JAN });
    const installments = monthlyInstallments(2 * RENT, 4, '2027-02-01');
    const result = await service.recordConversation(
      ANNA,
      '100002',
      {
        cause: 'Inkomen gedaald',
        referralConsent: true,
        consequencesExplained: true,
        obligations: { noNewArrears: true, registerWithAid: true, reportRegistration: true, paymentArrangement: true },
        commitments: { passDetailsOn: true, noCollection: true, noInterest: true, acceptArrangement: true },
        arrangement: { installments },
      },
      { key: 'view-1', date: '2027-01-15' },
    );
    expect(result).toMatchObject({ ok: true, stage: 'arrangement' });
    const confirmation = (await lettersOfTenancy(database.db, '100002')).find((l) => l.kind === 'confirmation')!;
    expect(confirmation).toMatchObject({ letterDate: '2027-01-15', receivedOn: '2027-01-18' });

    const { pdf } = await database.db.transaction((tx) => printLetters(tx, [confirmation.id], { config, templates }));
    const text = await pdfText(pdf!);
    expect(text).toContain('Zoë Müller');
    expect(text).toContain('Łukasz Nowak');
    expect(text).toContain('€ 1.400,00');
    for (const i of installments) expect(text).toContain(`€ ${(i.amountCents / 100).toFixed(2).replace('.', ',')}`);
    // The cause the tenant told may touch on health: it stays a note in the dossier, never in a letter.
    expect(text).not.toContain('Inkomen gedaald');
  });

  it('P2.d.2 the card left at the door is a letter received the same day, with the one-week term', async () => {
    await runDaily(database, config, { date: D_JAN });
    await service.recordNoResponse(ANNA, '100002', { key: 'k1', date: '2027-01-20' });
    await service.recordHomeVisit(ANNA, '100002', { outcome: 'nobody_home', employees: [ANNA, BERT] }, { key: 'k2', date: '2027-01-22' });
    const card = (await lettersOfTenancy(database.db, '100002')).find((l) => l.kind === 'card')!;
    expect(card).toMatchObject({ letterDate: '2027-01-22', receivedOn: '2027-01-22' });
    const { pdf } = await database.db.transaction((tx) => printLetters(tx, [card.id], { config, templates }));
    expect(await pdfText(pdf!)).toContain('29 januari 2027');
  });
});

describe('the bailiff handover (P3.b)', () => {
  it("P3.b lists this case's steps with their letters, not the tenancy's other records", async () => {
    await runDaily(database, config, { date: D_JAN });
    // A change of address from the ERP is a tenancy record, not a step of this case.
    const moved = csv(
      ';',
      ['contract_id', 'team', 'tenant_names', 'address', 'postcode', 'city', 'monthly_rent', 'start_date'],
      [
        ['100001', 'noord', 'Şahin Yıldız', 'Kerkstraat 5', '1234 AB', 'Ergens', '700,00', '2020-01-01'],
        ['100002', 'noord', 'Zoë Müller & Łukasz Nowak', 'Dorpsstraat 14', '1234 AC', 'Ergens', '700,00', '2020-01-01'],
      ],
    );
    await importTenancies(database, files.write('moved.csv', moved), config, { today: '2027-01-18' });
    await database.db.execute(
      sql`update cases set stage = 'escalation', state = state || '{"escalation": {"since": "2027-01-19", "reason": "geen contact"}}'::jsonb
          where contract_id = '100002'`,
    );
    expect(await service.handToBailiff(ANNA, '100002', { key: 'b1', date: '2027-01-20' })).toMatchObject({ ok: true, stage: 'bailiff' });
    const handover = (await lettersOfTenancy(database.db, '100002')).find((l) => l.kind === 'bailiff_handover')!;
    const { pdf } = await database.db.transaction((tx) => printLetters(tx, [handover.id], { config, templates }));
    const text = await pdfText(pdf!);
    expect(text).toContain('Dorpsstraat 14');
    expect(text).toContain('13 januari 2027');
    expect(text).not.toContain('Gegevens gewijzigd door import');
  });
});

describe('a letter its facts do not allow', () => {
  it('P2.d.2 a card for a tenant who paid that morning is refused with the reason, and the rest of a batch still prints', async () => {
    await runDaily(database, config, { date: D_JAN });
    await service.recordNoResponse(ANNA, '100002', { key: 'k1', date: '2027-01-20' });
    await importLedger(
      database,
      files.write(
        'paid.csv',
        csv(
          ';',
          ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'amount'],
          [['100002-ALL', '100002', 'payment', '', '2027-01-22', '1400,00']],
        ),
      ),
    );
    await service.recordHomeVisit(ANNA, '100002', { outcome: 'nobody_home', employees: [ANNA, BERT] }, { key: 'k2', date: '2027-01-22' });
    const card = (await lettersOfTenancy(database.db, '100002')).find((l) => l.kind === 'card')!;
    const reminder = (await lettersOfTenancy(database.db, '100001')).find((l) => l.kind === 'reminder')!;

    const alone = await database.db.transaction((tx) => printLetters(tx, [card.id], { config, templates }));
    expect(alone.pdf).toBeNull();
    expect(alone.refused).toEqual([
      expect.objectContaining({
        contractId: '100002',
        kind: 'card',
        reason: 'De brief na huisbezoek kan niet worden gemaakt: er is geen achterstand.',
      }),
    ]);
    const batch = await database.db.transaction((tx) => printLetters(tx, [card.id, reminder.id], { config, templates }));
    expect(batch.letters.map((l) => l.kind)).toEqual(['reminder']);
    expect(await pdfText(batch.pdf!)).toContain('Şahin Yıldız');
    // Not frozen: nothing was printed.
    expect((await lettersOfTenancy(database.db, '100002')).find((l) => l.kind === 'card')!.pdfSha256).toBeNull();
  });
});

describe('printing freezes a letter', () => {
  it('P1 a printed letter comes out byte for byte the same after the ledger and the address changed', async () => {
    await runDaily(database, config, { date: D_JAN });
    const [reminder] = await letterRows();
    const first = await database.db.transaction((tx) => printLetters(tx, [reminder!.id], { config, templates }));
    expect(first.letters[0]!.pdfSha256).toBe(sha256(first.pdf!));
    const text = await pdfText(first.pdf!);
    expect(text).toContain('Şahin Yıldız');
    expect(text).toContain('€ 700,00');
    expect(text).toContain(`€ ${(collectionCostsCents(RENT) / 100).toFixed(2).replace('.', ',')}`);
    expect(text).toContain('28 januari 2027');

    await database.db.execute(sql`update tenancies set address = 'Nieuwe Weg 1' where contract_id = '100001'`);
    await importLedger(
      database,
      files.write(
        'late.csv',
        csv(
          ';',
          ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'amount'],
          [['100001-X', '100001', 'payment', '', '2027-01-02', '300,00']],
        ),
      ),
    );
    const again = await database.db.transaction((tx) => printLetters(tx, [reminder!.id], { config, templates }));
    expect(sha256(again.pdf!)).toBe(first.letters[0]!.pdfSha256);
    expect((await letterRows())[0]!.pdf_sha256).toBe(first.letters[0]!.pdfSha256);
  });

  it('a frozen letter cannot be changed or removed', async () => {
    await runDaily(database, config, { date: D_JAN });
    const [reminder] = await letterRows();
    await database.db.transaction((tx) => freezeLetters(tx, [reminder!.id], { config, templates }));
    expect(await refusal(database, sql`update letters set pdf_sha256 = 'x' where id = ${reminder!.id}`)).toContain('a letter is evidence');
    expect(await refusal(database, sql`delete from letters where id = ${reminder!.id}`)).toContain('a letter is evidence');
    expect(await refusal(database, sql`delete from letter_templates`)).toContain('letter_templates is append-only');
    expect((await letterRows())[0]!.pdf_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('after the corporation changed its templates, a letter printed before comes out as it was; new letters use the new texts', async () => {
    await runDaily(database, config, { date: D_JAN });
    const [reminder, second] = await letterRows();
    const first = await database.db.transaction((tx) => printLetters(tx, [reminder!.id], { config, templates }));

    const texts = { ...templates.texts, reminder: templates.texts.reminder.replace('Wij vragen u', 'Wij verzoeken u') };
    const changed = letterTemplatesFromTexts(texts, templates.fonts, templates.dir);
    expect(changed.sha256).not.toBe(templates.sha256);
    const again = await database.db.transaction((tx) => printLetters(tx, [reminder!.id], { config, templates: changed }));
    expect(sha256(again.pdf!)).toBe(first.letters[0]!.pdfSha256);
    const fresh = await database.db.transaction((tx) => printLetters(tx, [second!.id], { config, templates: changed }));
    expect(await pdfText(fresh.pdf!)).toContain('Wij verzoeken u');
    // Both in one print file would need two sets of templates in one PDF: refused, one by one works.
    await expect(
      database.db.transaction((tx) => printLetters(tx, [reminder!.id, second!.id], { config, templates: changed })),
    ).rejects.toThrow(LetterPrintingError);

    // Other fonts would print it differently: refused rather than printed otherwise.
    const otherFonts = letterTemplatesFromTexts(texts, { regular: templates.fonts.bold, bold: templates.fonts.regular }, templates.dir);
    await expect(database.db.transaction((tx) => printLetters(tx, [reminder!.id], { config, templates: otherFonts }))).rejects.toThrow(
      /ander lettertype/,
    );
  });
});
