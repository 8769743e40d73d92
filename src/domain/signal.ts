import { addMonths, formatDutchDate, type IsoDate } from './calendar.js';

/**
 * Early signalling (vroegsignalering): the report of arrears to the municipality under the Wet
 * gemeentelijke schuldhulpverlening and its Besluit (art. 2). It is the meldingsformulier of P2.a.2.
 *
 * The 14-day letter offers to pass the tenant's contact details on; the tenant may object. An
 * objection means no report, ever; agreement or no reaction within the letter's term means report.
 */

export type SignalStatus = 'none' | 'offered' | 'objected' | 'agreed' | 'no_reaction' | 'reported';

export interface SignalState {
  state: SignalStatus;
  offeredOn: IsoDate | null;
  /** When the tenant objected or agreed; null for no reaction. */
  answeredOn: IsoDate | null;
  reportedOn: IsoDate | null;
}

export const NO_SIGNAL: Readonly<SignalState> = Object.freeze({ state: 'none', offeredOn: null, answeredOn: null, reportedOn: null });

export interface SignalError {
  code: 'invalid_transition' | 'term_not_ended' | 'date_out_of_order';
  /** Dutch: shown to the team member who tried the step. */
  message: string;
}

export type SignalResult = { ok: true; state: SignalState } | { ok: false; error: SignalError };

const STATUS_NL: Record<SignalStatus, string> = {
  none: 'nog niet aangeboden',
  offered: 'aangeboden',
  objected: 'bezwaar gemaakt',
  agreed: 'akkoord',
  no_reaction: 'geen reactie',
  reported: 'gemeld',
};

function refuse(state: SignalState, action: string): SignalResult {
  return {
    ok: false,
    error: {
      code: 'invalid_transition',
      message: `Kan ${action} niet vastleggen: de vroegsignalering staat op "${STATUS_NL[state.state]}".`,
    },
  };
}

function beforeOffer(state: SignalState, on: IsoDate): SignalResult | null {
  if (state.offeredOn !== null && on < state.offeredOn) {
    return {
      ok: false,
      error: {
        code: 'date_out_of_order',
        message: `De datum ${formatDutchDate(on)} ligt vóór het aanbod van ${formatDutchDate(state.offeredOn)}.`,
      },
    };
  }
  return null;
}

/** The 14-day letter offers to pass the contact details on unless the tenant objects (Besluit art. 2 (d)). */
export function offer(state: SignalState, on: IsoDate): SignalResult {
  if (state.state !== 'none') return refuse(state, 'het aanbod');
  return { ok: true, state: { state: 'offered', offeredOn: on, answeredOn: null, reportedOn: null } };
}

/**
 * The tenant objects. Allowed until the report is made, also after an earlier "yes" or after the
 * term passed: the tenant's last word before the report counts (consent can be withdrawn, AVG art. 7 lid 3).
 */
export function recordObjection(state: SignalState, on: IsoDate): SignalResult {
  if (state.state !== 'offered' && state.state !== 'agreed' && state.state !== 'no_reaction') return refuse(state, 'het bezwaar');
  return beforeOffer(state, on) ?? { ok: true, state: { ...state, state: 'objected', answeredOn: on } };
}

/** The tenant agrees; as with objections, a late answer or a change of mind before the report counts. */
export function recordAgreement(state: SignalState, on: IsoDate): SignalResult {
  if (state.state !== 'offered' && state.state !== 'objected' && state.state !== 'no_reaction') return refuse(state, 'het akkoord');
  return beforeOffer(state, on) ?? { ok: true, state: { ...state, state: 'agreed', answeredOn: on } };
}

/** The letter's term ended without an answer. `termEndsOn` is its last day, so this is possible from the day after. */
export function markNoReaction(state: SignalState, on: IsoDate, termEndsOn: IsoDate): SignalResult {
  if (state.state !== 'offered') return refuse(state, '"geen reactie"');
  if (on <= termEndsOn) {
    return {
      ok: false,
      error: {
        code: 'term_not_ended',
        message: `De huurder kan nog reageren tot en met ${formatDutchDate(termEndsOn)}; "geen reactie" kan pas daarna.`,
      },
    };
  }
  return beforeOffer(state, on) ?? { ok: true, state: { ...state, state: 'no_reaction', answeredOn: null } };
}

/** The report is made. Never after an objection: then the tenant's details stay with the corporation. */
export function markReported(state: SignalState, on: IsoDate): SignalResult {
  if (!isReportable(state)) return refuse(state, 'de melding');
  if (state.answeredOn !== null && on < state.answeredOn) {
    return {
      ok: false,
      error: {
        code: 'date_out_of_order',
        message: `De melding (${formatDutchDate(on)}) ligt vóór het antwoord van de huurder (${formatDutchDate(state.answeredOn)}).`,
      },
    };
  }
  return beforeOffer(state, on) ?? { ok: true, state: { ...state, state: 'reported', reportedOn: on } };
}

export function isReportable(state: SignalState): boolean {
  return state.state === 'agreed' || state.state === 'no_reaction';
}

// ---------------------------------------------------------------------------
// Besluit art. 2: what must have happened before a report

export interface ReportFacts {
  contactTriedOn: IsoDate | null;
  debtHelpPointedOn: IsoDate | null;
  /** The written reminder that carried the offer (in this procedure: the 14-day letter). */
  reminderSentOn: IsoDate | null;
  offeredOn: IsoDate | null;
}

export type ReportPrecondition = 'contact_tried' | 'debt_help_pointed' | 'reminder_sent' | 'offer_in_reminder';

export interface MissingPrecondition {
  key: ReportPrecondition;
  /** Dutch, for the team: what still has to happen. */
  label: string;
}

const PRECONDITION_LABELS: Record<ReportPrecondition, string> = {
  contact_tried: 'Persoonlijk contact met de huurder geprobeerd',
  debt_help_pointed: 'Huurder gewezen op schuldhulpverlening',
  reminder_sent: 'Ten minste één schriftelijke betalingsherinnering verstuurd',
  offer_in_reminder: 'In die herinnering aangeboden de contactgegevens door te geven aan de gemeente',
};

/**
 * The preconditions of Besluit gemeentelijke schuldhulpverlening art. 2 that are not yet met, in the
 * order (a) to (d); empty when the report may be made. (d) requires the offer to be made *in* the
 * written reminder, so it is met only when the offer is dated on that reminder: an offer by phone
 * or in a separate letter does not count.
 */
export function reportPreconditions(facts: ReportFacts): MissingPrecondition[] {
  const missing: ReportPrecondition[] = [];
  if (facts.contactTriedOn === null) missing.push('contact_tried');
  if (facts.debtHelpPointedOn === null) missing.push('debt_help_pointed');
  if (facts.reminderSentOn === null) missing.push('reminder_sent');
  if (facts.offeredOn === null || facts.offeredOn !== facts.reminderSentOn) missing.push('offer_in_reminder');
  return missing.map((key) => ({ key, label: PRECONDITION_LABELS[key] }));
}

// ---------------------------------------------------------------------------
// The summons window

/**
 * Some sub-district courts refuse eviction unless the summons comes at least 2 and at most 6 months
 * after the report, so that debt assistance had time to start but the report is still current.
 */
export const SUMMONS_WINDOW_MONTHS = Object.freeze({ earliest: 2, latest: 6 });

/** Whole calendar months from `reportedOn` to `onDate` (the date itself counts as one month later). */
export function monthsSinceReport(reportedOn: IsoDate, onDate: IsoDate): number {
  if (onDate < reportedOn) throw new RangeError(`monthsSinceReport: ${onDate} is before the report on ${reportedOn}`);
  // A first estimate from the month numbers, corrected by at most one, keeps addMonths' end-of-month
  // clamping (31 January + 1 month = 28 February) as the single definition of "a month later".
  const estimate =
    (Number(onDate.slice(0, 4)) - Number(reportedOn.slice(0, 4))) * 12 + (Number(onDate.slice(5, 7)) - Number(reportedOn.slice(5, 7)));
  let months = Math.max(0, estimate);
  while (months > 0 && addMonths(reportedOn, months) > onDate) months--;
  while (addMonths(reportedOn, months + 1) <= onDate) months++;
  return months;
}

export interface SummonsWindow {
  earliest: IsoDate;
  latest: IsoDate;
}

/** Both ends inclusive. */
export function summonsWindow(reportedOn: IsoDate): SummonsWindow {
  return { earliest: addMonths(reportedOn, SUMMONS_WINDOW_MONTHS.earliest), latest: addMonths(reportedOn, SUMMONS_WINDOW_MONTHS.latest) };
}

export type SummonsWindowStatus = 'not_reported' | 'too_early' | 'ok' | 'too_late';

export function summonsWindowStatus(reportedOn: IsoDate | null, onDate: IsoDate): SummonsWindowStatus {
  if (reportedOn === null) return 'not_reported';
  const { earliest, latest } = summonsWindow(reportedOn);
  if (onDate < earliest) return 'too_early';
  if (onDate > latest) return 'too_late';
  return 'ok';
}
