import { TZDate } from '@date-fns/tz';

/** A calendar date as `YYYY-MM-DD`. ISO strings compare correctly with `<`, `>` and `===`. */
export type IsoDate = string;

export interface HolidayOptions {
  /** Goede Vrijdag is a day off only under some collective labour agreements. */
  goodFriday: boolean;
  /** Bevrijdingsdag is a day off only under some agreements (often only in lustrum years). */
  liberationDay: boolean;
}

export const DEFAULT_HOLIDAYS: HolidayOptions = Object.freeze({
  goodFriday: false,
  liberationDay: false,
});

export interface PublicHoliday {
  date: IsoDate;
  name: string;
}

const MS_PER_DAY = 86_400_000;
const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DUTCH_DATE_RE = /^(\d{1,2})-(\d{1,2})-(\d{4})$/;

const WEEKDAYS_NL = ['zondag', 'maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag'] as const;
/** Dutch month names, lower case as Dutch writes them in a date. */
export const MONTHS_NL = [
  'januari',
  'februari',
  'maart',
  'april',
  'mei',
  'juni',
  'juli',
  'augustus',
  'september',
  'oktober',
  'november',
  'december',
] as const;
export const MONTH_ABBR_NL = ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'] as const;

// ---------------------------------------------------------------------------
// Internal representation: whole days since 1970-01-01 (UTC), so that no local
// time zone or DST transition can ever shift a calendar date.

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isValidYmd(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    year >= 0 &&
    year <= 9999 &&
    Number.isInteger(month) &&
    month >= 1 &&
    month <= 12 &&
    Number.isInteger(day) &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

function ymdToDay(year: number, month: number, day: number): number {
  // setUTCFullYear rather than Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.round(d.getTime() / MS_PER_DAY);
}

function dayToYmd(dayNumber: number): { year: number; month: number; day: number } {
  const d = new Date(dayNumber * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function formatYmd(year: number, month: number, day: number): IsoDate {
  if (!isValidYmd(year, month, day)) {
    throw new RangeError(`Date out of supported range: ${year}-${month}-${day}`);
  }
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function dayToIso(dayNumber: number): IsoDate {
  const { year, month, day } = dayToYmd(dayNumber);
  return formatYmd(year, month, day);
}

function parseYmd(date: IsoDate): { year: number; month: number; day: number } {
  const m = ISO_DATE_RE.exec(date);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (isValidYmd(year, month, day)) return { year, month, day };
  }
  // Programming errors (not user input) reach here; user input goes through parseIsoDate.
  throw new RangeError(`Invalid ISO date: ${JSON.stringify(date)}`);
}

function isoToDay(date: IsoDate): number {
  const { year, month, day } = parseYmd(date);
  return ymdToDay(year, month, day);
}

/** 0 = Sunday ... 6 = Saturday. */
function weekdayOfDay(dayNumber: number): number {
  // 1970-01-01 was a Thursday.
  return (((dayNumber + 4) % 7) + 7) % 7;
}

function assertYearMonth(year: number, month: number): void {
  if (!Number.isInteger(year) || year < 0 || year > 9999) throw new RangeError(`Invalid year: ${year}`);
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`Invalid month: ${month}`);
}

function assertInteger(name: string, value: number): void {
  if (!Number.isInteger(value)) throw new RangeError(`${name} must be an integer, got ${value}`);
}

// ---------------------------------------------------------------------------
// Holidays

// Own computation instead of the date-holidays package: that weighs 31 MB and mis-types Good Friday/Liberation Day.
export function easterSunday(year: number): IsoDate {
  if (!Number.isInteger(year) || year < 1583 || year > 9999) {
    // The algorithm is only meaningful for the Gregorian calendar.
    throw new RangeError(`easterSunday: unsupported year ${year}`);
  }
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return formatYmd(year, month, day);
}

interface HolidayYear {
  list: readonly Readonly<PublicHoliday>[];
  /** Day numbers, so hot loops avoid string formatting. Deduplicated: holidays can coincide (e.g. 5 May 2016). */
  days: ReadonlySet<number>;
}

const holidayCache = new Map<string, HolidayYear>();

function holidayYear(year: number, opts: HolidayOptions): HolidayYear {
  const key = `${year}|${opts.goodFriday ? 1 : 0}${opts.liberationDay ? 1 : 0}`;
  const cached = holidayCache.get(key);
  if (cached) return cached;

  const easter = isoToDay(easterSunday(year));
  const entries: { day: number; name: string }[] = [];
  const add = (day: number, name: string): void => {
    entries.push({ day, name });
  };

  add(ymdToDay(year, 1, 1), 'Nieuwjaarsdag');
  if (opts.goodFriday) add(easter - 2, 'Goede Vrijdag');
  add(easter, 'Eerste Paasdag');
  add(easter + 1, 'Tweede Paasdag');
  const kingsDay = ymdToDay(year, 4, 27);
  add(weekdayOfDay(kingsDay) === 0 ? kingsDay - 1 : kingsDay, 'Koningsdag');
  if (opts.liberationDay) add(ymdToDay(year, 5, 5), 'Bevrijdingsdag');
  add(easter + 39, 'Hemelvaartsdag');
  add(easter + 49, 'Eerste Pinksterdag');
  add(easter + 50, 'Tweede Pinksterdag');
  add(ymdToDay(year, 12, 25), 'Eerste Kerstdag');
  add(ymdToDay(year, 12, 26), 'Tweede Kerstdag');

  // Stable sort keeps insertion order for coinciding dates.
  entries.sort((x, y) => x.day - y.day);
  const result: HolidayYear = {
    list: Object.freeze(entries.map((e) => Object.freeze({ date: dayToIso(e.day), name: e.name }))),
    days: new Set(entries.map((e) => e.day)),
  };
  holidayCache.set(key, result);
  return result;
}

/** Dutch public holidays of `year`, sorted by date. Returns a fresh array; callers may mutate it. */
export function dutchPublicHolidays(year: number, opts: HolidayOptions = DEFAULT_HOLIDAYS): PublicHoliday[] {
  return holidayYear(year, opts).list.map((h) => ({ ...h }));
}

function isHolidayDay(dayNumber: number, opts: HolidayOptions): boolean {
  return holidayYear(dayToYmd(dayNumber).year, opts).days.has(dayNumber);
}

function isWorkingDayNumber(dayNumber: number, opts: HolidayOptions): boolean {
  const weekday = weekdayOfDay(dayNumber);
  return weekday !== 0 && weekday !== 6 && !isHolidayDay(dayNumber, opts);
}

export function isHoliday(date: IsoDate, opts: HolidayOptions = DEFAULT_HOLIDAYS): boolean {
  return isHolidayDay(isoToDay(date), opts);
}

/** Monday to Friday and not a public holiday. */
export function isWorkingDay(date: IsoDate, opts: HolidayOptions = DEFAULT_HOLIDAYS): boolean {
  return isWorkingDayNumber(isoToDay(date), opts);
}

// ---------------------------------------------------------------------------
// Working-day arithmetic

/** The n-th (1-based) working day of a month. Throws RangeError if n < 1 or the month has fewer than n working days. */
export function nthWorkingDay(year: number, month: number, n: number, opts: HolidayOptions = DEFAULT_HOLIDAYS): IsoDate {
  assertYearMonth(year, month);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`nthWorkingDay: n must be an integer >= 1, got ${n}`);
  const first = ymdToDay(year, month, 1);
  const length = daysInMonth(year, month);
  let seen = 0;
  for (let offset = 0; offset < length; offset++) {
    if (isWorkingDayNumber(first + offset, opts) && ++seen === n) return dayToIso(first + offset);
  }
  throw new RangeError(`nthWorkingDay: ${year}-${pad(month, 2)} has only ${seen} working days, asked for ${n}`);
}

export function addDays(date: IsoDate, n: number): IsoDate {
  assertInteger('addDays: n', n);
  return dayToIso(isoToDay(date) + n);
}

/**
 * The n-th working day strictly after `date` (n >= 0).
 *
 * n = 0 is the "normalise" case: `date` itself if it is a working day, otherwise the next working day.
 * For n >= 1 the counting starts on the day after `date` whether or not `date` is a working day, so from a
 * Saturday both n = 0 and n = 1 yield the following Monday (when that is a working day).
 * Invariant: if `date` is a working day, workingDaysBetween(date, addWorkingDays(date, n)) === n.
 */
export function addWorkingDays(date: IsoDate, n: number, opts: HolidayOptions = DEFAULT_HOLIDAYS): IsoDate {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`addWorkingDays: n must be an integer >= 0, got ${n}`);
  let day = isoToDay(date);
  if (n === 0) {
    while (!isWorkingDayNumber(day, opts)) day++;
    return dayToIso(day);
  }
  let remaining = n;
  while (remaining > 0) {
    day++;
    if (isWorkingDayNumber(day, opts)) remaining--;
  }
  return dayToIso(day);
}

/** The first working day strictly after `date`. */
export function nextWorkingDay(date: IsoDate, opts: HolidayOptions = DEFAULT_HOLIDAYS): IsoDate {
  return addWorkingDays(date, 1, opts);
}

/** Mon-Fri days among weekday indices [0, t) where index 0 is a Monday; valid for negative t as a signed count. */
function mondayBasedWeekdayPrefix(t: number): number {
  const weeks = Math.floor(t / 7);
  return weeks * 5 + Math.min(t - weeks * 7, 5);
}

/** Number of working days d with from < d <= to (0 when to <= from). */
export function workingDaysBetween(from: IsoDate, to: IsoDate, opts: HolidayOptions = DEFAULT_HOLIDAYS): number {
  const a = isoToDay(from);
  const b = isoToDay(to);
  if (b <= a) return 0;
  // Closed form for weekdays, then subtract weekday holidays, so long spans stay O(years) not O(days).
  // Day 0 (1970-01-01) is a Thursday, i.e. index 3 counted from Monday.
  let count = mondayBasedWeekdayPrefix(b + 3 + 1) - mondayBasedWeekdayPrefix(a + 3 + 1);
  const firstYear = dayToYmd(a + 1).year;
  const lastYear = dayToYmd(b).year;
  for (let year = firstYear; year <= lastYear; year++) {
    for (const day of holidayYear(year, opts).days) {
      const weekday = weekdayOfDay(day);
      if (day > a && day <= b && weekday !== 0 && weekday !== 6) count--;
    }
  }
  return count;
}

// ---------------------------------------------------------------------------
// Calendar arithmetic

/** Adds calendar months, clamping to the end of the target month (2026-01-31 + 1 month = 2026-02-28). */
export function addMonths(date: IsoDate, n: number): IsoDate {
  assertInteger('addMonths: n', n);
  const { year, month, day } = parseYmd(date);
  const index = year * 12 + (month - 1) + n;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  return formatYmd(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
}

/** Adds calendar years; 29 February becomes 28 February in a non-leap target year. */
export function addYears(date: IsoDate, n: number): IsoDate {
  assertInteger('addYears: n', n);
  return addMonths(date, n * 12);
}

/** `YYYY-MM`. */
export function monthKey(date: IsoDate): string {
  parseYmd(date);
  return date.slice(0, 7);
}

export function firstOfMonth(year: number, month: number): IsoDate {
  assertYearMonth(year, month);
  return formatYmd(year, month, 1);
}

export function previousMonth(year: number, month: number): { year: number; month: number } {
  assertYearMonth(year, month);
  return month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 };
}

/** b - a in calendar days (negative when b is before a). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return isoToDay(b) - isoToDay(a);
}

// ---------------------------------------------------------------------------
// Parsing and formatting

/** Exactly `YYYY-MM-DD` of a date that exists; no surrounding whitespace. */
export function parseIsoDate(text: string): IsoDate | null {
  const m = ISO_DATE_RE.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return isValidYmd(year, month, day) ? text : null;
}

/**
 * `YYYY-MM-DD`, or the Dutch `DD-MM-YYYY` / `D-M-YYYY`, of a date that exists.
 * Surrounding whitespace is ignored because this parses what people type in chat.
 */
export function parseDutchOrIsoDate(text: string): IsoDate | null {
  const trimmed = text.trim();
  const iso = parseIsoDate(trimmed);
  if (iso !== null) return iso;
  const m = DUTCH_DATE_RE.exec(trimmed);
  if (!m) return null;
  const day = Number(m[1]);
  const month = Number(m[2]);
  const year = Number(m[3]);
  return isValidYmd(year, month, day) ? formatYmd(year, month, day) : null;
}

/** The calendar date in Amsterdam at instant `now`; the procedure's deadlines follow Dutch local dates. */
export function todayInAmsterdam(now: Date = new Date()): IsoDate {
  const local = new TZDate(now.getTime(), 'Europe/Amsterdam');
  return formatYmd(local.getFullYear(), local.getMonth() + 1, local.getDate());
}

/** `DD-MM-YYYY`, e.g. `11-02-2026`. */
export function formatDutchDate(date: IsoDate): string {
  const { year, month, day } = parseYmd(date);
  return `${pad(day, 2)}-${pad(month, 2)}-${pad(year, 4)}`;
}

/** e.g. `woensdag 11 februari 2026`. */
export function formatDutchLongDate(date: IsoDate): string {
  const { year, month, day } = parseYmd(date);
  const weekday = WEEKDAYS_NL[weekdayOfDay(ymdToDay(year, month, day))];
  return `${weekday} ${day} ${MONTHS_NL[month - 1]} ${year}`;
}
