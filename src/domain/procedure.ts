import type { MonthArrears } from './arrears.js';
import { addDays, addWorkingDays, addYears, formatDutchDate, type IsoDate } from './calendar.js';
import { STAGES_BEFORE_VERDICT, type CaseState, type ClosedReason, type OpenStage, type ProcedureRules } from './case-state.js';
import { collectionCostsCents, reminderLetterTerms } from './collection-costs.js';
import { isArrangementBroken } from './arrangement.js';
import { formatEuro, formatMonthsNl } from './money.js';
import { decide } from './vote.js';
import { markNoReaction, NO_SIGNAL, offer, type SignalState } from './signal.js';

/**
 * The procedure as a pure state machine: given one tenancy's facts on one day, the transitions
 * due. The daily run feeds every tenancy through `evaluateDay`; the team's actions go through
 * the outcome rules in ./outcomes.ts. Every transition names the clause that calls for it.
 */

export interface TenancyDay {
  contractId: string;
  monthlyRentCents: number;
  endDate: IsoDate | null;
  /** Probation after an earlier postponed eviction (P4.a.1), if it runs on this day. */
  probationUntil: IsoDate | null;
  /** B(date): what the tenant owes today. */
  balanceCents: number;
  /** The month's arrears on the run that does the month's detection (P1.a), else null. */
  month: MonthArrears | null;
  /** The tenancy was evicted: no new case opens, whatever the ledger says. */
  evicted?: boolean;
  /**
   * For a case at `verdict`: the balance on its pay-by date (a payment booked in time counts
   * even when a later run first sees it, P4.a) and the costs booked since the registration.
   */
  verdictBalance?: { balanceCents: number; costsBookedSinceCents: number };
}

export interface OpenCase {
  id: number;
  stage: OpenStage;
  openedOn: IsoDate;
  stageSince: IsoDate;
  state: CaseState;
}

interface Change {
  clause: string | null;
  /** Dutch, for the dossier and Slack: why this happened. */
  summary: string;
  state: CaseState;
}

export type Transition =
  | ({ type: 'open'; to: OpenStage } & Change)
  | ({ type: 'move'; from: OpenStage; to: OpenStage } & Change)
  | ({ type: 'close'; from: OpenStage; reason: ClosedReason } & Change)
  /** Facts change without a stage change (a hold ends, a vote closes without a decision). */
  | ({ type: 'update'; stage: OpenStage; event: string } & Change);

/** Stages where a paid balance closes the case; from the verdict on, P4 decides. */
const PAYABLE = STAGES_BEFORE_VERDICT;

export const STAGE_CLAUSE: Record<OpenStage, string> = {
  reminder: 'P1',
  contact: 'P2',
  visit: 'P2.d',
  arrangement: 'P2.c.4',
  escalation: 'P3.a',
  bailiff: 'P3.b',
  mt_vote: 'P3.c',
  eviction_procedure: 'P3.d',
  verdict: 'P4',
};

function arrearsText(month: MonthArrears): string {
  return `${formatEuro(month.balanceCents)} (${formatMonthsNl(month.monthsInArrears)}) op ${formatDutchDate(month.detectionDay)}`;
}

/** The transitions due for one tenancy on one working day (at most one per tenancy and day). */
export function evaluateDay(date: IsoDate, tenancy: TenancyDay, open: OpenCase | null, rules: ProcedureRules): Transition[] {
  if (!open) {
    const opened = openCase(date, tenancy, rules);
    return opened ? [opened] : [];
  }
  // The tenant's silence on the letter's offer is a fact of its own (P2.a.2); it rides along
  // with a stage change that day, or is recorded alone.
  const signalled = noReactionDue(open, date);
  const t = progressCase(date, tenancy, signalled ?? open, rules);
  if (t && signalled) {
    return [{ ...t, summary: `${t.summary}; geen reactie op het aanbod in de 14-dagenbrief: de gegevens mogen naar de gemeente (P2.a.2)` }];
  }
  if (t) return [t];
  if (!signalled) return [];
  return [
    {
      type: 'update',
      stage: open.stage,
      event: 'signal_no_reaction',
      clause: 'P2.a.2',
      summary: `Geen reactie op het aanbod in de 14-dagenbrief (termijn tot ${formatDutchDate(open.state.letter!.termEndsOn)}): de gegevens mogen naar de gemeente (vroegsignalering)`,
      state: signalled.state,
    },
  ];
}

function noReactionDue(open: OpenCase, date: IsoDate): OpenCase | null {
  const { signal, letter } = open.state;
  if (signal?.state !== 'offered' || !letter || date <= letter.termEndsOn) return null;
  // Not while a hold runs: a tenant in debt restructuring is not reported meanwhile.
  if (open.state.hold && open.state.hold.until >= date) return null;
  const result = markNoReaction(signal, date, letter.termEndsOn);
  return result.ok ? { ...open, state: { ...open.state, signal: result.state } } : null;
}

/** The 14-day letter offers to pass the contact details to the municipality (Besluit art. 2 sub d). */
function offeredSignal(date: IsoDate): SignalState {
  const result = offer(NO_SIGNAL, date);
  if (!result.ok) throw new Error(result.error.message);
  return result.state;
}

function openCase(date: IsoDate, tenancy: TenancyDay, rules: ProcedureRules): Transition | null {
  const month = tenancy.month;
  if (!month?.late) return null;
  if (tenancy.endDate && tenancy.endDate <= date) return null;
  if (tenancy.evicted) return null;

  if (tenancy.probationUntil && tenancy.probationUntil >= date) {
    // P4.a.3: the last-warning letter said what new arrears within probation lead to.
    const state: CaseState = {
      duringProbation: true,
      escalation: { since: date, reason: 'nieuwe achterstand tijdens de proeftijd' },
      // The letter is still what makes collection costs due (art. 6:96 lid 6 BW).
      letter: reminderLetter(date, month.balanceCents, rules),
      signal: offeredSignal(date),
    };
    return {
      type: 'open',
      to: 'escalation',
      clause: 'P4.a.3',
      summary: `Nieuwe achterstand ${arrearsText(month)} tijdens de proeftijd (tot ${formatDutchDate(tenancy.probationUntil)}): direct naar teambespreking`,
      state: state,
    };
  }

  if (month.lateBefore) {
    // P2: paid late two months in a row: contact straight away.
    const state: CaseState = { contactSince: date, letter: reminderLetter(date, month.balanceCents, rules), signal: offeredSignal(date) };
    return {
      type: 'open',
      to: 'contact',
      clause: 'P2',
      summary: `Tweede maand achterstand ${arrearsText(month)}: 14-dagenbrief en contact met de huurder`,
      state: state,
    };
  }

  const state: CaseState = { letter: reminderLetter(date, month.balanceCents, rules), signal: offeredSignal(date) };
  return {
    type: 'open',
    to: 'reminder',
    clause: 'P1',
    summary: `Achterstand ${arrearsText(month)}: 14-dagenbrief met folder Traverse, termijn tot ${formatDutchDate(state.letter!.termEndsOn)}`,
    state: state,
  };
}

/** The 14-day letter's facts: its term from the day after assumed receipt, the statutory costs (art. 6:96 lid 6 BW). */
export function reminderLetter(sentOn: IsoDate, principalCents: number, rules: Pick<ProcedureRules, 'reminderTermDays' | 'holidays'>) {
  const terms = reminderLetterTerms(sentOn, rules.reminderTermDays, rules.holidays);
  return {
    sentOn,
    receivedOn: terms.receivedOn,
    termEndsOn: terms.termEndsOn,
    principalCents,
    costsCents: collectionCostsCents(principalCents),
  };
}

function move(from: OpenStage, to: OpenStage, clause: string, summary: string, state: CaseState): Transition {
  return { type: 'move', from, to, clause, summary, state };
}

function toEscalation(open: OpenCase, clause: string, reason: string, date: IsoDate): Transition {
  const state: CaseState = { ...open.state, escalation: { since: date, reason } };
  delete state.vote;
  return move(open.stage, 'escalation', clause, `Naar teambespreking: ${reason}`, state);
}

function progressCase(date: IsoDate, tenancy: TenancyDay, open: OpenCase, rules: ProcedureRules): Transition | null {
  const { stage, state } = open;

  if (tenancy.endDate && tenancy.endDate <= date && stage !== 'verdict') {
    return {
      type: 'close',
      from: stage,
      reason: 'ended',
      clause: STAGE_CLAUSE[stage],
      summary: `Huurovereenkomst beëindigd per ${formatDutchDate(tenancy.endDate)}: zaak gesloten`,
      state,
    };
  }

  const repeatVerdictVote = stage === 'mt_vote' && state.vote?.kind === 'repeat_verdict';
  if (PAYABLE.includes(stage) && !repeatVerdictVote && tenancy.balanceCents <= rules.minimumArrearsCents) {
    return {
      type: 'close',
      from: stage,
      reason: 'paid',
      clause: STAGE_CLAUSE[stage],
      summary: `Achterstand betaald (saldo ${formatEuro(tenancy.balanceCents)}): zaak gesloten`,
      state,
    };
  }

  if (stage === 'verdict' && state.verdict) {
    const v = state.verdict;
    // What is still owed by the pay-by date: the ledger then, plus verdict costs the ERP has not booked yet.
    const atPayBy = tenancy.verdictBalance ?? { balanceCents: tenancy.balanceCents, costsBookedSinceCents: 0 };
    const unbooked = Math.max(0, (v.unbookedCents ?? 0) - atPayBy.costsBookedSinceCents);
    const owed = atPayBy.balanceCents + unbooked;
    if (v.first && owed <= rules.minimumArrearsCents) {
      // P4.a: first verdict, paid in full in time: eviction postponed, 2 years' probation.
      const probationUntil = addYears(date, rules.probationYears);
      return {
        type: 'close',
        from: stage,
        reason: 'postponed',
        clause: 'P4.a.1',
        summary: `Volledig betaald vóór ${formatDutchDate(v.payBy)}: ontruiming uitgesteld, laatste waarschuwing, proeftijd tot ${formatDutchDate(probationUntil)}`,
        state: { ...state, probationUntil },
      };
    }
    if (date >= v.evictionOn) {
      return {
        type: 'close',
        from: stage,
        reason: 'evicted',
        clause: v.first ? 'P4.a' : 'P4.b',
        summary: v.first
          ? `Ontruimingsdatum ${formatDutchDate(v.evictionOn)} bereikt zonder volledige betaling vóór ${formatDutchDate(v.payBy)} (nog ${formatEuro(owed)}): ontruimd`
          : `Ontruimingsdatum ${formatDutchDate(v.evictionOn)} na het MT-besluit (eerder vonnis): ontruimd`,
        state,
      };
    }
    return null;
  }

  if (state.hold) {
    if (state.hold.until >= date) return null; // a hold pauses every escalation
    const next: CaseState = { ...state };
    delete next.hold;
    const ended = `Pauze (${state.hold.reason}) afgelopen op ${formatDutchDate(state.hold.until)}`;
    // The day goes on without the hold: a detection day right after it must not be lost.
    const then = progressCase(date, tenancy, { ...open, state: next }, rules);
    if (then) return { ...then, summary: `${ended}; ${then.summary}` };
    return { type: 'update', stage, event: 'hold_ended', clause: null, summary: `${ended}: de procedure loopt weer`, state: next };
  }

  // Deadlines, checked every working day.
  if (stage === 'visit' && state.visit?.cardTermEndsOn && state.visit.cardTermEndsOn < date) {
    const answered = state.conversationOn && state.visit.cardLeftOn && state.conversationOn >= state.visit.cardLeftOn;
    if (!answered) {
      return toEscalation(
        open,
        'P2.d.2',
        `geen reactie op de kaart binnen de termijn (tot ${formatDutchDate(state.visit.cardTermEndsOn)})`,
        date,
      );
    }
  }
  if (stage === 'bailiff' && state.bailiff && state.bailiff.termEndsOn < date) {
    const vote = {
      kind: 'eviction' as const,
      openedOn: date,
      closesOn: addWorkingDays(date, rules.voteTermWorkdays, rules.holidays),
      ballots: {},
    };
    return move(
      stage,
      'mt_vote',
      'P3.c',
      `Termijn deurwaarder verstreken (${formatDutchDate(state.bailiff.termEndsOn)}) zonder effect: MT besluit over de ontruimingsprocedure`,
      { ...state, vote },
    );
  }
  if (stage === 'mt_vote' && state.vote && state.vote.closesOn <= date) {
    return closeVote(open, date, rules, true);
  }

  // The month's detection (P1.a), once a month.
  const month = tenancy.month;
  if (!month) return null;
  if (stage === 'reminder' && (month.grew || (month.lateBefore && month.late))) {
    const why = month.grew ? 'de achterstand groeide (tweede maand)' : 'twee maanden na elkaar te laat betaald';
    return move(stage, 'contact', 'P2', `${why}: ${arrearsText(month)}; bel of nodig uit`, { ...state, contactSince: date });
  }
  if (stage === 'contact' || stage === 'visit') {
    if (month.grew) return toEscalation(open, 'P3', `de achterstand groeide verder: ${arrearsText(month)}`, date);
    const since = state.contactSince ?? open.stageSince;
    if (!state.conversationOn || state.conversationOn < since) {
      return toEscalation(open, 'P3', `geen gesprek vastgelegd sinds ${formatDutchDate(since)}`, date);
    }
  }
  if (stage === 'arrangement' && state.arrangement) {
    const broken = isArrangementBroken({
      arrangement: state.arrangement,
      balanceCents: month.balanceCents,
      onDate: month.detectionDay,
      toleranceCents: rules.minimumArrearsCents,
    });
    if (broken) return toEscalation(open, 'P3', `betalingsregeling niet nagekomen: ${arrearsText(month)}`, date);
  }
  return null;
}

/** Closes an MT vote; at its term (`termPassed`) a vote without a decision closes too. */
export function closeVote(open: OpenCase, date: IsoDate, rules: ProcedureRules, termPassed: boolean): Transition | null {
  const vote = open.state.vote;
  if (!vote) return null;
  const result = decide(vote.ballots, { quorum: rules.mtQuorum, members: rules.mtMembers }, { termPassed });
  if (result.status === 'open') return null;
  // The ballots stay with the decision: who voted how is part of the evidence.
  const state: CaseState = { ...open.state, mtDecision: { on: date, outcome: result.status, kind: vote.kind, ballots: vote.ballots } };
  delete state.vote;
  const tally = Object.values(vote.ballots);
  const count = (b: string) => tally.filter((x) => x === b).length;
  const stand = `${count('for')} voor, ${count('against')} tegen, ${count('abstain')} onthouding`;
  if (result.status === 'approved') {
    if (vote.kind === 'repeat_verdict' && state.verdict) {
      // P4.b: the MT decides to evict; the case closes on the eviction date, not before.
      return move(
        'mt_vote',
        'verdict',
        'P4.b',
        `MT besluit tot ontruiming na eerder vonnis (${stand}): ontruiming op ${formatDutchDate(state.verdict.evictionOn)}`,
        state,
      );
    }
    return move(
      'mt_vote',
      'eviction_procedure',
      'P3.d',
      `MT stemt in met de ontruimingsprocedure (${stand}): de deurwaarder start ontbinding en ontruiming`,
      state,
    );
  }
  const why = result.status === 'no_quorum' ? `geen quorum (${stand})` : `MT stemt tegen (${stand})`;
  return toEscalation({ ...open, state }, 'P3.c', why, date);
}

/** P4.a: full payment is due `paidBeforeEvictionHours` before the eviction: the last calendar day it can arrive. */
export function payByDate(evictionOn: IsoDate, rules: ProcedureRules): IsoDate {
  return addDays(evictionOn, -Math.ceil(rules.paidBeforeEvictionHours / 24));
}
