import { describe, expect, it } from 'vitest';
import {
  balanceOn,
  DEFAULT_ARREARS_RULES,
  detectionDay,
  monthArrears,
  type ArrearsRules,
  type LedgerLine,
} from '../../src/domain/arrears.js';

const RENT = 70_000; // € 700,00

const rent = (dueDate: string, amountCents = RENT, bookingDate = dueDate): LedgerLine => ({
  type: 'rent',
  dueDate,
  bookingDate,
  amountCents,
});
const costs = (dueDate: string, amountCents: number, bookingDate = dueDate): LedgerLine => ({
  type: 'costs',
  dueDate,
  bookingDate,
  amountCents,
});
const payment = (bookingDate: string, amountCents = RENT): LedgerLine => ({ type: 'payment', dueDate: null, bookingDate, amountCents });
const credit = (bookingDate: string, amountCents: number): LedgerLine => ({ type: 'credit', dueDate: null, bookingDate, amountCents });

const rules = (overrides: Partial<ArrearsRules> = {}): ArrearsRules => ({ ...DEFAULT_ARREARS_RULES, ...overrides });

describe('detectionDay D(M)', () => {
  it('P1.a is the 8th working day by default: 11 March 2026', () => {
    expect(DEFAULT_ARREARS_RULES).toEqual({
      detectionWorkday: 8,
      minimumArrearsCents: 500,
      holidays: { goodFriday: false, liberationDay: false },
    });
    expect(detectionDay(2026, 3, DEFAULT_ARREARS_RULES)).toBe('2026-03-11');
  });

  it('P1.a skips public holidays: Easter Monday pushes April 2026 to the 13th', () => {
    expect(detectionDay(2026, 4, DEFAULT_ARREARS_RULES)).toBe('2026-04-13');
  });

  it('P1.a follows the holiday options: with Good Friday off April 2026 moves to the 14th', () => {
    expect(detectionDay(2026, 4, rules({ holidays: { goodFriday: true, liberationDay: false } }))).toBe('2026-04-14');
  });

  it('P1.a "7th or 8th working day" is configurable', () => {
    expect(detectionDay(2026, 4, rules({ detectionWorkday: 7 }))).toBe('2026-04-10');
  });

  it('refuses a working day the month does not have', () => {
    expect(() => detectionDay(2026, 2, rules({ detectionWorkday: 25 }))).toThrow(RangeError);
  });
});

describe('balanceOn B(d)', () => {
  it('charges minus payments and credits', () => {
    expect(
      balanceOn([rent('2026-03-01'), costs('2026-03-01', 2_500), payment('2026-03-02', 50_000), credit('2026-03-03', 1_000)], '2026-03-31'),
    ).toBe(21_500);
  });

  it('a payment booked on d itself counts', () => {
    expect(balanceOn([rent('2026-03-01'), payment('2026-03-11')], '2026-03-11')).toBe(0);
    expect(balanceOn([rent('2026-03-01'), payment('2026-03-12')], '2026-03-11')).toBe(RENT);
  });

  it('a charge due after d does not count, even when it was booked before d', () => {
    // April's rent, booked in advance in March.
    expect(balanceOn([rent('2026-04-01', RENT, '2026-03-25')], '2026-03-31')).toBe(0);
    expect(balanceOn([costs('2026-03-12', 2_500)], '2026-03-11')).toBe(0);
    expect(balanceOn([costs('2026-03-11', 2_500)], '2026-03-11')).toBe(2_500);
  });

  it('a charge counts from its due date even when it was booked later', () => {
    expect(balanceOn([costs('2026-03-01', 2_500, '2026-03-20')], '2026-03-11')).toBe(2_500);
  });

  it('a credit reduces the balance from its booking date, and can make it negative', () => {
    expect(balanceOn([rent('2026-03-01'), credit('2026-03-05', 10_000)], '2026-03-04')).toBe(RENT);
    expect(balanceOn([rent('2026-03-01'), credit('2026-03-05', 10_000)], '2026-03-05')).toBe(60_000);
    expect(balanceOn([rent('2026-03-01'), credit('2026-03-05', 80_000)], '2026-03-05')).toBe(-10_000);
  });

  it('a payment ignores any due date it carries', () => {
    expect(
      balanceOn(
        [rent('2026-03-01'), { type: 'payment', dueDate: '2026-03-01', bookingDate: '2026-03-20', amountCents: RENT }],
        '2026-03-11',
      ),
    ).toBe(RENT);
  });

  it('is 0 without lines', () => {
    expect(balanceOn([], '2026-03-11')).toBe(0);
  });

  it('refuses a charge without a due date (the database does too)', () => {
    expect(() => balanceOn([{ type: 'rent', dueDate: null, bookingDate: '2026-03-01', amountCents: RENT }], '2026-03-11')).toThrow(
      RangeError,
    );
  });
});

describe('monthArrears', () => {
  it('P1.a late(M) looks at the balance on the 8th working day, not the 1st', () => {
    // March 2026: rent due on the 1st, paid on Friday the 6th, D(M) = Wednesday 11 March.
    const lines = [rent('2026-03-01'), payment('2026-03-06')];
    expect(balanceOn(lines, '2026-03-02')).toBe(RENT); // 1st working day: would look late
    const march = monthArrears('100234', lines, RENT, 2026, 3, DEFAULT_ARREARS_RULES);
    expect(march).toMatchObject({ detectionDay: '2026-03-11', balanceCents: 0, late: false });
  });

  it('P1.a a payment booked on D(M) itself prevents late(M)', () => {
    // April 2026: D(M) = Monday 13 April because of Easter Monday.
    const onTime = monthArrears('100234', [rent('2026-04-01'), payment('2026-04-13')], RENT, 2026, 4, DEFAULT_ARREARS_RULES);
    expect(onTime).toMatchObject({ detectionDay: '2026-04-13', balanceCents: 0, late: false });
    const dayLate = monthArrears('100234', [rent('2026-04-01'), payment('2026-04-14')], RENT, 2026, 4, DEFAULT_ARREARS_RULES);
    expect(dayLate).toMatchObject({ balanceCents: RENT, late: true, monthsInArrears: 1 });
  });

  it('P1 the minimum is strict: exactly € 5,00 is not late, € 5,01 is', () => {
    const withBalance = (cents: number) => [rent('2026-03-01'), payment('2026-03-02', RENT - cents)];
    expect(monthArrears('1', withBalance(500), RENT, 2026, 3, DEFAULT_ARREARS_RULES)).toMatchObject({ balanceCents: 500, late: false });
    expect(monthArrears('1', withBalance(501), RENT, 2026, 3, DEFAULT_ARREARS_RULES)).toMatchObject({ balanceCents: 501, late: true });
    expect(monthArrears('1', withBalance(500), RENT, 2026, 3, rules({ minimumArrearsCents: 0 }))).toMatchObject({ late: true });
  });

  it('P2 the arrears grew: B(D(M)) > B(D(M-1))', () => {
    // February's rent unpaid on D(Feb) = 11 Feb; March's rent unpaid too on D(Mar) = 11 March.
    const lines = [rent('2026-02-01'), rent('2026-03-01')];
    expect(monthArrears('100234', lines, RENT, 2026, 3, DEFAULT_ARREARS_RULES)).toEqual({
      contractId: '100234',
      detectionDay: '2026-03-11',
      previousDetectionDay: '2026-02-11',
      balanceCents: 2 * RENT,
      previousBalanceCents: RENT,
      late: true,
      lateBefore: true,
      grew: true,
      monthsInArrears: 2,
    });
  });

  it('P2 late in both months without growth is late(M-1) and late(M), not grew', () => {
    // Behind one month, but March's rent was paid: the arrears stayed the same.
    const lines = [rent('2026-02-01'), rent('2026-03-01'), payment('2026-03-05')];
    expect(monthArrears('100234', lines, RENT, 2026, 3, DEFAULT_ARREARS_RULES)).toMatchObject({
      balanceCents: RENT,
      previousBalanceCents: RENT,
      late: true,
      lateBefore: true,
      grew: false,
    });
  });

  it('P2 growth below the minimum is growth, but not late', () => {
    const lines = [rent('2026-02-01'), payment('2026-02-02'), costs('2026-03-01', 300)];
    expect(monthArrears('1', lines, RENT, 2026, 3, DEFAULT_ARREARS_RULES)).toMatchObject({
      previousBalanceCents: 0,
      balanceCents: 300,
      grew: true,
      late: false,
      lateBefore: false,
    });
  });

  it('P1 new arrears: late(M) while not late(M-1)', () => {
    const lines = [rent('2026-02-01'), payment('2026-02-03'), rent('2026-03-01')];
    expect(monthArrears('1', lines, RENT, 2026, 3, DEFAULT_ARREARS_RULES)).toMatchObject({ late: true, lateBefore: false, grew: true });
  });

  it('January looks back to D(December) of the year before', () => {
    const lines = [rent('2025-12-01'), rent('2026-01-01')];
    expect(monthArrears('1', lines, RENT, 2026, 1, DEFAULT_ARREARS_RULES)).toMatchObject({
      detectionDay: '2026-01-13',
      previousDetectionDay: '2025-12-10',
      previousBalanceCents: RENT,
      balanceCents: 2 * RENT,
    });
  });

  it('months in arrears: the balance in monthly rents, one decimal, rounded half up', () => {
    const lines = (cents: number) => [costs('2026-03-01', cents)];
    const months = (cents: number, monthlyRent: number) =>
      monthArrears('1', lines(cents), monthlyRent, 2026, 3, DEFAULT_ARREARS_RULES).monthsInArrears;
    expect(months(2 * 71_235, 71_235)).toBe(2);
    expect(months(105_000, RENT)).toBe(1.5);
    expect(months(3_500, RENT)).toBe(0.1); // 0.05 rounds up
    expect(months(3_499, RENT)).toBe(0);
    expect(months(10_000, 0)).toBe(0); // no rent to measure against
    expect(monthArrears('1', [credit('2026-03-01', 5_000)], RENT, 2026, 3, DEFAULT_ARREARS_RULES).monthsInArrears).toBe(0);
  });
});
