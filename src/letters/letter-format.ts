import { MONTHS_NL, formatDutchLongDate, type IsoDate } from '../domain/calendar.js';

/** "4 december 2026": the date line and most dates in a letter. */
export function dutchDate(date: IsoDate): string {
  return formatDutchLongDate(date).replace(/^\S+ /, '');
}

/** "vrijdag 4 december 2026": for deadlines, where the weekday helps the reader plan. */
export function dutchDeadline(date: IsoDate): string {
  return formatDutchLongDate(date);
}

/** "2026-12" → "december 2026". */
export function dutchMonth(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  const name = m ? MONTHS_NL[Number(m[2]) - 1] : undefined;
  return m && name ? `${name} ${m[1]}` : month;
}

/** PostNL writes "1234 AB"; anything that is not a Dutch postcode is printed as stored. */
export function dutchPostcode(postcode: string): string {
  const m = /^\s*(\d{4})\s*([A-Za-z]{2})\s*$/.exec(postcode);
  return m ? `${m[1]} ${m[2]!.toUpperCase()}` : postcode.trim();
}

/** "J. Jansen en M. Jansen". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} en ${names[names.length - 1]}`;
}

/** "Postbus 123, 1000 AB Ergens" → two lines; an address is configured on one line. */
export function addressLines(address: string): string[] {
  return address
    .split(/\s*[,\n]\s*/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}
