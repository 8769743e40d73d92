import type { IsoDate } from '../domain/calendar.js';
import type { CaseState } from '../domain/case-state.js';
import type { Cents } from '../domain/money.js';
import type { LetterKind } from './letter-kinds.js';

/** A dossier event as a letter may show it: summaries only, never note texts. */
export interface LetterEvent {
  on: IsoDate;
  type: string;
  clause: string | null;
  actor: string;
  summary: string;
}

/** Everything a letter may draw from; the caller gathers it from the database. */
export interface LetterSource {
  kind: LetterKind;
  contractId: string;
  /** The sending date: the day the bot makes the letter. */
  letterDate: IsoDate;
  /** 1 or 2 names as in the ERP. */
  tenants: string[];
  /** Street + house number as in the ERP, e.g. "Dorpsstraat 12 A". */
  address: string;
  /** As stored, e.g. "1234AB". */
  postcode: string;
  city: string;
  monthlyRentCents: Cents;
  /** B(letterDate): positive means the tenant owes. */
  balanceCents: Cents;
  /** The case's facts when the letter is made. */
  state: CaseState;
  /** Charges (rent and costs) per month still unpaid on letterDate, oldest first; payments settle the oldest charges first. */
  unpaidByMonth: { month: string /* YYYY-MM */; cents: Cents }[];
  /** The dossier's events, oldest first (summaries only, never note texts). */
  events: LetterEvent[];
  earlierVerdictDate: IsoDate | null;
}
