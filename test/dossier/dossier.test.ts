import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutcomeService } from '../../src/cases/outcome-service.js';
import { runDaily } from '../../src/daily/daily-run.js';
import { loadDossier } from '../../src/dossier/dossier.js';
import { formatDossierText } from '../../src/dossier/dossier-text.js';
import { importLedger } from '../../src/ledger/import-ledger.js';
import { importTenancies } from '../../src/ledger/import-tenancies.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { csv, scratchDir } from '../support/files.js';

// D(Jan 2027) = 13-01-2027: December and January unpaid, so the case opens at contact (P2).
const config = testConfig();
const files = scratchDir();
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await importTenancies(
    database,
    files.write(
      't.csv',
      csv(
        ';',
        ['contract_id', 'team', 'tenant_names', 'address', 'postcode', 'city', 'monthly_rent', 'start_date'],
        [['100001', 'noord', 'J. Jansen', 'Dorpsstraat 1', '1234 AB', 'Ergens', '700,00', '2020-01-01']],
      ),
    ),
    config,
  );
  const rows = ['2026-11', '2026-12', '2027-01'].map((m) => [`R-${m}`, '100001', 'rent', `${m}-01`, `${m}-01`, '700,00']);
  rows.push(['P-2026-11', '100001', 'payment', '', '2026-11-03', '700,00']);
  await importLedger(
    database,
    files.write('l.csv', csv(';', ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'amount'], rows)),
  );
  await runDaily(database, config, { date: '2027-01-13' });
  const service = createOutcomeService({ database, config });
  const note = await service.addNote('U0AAAAAAA1', '100001', 'Huurder vertelt over schulden bij de zorgverzekeraar', {
    source: 'slack_thread',
    sourceId: 'C0NOORD0001:1700000000.000100',
    date: '2027-01-14',
  });
  expect(note).toMatchObject({ ok: true });
});
afterAll(async () => {
  await database.close();
  files.cleanup();
});

describe('the dossier of a case', () => {
  it('P2 shows the stage, the next step with its due date, the letter and the timeline', async () => {
    const d = (await loadDossier(database.db, '100001', '2027-01-14'))!;
    expect(d.case).toMatchObject({
      stage: 'contact',
      openedOn: '2027-01-13',
      nextAction: 'Bel de huurder of nodig uit voor een gesprek',
      dueOn: '2027-01-20',
    });
    expect(d.balanceCents).toBe(140000);
    // Opened at contact: the 14-day letter (P1) and the invitation (P2) go out together, each its own event.
    expect(d.events.map((e) => [e.type, e.clause])).toEqual([
      ['case_opened', 'P2'],
      ['letter_sent', 'P1'],
      ['letter_sent', 'P2'],
      ['note', null],
    ]);
    expect(d.earlySignal).toMatchObject({ state: 'offered', offeredOn: '2027-01-13' });
  });

  it('P3.a shows a note text in the dossier (and only there), behind a neutral summary', async () => {
    const d = (await loadDossier(database.db, '100001', '2027-01-14'))!;
    const note = d.events.find((e) => e.type === 'note')!;
    expect(note.summary).toBe('Notitie uit de casusdraad');
    expect(note.text).toBe('Huurder vertelt over schulden bij de zorgverzekeraar');
    expect(d.events.find((e) => e.type === 'case_opened')).not.toHaveProperty('text');
    const text = formatDossierText(d);
    expect(text).toContain('Notitie uit de casusdraad (U0AAAAAAA1): Huurder vertelt over schulden bij de zorgverzekeraar');
    expect(text).toContain('Volgende stap: Bel de huurder of nodig uit voor een gesprek, uiterlijk 20-01-2027');
    expect(text).toContain('Vroegsignalering: aangeboden in de 14-dagenbrief van 13-01-2027');
  });
});
