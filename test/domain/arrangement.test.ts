import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, addMonths } from '../../src/domain/calendar.js';
import {
  MAX_ARRANGEMENT_MONTHS,
  expectedBalanceCents,
  isArrangementBroken,
  monthlyInstallments,
  validateArrangement,
  type ArrangementInput,
} from '../../src/domain/arrangement.js';

const RULES = { maxMonths: MAX_ARRANGEMENT_MONTHS };

function arrangement(overrides: Partial<ArrangementInput> = {}): ArrangementInput {
  return {
    arrearsCents: 142_470,
    agreedOn: '2026-02-12',
    installments: monthlyInstallments(142_470, 6, '2026-03-01'),
    ...overrides,
  };
}

function errorsOf(input: ArrangementInput, rules = RULES): { field: string; message: string }[] {
  const result = validateArrangement(input, rules);
  return result.ok ? [] : result.errors;
}

describe('monthlyInstallments', () => {
  it('P2.b.4 splits the arrears into equal monthly installments, remainder cents in the first', () => {
    expect(monthlyInstallments(100_000, 3, '2026-03-01')).toEqual([
      { dueOn: '2026-03-01', amountCents: 33_334 },
      { dueOn: '2026-04-01', amountCents: 33_333 },
      { dueOn: '2026-05-01', amountCents: 33_333 },
    ]);
  });

  it('P2.b.4 keeps a schedule from the 31st on the 31st after a short month', () => {
    expect(monthlyInstallments(60_000, 4, '2026-01-31').map((i) => i.dueOn)).toEqual([
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
    ]);
  });

  it('P2.b.4 the installments always add up to the arrears exactly and differ by less than the number of months', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 12, max: 10_000_000 }), (months, arrears) => {
        const list = monthlyInstallments(arrears, months, '2026-03-01');
        expect(list).toHaveLength(months);
        expect(list.reduce((sum, i) => sum + i.amountCents, 0)).toBe(arrears);
        const [first, ...rest] = list;
        for (const i of rest) {
          expect(i.amountCents).toBeGreaterThan(0);
          expect(i.amountCents).toBe(rest[0]?.amountCents);
          expect((first?.amountCents ?? 0) - i.amountCents).toBeLessThan(months);
        }
      }),
    );
  });

  it('refuses what cannot be split', () => {
    expect(() => monthlyInstallments(0, 3, '2026-03-01')).toThrow(RangeError);
    expect(() => monthlyInstallments(2, 3, '2026-03-01')).toThrow(RangeError);
    expect(() => monthlyInstallments(100, 0, '2026-03-01')).toThrow(RangeError);
    expect(() => monthlyInstallments(100.5, 2, '2026-03-01')).toThrow(RangeError);
  });
});

describe('validateArrangement', () => {
  it('P2.c.4 accepts an arrangement of 6 monthly installments that clears the arrears', () => {
    expect(validateArrangement(arrangement(), RULES)).toEqual({ ok: true });
  });

  it('P2.c.4 accepts a single installment on the day of the agreement', () => {
    expect(validateArrangement(arrangement({ installments: [{ dueOn: '2026-02-12', amountCents: 142_470 }] }), RULES)).toEqual({
      ok: true,
    });
  });

  it('P2.c.4 refuses an arrangement of more than 6 installments', () => {
    const errors = errorsOf(arrangement({ installments: monthlyInstallments(142_470, 7, '2026-02-15') }));
    expect(errors).toContainEqual({
      field: 'installments',
      message: 'Een regeling duurt hoogstens 6 maanden: maximaal 6 termijnen, dit zijn er 7.',
    });
  });

  it('P2.c.4 refuses a last installment more than 6 months after the agreement', () => {
    // Agreed 12 February: the last installment may fall on 12 August at the latest.
    const late = arrangement({ installments: monthlyInstallments(142_470, 6, '2026-03-13') });
    expect(errorsOf(late)).toEqual([
      {
        field: 'installments.5.dueOn',
        message: 'De laatste termijn (13-08-2026) valt meer dan 6 maanden na de afspraak; uiterlijk 12-08-2026.',
      },
    ]);
    const onTheDay = arrangement({ installments: monthlyInstallments(142_470, 6, '2026-03-12') });
    expect(validateArrangement(onTheDay, RULES)).toEqual({ ok: true });
  });

  it('P2.c.4 follows the configured maximum', () => {
    expect(validateArrangement(arrangement(), { maxMonths: 3 }).ok).toBe(false);
    expect(validateArrangement(arrangement({ installments: monthlyInstallments(142_470, 10, '2026-03-01') }), { maxMonths: 12 })).toEqual({
      ok: true,
    });
    expect(() => validateArrangement(arrangement(), { maxMonths: 0 })).toThrow(RangeError);
  });

  it('P2.b.4 refuses installments that do not clear the arrears', () => {
    const short = arrangement({
      installments: [
        { dueOn: '2026-03-01', amountCents: 50_000 },
        { dueOn: '2026-04-01', amountCents: 50_000 },
      ],
    });
    expect(errorsOf(short)).toEqual([
      {
        field: 'installments',
        message: 'De termijnen samen (€ 1.000,00) lossen de achterstand van € 1.424,70 niet af: er ontbreekt € 424,70.',
      },
    ]);
  });

  it('P2.b.4 accepts installments that add up to more than the arrears', () => {
    const generous = arrangement({ installments: [{ dueOn: '2026-03-01', amountCents: 150_000 }] });
    expect(validateArrangement(generous, RULES)).toEqual({ ok: true });
  });

  it('P2.b.4 refuses an arrangement without installments', () => {
    expect(errorsOf(arrangement({ installments: [] }))).toEqual([{ field: 'installments', message: 'Voeg ten minste één termijn toe.' }]);
  });

  it('P2.b.4 refuses an arrangement when there are no arrears', () => {
    expect(errorsOf(arrangement({ arrearsCents: 0 }))).toContainEqual({
      field: 'arrearsCents',
      message: 'Er is geen achterstand om een regeling voor af te spreken.',
    });
  });

  it('P2.b.4 refuses an installment of zero or less', () => {
    const errors = errorsOf(
      arrangement({
        installments: [
          { dueOn: '2026-03-01', amountCents: 142_470 },
          { dueOn: '2026-04-01', amountCents: 0 },
          { dueOn: '2026-05-01', amountCents: -100 },
        ],
      }),
    );
    expect(errors).toEqual([
      { field: 'installments.1.amountCents', message: 'Termijn 2: het bedrag moet hoger zijn dan € 0,00.' },
      { field: 'installments.2.amountCents', message: 'Termijn 3: het bedrag moet hoger zijn dan € 0,00.' },
    ]);
  });

  it('P2.b.4 refuses a first installment before the agreement', () => {
    expect(errorsOf(arrangement({ installments: monthlyInstallments(142_470, 6, '2026-02-11') }))).toEqual([
      { field: 'installments.0.dueOn', message: 'Termijn 1 (11-02-2026) valt vóór de datum van de afspraak (12-02-2026).' },
    ]);
  });

  it('P2.b.4 refuses due dates that are not strictly increasing', () => {
    const errors = errorsOf(
      arrangement({
        installments: [
          { dueOn: '2026-04-01', amountCents: 50_000 },
          { dueOn: '2026-03-01', amountCents: 50_000 },
          { dueOn: '2026-03-01', amountCents: 42_470 },
        ],
      }),
    );
    expect(errors).toEqual([
      { field: 'installments.1.dueOn', message: 'Termijn 2 (01-03-2026) moet na termijn 1 (01-04-2026) vallen.' },
      { field: 'installments.2.dueOn', message: 'Termijn 3 (01-03-2026) moet na termijn 2 (01-03-2026) vallen.' },
    ]);
  });

  it('P2.a.4 reports unreadable dates instead of throwing, so the modal can show them', () => {
    const errors = errorsOf(
      arrangement({
        agreedOn: '2026-02-30',
        installments: [
          { dueOn: '1-3-2026', amountCents: 100_000 },
          { dueOn: '2026-04-01', amountCents: 42_470 },
        ],
      }),
    );
    expect(errors).toEqual([
      { field: 'agreedOn', message: 'De datum van de afspraak is geen geldige datum.' },
      { field: 'installments.0.dueOn', message: 'Termijn 1: de vervaldatum is geen geldige datum.' },
    ]);
  });

  it('P2.a.4 reports every problem at once', () => {
    const errors = errorsOf(
      arrangement({
        installments: [...monthlyInstallments(100_000, 7, '2026-02-01'), { dueOn: '2026-01-01', amountCents: 0 }],
      }),
    );
    expect(errors.map((e) => e.field)).toEqual([
      'installments',
      'installments.0.dueOn',
      'installments.7.amountCents',
      'installments.7.dueOn',
    ]);
  });

  it('P2.c.4 any valid arrangement stays within 6 installments and 6 months of the agreement', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 100, max: 1_000_000 }),
        (agreedOffset, delay, months, arrears) => {
          const agreedOn = addDays('2026-01-01', agreedOffset);
          const input = { arrearsCents: arrears, agreedOn, installments: monthlyInstallments(arrears, months, addDays(agreedOn, delay)) };
          const result = validateArrangement(input, RULES);
          const last = input.installments[input.installments.length - 1];
          const within = months <= 6 && last !== undefined && last.dueOn <= addMonths(agreedOn, 6);
          expect(result.ok).toBe(within);
        },
      ),
    );
  });
});

describe('expectedBalanceCents', () => {
  const input = arrangement({ arrearsCents: 60_000, installments: monthlyInstallments(60_000, 3, '2026-03-01') });

  it('P2.b.4 is the arrears before the first installment falls due', () => {
    expect(expectedBalanceCents(input, '2026-02-28')).toBe(60_000);
  });

  it('P2.b.4 counts an installment from its due date on', () => {
    expect(expectedBalanceCents(input, '2026-03-01')).toBe(40_000);
    expect(expectedBalanceCents(input, '2026-04-10')).toBe(20_000);
    expect(expectedBalanceCents(input, '2026-05-01')).toBe(0);
  });

  it('P2.b.4 never goes below zero when the installments exceed the arrears', () => {
    const generous = arrangement({ arrearsCents: 50_000, installments: [{ dueOn: '2026-03-01', amountCents: 60_000 }] });
    expect(expectedBalanceCents(generous, '2026-12-31')).toBe(0);
  });
});

describe('isArrangementBroken', () => {
  // Agreed 12 February: € 600 arrears in 3 installments from 1 March; rent € 700 a month, due on the 1st.
  const input = arrangement({ arrearsCents: 60_000, installments: monthlyInstallments(60_000, 3, '2026-03-01') });
  const check = { arrangement: input, onDate: '2026-03-11' /* D(March): 8th working day */, toleranceCents: 0 };

  it('P2.b.1 is kept when the March rent and the first installment were paid', () => {
    // B = 600 + 700 (March rent) - 700 - 200 = 400 = expected.
    expect(isArrangementBroken({ ...check, balanceCents: 40_000 })).toBe(false);
  });

  it('P2.b.1 is kept when the tenant pays ahead of the schedule', () => {
    expect(isArrangementBroken({ ...check, balanceCents: 0 })).toBe(false);
  });

  it('P2.b.1 is broken when the installment was paid but the running rent was not: the arrears grew', () => {
    // B = 600 + 700 - 200 = 1.100, expected 400.
    expect(isArrangementBroken({ ...check, balanceCents: 110_000 })).toBe(true);
  });

  it('P3 a missed installment breaks the arrangement, which escalates the case', () => {
    // Paid only the rent: B = 600 + 700 - 700 = 600, expected 400.
    expect(isArrangementBroken({ ...check, balanceCents: 60_000 })).toBe(true);
  });

  it('P3 the tolerance absorbs small differences, and only those', () => {
    expect(isArrangementBroken({ ...check, toleranceCents: 500, balanceCents: 40_500 })).toBe(false);
    expect(isArrangementBroken({ ...check, toleranceCents: 500, balanceCents: 40_501 })).toBe(true);
  });

  it('P2.b.1 before the first installment is due only new unpaid rent breaks it', () => {
    expect(isArrangementBroken({ ...check, onDate: '2026-02-20', balanceCents: 60_000 })).toBe(false);
    expect(isArrangementBroken({ ...check, onDate: '2026-02-20', balanceCents: 60_001 })).toBe(true);
  });

  it('P2.b.1 a tenant who keeps paying rent and installments never breaks it (any month of the schedule)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 40_000, max: 120_000 }), (offset, rent) => {
        const onDate = addDays('2026-02-12', offset);
        const rentsDue = [1, 2, 3, 4, 5, 6, 7, 8].filter((m) => addMonths('2026-02-01', m) <= onDate).length;
        const installmentsPaid = input.installments.filter((i) => i.dueOn <= onDate).reduce((s, i) => s + i.amountCents, 0);
        const charged = rentsDue * rent;
        const paid = rentsDue * rent + installmentsPaid;
        const balance = input.arrearsCents + charged - paid;
        expect(isArrangementBroken({ ...check, onDate, balanceCents: balance })).toBe(false);
        // Skipping one month's rent always shows.
        if (rentsDue > 0) expect(isArrangementBroken({ ...check, onDate, balanceCents: balance + rent })).toBe(true);
      }),
    );
  });
});
