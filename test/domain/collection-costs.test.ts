import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, daysBetween, isWorkingDay, nthWorkingDay, type HolidayOptions } from '../../src/domain/calendar.js';
import { STATUTORY_COLLECTION_COSTS, collectionCostsCents, isTermEndDay, reminderLetterTerms } from '../../src/domain/collection-costs.js';

const CORPORATION_DAYS_OFF: HolidayOptions = { goodFriday: false, liberationDay: false };

describe('collectionCostsCents (BIK art. 2, art. 6:96 lid 5 BW)', () => {
  it.each([
    // [principal, costs]
    [26_667, 4_000], // 15% = € 40,0005: exactly the minimum
    [250_000, 37_500], // end of the 15% band
    [500_000, 62_500], // end of the 10% band
    [1_000_000, 87_500], // end of the 5% band
    [20_000_000, 277_500], // end of the 1% band
    [100_000_000, 677_500], // € 2.775 + 0,5% of € 800.000: the maximum is reached exactly here
  ])('BIK art. 2 band edge: %i cents -> %i cents', (principal, costs) => {
    expect(collectionCostsCents(principal)).toBe(costs);
  });

  it('BIK art. 2 charges the € 40 minimum on small claims', () => {
    expect(collectionCostsCents(1)).toBe(4_000);
    expect(collectionCostsCents(10_000)).toBe(4_000);
    expect(collectionCostsCents(26_666)).toBe(4_000);
    expect(collectionCostsCents(26_700)).toBe(4_005);
  });

  it('BIK art. 2 never charges more than the € 6.775 maximum', () => {
    expect(collectionCostsCents(99_999_900)).toBe(677_500); // € 6.774,995 rounds up onto the maximum
    expect(collectionCostsCents(99_999_800)).toBe(677_499);
    expect(collectionCostsCents(100_000_001)).toBe(677_500);
    expect(collectionCostsCents(Number.MAX_SAFE_INTEGER)).toBe(677_500);
  });

  it('P1 typical rent arrears: € 712,35 -> € 106,85 (art. 6:96 BW, BIK art. 2)', () => {
    expect(collectionCostsCents(71_235)).toBe(10_685); // 15% = € 106,8525
  });

  it('BIK art. 2 rounds the exact total once, half up to whole cents', () => {
    expect(collectionCostsCents(71_237)).toBe(10_686); // € 106,8555 -> up
    expect(collectionCostsCents(71_233)).toBe(10_685); // € 106,8495 -> down
    expect(collectionCostsCents(500_010)).toBe(62_501); // € 625 + 5% of € 0,10 = € 625,005 -> up
    expect(collectionCostsCents(20_000_100)).toBe(277_501); // € 2.775 + 0,5% of € 1 = € 2.775,005 -> up
  });

  it('BIK art. 2 rounding the total equals rounding each band, because full bands are whole cents', () => {
    const perBand = (principal: number): number => {
      let rest = principal;
      let sum = 0;
      for (const band of STATUTORY_COLLECTION_COSTS.bands) {
        const part = band.widthCents === null ? rest : Math.min(rest, band.widthCents);
        sum += Math.floor((part * band.perMille + 500) / 1000);
        rest -= part;
      }
      return Math.min(677_500, Math.max(4_000, sum));
    };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000_000 }), (principal) => {
        expect(collectionCostsCents(principal)).toBe(perBand(principal));
      }),
    );
  });

  it('BIK art. 2 costs never fall as the principal grows and stay within minimum and maximum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 150_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), (a, delta) => {
        const low = collectionCostsCents(a);
        const high = collectionCostsCents(a + delta);
        expect(high).toBeGreaterThanOrEqual(low);
        expect(low).toBeGreaterThanOrEqual(4_000);
        expect(high).toBeLessThanOrEqual(677_500);
      }),
    );
  });

  it('art. 6:96 BW no costs without a claim: zero or negative principal gives 0', () => {
    expect(collectionCostsCents(0)).toBe(0);
    expect(collectionCostsCents(-71_235)).toBe(0);
  });

  it('refuses a principal that is not whole cents', () => {
    expect(() => collectionCostsCents(712.35)).toThrow(RangeError);
    expect(() => collectionCostsCents(Number.NaN)).toThrow(RangeError);
  });
});

describe('reminderLetterTerms (art. 6:96 lid 6 BW, HR 25-11-2016 ECLI:NL:HR:2016:2704, Algemene termijnenwet)', () => {
  it('P1 the term runs 14 full days from the day after assumed receipt (HR 25-11-2016)', () => {
    // Tuesday 2026-03-10 -> received Wednesday 11th -> days 1..14 are 12..25 March (a Wednesday).
    expect(reminderLetterTerms('2026-03-10', 14, CORPORATION_DAYS_OFF)).toEqual({
      sentOn: '2026-03-10',
      receivedOn: '2026-03-11',
      termStartsOn: '2026-03-12',
      termEndsOn: '2026-03-25',
    });
  });

  it('P1 a letter sent on Friday is assumed received on Monday (art. 6:96 lid 6 BW)', () => {
    const terms = reminderLetterTerms('2026-12-18', 14, CORPORATION_DAYS_OFF);
    expect(terms.receivedOn).toBe('2026-12-21');
    expect(terms.termStartsOn).toBe('2026-12-22');
    // Christmas and New Year lie inside the term, which counts calendar days; the last day,
    // Monday 4 January 2027, is a working day, so it stays.
    expect(terms.termEndsOn).toBe('2027-01-04');
  });

  it('P1 receipt skips Christmas: sent Thursday 24 December 2026, received Monday 28 December', () => {
    const terms = reminderLetterTerms('2026-12-24', 14, CORPORATION_DAYS_OFF);
    expect(terms.receivedOn).toBe('2026-12-28');
    expect(terms.termEndsOn).toBe('2027-01-11');
  });

  it('P1 a term ending on Christmas Day runs on past the weekend (Atw art. 1)', () => {
    // Received Friday 2026-12-11; +14 = Friday 25 December; 26th Saturday, 27th Sunday.
    const terms = reminderLetterTerms('2026-12-10', 14, CORPORATION_DAYS_OFF);
    expect(terms.receivedOn).toBe('2026-12-11');
    expect(terms.termEndsOn).toBe('2026-12-28');
  });

  it('P1 a term ending on New Year’s Day runs on to Monday 4 January (Atw art. 1)', () => {
    // Received Friday 2026-12-18; +14 = Friday 1 January 2027.
    const terms = reminderLetterTerms('2026-12-17', 14, CORPORATION_DAYS_OFF);
    expect(terms.receivedOn).toBe('2026-12-18');
    expect(terms.termEndsOn).toBe('2027-01-04');
  });

  it('P1 a term ending on a Saturday moves to Monday (Atw art. 1)', () => {
    // Receipt is always a working day, so a 14-day term ends on a weekday; a 15-day term can hit a Saturday.
    // Sent Thursday 2026-03-12 -> received Friday 13th -> +15 = Saturday 28th -> Monday 30th.
    const terms = reminderLetterTerms('2026-03-12', 15, CORPORATION_DAYS_OFF);
    expect(terms.receivedOn).toBe('2026-03-13');
    expect(terms.termEndsOn).toBe('2026-03-30');
  });

  it('P1 5 May ends no term even when the corporation works that day (Atw art. 3 lid 1)', () => {
    // Received Wednesday 2027-04-21; +14 = Wednesday 5 May 2027 (Bevrijdingsdag), then Ascension Day on the 6th.
    const terms = reminderLetterTerms('2027-04-20', 14, CORPORATION_DAYS_OFF);
    expect(terms.receivedOn).toBe('2027-04-21');
    expect(terms.termEndsOn).toBe('2027-05-07');
  });

  it('P1 Good Friday ends no term even when the corporation works that day (Atw art. 3 lid 2)', () => {
    // Good Friday 2027 is 26 March; received Friday 12 March -> +14 = 26 March -> Saturday, Sunday, Easter Monday 29th -> Tuesday 30th.
    const terms = reminderLetterTerms('2027-03-11', 14, CORPORATION_DAYS_OFF);
    expect(terms.receivedOn).toBe('2027-03-12');
    expect(terms.termEndsOn).toBe('2027-03-30');
  });

  it('P1 receipt follows the corporation’s days off: with Good Friday off, Thursday’s letter arrives after Easter', () => {
    const withGoodFriday: HolidayOptions = { goodFriday: true, liberationDay: false };
    expect(reminderLetterTerms('2027-03-25', 14, withGoodFriday).receivedOn).toBe('2027-03-30');
    expect(reminderLetterTerms('2027-03-25', 14, CORPORATION_DAYS_OFF).receivedOn).toBe('2027-03-26');
  });

  it('P1 a day equated with a holiday by decree extends the term (Atw art. 3 lid 3)', () => {
    // Sent Thursday 2026-04-30, received Friday 1 May; +14 = Friday 15 May 2026, the day after Ascension Day.
    const terms = reminderLetterTerms('2026-04-30', 14, CORPORATION_DAYS_OFF, ['2026-05-15']);
    expect(terms.receivedOn).toBe('2026-05-01');
    expect(terms.termEndsOn).toBe('2026-05-18');
    expect(reminderLetterTerms('2026-04-30', 14, CORPORATION_DAYS_OFF).termEndsOn).toBe('2026-05-15');
  });

  it('art. 6:96 lid 6 BW refuses a term shorter than 14 days', () => {
    expect(() => reminderLetterTerms('2026-03-10', 13, CORPORATION_DAYS_OFF)).toThrow(RangeError);
    expect(() => reminderLetterTerms('2026-03-10', 14.5, CORPORATION_DAYS_OFF)).toThrow(RangeError);
  });

  it('P1 for any sending day: receipt is a later working day, the term has at least 14 full days and ends on an Atw day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 8 }), (offset) => {
        const sentOn = addDays('2025-01-01', offset);
        const terms = reminderLetterTerms(sentOn, 14, CORPORATION_DAYS_OFF);
        expect(terms.receivedOn > sentOn).toBe(true);
        expect(isWorkingDay(terms.receivedOn, CORPORATION_DAYS_OFF)).toBe(true);
        expect(terms.termStartsOn).toBe(addDays(terms.receivedOn, 1));
        expect(daysBetween(terms.termStartsOn, terms.termEndsOn) + 1).toBeGreaterThanOrEqual(14);
        expect(isTermEndDay(terms.termEndsOn)).toBe(true);
        // Moved only as far as the first day a term may end.
        for (let d = addDays(terms.receivedOn, 14); d < terms.termEndsOn; d = addDays(d, 1)) {
          expect(isTermEndDay(d)).toBe(false);
        }
      }),
    );
  });

  it('P1.b a letter sent on the 8th working day has its term end in the last week of the month', () => {
    for (let year = 2025; year <= 2030; year++) {
      for (let month = 1; month <= 12; month++) {
        const sentOn = nthWorkingDay(year, month, 8, CORPORATION_DAYS_OFF);
        const { termEndsOn } = reminderLetterTerms(sentOn, 14, CORPORATION_DAYS_OFF);
        const lastOfMonth = addDays(month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`, -1);
        expect(termEndsOn > addDays(lastOfMonth, -7), `${sentOn} -> ${termEndsOn}`).toBe(true);
        expect(termEndsOn <= lastOfMonth, `${sentOn} -> ${termEndsOn}`).toBe(true);
      }
    }
  });
});
