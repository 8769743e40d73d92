import { DEFAULT_HOLIDAYS, nthWorkingDay, previousMonth, type HolidayOptions, type IsoDate } from './calendar.js';
import { monthsInArrears, type Cents } from './money.js';

/**
 * The arrears definitions of DESIGN.md "The procedure as a state machine", as pure functions.
 * This is the reference: src/db/arrears.ts computes the same numbers in SQL for all tenancies at
 * once, and a property test holds the two to each other.
 */

export interface ArrearsRules {
  /** D(M) is this working day of month M (P1.a: "de 7e of 8e werkdag"). */
  detectionWorkday: number;
  /** A balance must be strictly above this to count as arrears. */
  minimumArrearsCents: Cents;
  holidays: HolidayOptions;
}

export const DEFAULT_ARREARS_RULES: Readonly<ArrearsRules> = Object.freeze({
  detectionWorkday: 8,
  minimumArrearsCents: 500,
  holidays: DEFAULT_HOLIDAYS,
});

export type LedgerLineType = 'rent' | 'costs' | 'payment' | 'credit';

export interface LedgerLine {
  type: LedgerLineType;
  /** When a charge falls due; payments and credits have none (or it is ignored). */
  dueDate: IsoDate | null;
  bookingDate: IsoDate;
  /** Always positive; the type says which way it goes. */
  amountCents: Cents;
}

export interface MonthArrears {
  contractId: string;
  /** D(M) */
  detectionDay: IsoDate;
  /** D(M-1) */
  previousDetectionDay: IsoDate;
  /** B(D(M)) */
  balanceCents: Cents;
  /** B(D(M-1)) */
  previousBalanceCents: Cents;
  /** late(M) */
  late: boolean;
  /** late(M-1) */
  lateBefore: boolean;
  /** B(D(M)) > B(D(M-1)) */
  grew: boolean;
  /** B(D(M)) in monthly rents, one decimal. */
  monthsInArrears: number;
}

export function isCharge(type: LedgerLineType): boolean {
  return type === 'rent' || type === 'costs';
}

/**
 * B(d): charges count from their due date, payments and credits from their booking date.
 * A rent booked in advance (booking date in December, due 1 January) is therefore not yet owed
 * in December, while money counts from the day it was booked, D(M) itself included.
 */
export function balanceOn(lines: readonly LedgerLine[], date: IsoDate): Cents {
  let balance = 0;
  for (const line of lines) {
    if (isCharge(line.type)) {
      // The database refuses such a line (ledger_charge_has_due_date); guessing a date here would
      // make this reference disagree with SQL, where a null date is never <= d.
      if (line.dueDate === null) throw new RangeError(`A ${line.type} line needs a due date`);
      if (line.dueDate <= date) balance += line.amountCents;
    } else if (line.bookingDate <= date) {
      balance -= line.amountCents;
    }
  }
  return balance;
}

/** D(M), the detection day of month M (1-12). */
export function detectionDay(year: number, month: number, rules: ArrearsRules = DEFAULT_ARREARS_RULES): IsoDate {
  return nthWorkingDay(year, month, rules.detectionWorkday, rules.holidays);
}

/** D(M) and D(M-1); January looks back to December of the year before. */
export function detectionDays(
  year: number,
  month: number,
  rules: ArrearsRules = DEFAULT_ARREARS_RULES,
): { detectionDay: IsoDate; previousDetectionDay: IsoDate } {
  const previous = previousMonth(year, month);
  return {
    detectionDay: detectionDay(year, month, rules),
    previousDetectionDay: detectionDay(previous.year, previous.month, rules),
  };
}

/**
 * Everything that follows from the two balances. Shared with the SQL version so that the
 * threshold and the rounding of months exist once; the balances are what SQL computes itself.
 */
export function classifyMonth(
  input: {
    contractId: string;
    detectionDay: IsoDate;
    previousDetectionDay: IsoDate;
    balanceCents: Cents;
    previousBalanceCents: Cents;
    monthlyRentCents: Cents;
  },
  rules: ArrearsRules = DEFAULT_ARREARS_RULES,
): MonthArrears {
  const { balanceCents, previousBalanceCents } = input;
  return {
    contractId: input.contractId,
    detectionDay: input.detectionDay,
    previousDetectionDay: input.previousDetectionDay,
    balanceCents,
    previousBalanceCents,
    late: balanceCents > rules.minimumArrearsCents,
    lateBefore: previousBalanceCents > rules.minimumArrearsCents,
    grew: balanceCents > previousBalanceCents,
    monthsInArrears: monthsInArrears(balanceCents, input.monthlyRentCents),
  };
}

/** The arrears of one tenancy as seen on D(M) of `year`-`month`. */
export function monthArrears(
  contractId: string,
  lines: readonly LedgerLine[],
  monthlyRentCents: Cents,
  year: number,
  month: number,
  rules: ArrearsRules = DEFAULT_ARREARS_RULES,
): MonthArrears {
  const days = detectionDays(year, month, rules);
  return classifyMonth(
    {
      contractId,
      ...days,
      balanceCents: balanceOn(lines, days.detectionDay),
      previousBalanceCents: balanceOn(lines, days.previousDetectionDay),
      monthlyRentCents,
    },
    rules,
  );
}
