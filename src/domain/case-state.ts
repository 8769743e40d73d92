import type { Config } from '../config.js';
import type { ArrearsRules } from './arrears.js';
import type { HolidayOptions, IsoDate } from './calendar.js';
import type { Cents } from './money.js';
import type { SignalState } from './signal.js';

/**
 * The facts a case carries, stored as JSON with the case. The events are its history; this is
 * what the rules need to decide the next step without reading that history back.
 */

export const OPEN_STAGES = [
  'reminder',
  'contact',
  'visit',
  'arrangement',
  'escalation',
  'bailiff',
  'mt_vote',
  'eviction_procedure',
  'verdict',
] as const;
export type OpenStage = (typeof OPEN_STAGES)[number];

/** The stages before the verdict: from the verdict on, the court's dates decide (P4). */
export const STAGES_BEFORE_VERDICT: readonly OpenStage[] = OPEN_STAGES.filter((s) => s !== 'verdict');

/** Each stage's Dutch name, as the team says it. */
export const STAGE_NAMES_NL: Readonly<Record<OpenStage, string>> = {
  reminder: '14-dagenbrief',
  contact: 'contact',
  visit: 'huisbezoek',
  arrangement: 'betalingsregeling',
  escalation: 'teambespreking',
  bailiff: 'deurwaarder',
  mt_vote: 'MT-besluit',
  eviction_procedure: 'ontruimingsprocedure',
  verdict: 'vonnis',
};

/** Shorter still, for counts in one line (digests, overviews). */
export const STAGE_SHORT_NL: Readonly<Record<OpenStage, string>> = {
  ...STAGE_NAMES_NL,
  arrangement: 'regeling',
  escalation: 'bespreking',
};
export type ClosedReason = 'paid' | 'postponed' | 'evicted' | 'ended';

export type Ballot = 'for' | 'against' | 'abstain';
export type HoldReason = 'moratorium' | 'wsnp' | 'debt_help';

export interface ReminderLetter {
  sentOn: IsoDate;
  /** Assumed receipt: the next working day after sending. */
  receivedOn: IsoDate;
  /** 14 days counted from the day after receipt (art. 6:96 lid 6 BW). */
  termEndsOn: IsoDate;
  principalCents: Cents;
  /** The statutory collection costs the letter announces. */
  costsCents: Cents;
}

export interface Installment {
  dueOn: IsoDate;
  amountCents: Cents;
}

export interface ArrangementFacts {
  agreedOn: IsoDate;
  arrearsCents: Cents;
  installments: Installment[];
  /** The monthly rent when agreed: the tenant pays the running rent on top of the installments (P2.b.1). */
  monthlyRentCents: Cents;
}

export interface VoteFacts {
  kind: 'eviction' | 'repeat_verdict';
  openedOn: IsoDate;
  closesOn: IsoDate;
  ballots: Record<string, Ballot>;
}

/**
 * What was agreed in the conversation (P2.a), for the confirmation letter (P2.a.4). Only yes/no
 * facts: the cause the tenant told (P2.a.1) may touch on health, so it is kept as a note event.
 */
export interface AgreementFacts {
  agreedOn: IsoDate;
  /** Where the conversation took place: at the office or on the phone, or during a home visit (P2.d.1). */
  via: 'conversation' | 'home_visit';
  /** P2.b: the arrears the letter states. */
  arrearsCents: Cents;
  /** P2.a.2: the tenant agreed to the meldingsformulier. */
  referralConsent: boolean;
  /** P2.a.3: collection, bailiff and eviction were explained. */
  consequencesExplained: true;
  /** P2.b.1–4 */
  obligations: { noNewArrears: boolean; registerWithAid: boolean; reportRegistration: boolean; paymentArrangement: boolean };
  /** P2.c.1–4 */
  commitments: { passDetailsOn: boolean; noCollection: boolean; noInterest: boolean; acceptArrangement: boolean };
}

export interface CaseState {
  letter?: ReminderLetter;
  /** The agreements of the last conversation (P2.a.4). */
  agreement?: AgreementFacts;
  /** When the case entered `contact` (P2): a conversation must follow. */
  contactSince?: IsoDate;
  /** The last conversation recorded (P2.a). */
  conversationOn?: IsoDate;
  noResponseOn?: IsoDate;
  visit?: { visitedOn?: IsoDate; employees?: [string, string]; cardLeftOn?: IsoDate; cardTermEndsOn?: IsoDate };
  arrangement?: ArrangementFacts;
  escalation?: { since: IsoDate; reason: string };
  mass?: {
    discussedOn: IsoDate;
    childrenInHome: boolean;
    referralGrounds: boolean;
    nuisance: boolean;
    structuralProblems: boolean;
    earlierVerdict: boolean;
  };
  bailiff?: { handedOn: IsoDate; termEndsOn: IsoDate };
  vote?: VoteFacts;
  mtDecision?: { on: IsoDate; outcome: 'approved' | 'rejected' | 'no_quorum'; kind: VoteFacts['kind']; ballots: Record<string, Ballot> };
  verdict?: {
    verdictOn: IsoDate;
    evictionOn: IsoDate;
    amountCents: Cents;
    first: boolean;
    payBy: IsoDate;
    /** Registered on; costs booked after it reduce `unbookedCents`. */
    registeredOn?: IsoDate;
    /** The part of the verdict amount (court costs) the ledger did not hold at registration. */
    unbookedCents?: Cents;
  };
  hold?: { reason: HoldReason; since: IsoDate; until: IsoDate; note?: string };
  /** Early signalling to the municipality (P2.a.2; Besluit gemeentelijke schuldhulpverlening art. 2). */
  signal?: SignalState;
  /** The case opened while the tenancy was on probation (P4.a.3). */
  duringProbation?: boolean;
  /** Set when the case closes as `postponed` (P4.a.1). */
  probationUntil?: IsoDate;
}

/** Every number of the procedure, from the configuration. */
export interface ProcedureRules extends ArrearsRules {
  reminderTermDays: number;
  cardTermDays: number;
  bailiffTermDays: number;
  maxArrangementMonths: number;
  probationYears: number;
  paidBeforeEvictionHours: number;
  voteTermWorkdays: number;
  mtQuorum: number;
  /** Known MT members; empty when membership comes from a Slack user group (then no early close). */
  mtMembers: readonly string[];
  holidays: HolidayOptions;
}

export function procedureRules(config: Config): ProcedureRules {
  return {
    detectionWorkday: config.detectionWorkday,
    minimumArrearsCents: config.minimumArrears,
    holidays: config.holidays,
    reminderTermDays: config.reminderTermDays,
    cardTermDays: config.cardTermDays,
    bailiffTermDays: config.bailiffTermDays,
    maxArrangementMonths: config.maxArrangementMonths,
    probationYears: config.probationYears,
    paidBeforeEvictionHours: config.paidBeforeEvictionHours,
    voteTermWorkdays: config.mt?.voteTermWorkdays ?? 3,
    mtQuorum: config.mt?.quorum ?? 3,
    mtMembers: config.mt?.members ?? [],
  };
}
