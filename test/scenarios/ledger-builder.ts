import type { Config } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { balanceOn, type LedgerLineType } from '../../src/domain/arrears.js';
import { addMonths, type IsoDate } from '../../src/domain/calendar.js';
import { importLedger } from '../../src/ledger/import-ledger.js';
import { importTenancies } from '../../src/ledger/import-tenancies.js';
import { csv } from '../support/files.js';

/**
 * Builds tenancies and their rent ledgers month by month, the way the ERP exports them, and feeds
 * them to the real importers (tenancies.csv, ledger.csv). Lines go in only once their booking date
 * has come (`importUpTo`), so the database holds what the ERP would have exported by then.
 */

export interface ScratchFiles {
  write(name: string, content: string): string;
}

export interface TenancySpec {
  contract: string;
  team?: string;
  rentCents: number;
  earlierVerdictDate?: IsoDate;
  endDate?: IsoDate;
}

export interface BuiltLine {
  id: string;
  contract: string;
  type: LedgerLineType;
  due: IsoDate | null;
  booked: IsoDate;
  cents: number;
  description?: string;
}

function euros(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** The months `from` to `to` inclusive, as `YYYY-MM`. */
export function monthsFrom(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = `${from}-01`; m <= `${to}-01`; m = addMonths(m, 1)) months.push(m.slice(0, 7));
  return months;
}

export class LedgerBuilder {
  private readonly lines: BuiltLine[] = [];
  private readonly imported = new Set<string>();
  private seq = 0;
  private fileSeq = 0;

  constructor(
    private readonly database: Database,
    private readonly files: ScratchFiles,
  ) {}

  /** Imports the tenancies (tenancies.csv) as of `today`. */
  async tenancies(config: Config, specs: TenancySpec[], today: IsoDate): Promise<void> {
    const header = [
      'contract_id',
      'team',
      'tenant_names',
      'address',
      'postcode',
      'city',
      'monthly_rent',
      'start_date',
      'end_date',
      'earlier_verdict_date',
    ];
    const rows = specs.map((t, i) => [
      t.contract,
      t.team ?? 'noord',
      `H. Huurder${i} & M. Huurder${i}`,
      `Kerkstraat ${i + 1}`,
      '1234 AB',
      'Ergens',
      euros(t.rentCents),
      '2020-01-01',
      t.endDate ?? '',
      t.earlierVerdictDate ?? '',
    ]);
    const file = this.files.write(`tenancies-${++this.fileSeq}.csv`, csv(',', header, rows));
    await importTenancies(this.database, file, config, { today });
  }

  /** The rent of each month from `from` to `to` ('YYYY-MM'), due and booked on the 1st. */
  rent(contract: string, from: string, to: string, cents: number): this {
    for (const m of monthsFrom(from, to)) {
      this.lines.push({
        id: `R-${contract}-${m}`,
        contract,
        type: 'rent',
        due: `${m}-01`,
        booked: `${m}-01`,
        cents,
        description: `Huur ${m}`,
      });
    }
    return this;
  }

  /** A payment received (booked) on `booked`. */
  pay(contract: string, booked: IsoDate, cents: number): this {
    this.lines.push({ id: `P-${contract}-${++this.seq}`, contract, type: 'payment', due: null, booked, cents, description: 'Betaling' });
    return this;
  }

  /** The same amount each month on day `day` of the month, for the months `from` to `to`. */
  payMonthly(contract: string, from: string, to: string, day: number, cents: number): this {
    for (const m of monthsFrom(from, to)) this.pay(contract, `${m}-${String(day).padStart(2, '0')}`, cents);
    return this;
  }

  /** A charge other than rent, e.g. court or bailiff costs, due (and booked) on `due`. */
  costs(contract: string, due: IsoDate, cents: number, description: string): this {
    this.lines.push({ id: `C-${contract}-${++this.seq}`, contract, type: 'costs', due, booked: due, cents, description });
    return this;
  }

  /** B(date) of the lines built so far, imported or not (src/domain/arrears.ts). */
  balanceOn(contract: string, date: IsoDate): number {
    return balanceOn(
      this.lines
        .filter((l) => l.contract === contract)
        .map((l) => ({ type: l.type, dueDate: l.due, bookingDate: l.booked, amountCents: l.cents })),
      date,
    );
  }

  /** Imports (ledger.csv) every line booked on or before `date` that is not in the database yet. */
  async importUpTo(date: IsoDate): Promise<number> {
    const due = this.lines.filter((l) => l.booked <= date && !this.imported.has(l.id));
    if (due.length === 0) return 0;
    const header = ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'amount', 'description'];
    const rows = due.map((l) => [l.id, l.contract, l.type, l.due ?? '', l.booked, euros(l.cents), l.description ?? '']);
    const file = this.files.write(`ledger-${++this.fileSeq}.csv`, csv(',', header, rows));
    const result = await importLedger(this.database, file);
    if (result.inserted !== due.length) throw new Error(`ledger import: ${result.inserted} of ${due.length} lines inserted`);
    for (const l of due) this.imported.add(l.id);
    return due.length;
  }
}
