import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_HOLIDAYS,
  type HolidayOptions,
  addDays,
  addMonths,
  addWorkingDays,
  addYears,
  daysBetween,
  dutchPublicHolidays,
  easterSunday,
  firstOfMonth,
  formatDutchDate,
  formatDutchLongDate,
  isHoliday,
  isWorkingDay,
  monthKey,
  nextWorkingDay,
  nthWorkingDay,
  parseDutchOrIsoDate,
  parseIsoDate,
  previousMonth,
  todayInAmsterdam,
  workingDaysBetween,
} from '../../src/domain/calendar.js';

const ALL_OFF: HolidayOptions = { goodFriday: true, liberationDay: true };

describe('easterSunday', () => {
  it.each([
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2038, '2038-04-25'], // latest possible date
    [2285, '2285-03-22'], // earliest possible date
  ])('Easter %i is %s', (year, expected) => {
    expect(easterSunday(year)).toBe(expected);
  });
});

describe('dutchPublicHolidays (published calendar)', () => {
  it('2025', () => {
    expect(dutchPublicHolidays(2025)).toEqual([
      { date: '2025-01-01', name: 'Nieuwjaarsdag' },
      { date: '2025-04-20', name: 'Eerste Paasdag' },
      { date: '2025-04-21', name: 'Tweede Paasdag' },
      // 27 April 2025 is a Sunday, so Koningsdag moves to Saturday 26 April.
      { date: '2025-04-26', name: 'Koningsdag' },
      { date: '2025-05-29', name: 'Hemelvaartsdag' },
      { date: '2025-06-08', name: 'Eerste Pinksterdag' },
      { date: '2025-06-09', name: 'Tweede Pinksterdag' },
      { date: '2025-12-25', name: 'Eerste Kerstdag' },
      { date: '2025-12-26', name: 'Tweede Kerstdag' },
    ]);
  });

  it('2026', () => {
    expect(dutchPublicHolidays(2026)).toEqual([
      { date: '2026-01-01', name: 'Nieuwjaarsdag' },
      { date: '2026-04-05', name: 'Eerste Paasdag' },
      { date: '2026-04-06', name: 'Tweede Paasdag' },
      { date: '2026-04-27', name: 'Koningsdag' },
      { date: '2026-05-14', name: 'Hemelvaartsdag' },
      { date: '2026-05-24', name: 'Eerste Pinksterdag' },
      { date: '2026-05-25', name: 'Tweede Pinksterdag' },
      { date: '2026-12-25', name: 'Eerste Kerstdag' },
      { date: '2026-12-26', name: 'Tweede Kerstdag' },
    ]);
  });

  it('2027', () => {
    expect(dutchPublicHolidays(2027)).toEqual([
      { date: '2027-01-01', name: 'Nieuwjaarsdag' },
      { date: '2027-03-28', name: 'Eerste Paasdag' },
      { date: '2027-03-29', name: 'Tweede Paasdag' },
      { date: '2027-04-27', name: 'Koningsdag' },
      { date: '2027-05-06', name: 'Hemelvaartsdag' },
      { date: '2027-05-16', name: 'Eerste Pinksterdag' },
      { date: '2027-05-17', name: 'Tweede Pinksterdag' },
      { date: '2027-12-25', name: 'Eerste Kerstdag' },
      { date: '2027-12-26', name: 'Tweede Kerstdag' },
    ]);
  });

  it('2028', () => {
    expect(dutchPublicHolidays(2028)).toEqual([
      { date: '2028-01-01', name: 'Nieuwjaarsdag' },
      { date: '2028-04-16', name: 'Eerste Paasdag' },
      { date: '2028-04-17', name: 'Tweede Paasdag' },
      { date: '2028-04-27', name: 'Koningsdag' },
      { date: '2028-05-25', name: 'Hemelvaartsdag' },
      { date: '2028-06-04', name: 'Eerste Pinksterdag' },
      { date: '2028-06-05', name: 'Tweede Pinksterdag' },
      { date: '2028-12-25', name: 'Eerste Kerstdag' },
      { date: '2028-12-26', name: 'Tweede Kerstdag' },
    ]);
  });

  it('adds Goede Vrijdag and Bevrijdingsdag in date order when both options are on', () => {
    expect(dutchPublicHolidays(2026, ALL_OFF)).toEqual([
      { date: '2026-01-01', name: 'Nieuwjaarsdag' },
      { date: '2026-04-03', name: 'Goede Vrijdag' },
      { date: '2026-04-05', name: 'Eerste Paasdag' },
      { date: '2026-04-06', name: 'Tweede Paasdag' },
      { date: '2026-04-27', name: 'Koningsdag' },
      { date: '2026-05-05', name: 'Bevrijdingsdag' },
      { date: '2026-05-14', name: 'Hemelvaartsdag' },
      { date: '2026-05-24', name: 'Eerste Pinksterdag' },
      { date: '2026-05-25', name: 'Tweede Pinksterdag' },
      { date: '2026-12-25', name: 'Eerste Kerstdag' },
      { date: '2026-12-26', name: 'Tweede Kerstdag' },
    ]);
  });

  it.each([
    [2025, '2025-04-18'],
    [2027, '2027-03-26'],
    [2028, '2028-04-14'],
  ])('Goede Vrijdag %i is %s, only with the option on', (year, goodFriday) => {
    expect(isHoliday(goodFriday)).toBe(false);
    expect(isWorkingDay(goodFriday)).toBe(true);
    expect(isHoliday(goodFriday, { goodFriday: true, liberationDay: false })).toBe(true);
    expect(isWorkingDay(goodFriday, { goodFriday: true, liberationDay: false })).toBe(false);
    expect(dutchPublicHolidays(year, { goodFriday: true, liberationDay: false })).toContainEqual({
      date: goodFriday,
      name: 'Goede Vrijdag',
    });
  });

  it('Bevrijdingsdag 5 May is a holiday only with the option on', () => {
    expect(isWorkingDay('2025-05-05')).toBe(true);
    expect(isWorkingDay('2025-05-05', { goodFriday: false, liberationDay: true })).toBe(false);
    expect(isHoliday('2028-05-05', { goodFriday: false, liberationDay: true })).toBe(true);
    expect(dutchPublicHolidays(2027, { goodFriday: false, liberationDay: true })).toContainEqual({
      date: '2027-05-05',
      name: 'Bevrijdingsdag',
    });
    expect(dutchPublicHolidays(2027).map((h) => h.name)).not.toContain('Bevrijdingsdag');
  });

  it('lists both holidays when Bevrijdingsdag coincides with Hemelvaartsdag (5 May 2016) but counts the day once', () => {
    const list = dutchPublicHolidays(2016, { goodFriday: false, liberationDay: true });
    expect(list.filter((h) => h.date === '2016-05-05').map((h) => h.name)).toEqual(['Bevrijdingsdag', 'Hemelvaartsdag']);
    // Mon 2 .. Fri 6 May 2016 minus Thursday 5 May.
    expect(workingDaysBetween('2016-05-01', '2016-05-06', { goodFriday: false, liberationDay: true })).toBe(4);
  });

  it('Koningsdag on a Saturday stays a non-working day without shifting to Friday (2025)', () => {
    expect(isWorkingDay('2025-04-25')).toBe(true);
    expect(isHoliday('2025-04-27')).toBe(false);
  });

  it('returns a fresh array each call so callers cannot corrupt the cache', () => {
    const first = dutchPublicHolidays(2026);
    first.length = 0;
    expect(dutchPublicHolidays(2026)).toHaveLength(9);
  });

  it('keeps separate cache entries per option set', () => {
    expect(dutchPublicHolidays(2026, DEFAULT_HOLIDAYS)).toHaveLength(9);
    expect(dutchPublicHolidays(2026, ALL_OFF)).toHaveLength(11);
    expect(dutchPublicHolidays(2026, { goodFriday: true, liberationDay: false })).toHaveLength(10);
    expect(dutchPublicHolidays(2026)).toHaveLength(9);
  });
});

describe('isWorkingDay', () => {
  it('is false on weekends and holidays, true on ordinary weekdays', () => {
    expect(isWorkingDay('2026-02-11')).toBe(true); // Wednesday
    expect(isWorkingDay('2026-02-14')).toBe(false); // Saturday
    expect(isWorkingDay('2026-02-15')).toBe(false); // Sunday
    expect(isWorkingDay('2026-04-06')).toBe(false); // Tweede Paasdag
    expect(isWorkingDay('2026-05-14')).toBe(false); // Hemelvaartsdag
    expect(isWorkingDay('2026-04-03')).toBe(true); // Goede Vrijdag, off by default
  });

  it('rejects malformed dates loudly instead of guessing', () => {
    expect(() => isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => isWorkingDay('11-02-2026')).toThrow(RangeError);
  });
});

describe('nthWorkingDay', () => {
  it('P1.a detection day is the 8th working day: January 2026 -> 2026-01-13 (1 January is a holiday)', () => {
    // Fri 2, Mon 5 .. Fri 9, Mon 12, Tue 13.
    expect(nthWorkingDay(2026, 1, 8)).toBe('2026-01-13');
  });

  it('P1.a detection day is the 8th working day: April 2026 -> 2026-04-13 (Tweede Paasdag inside)', () => {
    expect(nthWorkingDay(2026, 4, 8)).toBe('2026-04-13');
  });

  it('P1.a detection day is the 8th working day: April 2026 with Goede Vrijdag off -> 2026-04-14', () => {
    expect(nthWorkingDay(2026, 4, 8, { goodFriday: true, liberationDay: false })).toBe('2026-04-14');
  });

  it('P1.a detection day is the 8th working day: May 2026 -> 2026-05-12, with Bevrijdingsdag off -> 2026-05-13', () => {
    expect(nthWorkingDay(2026, 5, 8)).toBe('2026-05-12');
    expect(nthWorkingDay(2026, 5, 8, { goodFriday: false, liberationDay: true })).toBe('2026-05-13');
  });

  it('P1.a detection day is the 8th working day: May 2027 -> 2027-05-13 (Hemelvaartsdag 6 May inside)', () => {
    expect(nthWorkingDay(2027, 5, 8)).toBe('2027-05-13');
    expect(nthWorkingDay(2027, 5, 8, { goodFriday: false, liberationDay: true })).toBe('2027-05-14');
  });

  it('P1.a detection day is the 8th working day: June 2025 -> 2025-06-12 (Tweede Pinksterdag inside)', () => {
    expect(nthWorkingDay(2025, 6, 8)).toBe('2025-06-12');
  });

  it.each([
    [2025, 5, '2025-05-12'],
    [2026, 2, '2026-02-11'], // 1 February 2026 is a Sunday
    [2026, 3, '2026-03-11'],
    [2026, 12, '2026-12-10'],
    [2027, 1, '2027-01-13'], // 1 January 2027 is a Friday holiday
    [2028, 1, '2028-01-12'], // 1 January 2028 is a Saturday
  ])('P1.a detection day is the 8th working day: %i-%i -> %s', (year, month, expected) => {
    expect(nthWorkingDay(year, month, 8)).toBe(expected);
  });

  it('first working day skips holidays and weekends', () => {
    expect(nthWorkingDay(2026, 1, 1)).toBe('2026-01-02');
    expect(nthWorkingDay(2028, 1, 1)).toBe('2028-01-03');
    expect(nthWorkingDay(2026, 2, 1)).toBe('2026-02-02');
  });

  it('last working day of a month is reachable and one more throws', () => {
    // February 2026: 20 working days (2 Feb .. 27 Feb).
    expect(nthWorkingDay(2026, 2, 20)).toBe('2026-02-27');
    expect(() => nthWorkingDay(2026, 2, 21)).toThrow(RangeError);
  });

  it('throws RangeError for n < 1, non-integer n and invalid months', () => {
    expect(() => nthWorkingDay(2026, 1, 0)).toThrow(RangeError);
    expect(() => nthWorkingDay(2026, 1, -1)).toThrow(RangeError);
    expect(() => nthWorkingDay(2026, 1, 1.5)).toThrow(RangeError);
    expect(() => nthWorkingDay(2026, 13, 1)).toThrow(RangeError);
    expect(() => nthWorkingDay(2026, 0, 1)).toThrow(RangeError);
  });
});

describe('working-day arithmetic (P1.b holiday-aware terms)', () => {
  it('P1.b term across a weekend: Friday + 1 working day is Monday', () => {
    expect(addWorkingDays('2026-02-13', 1)).toBe('2026-02-16');
    expect(addWorkingDays('2026-02-13', 5)).toBe('2026-02-20');
  });

  it('P1.b term across Christmas 2025 and New Year 2026', () => {
    expect(addWorkingDays('2025-12-24', 1)).toBe('2025-12-29');
    expect(addWorkingDays('2025-12-24', 3)).toBe('2025-12-31');
    expect(addWorkingDays('2025-12-24', 4)).toBe('2026-01-02');
    expect(workingDaysBetween('2025-12-24', '2026-01-02')).toBe(4);
  });

  it('P1.b term across Christmas 2026 and New Year 2027', () => {
    expect(addWorkingDays('2026-12-24', 1)).toBe('2026-12-28');
    expect(addWorkingDays('2026-12-31', 1)).toBe('2027-01-04');
    expect(nextWorkingDay('2026-12-31')).toBe('2027-01-04');
  });

  it('P1.b term across Easter 2026, with and without Goede Vrijdag', () => {
    expect(addWorkingDays('2026-04-02', 1)).toBe('2026-04-03');
    expect(addWorkingDays('2026-04-02', 2)).toBe('2026-04-07');
    expect(addWorkingDays('2026-04-02', 1, { goodFriday: true, liberationDay: false })).toBe('2026-04-07');
  });

  it('P1.b a 14-working-day term from 2026-05-01 passes Hemelvaartsdag and Tweede Pinksterdag', () => {
    // Working days in May 2026: 1, 4-8, 11-13, 15, 18-22, 26-29.
    expect(addWorkingDays('2026-05-01', 8)).toBe('2026-05-13');
    expect(addWorkingDays('2026-05-01', 9)).toBe('2026-05-15');
    expect(addWorkingDays('2026-05-01', 14)).toBe('2026-05-22');
    expect(addWorkingDays('2026-05-01', 15)).toBe('2026-05-26');
    expect(workingDaysBetween('2026-05-01', '2026-05-31')).toBe(18);
  });

  it('n = 0 returns the date itself on a working day, otherwise the next working day', () => {
    expect(addWorkingDays('2026-02-11', 0)).toBe('2026-02-11');
    expect(addWorkingDays('2026-02-14', 0)).toBe('2026-02-16');
    expect(addWorkingDays('2025-12-25', 0)).toBe('2025-12-29');
  });

  it('from a non-working day, n = 1 counts from the following day (Saturday + 1 = Monday)', () => {
    expect(addWorkingDays('2026-02-14', 1)).toBe('2026-02-16');
    expect(addWorkingDays('2026-02-14', 2)).toBe('2026-02-17');
  });

  it('rejects negative and fractional n', () => {
    expect(() => addWorkingDays('2026-02-11', -1)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-02-11', 0.5)).toThrow(RangeError);
  });

  it('nextWorkingDay is strictly after the date', () => {
    expect(nextWorkingDay('2026-02-11')).toBe('2026-02-12');
    expect(nextWorkingDay('2026-02-13')).toBe('2026-02-16');
    expect(nextWorkingDay('2026-04-03')).toBe('2026-04-07');
    expect(nextWorkingDay('2026-04-03', { goodFriday: true, liberationDay: false })).toBe('2026-04-07');
    expect(nextWorkingDay('2026-04-02', { goodFriday: true, liberationDay: false })).toBe('2026-04-07');
  });

  it('workingDaysBetween counts from < d <= to', () => {
    expect(workingDaysBetween('2026-02-11', '2026-02-11')).toBe(0);
    expect(workingDaysBetween('2026-02-11', '2026-02-12')).toBe(1);
    expect(workingDaysBetween('2026-02-13', '2026-02-15')).toBe(0);
    expect(workingDaysBetween('2026-02-13', '2026-02-16')).toBe(1);
    expect(workingDaysBetween('2026-02-12', '2026-02-11')).toBe(0);
  });

  it('workingDaysBetween over whole years equals weekdays minus weekday holidays', () => {
    // 2026 has 261 weekdays; Nieuwjaarsdag, Tweede Paasdag, Koningsdag, Hemelvaartsdag, Tweede Pinksterdag,
    // Eerste Kerstdag fall on weekdays (Tweede Kerstdag is a Saturday).
    expect(workingDaysBetween('2025-12-31', '2026-12-31')).toBe(255);
    expect(workingDaysBetween('2025-12-31', '2026-12-31', ALL_OFF)).toBe(253);
  });

  it('workingDaysBetween agrees with a day-by-day count over random ranges', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 365 * 30 }),
        fc.integer({ min: 0, max: 800 }),
        fc.boolean(),
        fc.boolean(),
        (offset, span, goodFriday, liberationDay) => {
          const opts = { goodFriday, liberationDay };
          const from = addDays('2000-01-01', offset);
          const to = addDays(from, span);
          let expected = 0;
          for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkingDay(d, opts)) expected++;
          expect(workingDaysBetween(from, to, opts)).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('property: addWorkingDays lands on a working day and workingDaysBetween inverts it from a working day', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 365 * 100 }),
        fc.integer({ min: 0, max: 40 }),
        fc.boolean(),
        fc.boolean(),
        (offset, n, goodFriday, liberationDay) => {
          const opts = { goodFriday, liberationDay };
          const date = addDays('1970-01-01', offset);
          const result = addWorkingDays(date, n, opts);
          expect(isWorkingDay(result, opts)).toBe(true);
          expect(result >= date).toBe(true);
          if (isWorkingDay(date, opts)) expect(workingDaysBetween(date, result, opts)).toBe(n);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('calendar arithmetic', () => {
  it('addDays crosses month, year and leap-day boundaries', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-02-11', 0)).toBe('2026-02-11');
  });

  it('addDays is unaffected by DST transitions', () => {
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(addDays('2026-10-24', 2)).toBe('2026-10-26');
  });

  it('addMonths clamps to the end of the target month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-03-31', 1)).toBe('2026-04-30');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonths('2026-11-15', 2)).toBe('2027-01-15');
    expect(addMonths('2026-01-15', -1)).toBe('2025-12-15');
    expect(addMonths('2026-01-15', -13)).toBe('2024-12-15');
    expect(addMonths('2026-05-31', 0)).toBe('2026-05-31');
  });

  it('addYears maps 29 February to 28 February in a non-leap year', () => {
    expect(addYears('2028-02-29', 1)).toBe('2029-02-28');
    expect(addYears('2028-02-29', 4)).toBe('2032-02-29');
    expect(addYears('2028-02-29', -1)).toBe('2027-02-28');
    expect(addYears('2026-06-15', 2)).toBe('2028-06-15');
  });

  it('monthKey, firstOfMonth, previousMonth', () => {
    expect(monthKey('2026-02-11')).toBe('2026-02');
    expect(firstOfMonth(2026, 2)).toBe('2026-02-01');
    expect(firstOfMonth(2026, 12)).toBe('2026-12-01');
    expect(previousMonth(2026, 1)).toEqual({ year: 2025, month: 12 });
    expect(previousMonth(2026, 7)).toEqual({ year: 2026, month: 6 });
    expect(() => firstOfMonth(2026, 13)).toThrow(RangeError);
  });

  it('daysBetween is b - a', () => {
    expect(daysBetween('2026-01-01', '2026-12-31')).toBe(364);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
    expect(daysBetween('2026-02-11', '2026-02-01')).toBe(-10);
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
  });
});

describe('parsing', () => {
  it('parseIsoDate accepts exactly YYYY-MM-DD of an existing date', () => {
    expect(parseIsoDate('2026-02-11')).toBe('2026-02-11');
    expect(parseIsoDate('2028-02-29')).toBe('2028-02-29');
    expect(parseIsoDate('2000-02-29')).toBe('2000-02-29');
  });

  it.each([
    '2026-02-30',
    '2026-02-29',
    '1900-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '2026-1-5',
    '26-01-05',
    '2026/01/05',
    ' 2026-01-05',
    '2026-01-05 ',
    '2026-01-05T00:00:00Z',
    '11-02-2026',
    '',
    '２０２６-01-05',
  ])('parseIsoDate rejects %j', (text) => {
    expect(parseIsoDate(text)).toBeNull();
  });

  it('parseDutchOrIsoDate accepts ISO, DD-MM-YYYY and D-M-YYYY', () => {
    expect(parseDutchOrIsoDate('2026-02-11')).toBe('2026-02-11');
    expect(parseDutchOrIsoDate('11-02-2026')).toBe('2026-02-11');
    expect(parseDutchOrIsoDate('1-2-2026')).toBe('2026-02-01');
    expect(parseDutchOrIsoDate('01-2-2026')).toBe('2026-02-01');
    expect(parseDutchOrIsoDate('29-02-2028')).toBe('2028-02-29');
    expect(parseDutchOrIsoDate(' 11-02-2026 ')).toBe('2026-02-11');
  });

  it.each(['30-02-2026', '31-04-2026', '11-13-2026', '0-1-2026', '11-02-26', '11/02/2026', '111-02-2026', '11-02-2026x', ''])(
    'parseDutchOrIsoDate rejects %j',
    (text) => {
      expect(parseDutchOrIsoDate(text)).toBeNull();
    },
  );
});

describe('todayInAmsterdam', () => {
  it('2026-03-28T23:30:00Z is already 29 March in Amsterdam', () => {
    expect(todayInAmsterdam(new Date('2026-03-28T23:30:00Z'))).toBe('2026-03-29');
  });

  it('midnight around the spring-forward switch (29 March 2026, CET -> CEST)', () => {
    expect(todayInAmsterdam(new Date('2026-03-28T22:59:59Z'))).toBe('2026-03-28');
    expect(todayInAmsterdam(new Date('2026-03-28T23:00:00Z'))).toBe('2026-03-29');
    // After the switch Amsterdam is UTC+2, so the next midnight is at 22:00Z.
    expect(todayInAmsterdam(new Date('2026-03-29T21:59:59Z'))).toBe('2026-03-29');
    expect(todayInAmsterdam(new Date('2026-03-29T22:00:00Z'))).toBe('2026-03-30');
  });

  it('midnight around the fall-back switch (25 October 2026, CEST -> CET)', () => {
    expect(todayInAmsterdam(new Date('2026-10-24T21:59:59Z'))).toBe('2026-10-24');
    expect(todayInAmsterdam(new Date('2026-10-24T22:00:00Z'))).toBe('2026-10-25');
    // After the switch Amsterdam is UTC+1, so the next midnight is at 23:00Z.
    expect(todayInAmsterdam(new Date('2026-10-25T22:59:59Z'))).toBe('2026-10-25');
    expect(todayInAmsterdam(new Date('2026-10-25T23:00:00Z'))).toBe('2026-10-26');
  });

  it('defaults to the current instant', () => {
    expect(parseIsoDate(todayInAmsterdam())).not.toBeNull();
  });
});

describe('formatting', () => {
  it('formatDutchDate is DD-MM-YYYY', () => {
    expect(formatDutchDate('2026-02-11')).toBe('11-02-2026');
    expect(formatDutchDate('2026-12-01')).toBe('01-12-2026');
  });

  it('formatDutchLongDate spells weekday and month in lower-case Dutch', () => {
    expect(formatDutchLongDate('2026-02-11')).toBe('woensdag 11 februari 2026');
    expect(formatDutchLongDate('2026-01-01')).toBe('donderdag 1 januari 2026');
    expect(formatDutchLongDate('2025-04-26')).toBe('zaterdag 26 april 2025');
    expect(formatDutchLongDate('2026-03-29')).toBe('zondag 29 maart 2026');
    expect(formatDutchLongDate('2026-05-25')).toBe('maandag 25 mei 2026');
    expect(formatDutchLongDate('2026-12-29')).toBe('dinsdag 29 december 2026');
    expect(formatDutchLongDate('2027-01-01')).toBe('vrijdag 1 januari 2027');
  });

  it('round-trips through parseDutchOrIsoDate', () => {
    expect(parseDutchOrIsoDate(formatDutchDate('2027-03-29'))).toBe('2027-03-29');
  });
});
