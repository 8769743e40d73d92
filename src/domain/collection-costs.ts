import { DEFAULT_HOLIDAYS, addDays, addWorkingDays, isWorkingDay, nextWorkingDay, type HolidayOptions, type IsoDate } from './calendar.js';
import type { Cents } from './money.js';

/**
 * Statutory collection costs (buitengerechtelijke incassokosten) and the dates of the 14-day letter
 * that makes them payable (art. 6:96 lid 5 and 6 BW). A judge checks both before granting costs,
 * so the bot computes them and never lets anyone type them.
 */

export interface CostBand {
  /** Width of the band in cents; null for the open-ended top band. */
  widthCents: Cents | null;
  /** Rate in thousandths (15% = 150), so the whole computation stays in integers. */
  perMille: number;
}

export interface CollectionCostScale {
  bands: readonly Readonly<CostBand>[];
  minimumCents: Cents;
  maximumCents: Cents;
}

/** Besluit vergoeding voor buitengerechtelijke incassokosten, art. 2 lid 1 (amounts since 1 July 2012). */
export const STATUTORY_COLLECTION_COSTS: Readonly<CollectionCostScale> = Object.freeze({
  bands: Object.freeze([
    Object.freeze({ widthCents: 250_000, perMille: 150 }), // 15% of the first € 2.500
    Object.freeze({ widthCents: 250_000, perMille: 100 }), // 10% of the next € 2.500
    Object.freeze({ widthCents: 500_000, perMille: 50 }), // 5% of the next € 5.000
    Object.freeze({ widthCents: 19_000_000, perMille: 10 }), // 1% of the next € 190.000
    Object.freeze({ widthCents: null, perMille: 5 }), // 0,5% above € 200.000
  ]),
  minimumCents: 4_000, // art. 2 lid 1: at least € 40
  maximumCents: 677_500, // art. 2 lid 1: at most € 6.775
});

/**
 * The statutory collection costs over a principal, in whole cents.
 *
 * Rounding: the exact amount is computed in thousandths of a cent and the total is rounded once,
 * half up. With the statutory scale this equals rounding each band, because every full band yields
 * whole cents (€ 375, € 250, € 250, € 1.900) and only the last, partial band has a fraction; rounding
 * the total keeps that true for any configured scale and never drifts more than half a cent from
 * the amount the Besluit defines.
 *
 * A principal of zero or less gives 0: without a claim there are no costs, and the € 40 minimum
 * applies only to a claim that exists.
 */
export function collectionCostsCents(principalCents: Cents, scale: Readonly<CollectionCostScale> = STATUTORY_COLLECTION_COSTS): Cents {
  if (!Number.isSafeInteger(principalCents)) throw new RangeError(`Not a whole number of cents: ${principalCents}`);
  if (principalCents <= 0) return 0;

  let remaining = principalCents;
  let milliCents = 0;
  for (const band of scale.bands) {
    if (remaining <= 0) break;
    const inBand = band.widthCents === null ? remaining : Math.min(remaining, band.widthCents);
    milliCents += inBand * band.perMille;
    remaining -= inBand;
  }
  // Past the maximum the exact figure no longer matters, and capping first keeps milliCents far from
  // the safe-integer limit for absurd principals.
  const rounded = Math.floor((Math.min(milliCents, scale.maximumCents * 1000) + 500) / 1000);
  return Math.min(scale.maximumCents, Math.max(scale.minimumCents, rounded));
}

// ---------------------------------------------------------------------------
// The 14-day letter

/** art. 6:96 lid 6 BW: the reminder must give the debtor at least 14 days to pay. */
export const STATUTORY_REMINDER_TERM_DAYS = 14;

export interface ReminderLetterTerms {
  sentOn: IsoDate;
  /** Assumed receipt: the first working day after sending. */
  receivedOn: IsoDate;
  /** Day 1 of the term: the day after receipt. */
  termStartsOn: IsoDate;
  /** The last day the tenant may pay without costs becoming due. */
  termEndsOn: IsoDate;
}

/**
 * The dates of a 14-day letter (P1, P1.b; art. 6:96 lid 6 BW).
 *
 * The term counts from the day *after receipt*: a term counted from the letter date is too short
 * and voids the claim for costs (HR 25-11-2016, ECLI:NL:HR:2016:2704). Receipt is assumed on the
 * first working day after sending, so the 14 full days run from the day after that.
 *
 * When the last day falls on a Saturday, Sunday or public holiday the term runs on to the next day
 * that is none of these (Algemene termijnenwet art. 1 lid 1). The Atw's own holiday list (art. 3)
 * is wider than the corporation's days off: it always includes Goede Vrijdag and 5 May, so the
 * term end uses all of them whatever `holidays` says; extending a term never harms its validity,
 * shortening it would. Days the Crown equates with holidays for a given year (art. 3 lid 3, e.g.
 * the Friday after Ascension Day) are published in the Staatscourant and cannot be computed: pass
 * them as `equatedDays`.
 *
 * @param holidays the corporation's days off, used for the assumed receipt only.
 */
export function reminderLetterTerms(
  sentOn: IsoDate,
  termDays: number = STATUTORY_REMINDER_TERM_DAYS,
  holidays: HolidayOptions = DEFAULT_HOLIDAYS,
  equatedDays: readonly IsoDate[] = [],
): ReminderLetterTerms {
  if (!Number.isInteger(termDays) || termDays < STATUTORY_REMINDER_TERM_DAYS) {
    // A shorter term makes the collection costs unclaimable, so it is a configuration error, not a choice.
    throw new RangeError(`reminderLetterTerms: termDays must be an integer >= ${STATUTORY_REMINDER_TERM_DAYS}, got ${termDays}`);
  }
  const receivedOn = nextWorkingDay(sentOn, holidays);
  const termStartsOn = addDays(receivedOn, 1);
  const termEndsOn = extendPastNonTermDays(addDays(receivedOn, termDays), equatedDays);
  return { sentOn, receivedOn, termStartsOn, termEndsOn };
}

const ATW_HOLIDAYS: HolidayOptions = Object.freeze({ goodFriday: true, liberationDay: true });

function extendPastNonTermDays(date: IsoDate, equatedDays: readonly IsoDate[]): IsoDate {
  let day = date;
  // Each step lands on an Atw working day; an equated day there pushes one step further.
  for (;;) {
    day = addWorkingDays(day, 0, ATW_HOLIDAYS);
    if (!equatedDays.includes(day)) return day;
    day = addDays(day, 1);
  }
}

/** True when `date` is a day on which a statutory term may end (Algemene termijnenwet art. 1 and 3). */
export function isTermEndDay(date: IsoDate, equatedDays: readonly IsoDate[] = []): boolean {
  return isWorkingDay(date, ATW_HOLIDAYS) && !equatedDays.includes(date);
}
