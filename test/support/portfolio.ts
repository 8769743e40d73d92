import type { Config } from '../../src/config.js';
import { importLedger } from '../../src/ledger/import-ledger.js';
import { importTenancies } from '../../src/ledger/import-tenancies.js';
import type { TestDatabase } from './db.js';
import { csv, type scratchDir } from './files.js';

export interface PortfolioSpec {
  /** The n-th (from 0) lives at Dorpsstraat n+1 and is named `T. Huurder<n>` unless `name` says otherwise: tests check these values. */
  tenancies: { id: string; team: string; name?: string }[];
  /** The months rent falls due (on the 1st), `YYYY-MM`. */
  months: string[];
  /** The months paid in full, on the 5th. */
  paidMonths: string[];
  /** Default '700,00'. */
  rent?: string;
  /** Adds the earlier_verdict_date column: the date by contract id, empty for the others. */
  earlierVerdicts?: Record<string, string>;
}

/**
 * Tenancies that all pay the same rent from 2020 on, and their ledger, imported as the ERP's CSV
 * exports (through the importers, as production loads them). Entry ids are `<contract>-R-<month>`
 * and `<contract>-P-<month>`.
 */
export async function loadPortfolio(
  database: TestDatabase,
  files: ReturnType<typeof scratchDir>,
  config: Config,
  spec: PortfolioSpec,
): Promise<void> {
  const rent = spec.rent ?? '700,00';
  const verdicts = spec.earlierVerdicts;
  const header = ['contract_id', 'team', 'tenant_names', 'address', 'postcode', 'city', 'monthly_rent', 'start_date'];
  const tenancies = csv(
    ';',
    verdicts ? [...header, 'earlier_verdict_date'] : header,
    spec.tenancies.map((t, i) => {
      const row = [t.id, t.team, t.name ?? `T. Huurder${i}`, `Dorpsstraat ${i + 1}`, '1234 AB', 'Ergens', rent, '2020-01-01'];
      return verdicts ? [...row, verdicts[t.id] ?? ''] : row;
    }),
  );
  await importTenancies(database, files.write('tenancies.csv', tenancies), config, { today: '2026-12-01' });
  const rows: string[][] = [];
  for (const { id } of spec.tenancies) {
    for (const month of spec.months) rows.push([`${id}-R-${month}`, id, 'rent', `${month}-01`, `${month}-01`, rent]);
    for (const month of spec.paidMonths) rows.push([`${id}-P-${month}`, id, 'payment', '', `${month}-05`, rent]);
  }
  await importLedger(
    database,
    files.write('ledger.csv', csv(';', ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'amount'], rows)),
  );
}
