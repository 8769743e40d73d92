import { validateArrangement, type Installment } from './arrangement.js';
import { addDays, addMonths, addWorkingDays, formatDutchDate, parseIsoDate, type IsoDate } from './calendar.js';
import {
  STAGE_NAMES_NL,
  STAGES_BEFORE_VERDICT,
  type AgreementFacts,
  type Ballot,
  type CaseState,
  type HoldReason,
  type OpenStage,
  type ProcedureRules,
} from './case-state.js';
import { formatEuro, type Cents } from './money.js';
import { holdLabel } from './next-step.js';
import { closeVote, payByDate, STAGE_CLAUSE, type OpenCase, type Transition } from './procedure.js';
import { NO_SIGNAL, recordAgreement, recordObjection, summonsWindow, summonsWindowStatus, type SignalState } from './signal.js';
import { castBallot, tally } from './vote.js';

/**
 * What the team and the MT record, as pure rules: given the open case, what they entered and the
 * day, either the one transition it causes or the reasons it cannot be recorded (in Dutch, by
 * field, so a Slack modal can show each under its input). The service in src/cases/outcome-service.ts
 * authorises, locks the case and writes the transition; nothing here touches the database.
 *
 * Free text never enters a transition: summaries go to Slack cards and the state is shown on them,
 * while what a tenant tells (the cause of the arrears, a note with a hold) may be about health
 * (AVG art. 9). The service stores such text as a separate note event.
 */

export interface FieldError {
  /** The input path, e.g. `cause` or `arrangement.installments.2.dueOn`. */
  field: string;
  /** Dutch, for the person filling in the modal. */
  message: string;
}

export type OutcomeResult =
  | { ok: true; transition: Transition }
  /** `wrong_stage`: the case is not in a stage where this can be recorded (the message names it). */
  | { ok: false; errors: FieldError[]; reason?: 'wrong_stage' };

/** Stages in which a hold may pause the procedure: from the verdict on, the court's dates decide. */
export const HOLD_STAGES = STAGES_BEFORE_VERDICT;

/** A court moratorium lasts at most six months (art. 287a lid 1 Faillissementswet). */
export const MORATORIUM_MAX_MONTHS = 6;

function fail(...errors: FieldError[]): OutcomeResult {
  return { ok: false, errors };
}

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} of ${items[items.length - 1]}`;
}

function requireStage(open: OpenCase, allowed: readonly OpenStage[], what: string, where?: string): OutcomeResult | null {
  if (allowed.includes(open.stage)) return null;
  where ??= `${allowed.length === 1 ? 'de fase' : 'de fasen'} ${orList(allowed.map((s) => STAGE_NAMES_NL[s]))}`;
  return {
    ok: false,
    reason: 'wrong_stage',
    errors: [
      {
        field: 'stage',
        message: `${what} kan alleen in ${where}; deze zaak staat in de fase ${STAGE_NAMES_NL[open.stage]} (${STAGE_CLAUSE[open.stage]}).`,
      },
    ],
  };
}

function update(open: OpenCase, event: string, clause: string | null, summary: string, state: CaseState): OutcomeResult {
  return { ok: true, transition: { type: 'update', stage: open.stage, event, clause, summary, state } };
}

function move(open: OpenCase, to: OpenStage, clause: string, summary: string, state: CaseState): OutcomeResult {
  return { ok: true, transition: { type: 'move', from: open.stage, to, clause, summary, state } };
}

// ---------------------------------------------------------------------------
// Early signalling

/**
 * The signal state of a case. Cases opened before signalling was tracked carry none: their 14-day
 * letter made the offer (Besluit art. 2 sub d), so they count as offered on the letter's date.
 */
export function currentSignal(state: CaseState): SignalState {
  if (state.signal) return state.signal;
  if (state.letter) return { state: 'offered', offeredOn: state.letter.sentOn, answeredOn: null, reportedOn: null };
  return NO_SIGNAL;
}

export interface SignalAnswerInput {
  answer: 'objected' | 'agreed';
}

/** P2.a.2: the tenant objects to or agrees with passing the details to the municipality. */
export function recordSignalAnswer(open: OpenCase, input: SignalAnswerInput, date: IsoDate, _rules: ProcedureRules): OutcomeResult {
  const current = currentSignal(open.state);
  const result = input.answer === 'objected' ? recordObjection(current, date) : recordAgreement(current, date);
  if (!result.ok) return fail({ field: 'answer', message: result.error.message });
  const summary =
    input.answer === 'objected'
      ? 'Vroegsignalering: de huurder maakt bezwaar; de gegevens gaan niet naar de gemeente'
      : 'Vroegsignalering: de huurder gaat akkoord; de gegevens gaan naar de gemeente (meldingsformulier)';
  return update(open, 'signal_answer', 'P2.a.2', summary, { ...open.state, signal: result.state });
}

// ---------------------------------------------------------------------------
// The conversation (P2.a) and its agreement (P2.b, P2.c)

export interface ConversationInput {
  /** P2.a.1; validated here, stored by the service as a note event, never in the state. */
  cause: string;
  /** P2.a.2: the tenant agrees to the meldingsformulier. */
  referralConsent: boolean;
  /** P2.a.3 */
  consequencesExplained: boolean;
  obligations: AgreementFacts['obligations'];
  commitments: AgreementFacts['commitments'];
  /** P2.b.4 / P2.c.4: absent when no arrangement was made. */
  arrangement?: { installments: Installment[] } | null;
}

export interface ConversationFacts {
  /** B(date): the arrears the agreement is about (P2.b). */
  balanceCents: Cents;
  monthlyRentCents: Cents;
}

const CONVERSATION_STAGES: readonly OpenStage[] = ['contact', 'visit', 'escalation'];

/** P2.a: a conversation with the tenant, at the office or by phone. */
export function recordConversation(
  open: OpenCase,
  input: ConversationInput,
  date: IsoDate,
  rules: ProcedureRules,
  facts: ConversationFacts,
): OutcomeResult {
  return (
    requireStage(open, CONVERSATION_STAGES, 'Een gesprek vastleggen') ??
    conversation(open, open.state, input, date, rules, facts, { via: 'conversation', clause: 'P2.a', prefix: 'Gesprek met de huurder' })
  );
}

function conversation(
  open: OpenCase,
  base: CaseState,
  input: ConversationInput,
  date: IsoDate,
  rules: ProcedureRules,
  facts: ConversationFacts,
  how: { via: AgreementFacts['via']; clause: string; prefix: string; field?: string },
): OutcomeResult {
  const at = (field: string) => (how.field ? `${how.field}.${field}` : field);
  const errors: FieldError[] = [];
  if (input.cause.trim() === '') {
    errors.push({ field: at('cause'), message: 'Vul de oorzaak van de achterstand in (P2.a.1).' });
  }
  if (!input.consequencesExplained) {
    errors.push({
      field: at('consequencesExplained'),
      message: 'Leg de huurder uit wat er volgt als de huur onbetaald blijft: incasso, deurwaarder en ontruiming (P2.a.3).',
    });
  }
  const installments = input.arrangement?.installments;
  if (installments) {
    const checked = validateArrangement(
      { arrearsCents: facts.balanceCents, installments, agreedOn: date },
      { maxMonths: rules.maxArrangementMonths },
    );
    if (!checked.ok) {
      for (const e of checked.errors) {
        // The arrears and the agreement date come from the case, not from the modal.
        const field = e.field.startsWith('installments') ? `arrangement.${e.field}` : 'arrangement';
        errors.push({ field: at(field), message: e.message });
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const agreement: AgreementFacts = {
    agreedOn: date,
    via: how.via,
    arrearsCents: facts.balanceCents,
    referralConsent: input.referralConsent,
    consequencesExplained: true,
    obligations: { ...input.obligations },
    commitments: { ...input.commitments },
  };
  const state: CaseState = { ...base, conversationOn: date, agreement };
  // The meldingsformulier is the early-signalling report (DESIGN.md): the answer counts there too,
  // unless the signal has moved past it (already reported), which the conversation does not undo.
  const current = currentSignal(state);
  const answered = input.referralConsent ? recordAgreement(current, date) : recordObjection(current, date);
  if (answered.ok) state.signal = answered.state;

  const parts = [
    `achterstand ${formatEuro(facts.balanceCents)}`,
    `meldingsformulier: ${input.referralConsent ? 'huurder akkoord' : 'huurder niet akkoord'}`,
    'gevolgen uitgelegd',
  ];
  if (!installments) {
    parts.push('geen betalingsregeling');
    return update(open, 'conversation_recorded', how.clause, `${how.prefix}: ${parts.join('; ')}`, state);
  }
  const total = installments.reduce((sum, i) => sum + i.amountCents, 0);
  const last = installments[installments.length - 1]!;
  state.arrangement = {
    agreedOn: date,
    arrearsCents: facts.balanceCents,
    installments: installments.map((i) => ({ dueOn: i.dueOn, amountCents: i.amountCents })),
    monthlyRentCents: facts.monthlyRentCents,
  };
  delete state.escalation;
  parts.push(
    `betalingsregeling: ${installments.length} ${installments.length === 1 ? 'termijn' : 'termijnen'}, samen ${formatEuro(total)}, laatste termijn ${formatDutchDate(last.dueOn)}, naast de lopende huur`,
  );
  return move(open, 'arrangement', 'P2.c.4', `${how.prefix}: ${parts.join('; ')}`, state);
}

// ---------------------------------------------------------------------------
// No response, the home visit and the card (P2.d)

/** P2.d: the tenant did not respond to the invitation. */
export function recordNoResponse(open: OpenCase, date: IsoDate, _rules: ProcedureRules): OutcomeResult {
  return (
    requireStage(open, ['contact'], '"Geen reactie" vastleggen') ??
    move(open, 'visit', 'P2.d', 'Geen reactie op de uitnodiging: huisbezoek door twee medewerkers (P2.d.1)', {
      ...open.state,
      noResponseOn: date,
    })
  );
}

export type HomeVisitInput =
  { employees: string[]; outcome: 'spoken'; conversation?: ConversationInput | null } | { employees: string[]; outcome: 'nobody_home' };

/** P2.d.1: a home visit by two employees; P2.d.2: nobody home, a card with a one-week term. */
export function recordHomeVisit(
  open: OpenCase,
  input: HomeVisitInput,
  date: IsoDate,
  rules: ProcedureRules,
  facts: ConversationFacts,
): OutcomeResult {
  const wrong = requireStage(open, ['visit'], 'Een huisbezoek vastleggen');
  if (wrong) return wrong;
  const ids = input.employees.map((e) => e.trim());
  if (ids.length !== 2 || ids.some((e) => e === '')) {
    return fail({ field: 'employees', message: 'Een huisbezoek leg je af met twee medewerkers (P2.d.1): kies er twee.' });
  }
  const [first, second] = ids as [string, string];
  if (first === second) {
    return fail({ field: 'employees', message: 'Kies twee verschillende medewerkers: een huisbezoek doe je nooit alleen (P2.d.1).' });
  }
  const employees: [string, string] = [first, second];

  if (input.outcome === 'nobody_home') {
    const cardTermEndsOn = addDays(date, rules.cardTermDays);
    return update(
      open,
      'card_left',
      'P2.d.2',
      `Huisbezoek door twee medewerkers: niemand thuis. Kaart in de bus; zonder reactie uiterlijk ${formatDutchDate(cardTermEndsOn)} gaat het dossier naar de deurwaarder`,
      { ...open.state, visit: { ...open.state.visit, visitedOn: date, employees, cardLeftOn: date, cardTermEndsOn } },
    );
  }
  // The tenant was spoken to at home: that is the conversation P3 asks for, details or not.
  const state: CaseState = { ...open.state, conversationOn: date, visit: { ...open.state.visit, visitedOn: date, employees } };
  if (input.conversation) {
    return conversation(open, state, input.conversation, date, rules, facts, {
      via: 'home_visit',
      clause: 'P2.d.1',
      prefix: 'Huisbezoek door twee medewerkers, gesprek met de huurder',
      field: 'conversation',
    });
  }
  return update(open, 'home_visit', 'P2.d.1', 'Huisbezoek door twee medewerkers: huurder gesproken', state);
}

// ---------------------------------------------------------------------------
// The team discussion (P3.a) and the bailiff (P3.b)

/** Yes/no only: the reasons behind them (addiction, psychiatry) are special-category data. */
export interface MassDiscussionInput {
  /** P3.a.1 */
  childrenInHome: boolean;
  /** P3.a.1: particulars that justify a referral to MaSS. */
  referralGrounds: boolean;
  /** P3.a.2 */
  nuisance: boolean;
  /** P3.a.2 */
  structuralProblems: boolean;
  /** P3.a.2 */
  earlierVerdict: boolean;
}

/** P3.a: the team's discussion, as flags. */
export function recordMassDiscussion(open: OpenCase, input: MassDiscussionInput, date: IsoDate, _rules: ProcedureRules): OutcomeResult {
  return (
    requireStage(open, ['escalation'], 'De teambespreking vastleggen') ??
    update(
      open,
      'mass_discussed',
      'P3.a',
      // The answers stay out of the summary: it is posted on the case card.
      'Teambespreking vastgelegd: MaSS-vragen (P3.a.1) en omstandigheden voor een ontruimingsbesluit (P3.a.2) beantwoord',
      {
        ...open.state,
        mass: {
          discussedOn: date,
          childrenInHome: input.childrenInHome,
          referralGrounds: input.referralGrounds,
          nuisance: input.nuisance,
          structuralProblems: input.structuralProblems,
          earlierVerdict: input.earlierVerdict,
        },
      },
    )
  );
}

const SIGNAL_NOT_REPORTED_NL: Record<SignalState['state'], string> = {
  none: 'niet aangeboden',
  offered: 'aangeboden, nog geen antwoord',
  objected: 'de huurder maakte bezwaar',
  agreed: 'de huurder ging akkoord, melding nog niet gedaan',
  no_reaction: 'geen reactie, melding nog niet gedaan',
  reported: 'gemeld',
};

/**
 * The early-signal line shown before every bailiff step: some courts refuse eviction unless the
 * summons comes 2 to 6 months after the report (DESIGN.md, "Early signalling").
 */
export function signalLine(signal: SignalState, date: IsoDate): string {
  if (signal.reportedOn === null) return `vroegsignalering: niet gemeld bij de gemeente (${SIGNAL_NOT_REPORTED_NL[signal.state]})`;
  const reported = `gemeld bij de gemeente op ${formatDutchDate(signal.reportedOn)}`;
  const window = summonsWindow(signal.reportedOn);
  switch (summonsWindowStatus(signal.reportedOn, date)) {
    case 'ok':
      return `vroegsignalering: ${reported} (2 maanden of langer geleden)`;
    case 'too_early':
      return `vroegsignalering: ${reported} (nog geen 2 maanden geleden; dagvaarden vanaf ${formatDutchDate(window.earliest)})`;
    default:
      return `vroegsignalering: ${reported} (meer dan 6 maanden geleden, na ${formatDutchDate(window.latest)}: de melding is mogelijk verouderd)`;
  }
}

/** P3.b: the file goes to the bailiff, who gives the tenant one last chance to pay. */
export function handToBailiff(open: OpenCase, date: IsoDate, rules: ProcedureRules): OutcomeResult {
  const wrong = requireStage(open, ['escalation'], 'Het dossier overdragen aan de deurwaarder');
  if (wrong) return wrong;
  const hold = open.state.hold;
  if (hold && hold.until >= date) {
    // A moratorium or Wsnp stops creditors' measures; the bailiff must wait too.
    return fail({
      field: 'hold',
      message: `De zaak is gepauzeerd (${holdLabel(hold.reason)}) tot en met ${formatDutchDate(hold.until)}: beëindig eerst de pauze.`,
    });
  }
  const termEndsOn = addDays(date, rules.bailiffTermDays);
  const parts = [`Dossier naar de deurwaarder: laatste kans om te betalen, termijn tot en met ${formatDutchDate(termEndsOn)}`];
  if (open.state.signal) parts.push(signalLine(open.state.signal, date));
  return move(open, 'bailiff', 'P3.b', parts.join('; '), { ...open.state, bailiff: { handedOn: date, termEndsOn } });
}

// ---------------------------------------------------------------------------
// The MT vote (P3.c, P4.b)

export interface BallotInput {
  member: string;
  ballot: Ballot;
}

const BALLOT_NL: Record<Ballot, string> = { for: 'voor', against: 'tegen', abstain: 'onthouding' };

/**
 * One MT member's ballot; it replaces the member's earlier one while the vote is open. When the
 * ballot makes the outcome certain (a majority of all known members), the vote closes at once.
 */
export function castMtBallot(
  open: OpenCase,
  input: BallotInput,
  date: IsoDate,
  rules: ProcedureRules,
  context: { isMember: boolean },
): OutcomeResult {
  const wrong = requireStage(open, ['mt_vote'], 'Stemmen');
  if (wrong) return wrong;
  const vote = open.state.vote;
  if (!vote) return fail({ field: 'ballot', message: 'Er loopt geen stemming voor deze zaak.' });
  if (open.state.hold && open.state.hold.until >= date) {
    // The hold pauses escalation: the MT cannot start the eviction procedure meanwhile either.
    return fail({
      field: 'ballot',
      message: `De zaak is gepauzeerd tot ${formatDutchDate(open.state.hold.until)}: er wordt nu niet gestemd.`,
    });
  }
  // The daily run closes the vote on its last day, so a ballot from then on comes too late.
  const closed = date >= vote.closesOn;
  const cast = castBallot(vote.ballots, input.member, input.ballot, { isMember: context.isMember, closed });
  if (!cast.ok) {
    return fail({
      field: 'ballot',
      message:
        cast.reason === 'not_member'
          ? 'Alleen leden van het MT kunnen stemmen.'
          : `De stemming is gesloten (termijn tot ${formatDutchDate(vote.closesOn)}).`,
    });
  }
  const changed = vote.ballots[input.member] !== undefined && vote.ballots[input.member] !== input.ballot;
  const clause = vote.kind === 'repeat_verdict' ? 'P4.b' : 'P3.c';
  const ballotText = `${changed ? 'Stem gewijzigd' : 'Stem uitgebracht'}: ${BALLOT_NL[input.ballot]}`;
  const withBallot: OpenCase = { ...open, state: { ...open.state, vote: { ...vote, ballots: cast.ballots } } };

  const closing = closeVote(withBallot, date, rules, false);
  if (closing) {
    // The vote leaves the state when it closes; the summary keeps the deciding ballot in the dossier.
    return { ok: true, transition: { ...closing, summary: `${ballotText}. ${closing.summary}` } };
  }
  const t = tally(cast.ballots);
  return update(
    open,
    'mt_ballot',
    clause,
    `${ballotText} · stand ${t.for} voor, ${t.against} tegen, ${t.abstain} onthouding (quorum ${rules.mtQuorum})`,
    withBallot.state,
  );
}

// ---------------------------------------------------------------------------
// The verdict (P4)

export interface VerdictInput {
  verdictOn: IsoDate;
  evictionOn: IsoDate;
  /** Everything the tenant must pay to postpone the eviction, costs included (P4.a). */
  amountCents: Cents;
}

export interface VerdictFacts {
  earlierVerdictDates: IsoDate[];
  /** The ledger balance on the registration date: what the verdict amount adds on top is unbooked court costs. */
  balanceCents: number;
}

/** P4: the sub-district court's verdict. A first verdict can still be paid off (P4.a); a repeat goes to the MT (P4.b). */
export function registerVerdict(
  open: OpenCase,
  input: VerdictInput,
  date: IsoDate,
  rules: ProcedureRules,
  facts: VerdictFacts,
): OutcomeResult {
  const wrong = requireStage(open, ['eviction_procedure'], 'Een vonnis registreren');
  if (wrong) return wrong;
  const errors: FieldError[] = [];
  const verdictOn = parseIsoDate(input.verdictOn);
  const evictionOn = parseIsoDate(input.evictionOn);
  if (verdictOn === null) errors.push({ field: 'verdictOn', message: 'De datum van het vonnis is geen geldige datum.' });
  else if (verdictOn > date) errors.push({ field: 'verdictOn', message: 'Het vonnis kan niet in de toekomst liggen.' });
  if (evictionOn === null) errors.push({ field: 'evictionOn', message: 'De ontruimingsdatum is geen geldige datum.' });
  else if (verdictOn !== null && evictionOn <= verdictOn) {
    errors.push({
      field: 'evictionOn',
      message: `De ontruimingsdatum moet na de datum van het vonnis (${formatDutchDate(verdictOn)}) liggen.`,
    });
  } else if (evictionOn <= date) {
    errors.push({ field: 'evictionOn', message: 'De ontruimingsdatum moet in de toekomst liggen.' });
  }
  if (!Number.isSafeInteger(input.amountCents) || input.amountCents <= 0) {
    errors.push({ field: 'amountCents', message: 'Vul het volledige bedrag in, inclusief kosten; het moet hoger zijn dan € 0,00.' });
  }
  if (errors.length > 0 || verdictOn === null || evictionOn === null) return { ok: false, errors };

  const payBy = payByDate(evictionOn, rules);
  // A verdict registered twice, or imported as the tenancy's earlier verdict, is not an earlier one.
  const earlier = facts.earlierVerdictDates.filter((d) => d < verdictOn).sort();
  const facts4 = `Vonnis van ${formatDutchDate(verdictOn)}: ontruiming op ${formatDutchDate(evictionOn)}, te betalen ${formatEuro(input.amountCents)} inclusief kosten`;
  const verdict = {
    verdictOn,
    evictionOn,
    amountCents: input.amountCents,
    first: earlier.length === 0,
    payBy,
    registeredOn: date,
    // P4.a asks for the full amount including costs: what the ledger does not hold yet still counts.
    unbookedCents: Math.max(0, input.amountCents - facts.balanceCents),
  };

  if (earlier.length === 0) {
    return move(
      open,
      'verdict',
      'P4.a',
      `${facts4}. Eerste vonnis: volledige betaling uiterlijk ${formatDutchDate(payBy)} stelt de ontruiming uit`,
      { ...open.state, verdict },
    );
  }
  const vote = {
    kind: 'repeat_verdict' as const,
    openedOn: date,
    closesOn: addWorkingDays(date, rules.voteTermWorkdays, rules.holidays),
    ballots: {},
  };
  return move(
    open,
    'mt_vote',
    'P4.b',
    `${facts4}. Eerder vonnis op ${formatDutchDate(earlier[earlier.length - 1]!)}: zonder bijzondere omstandigheden besluit het MT tot ontruiming`,
    { ...open.state, verdict, vote },
  );
}

// ---------------------------------------------------------------------------
// Holds

export interface HoldInput {
  reason: HoldReason;
  /** The last day of the hold; the daily run resumes the day after. */
  until: IsoDate;
}

/** A moratorium, Wsnp or debt-help process pauses escalation until its end date. */
export function placeHold(open: OpenCase, input: HoldInput, date: IsoDate, _rules: ProcedureRules): OutcomeResult {
  const wrong = requireStage(open, HOLD_STAGES, 'Pauzeren', 'de fasen vóór het vonnis');
  if (wrong) return wrong;
  const until = parseIsoDate(input.until);
  if (until === null) return fail({ field: 'until', message: 'De einddatum is geen geldige datum.' });
  if (until <= date) return fail({ field: 'until', message: 'De einddatum van de pauze moet na vandaag liggen.' });
  if (input.reason === 'moratorium') {
    const latest = addMonths(date, MORATORIUM_MAX_MONTHS);
    if (until > latest) {
      return fail({
        field: 'until',
        message: `Een moratorium duurt hoogstens ${MORATORIUM_MAX_MONTHS} maanden: uiterlijk ${formatDutchDate(latest)}.`,
      });
    }
  }
  const previous = open.state.hold;
  const what = previous ? 'Pauze gewijzigd' : 'Gepauzeerd';
  return update(
    open,
    'hold_placed',
    null,
    `${what} (${holdLabel(input.reason)}) tot en met ${formatDutchDate(until)}: geen escalatie zolang de pauze loopt`,
    { ...open.state, hold: { reason: input.reason, since: previous?.since ?? date, until } },
  );
}

/** Ends a hold before its end date, e.g. when the debt-help process stops. */
export function releaseHold(open: OpenCase, date: IsoDate, _rules: ProcedureRules): OutcomeResult {
  const hold = open.state.hold;
  if (!hold) return fail({ field: 'hold', message: 'Deze zaak is niet gepauzeerd.' });
  const state: CaseState = { ...open.state };
  delete state.hold;
  return update(
    open,
    'hold_released',
    null,
    `Pauze (${holdLabel(hold.reason)}) beëindigd op ${formatDutchDate(date)}, gepland tot ${formatDutchDate(hold.until)}: de procedure loopt weer`,
    state,
  );
}
