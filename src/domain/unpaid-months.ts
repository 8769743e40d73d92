import type { Cents } from './money.js';

export interface MonthAmount {
  /** YYYY-MM */
  month: string;
  cents: Cents;
}

/**
 * What is still unpaid of each month's charges when payments and credits settle the oldest
 * charges first (art. 6:43 BW: a payment goes to the oldest debt). `charges` oldest first; the
 * result too, months paid in full left out.
 */
export function unpaidByMonth(charges: readonly MonthAmount[], settledCents: Cents): MonthAmount[] {
  let left = Math.max(0, settledCents);
  const out: MonthAmount[] = [];
  for (const c of charges) {
    const paid = Math.min(left, c.cents);
    left -= paid;
    if (c.cents - paid > 0) out.push({ month: c.month, cents: c.cents - paid });
  }
  return out;
}
