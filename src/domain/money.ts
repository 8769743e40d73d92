/** An amount of money in whole euro cents; always a safe integer so arithmetic stays exact. */
export type Cents = number;

// One optional decimal separator (either `.` or `,`) with at most two decimals. Anything with two separators
// is rejected rather than guessed at, because `1.234` would mean 1234 euro to a Dutch reader and 1,234 to others.
const AMOUNT_RE = /^(\d+)(?:[.,](\d{1,2}))?$/;
const MAX_CENTS = BigInt(Number.MAX_SAFE_INTEGER);

function assertCents(cents: Cents): void {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`Not a whole number of cents: ${cents}`);
}

/** Dutch notation: `€ 1.234,56`, `€ 0,05`, `-€ 12,00`. */
export function formatEuro(cents: Cents): string {
  assertCents(cents);
  const abs = Math.abs(cents);
  const euros = Math.floor(abs / 100);
  const rest = abs % 100;
  const grouped = String(euros).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${cents < 0 ? '-' : ''}€ ${grouped},${String(rest).padStart(2, '0')}`;
}

/**
 * Parses an unsigned euro amount typed by a person: `712`, `712.35`, `712,35`, `712,5` (= 71250 cents).
 * Rejects thousands separators, more than two decimals, signs, currency symbols and inner spaces;
 * surrounding whitespace is ignored. Digits are handled as strings so the result is exact.
 */
export function parseEuroAmount(text: string): Cents | null {
  const m = AMOUNT_RE.exec(text.trim());
  if (!m) return null;
  const whole = m[1] ?? '0';
  const fraction = (m[2] ?? '').padEnd(2, '0');
  const cents = BigInt(whole) * 100n + BigInt(fraction);
  return cents > MAX_CENTS ? null : Number(cents);
}

/**
 * Arrears expressed in monthly rents, rounded half up to one decimal.
 * 0 when there is no arrears or no positive rent to measure against.
 */
export function monthsInArrears(balanceCents: Cents, monthlyRentCents: Cents): number {
  assertCents(balanceCents);
  assertCents(monthlyRentCents);
  if (monthlyRentCents <= 0 || balanceCents <= 0) return 0;
  // Integer numerator and denominator: an exact .5 tenth divides to exactly .5, so rounding is not skewed.
  return Math.round((balanceCents * 10) / monthlyRentCents) / 10;
}

/** `2,0 maanden`, `1,0 maand`, `0,5 maanden`: singular only for exactly one month after rounding. */
export function formatMonthsNl(months: number): string {
  if (!Number.isFinite(months)) throw new RangeError(`Not a finite number of months: ${months}`);
  const tenths = Math.round(months * 10);
  const sign = tenths < 0 ? '-' : '';
  const abs = Math.abs(tenths);
  const text = `${sign}${Math.floor(abs / 10)},${abs % 10}`;
  return `${text} ${abs === 10 ? 'maand' : 'maanden'}`;
}
